"""What Python hands the browser: the map's configuration, the event columns, the view state.

These are the boundary's shapes, named once. `geo/web/flashpoint.js` and `geo/web/bridge.js`
read exactly these keys (a contract test holds both sides to them). The event columns depend
only on the dataset and the filters, so they reach the browser once; the date is applied there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from babel import Locale
from pandas.api.extensions import ExtensionArray

from geo.arrowtext import arrow_text
from geo.categories import GROUP_COLOR, GROUP_SHAPE, Categories, category_label
from geo.language import GREGORIAN, PERSIAN_MONTHS, SOURCE, Language, load_catalogue
from geo.limits import FILTER_OPTIONS
from geo.timeline import day_number

COORD_SCALE: Final = 100_000
TITLES_UP_TO: Final = 20_000
CIRCLES_UP_TO: Final = 2_000
# More visible events than this in the map's view, and the map draws clusters with counts:
# beyond a few hundred markers nobody reads them one by one (geo/web/clusters.js).
AGGREGATE_ABOVE: Final = 500
MARKER_SIZE: Final = 6
# Catalogue keys of the map's own words (geo/locales).
MAP_WORDS: Final = tuple(key for key in load_catalogue(SOURCE) if key.startswith("mapui."))


class GroupMember(TypedDict):
    """One category inside the grouped entry: its name and how many events it has."""

    name: str
    count: int


class CategoryStyle(TypedDict):
    """How the map draws one category; the grouped entry lists the categories it holds."""

    name: str
    color: str
    shape: str
    count: int
    members: list[GroupMember]


class MapLanguage(TypedDict):
    """The language part of the map's configuration."""

    lang: str
    dir: str
    digits: str
    group: str
    weekdays: list[str]
    months: list[str]
    calendar: str
    gregorianMonths: list[str]
    words: dict[str, str]


class MapConfig(MapLanguage):
    """Set once per dataset and basemap: part of the base map, which never reloads."""

    categories: list[CategoryStyle]
    size: int
    dataset: str
    first: int
    last: int
    focus: list[int] | None
    focusLabel: str | None
    circlesUpTo: int
    aggregateAbove: int


class EventColumns(TypedDict, total=False):
    """The events of a dataset under its filters, column by column, in date order.

    Coordinates are scaled integers (1e-5 degree); days count from 1970-01-01; `row` is the
    event's row in the dataset, which is how the page and the map name an event.
    """

    row: list[int]
    x: list[int]
    y: list[int]
    t: list[int]
    start: list[int]
    end: list[int]
    title: list[str]
    unc: dict[str, float]
    lines: dict[str, list[list[float]]]
    new: list[int]  # rows that arrived while the page was open (live data): drawn with a ring
    dataset: str  # which dataset the rows belong to (a pick names it; one map shows many)
    counts: list[int]  # the legend's counts in its order (a group's, then its members')


class ViewState(TypedDict):
    """What the page tells the map on every run: cheap, a few hundred bytes.

    `day` is applied only when `rev` changes, i.e. when the page itself moved the date (a
    story step, a shared link); otherwise the browser's own date stands. `highlight` is the
    rows a story step picks out ("focus" means only the period a dataset opens on).
    """

    day: int | None
    rev: int
    sel: int
    highlight: list[int]
    fly: list[list[float]] | None
    mode: str
    window: int
    dataset: str
    lang: str
    dir: str
    words: dict[str, str]
    held: list[float] | None  # a large table's window read, [west, south, east, north]
    bound: list[float] | None  # the box that table may be read in
    cut: bool  # whether the window held more events than were read


class ViewReport(TypedDict):
    """Where the map looks, as it reports it (with each trigger, and into the address);
    `box` is what it shows, [west, south, east, north]."""

    lat: float
    lon: float
    zoom: int
    box: list[float]


class PickReport(TypedDict):
    """A marker the reader clicked: its row, in the dataset whose events the map was showing
    (a map kept across a source's versions or a large table's windows shows several in turn)."""

    row: int
    dataset: str


class Trigger(TypedDict):
    """What the bridge hands Python for each event: its value and the map's view with it."""

    value: Any
    view: ViewReport | None


@dataclass(frozen=True, slots=True)
class BridgeEvent:
    """One trigger from the browser, checked once at the boundary."""

    value: Any
    view: tuple[float, float, int] | None

    @classmethod
    def parse(cls, raw: Any) -> BridgeEvent | None:
        """A trigger as the bridge sends it, or None when it is not one."""
        if not isinstance(raw, dict) or "value" not in raw:
            return None
        return cls(value=raw["value"], view=_parse_view_report(raw.get("view")))

    def pick(self, dataset: str, rows: int) -> int | None:
        """The picked row, if the value is a pick within this dataset's rows."""
        value = self.value
        if not isinstance(value, dict) or value.get("dataset") != dataset:
            return None
        row = value.get("row")
        if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < rows:
            return row
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _parse_view_report(view: Any) -> tuple[float, float, int] | None:
    if not isinstance(view, dict):
        return None
    lat, lon, zoom = (_number(view.get(k)) for k in ("lat", "lon", "zoom"))
    if lat is None or lon is None or zoom is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= 18):
        return None
    return round(lat, 4), round(lon, 4), int(zoom)


@dataclass(frozen=True, slots=True)
class MapData:
    """Per-event columns the map needs, computed once per dataset."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    day: np.ndarray
    end: np.ndarray
    titles: np.ndarray | ExtensionArray
    uncertainty: np.ndarray
    lines: dict[int, list[list[float]]]

    @classmethod
    def from_events(cls, events: pd.DataFrame, categories: Categories) -> MapData:
        """Marker position (representative point), style index, days and title of each event."""
        geoms = np.asarray(events.geometry.to_numpy(), dtype=object)
        types = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, np.int64)
        is_line = np.isin(types, (1, 5))
        # A point is its own marker: only areas and lines need a representative point made.
        # A point's envelope is the point (GEOS gives envelopes faster than x and y apart).
        xy = np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4)[:, :2].copy()
        other = np.flatnonzero(types != 0)
        if len(other):
            xy[other] = shapely.get_coordinates(shapely.point_on_surface(geoms[other]))
        lines: dict[int, list[list[float]]] = {}
        line_rows = np.flatnonzero(is_line)
        # Every vertex of every line (a multi-line's parts one after another) in one call:
        # asking each line for its own took a hundred times as long.
        coords, owner = shapely.get_coordinates(geoms[line_rows], return_index=True)
        ends = np.searchsorted(owner, np.arange(len(line_rows)), side="right")
        vertices = coords.tolist()
        start = 0
        for row, end in zip(line_rows.tolist(), ends.tolist(), strict=True):
            lines[row] = [[round(x, 5), round(y, 5)] for x, y in vertices[start:end]]
            xy[row] = vertices[end - 1]
            start = end
        t = style_indexes(events["event_type"], categories)
        days = events["event_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        ends = events["end_date"].to_numpy(dtype="datetime64[D]")
        end = np.where(np.isnat(ends), days, ends.astype(np.int64))
        unc = events["uncertainty_m"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return cls(
            x=np.round(xy[:, 0] * COORD_SCALE).astype(np.int64),
            y=np.round(xy[:, 1] * COORD_SCALE).astype(np.int64),
            t=t,
            day=days,
            end=np.maximum(end, days),
            # Kept as the column holds them: only a few are ever read (a million Python
            # strings took a tenth of a second and a hundred megabytes to make).
            titles=events["title"].array,
            uncertainty=unc,
            lines=lines,
        )


def build_event_columns(data: MapData, mask: np.ndarray) -> EventColumns:
    """The events passing the filters, as compact columns for the map."""
    rows = np.flatnonzero(mask)
    columns: EventColumns = {
        "row": rows.tolist(),
        "x": data.x[rows].tolist(),
        "y": data.y[rows].tolist(),
        "t": data.t[rows].tolist(),
        "start": data.day[rows].tolist(),
        "end": data.end[rows].tolist(),
    }
    if len(rows) <= TITLES_UP_TO:
        columns["title"] = [str(v) for v in data.titles[rows].tolist()]
    unc = data.uncertainty[rows]
    with_circle = np.isfinite(unc) & (unc > 0)
    columns["unc"] = {
        str(r): u
        for r, u in zip(rows[with_circle].tolist(), unc[with_circle].tolist(), strict=True)
    }
    columns["lines"] = {str(r): line for r, line in data.lines.items() if mask[r]}
    return columns


def style_indexes(event_types: pd.Series, categories: Categories) -> np.ndarray:
    """Each event's index into the map's category styles (the grouped ones share the last)."""
    coloured = categories.coloured
    keys = pa.array([category.key for category in coloured], pa.string())
    # Arrow finds each value among the coloured keys at once, without a Python string per event.
    found = pc.index_in(arrow_text(event_types), value_set=keys)
    return np.asarray(found.fill_null(len(coloured)).to_numpy(), dtype=np.int64)


def category_styles(categories: Categories, language: Language) -> list[CategoryStyle]:
    """The map's styles: one per coloured category, then the grouped entry if there is one."""
    styles: list[CategoryStyle] = [
        {
            "name": category_label(c.key, language),
            "color": c.color,
            "shape": c.shape,
            "count": c.events,
            "members": [],
        }
        for c in categories.coloured
    ]
    grouped = categories.grouped
    if grouped:
        # The legend lists the members; past the filter menus' limit one line says how many more.
        listed, rest = grouped[: FILTER_OPTIONS.value], grouped[FILTER_OPTIONS.value :]
        members: list[GroupMember] = [
            {"name": category_label(c.key, language), "count": c.events} for c in listed
        ]
        if rest:
            more = language.t("categories.more", count=language.number(len(rest)))
            members.append({"name": more, "count": sum(c.events for c in rest)})
        styles.append(
            {
                "name": language.t("type.grouped", count=language.number(len(grouped))),
                "color": GROUP_COLOR,
                "shape": GROUP_SHAPE,
                "count": sum(c.events for c in grouped),
                "members": members,
            }
        )
    return styles


def legend_counts(config: MapConfig) -> list[int]:
    """The legend's counts in the order the map lists them: a group's, then its members'."""
    counts: list[int] = []
    for style in config["categories"]:
        counts.append(style["count"])
        counts.extend(member["count"] for member in style["members"])
    return counts


def without_counts(config: MapConfig) -> MapConfig:
    """The configuration for the base map: a new version of the source changes the counts
    (sent with the events), not the base map, which would otherwise reload."""
    styles: list[CategoryStyle] = [
        {**style, "count": 0, "members": [{**m, "count": 0} for m in style["members"]]}
        for style in config["categories"]
    ]
    return {**config, "categories": styles}


def build_map_config(
    *,
    categories: Categories,
    token: str,
    first: date,
    last: date,
    focus: tuple[date, date, str] | None,
    language: Language | None = None,
) -> MapConfig:
    """The map's configuration for a dataset: categories, legend, range, focus period, words."""
    language = language or Language()
    styles = category_styles(categories, language)
    return {
        "categories": styles,
        "size": MARKER_SIZE,
        # A new dataset must get a fresh map: rows name events only within one dataset.
        "dataset": token,
        "first": day_number(first),
        "last": day_number(last),
        "focus": [day_number(focus[0]), day_number(focus[1])] if focus else None,
        "focusLabel": focus[2] if focus else None,
        "circlesUpTo": CIRCLES_UP_TO,
        "aggregateAbove": AGGREGATE_ABOVE,
        **map_language(language),
    }


def map_language(language: Language) -> MapLanguage:
    """The map's words, direction, digits, day names (Sunday first, as JS) and calendar.

    `months` are those of the reader's calendar (Intl works out the day in it, see
    flashpoint.js); where that is not the Gregorian, `gregorianMonths` name the Gregorian
    months for the date written beside it in the heading.
    """
    locale = Locale.parse(language.code)
    dates = Locale.parse(language.date_locale)
    days = dates.days["format"]["abbreviated"]
    gregorian = [dates.months["format"]["abbreviated"][m] for m in range(1, 13)]
    other = language.calendar != GREGORIAN
    return {
        "lang": language.code,
        "dir": language.direction,
        "digits": language.digits,
        "group": locale.number_symbols[locale.default_numbering_system]["group"],
        "weekdays": [days[(i + 6) % 7] for i in range(7)],
        "months": list(PERSIAN_MONTHS) if language.calendar == "persian" else gregorian,
        "calendar": language.calendar,
        "gregorianMonths": (
            [dates.months["format"]["wide"][m] for m in range(1, 13)] if other else []
        ),
        "words": {key: language.t(key) for key in MAP_WORDS},
    }
