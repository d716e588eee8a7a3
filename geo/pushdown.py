"""A table larger than a process should hold: each reader's dates and view, read from the database.

A table whose rows (within the address's `since`/`bbox`) number more than the process holds
(`hold=N` in the address, by default the records limit) is not read whole. Each reader's page
reads the events of the dates they chose and of a box around the map's view — the view widened
by half on each side and snapped outward to a grid, so that small pans stay inside it and
readers looking at the same place share one read. The date index and the GiST index on `geom`
answer the query. Where more events than `VIEW_EVENTS` fall in the box and dates, the newest are
read and the page says how many of how many.

The map reports its view only when it leaves the box read, or when it zooms far into a box
whose events were cut short (`stale`); the page then reads the new box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import psycopg
from psycopg import sql

from geo.database import GEOMETRY, DatabaseSource, read_newest, table_columns, window_of
from geo.table import RawTable
from geo.validation import type_names

VIEW_EVENTS: Final = 50_000  # the most events one view reads from a large table (a pan in 2-5 s)
PAD: Final = 0.5  # the box read is the view widened by this share of its size on each side
ZOOM_IN_AREA: Final = 16.0  # a cut-short box is read again when the view is 1/16 of its area
WORLD: Final = (-180.0, -90.0, 180.0, 90.0)
# A map's size in pixels when only its centre and zoom are known (a shared link's first read).
ASSUMED_MAP_PX: Final = (1280, 800)


@dataclass(frozen=True, slots=True)
class Box:
    """A box in degrees: west, south, east, north."""

    west: float
    south: float
    east: float
    north: float

    @property
    def area(self) -> float:
        """Its area in square degrees (a measure for comparing boxes, not a surface)."""
        return max(self.east - self.west, 0.0) * max(self.north - self.south, 0.0)

    def contains(self, other: Box) -> bool:
        """Whether the other box lies within this one."""
        return (
            self.west <= other.west
            and self.south <= other.south
            and self.east >= other.east
            and self.north >= other.north
        )

    def meets(self, other: Box) -> bool:
        """Whether the two boxes share more than an edge."""
        return max(self.west, other.west) < min(self.east, other.east) and max(
            self.south, other.south
        ) < min(self.north, other.north)

    def clip(self, bound: Box) -> Box:
        """This box within the bound (the bound itself when they do not meet)."""
        west, south = max(self.west, bound.west), max(self.south, bound.south)
        east, north = min(self.east, bound.east), min(self.north, bound.north)
        return Box(west, south, east, north) if west < east and south < north else bound

    def as_list(self) -> list[float]:
        """West, south, east, north, as the map is told them."""
        return [self.west, self.south, self.east, self.north]

    @classmethod
    def parse(cls, value: Any) -> Box | None:
        """A box as the map reports it ([west, south, east, north]), clamped to the world."""
        if not isinstance(value, list | tuple) or len(value) != 4:
            return None
        numbers = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
            return None
        west, south, east, north = (float(v) for v in numbers)
        if east - west >= 360:  # the map shows the whole world, or more
            west, east = WORLD[0], WORLD[2]
        box = Box(max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))
        return box if box.west < box.east and box.south < box.north else None


def view_box(lat: float, lon: float, zoom: int) -> Box:
    """The box a map of ASSUMED_MAP_PX shows around a centre at a zoom (Web Mercator)."""
    width, height = ASSUMED_MAP_PX
    degrees = 360.0 / (256 * 2**zoom)
    half_w = width * degrees / 2
    half_h = height * degrees * math.cos(math.radians(max(min(lat, 85.0), -85.0))) / 2
    return Box(lon - half_w, lat - half_h, lon + half_w, lat + half_h).clip(Box(-180, -90, 180, 90))


def bound_of(source: DatabaseSource, extent: Extent | None = None) -> Box:
    """The box the source may be read in: the address's `bbox` (or the world), narrowed to
    the table's own extent (no event lies outside it, so no view needs more)."""
    bound = Box(*(source.bbox or WORLD))
    if extent is None or extent.box is None:
        return bound
    return extent.box.clip(bound) if extent.box.meets(bound) else bound


def box_around(view: Box, bound: Box) -> Box:
    """The box read for a view: widened by PAD on each side, snapped outward to a grid."""
    width, height = view.east - view.west, view.north - view.south
    step = 2.0 ** math.floor(math.log2(max(width, height, 1e-6) / 2))
    wide = Box(
        math.floor((view.west - width * PAD) / step) * step,
        math.floor((view.south - height * PAD) / step) * step,
        math.ceil((view.east + width * PAD) / step) * step,
        math.ceil((view.north + height * PAD) / step) * step,
    )
    return wide.clip(bound)


@dataclass(frozen=True, slots=True)
class Window:
    """What one reader's page reads from a large table: a box and a range of dates."""

    box: Box
    start: date | None = None
    end: date | None = None

    def with_dates(self, start: date | None, end: date | None) -> Window:
        """The same box over other dates."""
        return Window(self.box, start, end)


def stale(read: Box, view: Box, cut_short: bool) -> bool:
    """Whether a view needs another read: it leaves the box read, or it looks far into a
    box whose events were cut short (then the closer box holds events the first did not)."""
    if not read.contains(view):
        return True
    return cut_short and view.area * ZOOM_IN_AREA <= read.area


@dataclass(frozen=True, slots=True)
class Extent:
    """How many rows the source's window holds, its first and last day, its box and its
    categories: what every reader's window shares (the time control, the legend's colours)."""

    count: int
    first: date | None
    last: date | None
    box: Box | None = None  # the events' bounding box
    types: tuple[tuple[str, int], ...] = ()  # each category as validation files it, and its rows


def table_extent(conn: psycopg.Connection[Any], source: DatabaseSource) -> Extent:
    """The number of rows, the date range, the bounding box and the categories within the
    address's window (one pass over the table, once per version: the rows are counted, dated
    and boxed by category, and the categories' figures are put together here)."""
    where, params = window_of(source)
    kind = "event_type" if "event_type" in table_columns(conn, source) else None
    rows = conn.execute(
        sql.SQL(
            "SELECT {k}, count(*), min(event_date), max(event_date), ST_XMin(ST_Extent({g})), "
            "ST_YMin(ST_Extent({g})), ST_XMax(ST_Extent({g})), ST_YMax(ST_Extent({g})) "
            "FROM {t} WHERE {w} GROUP BY 1"  # the four ST_Extent calls are one aggregate
        ).format(
            k=sql.SQL("coalesce({}, '')").format(sql.Identifier(kind)) if kind else sql.SQL("''"),
            g=sql.Identifier(GEOMETRY),
            t=sql.Identifier(source.table),
            w=where,
        ),
        params,
    ).fetchall()
    rows = [row for row in rows if row[1]]
    if not rows:
        return Extent(0, None, None)
    corners = [row[4:] for row in rows if all(isinstance(c, float) for c in row[4:])]
    box = None
    if corners:
        pad = 1e-6  # a box of one point still has an inside
        box = Box(
            min(c[0] for c in corners) - pad,
            min(c[1] for c in corners) - pad,
            max(c[2] for c in corners) + pad,
            max(c[3] for c in corners) + pad,
        )
    firsts = [row[2] for row in rows if row[2] is not None]
    lasts = [row[3] for row in rows if row[3] is not None]
    return Extent(
        sum(int(row[1]) for row in rows),
        min(firsts, default=None),
        max(lasts, default=None),
        box,
        filed_types({str(row[0]): int(row[1]) for row in rows}),
    )


def filed_types(given: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """The table's event types (as given, with their rows) as the categories validation files
    them under, with their rows."""
    type_of, _ = type_names(given)
    filed: dict[str, int] = {}
    for value, count in given.items():
        filed[type_of[value]] = filed.get(type_of[value], 0) + count
    return tuple(sorted(filed.items()))


@dataclass(frozen=True, slots=True)
class WindowRows:
    """The rows a window read, and how many were there."""

    raw: RawTable
    found: int
    limit: int

    @property
    def cut_short(self) -> bool:
        """Whether more events were in the window than were read."""
        return self.found > self.limit


def read_window(
    conn: psycopg.Connection[Any], source: DatabaseSource, window: Window, limit: int
) -> WindowRows:
    """The newest `limit` rows in the box and dates (and the address's window), in date order."""
    where, params = window_of(source)
    terms: list[sql.Composable] = [
        where,
        sql.SQL("{} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)").format(sql.Identifier(GEOMETRY)),
    ]
    params = [*params, *window.box.as_list()]
    for bound, operator in ((window.start, ">="), (window.end, "<=")):
        if bound is not None:
            terms.append(sql.SQL(f"event_date {operator} %s"))
            params.append(bound)
    raw, found, _ = read_newest(conn, source, sql.SQL(" AND ").join(terms), params, limit)
    return WindowRows(raw, found, limit)
