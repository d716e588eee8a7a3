"""Where events are: checks of their geometries, and the swapped-coordinates test."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.countries import bounds_of_countries, inside_boxes
from geo.geojson import geometry_of
from geo.limits import DIGITS, NESTING, VERTICES
from geo.messages import (
    MISSING,
    NOT_FINITE,
    Message,
    Note,
    Numeral,
    message,
    too_many_vertices,
    unsupported_geometry,
)
from geo.prescan import TooManyDigitsError, json_depth, loads_bounded, wkt_problem
from geo.table import RawTable

SUPPORTED_GEOMETRIES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


@dataclass(frozen=True, slots=True)
class Places:
    """Where each record is: its shape, or for a plain point only its x and y.

    `xy` holds every point's coordinates (NaN for other shapes and missing ones), worked
    out once for the checks and the swapped-coordinates test. The plain points' shapes are
    made by `shapes_in` once the records are checked and in date order, so that later passes
    over them (the map's columns) read memory in order: over shapes made in file order and
    then sorted, GEOS took ten times as long.
    """

    shapes: np.ndarray  # object: a geometry, or None (none, or a plain point)
    xy: np.ndarray  # (n, 2)
    plain: np.ndarray  # bool: given as x and y only

    def shapes_in(self, order: np.ndarray | None) -> np.ndarray:
        """The shapes of the rows in `order` (every row when None), plain points made."""
        rows = np.arange(len(self.shapes)) if order is None else order
        shapes = self.shapes[rows]
        plain = np.flatnonzero(self.plain[rows])
        if len(plain):
            with collector_paused():
                shapes[plain] = shapely.points(self.xy[rows[plain]])
        return shapes


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while many shapes are made at once.

    Shapes are objects the collector tracks, though they hold no others: a million made in
    one call set off eight full collections, most of a second, that could find nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_geometry(raw: RawTable, report: Any) -> Places:
    """Where each record is; each unusable place reported (and its record left out).

    The geometries are gathered into one object array by iterating over them: numpy took six
    times as long to copy a list of a million.
    """
    n = len(raw.labels)
    geoms = np.fromiter(raw.geometry, dtype=object, count=n)
    errors = np.fromiter(raw.geometry_errors, dtype=object, count=n)
    has_error = errors != ""
    report(has_error, "geometry", errors, True)
    if raw.points is None:
        plain, xy = np.zeros(n, dtype=bool), np.full((n, 2), np.nan)
    else:  # a plain point's geometry is None: the others' coordinates go beside them
        plain, xy = ~np.isnan(raw.points[:, 0]), raw.points.copy()
    given = ~np.asarray(shapely.is_missing(geoms), dtype=bool)
    idx = np.flatnonzero(given & ~has_error)
    shaped = np.flatnonzero(given)
    if len(shaped):
        xy[shaped] = np.column_stack(point_coordinates(geoms[shaped]))
    problems = {int(idx[j]): why for j, why in _geometry_problems(geoms[idx])}
    # A plain point is finite, valid and one vertex: only its range is left to check.
    with np.errstate(invalid="ignore"):
        beyond = plain & ((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))
    problems |= {i: _out_of_range(*xy[i], *xy[i]) for i in np.flatnonzero(beyond).tolist()}
    bad = np.zeros(n, dtype=bool)
    bad[list(problems)] = True
    report(bad, "geometry", problems, True)
    return Places(geoms, xy, plain)


def geometries_from_text(
    values: pd.Series, column: str
) -> tuple[list[BaseGeometry | None], list[Note]]:
    """Each cell of a column holding shapes as WKT or GeoJSON (text or an object), or why not."""
    geometry: list[BaseGeometry | None] = [None] * len(values)
    whys: list[Note] = [""] * len(values)
    wkt_rows: list[int] = []
    for i, value in enumerate(values.tolist()):
        if isinstance(value, dict):
            geometry[i], whys[i] = geometry_of(value)
            continue
        missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)
        text = "" if missing else str(value).strip()
        if not text:
            whys[i] = MISSING
        elif text.startswith("{"):
            geometry[i], whys[i] = _geojson_text(text)
        elif why := wkt_problem(text):
            whys[i] = why
        else:
            wkt_rows.append(i)
    if wkt_rows:
        texts = np.asarray([str(values.iat[i]).strip() for i in wkt_rows], dtype=object)
        parsed = np.asarray(shapely.from_wkt(texts, on_invalid="ignore"), dtype=object)
        for i, text, geom in zip(wkt_rows, texts.tolist(), parsed.tolist(), strict=True):
            geometry[i] = geom
            if geom is None:
                whys[i] = message(
                    "problem.not_shape",
                    "{value} is neither WKT nor a GeoJSON geometry",
                    value=repr(text[:60]),
                )
    errors: list[Note] = [
        message("problem.in_column", "{column}: {why}", column=column, why=why) if why else ""
        for why in whys
    ]
    return geometry, errors


def _geojson_text(text: str) -> tuple[BaseGeometry | None, Note]:
    """A GeoJSON geometry written as text, measured before it is parsed."""
    data = text.encode("utf-8")
    if json_depth(data) > NESTING.value:
        return None, message(
            "problem.json_nesting",
            "it is nested too deeply; the limit is {limit} levels "
            "(nesting of JSON arrays and objects, or of WKT parentheses)",
            limit=NESTING.value,
        )
    try:
        return geometry_of(loads_bounded(text, data))
    except TooManyDigitsError as exc:
        return None, message(
            "problem.json_digits",
            "it holds a number of {digits} digits; the limit is {limit} digits "
            "(digits in one number)",
            digits=exc.digits,
            limit=DIGITS.value,
        )
    except (json.JSONDecodeError, RecursionError):
        return None, message("problem.not_geojson", "{value} is not GeoJSON", value=repr(text[:60]))


def check_swapped(xy: np.ndarray, out: pd.DataFrame, report: Any) -> None:
    """Warn about points (`xy`, NaN for other shapes) outside their stated country that would
    be inside it if swapped."""
    boxes = bounds_of_countries(out["country"])
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        in_range = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    # An unknown country's box is NaN, as are the coordinates of anything but a point:
    # neither is inside anything.
    swapped = in_range & ~inside_boxes(x, y, boxes) & inside_boxes(y, x, boxes)
    messages: dict[int, Message] = {}
    for i in np.flatnonzero(swapped).tolist():
        messages[i] = message(
            "problem.swapped",
            "point (longitude {lon}, latitude {lat}) is outside {country}; "
            "latitude and longitude look swapped",
            lon=Numeral(f"{xy[i, 0]:g}"),
            lat=Numeral(f"{xy[i, 1]:g}"),
            country=str(out["country"].iat[i]),
        )
    report(swapped, "geometry", messages, False)


def point_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's x and y, NaN for anything but a point: read from the envelopes, which GEOS
    gives in one pass (asking for x and y apart took three times as long)."""
    bounds = np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4)
    bounds[np.asarray(shapely.get_type_id(geoms)) != 0, :2] = np.nan
    return bounds[:, 0], bounds[:, 1]


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
            why = _out_of_range(*bounds[j])
        else:
            why = message(
                "problem.invalid_geometry",
                "invalid {kind} ({reason})",
                kind=str(type_names[j]),
                reason=shapely.is_valid_reason(arr[j]),
            )
        yield j, why


def _out_of_range(x0: float, y0: float, x1: float, y1: float) -> Message:
    """Why an envelope (west, south, east, north) is not on the globe."""
    return message(
        "problem.out_of_range",
        "coordinates out of range (longitude must be -180..180, latitude -90..90; "
        "got x {x0}..{x1}, y {y0}..{y1})",
        x0=Numeral(f"{x0:g}"),
        x1=Numeral(f"{x1:g}"),
        y0=Numeral(f"{y0:g}"),
        y1=Numeral(f"{y1:g}"),
    )
