"""Country bounding boxes, used to spot points whose latitude and longitude were swapped.

The boxes were computed from Natural Earth 1:50m admin-0 boundaries as packaged in the npm
package world-atlas 2.0.2 (countries-50m.json, read with geopandas, layer "countries"):
`total_bounds` of each country's polygons, rounded outwards to 0.01 degree. For the United
States only its polygons in the western hemisphere are used: the few Aleutian islands at
172-180 E would otherwise stretch the box round the whole globe. Countries not listed here
are not checked.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import pandas as pd

# name: (min longitude, min latitude, max longitude, max latitude)
COUNTRY_BOUNDS: Final[dict[str, tuple[float, float, float, float]]] = {
    "Bahrain": (50.45, 25.8, 50.62, 26.25),
    "Egypt": (24.7, 21.99, 36.87, 31.66),
    "Iran": (44.02, 25.1, 63.31, 39.77),
    "Iraq": (38.77, 29.06, 48.55, 37.38),
    "Israel": (34.24, 29.47, 35.92, 33.44),
    "Jordan": (34.95, 29.18, 39.3, 33.38),
    "Kuwait": (46.53, 28.53, 48.45, 30.1),
    "Lebanon": (35.1, 33.07, 36.59, 34.68),
    "Oman": (51.97, 16.64, 59.84, 26.36),
    "Palestine": (34.19, 31.2, 35.58, 32.54),
    "Qatar": (50.75, 24.56, 51.61, 26.16),
    "Saudi Arabia": (34.61, 16.37, 55.65, 32.13),
    "Syria": (35.76, 32.31, 42.36, 37.3),
    "Turkey": (25.67, 35.83, 44.82, 42.1),
    "United Arab Emirates": (51.56, 22.62, 56.39, 26.07),
    "United States": (-178.2, 18.96, -66.98, 71.41),
    "Yemen": (42.55, 12.31, 54.51, 19.0),
}

# Other spellings seen in ACLED exports and elsewhere, lower-case.
COUNTRY_ALIASES: Final[dict[str, str]] = {
    "united states of america": "United States",
    "usa": "United States",
    "us": "United States",
    "türkiye": "Turkey",
    "turkiye": "Turkey",
    "uae": "United Arab Emirates",
    "syrian arab republic": "Syria",
    "iran (islamic republic of)": "Iran",
    "state of palestine": "Palestine",
    "palestinian territories": "Palestine",
}


class Boxes(NamedTuple):
    """A box per row, column by column (a column of a million rows is read in one pass)."""

    west: np.ndarray
    south: np.ndarray
    east: np.ndarray
    north: np.ndarray


_NAMES: Final[tuple[str, ...]] = tuple(COUNTRY_BOUNDS)
_BOXES: Final = np.vstack(
    [np.asarray(COUNTRY_BOUNDS[n], dtype=float) for n in _NAMES] + [np.full(4, np.nan)]
)
_ROW_OF: Final[dict[str, int]] = {
    **{n.lower(): i for i, n in enumerate(_NAMES)},
    **{alias: _NAMES.index(n) for alias, n in COUNTRY_ALIASES.items()},
}


def bounds_of_countries(countries: pd.Series) -> Boxes:
    """Bounding box (minx, miny, maxx, maxy) per country name, as four columns; NaN for
    unknown countries."""
    # Each distinct name is looked up once: a million events name a few dozen countries.
    codes, uniques = pd.factorize(countries)
    rows = [_ROW_OF.get(str(name).strip().lower(), len(_NAMES)) for name in uniques]
    index = np.asarray([*rows, len(_NAMES)], dtype=np.int64)[codes]
    west, south, east, north = (np.ascontiguousarray(_BOXES[:, k]) for k in range(4))
    return Boxes(west[index], south[index], east[index], north[index])


def inside_boxes(x: np.ndarray, y: np.ndarray, boxes: Boxes) -> np.ndarray:
    """Whether each point lies in its box (False where the box is unknown)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(
            (x >= boxes.west) & (y >= boxes.south) & (x <= boxes.east) & (y <= boxes.north),
            dtype=bool,
        )
