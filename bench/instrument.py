"""Hooks the benchmark installs in its own processes: a dataset-load counter and phase timers.

They patch attributes at run time, before the dashboard's modules are imported, so the
dashboard's files stay as they are. A hook whose target has moved is skipped, not fatal.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from geo.dataset import Dataset

LOADS_ENV: Final = "FLASHPOINT_BENCH_LOADS"

# (module, attribute, label): what one server-side step of the dashboard spends its time on.
PHASES: Final = (
    ("geo.payload", "build_event_columns", "geo.payload.build_event_columns (cached per filters)"),
    ("geo.maps", "build_base_map", "geo.maps.build_base_map (full runs only)"),
    ("streamlit_folium", "st_folium", "st_folium (full runs only)"),
    ("streamlit", "dataframe", "st.dataframe (event list, report)"),
)


def count_dataset_builds(log: Path) -> None:
    """Append a line to `log` whenever a Dataset is built (i.e. a file is loaded, not cached)."""
    build: Callable[..., Dataset] = Dataset.from_result.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Dataset], *args: Any, **kwargs: Any) -> Dataset:
        with log.open("a", encoding="utf-8") as out:
            out.write("load\n")
        return build(cls, *args, **kwargs)

    setattr(Dataset, "from_result", classmethod(counting))  # noqa: B010


def count_lines(log: Path) -> int:
    """How many loads a counter log records."""
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


class PhaseTimers:
    """Wall time spent in named functions, accumulated across calls."""

    def __init__(self) -> None:
        self.total: defaultdict[str, float] = defaultdict(float)

    def install(self, phases: tuple[tuple[str, str, str], ...]) -> list[str]:
        """Wrap each (module, attribute) that exists; returns the labels installed."""
        installed = []
        for module_name, attribute, label in phases:
            try:
                module = importlib.import_module(module_name)
                original = getattr(module, attribute)
            except (ImportError, AttributeError):
                continue
            setattr(module, attribute, self._timed(original, label))
            installed.append(label)
        return installed

    def _timed(self, func: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.total[label] += time.perf_counter() - started

        return timed

    def snapshot(self) -> dict[str, float]:
        """The totals so far (subtract two snapshots for one step)."""
        return dict(self.total)
