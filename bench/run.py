"""One benchmark run: its plan (sizes, steps, time budget) and everything it measured."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from bench.browser import BrowserResult
from bench.core import CoreResult
from bench.procs import ChildResult
from bench.report import size_label
from bench.synthetic import SyntheticSet

T = TypeVar("T")
STEPS: Final = 5
CHANGES: Final = 20
QUICK_CHANGES: Final = 20
FRAMES: Final = 40
LOAD_REPEATS: Final = 3
LOAD_REPEATS_100K: Final = 2
NAIVE_STEPS: Final = {1_000: 3, 10_000: 1}


@dataclass(slots=True)
class Run:
    """Everything one benchmark run measured, by set size."""

    sizes: tuple[int, ...]
    quick: bool
    deadline: float
    sets: dict[int, SyntheticSet] = field(default_factory=dict)
    core: dict[int, CoreResult] = field(default_factory=dict)
    rss: dict[int, ChildResult] = field(default_factory=dict)
    rss_parquet: dict[int, ChildResult] = field(default_factory=dict)
    traced: dict[int, ChildResult] = field(default_factory=dict)
    apptest: dict[int, ChildResult] = field(default_factory=dict)
    naive: dict[int, ChildResult] = field(default_factory=dict)
    browser: dict[int, BrowserResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    chromium: str = ""

    def remaining(self) -> float:
        """Seconds left in the time budget."""
        return self.deadline - time.monotonic()

    def attempt(self, what: str, action: Callable[[], T]) -> T | None:
        """Run one measurement; a failure is reported in the output, not raised."""
        try:
            return action()
        except Exception as exc:
            self.problems.append(f"{what}: {type(exc).__name__}: {str(exc)[:300]}")
            return None

    def child(
        self, store: dict[int, ChildResult], size: int, what: str, result: ChildResult
    ) -> None:
        """Keep a child's result; note its failure."""
        store[size] = result
        if not result.ok:
            self.problems.append(f"{what} at {size_label(size)}: {result.error}")
        elif result.data.get("errors"):
            self.problems.append(f"{what} at {size_label(size)}: app error {result.data['errors']}")


def median(values: list[float] | None) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def seconds(milliseconds: list[float]) -> float | None:
    """The median of times in ms, in seconds."""
    value = median(milliseconds)
    return None if value is None else value / 1e3


def p95_seconds(milliseconds: list[float]) -> float | None:
    """The 95th percentile of times in ms, in seconds."""
    if len(milliseconds) < 2:
        return None
    return statistics.quantiles(milliseconds, n=20, method="inclusive")[-1] / 1e3


def ratio(slow: float | None, fast: float | None) -> float | None:
    """How many times slower the first is, or None."""
    return slow / fast if slow is not None and fast else None
