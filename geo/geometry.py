"""Where events are: checks of their geometries, and the swapped-coordinates test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely

from geo.countries import bounds_of_countries, inside_boxes
from geo.limits import VERTICES
from geo.messages import (
    NOT_FINITE,
    Message,
    Numeral,
    message,
    too_many_vertices,
    unsupported_geometry,
)
from geo.table import RawTable

SUPPORTED_GEOMETRIES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


def check_geometry(raw: RawTable, report: Any) -> list[Any]:
    """The geometries as given; each unusable one reported (and its record left out)."""
    n = len(raw.labels)
    geoms = np.empty(n, dtype=object)
    geoms[:] = raw.geometry
    errors = np.asarray(raw.geometry_errors, dtype=object)
    has_error = errors != ""
    report(has_error, "geometry", errors, True)
    present = np.array([g is not None for g in geoms], dtype=bool) & ~has_error
    idx = np.flatnonzero(present)
    if len(idx) == 0:
        return list(geoms)
    arr = np.asarray(list(geoms[idx]), dtype=object)
    msgs = np.full(n, "", dtype=object)
    bad = np.zeros(n, dtype=bool)
    for j, why in _geometry_problems(arr):
        msgs[idx[j]] = why
        bad[idx[j]] = True
    report(bad, "geometry", msgs, True)
    return list(geoms)


def check_swapped(geometry: list[Any], out: pd.DataFrame, report: Any) -> None:
    """Warn about points outside their stated country that would be inside it if swapped."""
    boxes = bounds_of_countries(out["country"])
    checked = np.flatnonzero(~np.isnan(boxes[:, 0]))
    if len(checked) == 0:
        return
    geoms = np.empty(len(checked), dtype=object)
    geoms[:] = [geometry[i] for i in checked.tolist()]
    x = np.asarray(shapely.get_x(geoms), dtype=float)  # NaN for anything but a point
    y = np.asarray(shapely.get_y(geoms), dtype=float)
    box = boxes[checked]
    with np.errstate(invalid="ignore"):
        in_range = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    swapped = in_range & ~inside_boxes(x, y, box) & inside_boxes(y, x, box)
    mask = np.zeros(len(out), dtype=bool)
    mask[checked[swapped]] = True
    messages = np.full(len(out), "", dtype=object)
    for i in checked[swapped].tolist():
        g = geometry[i]
        messages[i] = message(
            "problem.swapped",
            "point (longitude {lon}, latitude {lat}) is outside {country}; "
            "latitude and longitude look swapped",
            lon=Numeral(f"{g.x:g}"),
            lat=Numeral(f"{g.y:g}"),
            country=str(out["country"].iat[i]),
        )
    report(mask, "geometry", messages, False)


def _geometry_problems(arr: np.ndarray) -> Iterator[tuple[int, Message]]:
    """(position, why) for each geometry that cannot be mapped as it is."""
    types = shapely.get_type_id(arr)
    type_names = np.asarray(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ],
        dtype=object,
    )[types]
    unsupported = ~np.isin(type_names, list(SUPPORTED_GEOMETRIES))
    empty = np.asarray(shapely.is_empty(arr), dtype=bool)
    bounds = shapely.bounds(arr)
    # A polygon's envelope is its shell's: measure the rings so a hole out of range shows.
    polygonal = np.flatnonzero(np.isin(types, (3, 6)) & ~empty)
    if len(polygonal):
        bounds[polygonal] = shapely.bounds(shapely.boundary(arr[polygonal]))
    with np.errstate(invalid="ignore"):
        finite = np.asarray(np.isfinite(bounds).all(axis=1), dtype=bool)
        in_range = (
            (bounds[:, 0] >= -180)
            & (bounds[:, 2] <= 180)
            & (bounds[:, 1] >= -90)
            & (bounds[:, 3] <= 90)
        )
    # A line or area of a million vertices costs every viewer CPU on every step.
    huge = np.asarray(shapely.get_num_coordinates(arr) > VERTICES.value, dtype=bool)
    unsupported |= huge
    valid = np.asarray(shapely.is_valid(arr), dtype=bool)
    unsupported_or_empty = unsupported | empty
    out_of_range = finite & ~in_range & ~unsupported_or_empty
    invalid = ~valid & finite & in_range & ~unsupported_or_empty
    for j in np.flatnonzero(unsupported | empty | ~finite | out_of_range | invalid).tolist():
        if huge[j]:
            count = int(shapely.get_num_coordinates(arr[j]))
            why = too_many_vertices(count)
        elif unsupported[j]:
            why = unsupported_geometry(str(type_names[j]))
        elif empty[j]:
            why = message("problem.empty_geometry", "empty geometry")
        elif not finite[j]:
            why = NOT_FINITE
        elif out_of_range[j]:
            x0, y0, x1, y1 = bounds[j]
            why = message(
                "problem.out_of_range",
                "coordinates out of range (longitude must be -180..180, latitude -90..90; "
                "got x {x0}..{x1}, y {y0}..{y1})",
                x0=Numeral(f"{x0:g}"),
                x1=Numeral(f"{x1:g}"),
                y0=Numeral(f"{y0:g}"),
                y1=Numeral(f"{y1:g}"),
            )
        else:
            why = message(
                "problem.invalid_geometry",
                "invalid {kind} ({reason})",
                kind=str(type_names[j]),
                reason=shapely.is_valid_reason(arr[j]),
            )
        yield j, why
