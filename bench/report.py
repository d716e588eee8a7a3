"""The benchmark's printed report: a figures table per size and a targets table with verdicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from harness.tables import render_table

Unit = Literal["s", "bytes", "x", "MB", "count"]
MISSING: Final = "—"


def fmt(value: float | None, unit: Unit) -> str:
    """A figure in readable units ('—' when there is none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.0f} µs"
        if value < 1:
            return f"{value * 1e3:.0f} ms" if value >= 0.01 else f"{value * 1e3:.1f} ms"
        return f"{value:.2f} s"
    if unit == "bytes":
        if value < 1e3:
            return f"{value:.0f} B"
        if value < 1e6:
            return f"{value / 1e3:.0f} KB"
        return f"{value / 1e6:.2f} MB"
    if unit == "MB":
        return f"{value:.1f} MB" if abs(value) < 10 else f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"
    return f"{value:,.0f}"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the figures table: a label and a cell per size (text, already formatted)."""

    label: str
    cells: dict[int, str]


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the issue and the figure that answers it."""

    label: str
    limit: float
    unit: Unit
    figure: float | None
    source: str
    at_least: bool = False
    why_missing: str = ""
    lower_bound: bool = False
    cpu: float | None = None

    @property
    def verdict(self) -> str:
        """PASS, MISS, NOT MEASURED, or UNKNOWN (a lower bound short of an at-least goal)."""
        if self.figure is None or math.isnan(self.figure):
            return "NOT MEASURED"
        ok = self.figure >= self.limit if self.at_least else self.figure <= self.limit
        if not ok and self.lower_bound:
            return "UNKNOWN"
        return "PASS" if ok else "MISS"


def size_label(size: int) -> str:
    """1000 -> '1k', 1000000 -> '1M'."""
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def render_figures(rows: Sequence[Row], sizes: Sequence[int], first: str = "Figure") -> str:
    """The figures table: metric down, set size across."""
    heads = [first, *(f"{size_label(s)} events" for s in sizes)]
    body = [[r.label, *(r.cells.get(s, MISSING) for s in sizes)] for r in rows]
    return render_table(heads, body, right=range(1, len(heads)))


def render_targets(targets: Sequence[Target]) -> str:
    """The targets table: goal, figure, limit, verdict, where the figure comes from."""
    heads = ["Target", "Measured", "CPU", "Limit", "Verdict", "Measured by"]
    body = []
    for t in targets:
        limit = ("≥ " if t.at_least else "≤ ") + fmt(t.limit, t.unit)
        measured = ("≥ " if t.lower_bound else "") + fmt(t.figure, t.unit)
        source = t.source + (f" ({t.why_missing})" if t.why_missing and t.figure is None else "")
        cpu = ("≥ " if t.lower_bound and t.cpu is not None else "") + fmt(t.cpu, t.unit)
        body.append([t.label, measured, cpu, limit, t.verdict, source])
    return render_table(heads, body, right=range(1, 4))
