"""How far a load has come: its stages, and the callback that hears about them.

`geo` knows nothing of the page: a loader takes a plain callable `progress(stage, fraction)`,
where `fraction` is the share of the whole load done (0 to 1, never going back), and the
dashboard turns it into a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

Progress = Callable[[str, float], None]

# Each stage's share of a load, as measured on an ACLED-like CSV of 100,000 rows (11.7 MB,
# 10.6 s on a busy 2-core machine): reading 27 %, validating 48 %, indexing (titles,
# timeline, map columns) 24 %.
STAGES: Final[dict[str, tuple[float, float]]] = {
    "reading": (0.0, 0.3),
    "validating": (0.3, 0.75),
    "indexing": (0.75, 1.0),
}


def tell(progress: Progress | None, stage: str, part: float = 0.0) -> None:
    """Tell `progress` that a stage is `part` done (0 to 1), as a fraction of the whole load."""
    if progress is None:
        return
    start, end = STAGES[stage]
    progress(stage, start + (end - start) * min(max(part, 0.0), 1.0))
