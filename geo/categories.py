"""A dataset's categories, derived from its data: ACLED's types keep ACLED's colours and shapes,
a file's own types keep their names and get Okabe-Ito colours, the largest first.

The assignment depends only on the counts, so the same file always gets the same colours.
When a file has more categories than the palette holds, the largest keep colours and the rest
share one grouped entry (one colour) that the legend can open; each stays its own category
everywhere else (filter, detail panel, exports).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final, NamedTuple

import pandas as pd

from geo.language import Language
from geo.model import CATEGORY_BY_NAME, EVENT_TYPES, SHAPES

# Okabe & Ito (2008), "Color Universal Design": told apart with every common colour-vision
# deficiency. Black is left out: markers are drawn over a dark basemap with a dark outline.
OKABE_ITO: Final[tuple[str, ...]] = (
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#f0e442",  # yellow
    "#0072b2",  # blue
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
)
GROUP_COLOR: Final = "#a0a7b4"
GROUP_SHAPE: Final = "circle"
# A palette colour closer than this (CIE76 ΔE) to an ACLED colour already on the map is skipped:
# Okabe-Ito's orange is ACLED's explosions (ΔE 4), its sky blue ACLED's protests (ΔE 13).
TOO_CLOSE: Final = 30.0
NO_CATEGORY: Final = ""


class DataCategory(NamedTuple):
    """One category of a dataset: its value in the data, how many events, how it is drawn.

    A tuple, not a dataclass: a hostile file can bring as many categories as records.
    """

    key: str
    events: int
    color: str
    shape: str
    acled: bool = False
    grouped: bool = False


@dataclass(frozen=True)
class Categories:
    """A dataset's categories in display order: ACLED's in their order, then the file's own by
    size (ties by name), the grouped ones being the smallest. Read-only: the parts are made once."""

    entries: tuple[DataCategory, ...]
    _by_key: dict[str, DataCategory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {c.key: c for c in self.entries})

    @cached_property
    def keys(self) -> list[str]:
        """The categories' values in the data, in display order."""
        return [c.key for c in self.entries]

    @cached_property
    def coloured(self) -> tuple[DataCategory, ...]:
        """The categories with a colour of their own."""
        return tuple(c for c in self.entries if not c.grouped)

    @cached_property
    def grouped(self) -> tuple[DataCategory, ...]:
        """The categories that share the grouped entry, largest first."""
        return tuple(c for c in self.entries if c.grouped)

    def get(self, key: str) -> DataCategory:
        """The category of a value (a value the data never had draws like the group)."""
        return self._by_key.get(key) or DataCategory(key, 0, GROUP_COLOR, GROUP_SHAPE)

    def count(self, key: str) -> int:
        """How many events a category has."""
        found = self._by_key.get(key)
        return found.events if found else 0

    @cached_property
    def own(self) -> tuple[DataCategory, ...]:
        """The categories outside ACLED's vocabulary (no category included), largest first."""
        return tuple(c for c in self.entries if not c.acled)


def assign_categories(counts: Mapping[str, int]) -> Categories:
    """Colour and shape for each category of a dataset, from how many events each has."""
    acled = [
        DataCategory(name, counts[name], style.color, style.shape, acled=True)
        for name, style in CATEGORY_BY_NAME.items()
        if counts.get(name, 0) > 0
    ]
    used = [c.color for c in acled]
    palette = [c for c in OKABE_ITO if all(colour_distance(c, u) >= TOO_CLOSE for u in used)]
    own = sorted(
        ((key, n) for key, n in counts.items() if key not in EVENT_TYPES and n > 0),
        key=lambda item: (-item[1], item[0]),
    )
    # One left over gets the group's colour under its own name: a group of one opens onto itself.
    keep = len(own) if len(own) <= len(palette) + 1 else len(palette)
    coloured = [
        DataCategory(
            key,
            n,
            palette[i] if i < len(palette) else GROUP_COLOR,
            SHAPES[i % len(SHAPES)] if i < len(palette) else GROUP_SHAPE,
        )
        for i, (key, n) in enumerate(own[:keep])
    ]
    grouped = [DataCategory(k, n, GROUP_COLOR, GROUP_SHAPE, grouped=True) for k, n in own[keep:]]
    return Categories(tuple(acled + coloured + grouped))


def categories_of(event_types: pd.Series) -> Categories:
    """The categories of a column of event types (as validation leaves them)."""
    counts = event_types.value_counts()
    return assign_categories({str(k): int(v) for k, v in counts.items()})


def category_label(key: str, language: Language | None = None) -> str:
    """A category's name for people: ACLED's in the page's language, a file's own as written."""
    language = language or Language()
    if key in EVENT_TYPES:
        return language.t(f"type.{key}")
    return language.t("type.none") if key == NO_CATEGORY else key


def colour_distance(a: str, b: str) -> float:
    """How far apart two sRGB colours look (CIE76 ΔE: Euclidean distance in CIELAB)."""
    return math.dist(_lab(a), _lab(b))


def _lab(colour: str) -> tuple[float, float, float]:
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    # sRGB to XYZ (D65), each relative to the white point.
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    fx, fy, fz = (v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def vocabulary_note(
    categories: Categories, language: Language | None = None, limit: int = 8
) -> str:
    """The information line for categories outside ACLED's vocabulary ("" when there are none)."""
    language = language or Language()
    own = [c for c in categories.own if c.key != NO_CATEGORY]
    if not own:
        return ""
    listed = " · ".join(
        f"{_cut(category_label(c.key, language))} {language.number(c.events)}" for c in own[:limit]
    )
    if len(own) > limit:
        listed += " " + language.t("categories.more", count=language.number(len(own) - limit))
    return language.t("categories.own", categories=listed)


def _cut(name: str, limit: int = 60) -> str:
    """A name short enough for one line of a report."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def no_category_note(categories: Categories, language: Language | None = None) -> str:
    """The information line for events without a category ("" when every event has one)."""
    language = language or Language()
    count = categories.count(NO_CATEGORY)
    if not count:
        return ""
    return language.t(
        "categories.none", count=language.number(count), label=category_label(NO_CATEGORY, language)
    )
