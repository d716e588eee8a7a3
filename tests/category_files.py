"""Files with categories of their own, made on the fly: strikes and raids in Iraq, a file that
mixes ACLED's types with its own, and one with more categories than the palette holds."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

# Roughly Iraq, away from its borders.
WEST, EAST, SOUTH, NORTH = 41.5, 46.5, 31.0, 36.5
STRIKES = (("Airstrike", 186), ("SOF", 114))  # 300 rows, the real file's proportions
MIXED = (("Battles", 40), ("Protests", 25), ("IED", 30), ("SAF", 20), ("", 5))
MANY = tuple((f"Category {chr(65 + i)}", 40 - 2 * i) for i in range(14))


def rows_of(counts: Sequence[tuple[str, int]], seed: int = 13) -> list[tuple[str, str, str, str]]:
    """(date, longitude, latitude, type) rows with each type as often as asked, shuffled."""
    rng = random.Random(seed)
    types = [name for name, n in counts for _ in range(n)]
    rng.shuffle(types)
    start = date(2017, 1, 1)
    return [
        (
            (start + timedelta(days=rng.randrange(365))).isoformat(),
            f"{rng.uniform(WEST, EAST):.4f}",
            f"{rng.uniform(SOUTH, NORTH):.4f}",
            kind,
        )
        for kind in types
    ]


def csv_text(counts: Sequence[tuple[str, int]], seed: int = 13) -> str:
    """A generic CSV as third parties write them: date, longitude, latitude, type."""
    lines = ["date,longitude,latitude,type"]
    lines += [",".join(row) for row in rows_of(counts, seed)]
    return "\n".join(lines) + "\n"


def write_csv(folder: Path, name: str, counts: Sequence[tuple[str, int]]) -> Path:
    """Write such a CSV into a folder and return its path."""
    path = folder / name
    path.write_text(csv_text(counts), encoding="utf-8")
    return path
