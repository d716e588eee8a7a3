"""How far a load has come: its stages, and the callback that hears about them.

`geo` knows nothing of the page: a loader takes a plain callable `progress(stage, fraction)`,
where `fraction` is the share of the whole load done (0 to 1, never going back), and the
dashboard turns it into a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

Progress = Callable[[str, float], None]

# Each stage's share of a load, as measured on a 100,000-row CSV: reading about 35 %,
# validating about 40 %, indexing (titles, timeline, map columns) the rest.
STAGES: Final[dict[str, tuple[float, float]]] = {
    "reading": (0.0, 0.35),
    "validating": (0.35, 0.75),
    "indexing": (0.75, 1.0),
}


def tell(progress: Progress | None, stage: str, part: float = 0.0) -> None:
    """Tell `progress` that a stage is `part` done (0 to 1), as a fraction of the whole load."""
    if progress is None:
        return
    start, end = STAGES[stage]
    progress(stage, start + (end - start) * min(max(part, 0.0), 1.0))
