"""Load and validate incident data: good events as a GeoDataFrame, plus a list of problems.

A bad record is reported (which record, which field, why) and never silently dropped;
a file that cannot be read at all raises `DatasetError` with a message for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.claims import check_claims
from geo.countries import bounds_of_countries, inside_boxes
from geo.limits import FILE_BYTES, NESTING, TEXT_CHARS, VERTICES
from geo.model import (
    CATEGORIES,
    EVENT_TYPES,
    FLOAT_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    OTHER,
    TEXT_FIELDS,
)
from geo.readers import DatasetError, RawTable, read_raw

__all__ = ["DatasetError", "LoadResult", "Problem", "load_events", "load_events_from_bytes"]

MAX_FILE_BYTES: Final = FILE_BYTES.value
EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2100
SUPPORTED_GEOMETRIES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_NO_DAY = re.compile(r"^\d{4}(-\d{1,2})?$")
# A UTC offset after a time of day ("T10:00+03:00", "10:00:00Z"): dropped, so the event keeps
# the local date and time it was reported with, and mixed offsets in one file parse together.
_UTC_OFFSET: Final = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$")
_DATE_FORMATS: Final = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%B %d, %Y", "%b %d, %Y")

# Event types and sub-types matched case-insensitively, so "air/drone strike" or
# "PROTESTS" in someone else's file finds its ACLED category.
_TYPE_LOOKUP: Final[dict[str, str]] = {t.lower(): t for t in EVENT_TYPES}
_SUBTYPE_LOOKUP: Final[dict[str, tuple[str, str]]] = {
    s.lower(): (c.name, s) for c in CATEGORIES for s in c.sub_types if s != "Other"
}
_SUBTYPE_CATEGORY: Final[dict[str, str]] = {k: v[0] for k, v in _SUBTYPE_LOOKUP.items()}


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad record: where it is, which field, why, and whether it was left out."""

    where: str
    field: str
    message: str
    dropped: bool

    def __str__(self) -> str:
        outcome = "left out" if self.dropped else "kept"
        return f"{self.where}: {self.field}: {self.message} ({outcome})"


@dataclass(slots=True)
class LoadResult:
    """The events that can be shown and every problem found on the way."""

    events: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    kind: str = ""
    records: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dropped(self) -> int:
        """How many records were left out."""
        return len({p.where for p in self.problems if p.dropped})


def load_events(path: str | Path) -> LoadResult:
    """Read and validate an incident file (GeoJSON, ACLED/generic CSV, GeoPackage, Shapefile)."""
    path = Path(path)
    # Messages name the file, never the folder it is in: a hosted instance shows them.
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DatasetError(f"cannot open {path.name}: {exc.strerror or 'not found'}") from None
    if not path.is_file():
        raise DatasetError(f"{path.name} is not a file")
    if size > MAX_FILE_BYTES:
        raise DatasetError(f"{path.name}: " + FILE_BYTES.exceeded(f"it is {size:,} bytes"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {path.name}: {exc.strerror or 'read error'}") from None
    return load_events_from_bytes(data, path.name)


def load_events_from_bytes(data: bytes, name: str) -> LoadResult:
    """Validate incident data held in memory (an upload); `name` gives the format."""
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError(f"{name}: " + FILE_BYTES.exceeded(f"it is {len(data):,} bytes"))
    try:
        return validate(read_raw(data, name))
    except RecursionError:  # a last line of defence: the limits should stop this first
        raise DatasetError(f"{name}: " + NESTING.exceeded("it is nested too deeply")) from None


def validate(raw: RawTable) -> LoadResult:
    """Check every record of a raw table; keep the good ones in date order."""
    n = len(raw.labels)
    frame = raw.frame.reset_index(drop=True)
    labels = np.asarray(raw.labels, dtype=object)
    problems: list[tuple[int, str, str, bool]] = [
        (raw.labels.index(p.label) if p.label in raw.labels else 0, p.field, p.message, True)
        for p in raw.problems
    ]
    drop = np.zeros(n, dtype=bool)

    def report(mask: np.ndarray, field_name: str, messages: Any, dropped: bool) -> None:
        idx = np.flatnonzero(mask)
        if isinstance(messages, str):
            problems.extend((int(i), field_name, messages, dropped) for i in idx)
        else:
            problems.extend((int(i), field_name, str(messages[i]), dropped) for i in idx)
        if dropped:
            drop[idx] = True

    geometry = _check_geometry(raw, report)
    out = pd.DataFrame(index=range(n))
    _check_text(frame, out, n, report)
    _check_ids(out, labels, report)
    _check_dates(frame, out, report)
    _check_numbers(frame, out, report)
    check_claims(frame, out, report)
    _check_types(out, report)
    _check_time(out, report)
    _check_swapped(geometry, out, report)
    out["source_urls"] = _urls(frame, n)

    keep = ~drop
    events = gpd.GeoDataFrame(
        out.loc[keep].reset_index(drop=True),
        geometry=gpd.GeoSeries(np.asarray(geometry, dtype=object)[keep], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    events = events.sort_values(["event_date", "id"], kind="stable").reset_index(drop=True)
    problems.sort(key=lambda p: p[0])
    return LoadResult(
        events=events,
        problems=[Problem(str(labels[i]), f, m, d) for i, f, m, d in problems],
        kind=raw.kind,
        records=n,
        meta=raw.meta,
    )


def _check_geometry(raw: RawTable, report: Any) -> list[Any]:
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
    msgs = np.full(n, "", dtype=object)
    bad = np.zeros(n, dtype=bool)
    for j in np.flatnonzero(unsupported | empty | ~finite | out_of_range | invalid).tolist():
        if huge[j]:
            count = int(shapely.get_num_coordinates(arr[j]))
            why = VERTICES.exceeded(f"{count:,} vertices")
        elif unsupported[j]:
            why = f"{type_names[j]} geometries are not supported"
        elif empty[j]:
            why = "empty geometry"
        elif not finite[j]:
            why = "coordinates are not finite numbers"
        elif out_of_range[j]:
            x0, y0, x1, y1 = bounds[j]
            why = (
                "coordinates out of range (longitude must be -180..180, latitude -90..90; "
                f"got x {x0:g}..{x1:g}, y {y0:g}..{y1:g})"
            )
        else:
            why = f"invalid {type_names[j]} ({shapely.is_valid_reason(arr[j])})"
        msgs[idx[j]] = why
        bad[idx[j]] = True
    report(bad, "geometry", msgs, True)
    return list(geoms)


def _check_text(frame: pd.DataFrame, out: pd.DataFrame, n: int, report: Any) -> None:
    """Text fields as stripped strings, each cut to the `text_chars` limit (and reported)."""
    limit = TEXT_CHARS.value
    for name in TEXT_FIELDS:
        if name not in frame.columns:
            out[name] = pd.Series([""] * n, dtype=object)
            continue
        col = frame[name]
        text = col.where(col.notna(), "").astype(str).str.strip()
        lengths = text.str.len()
        long = (lengths > limit).to_numpy(dtype=bool)
        if long.any():
            messages = np.full(n, "", dtype=object)
            for i in np.flatnonzero(long).tolist():
                found = f"{int(str(lengths.iat[i])):,} characters; cut to {limit:,}"
                messages[i] = TEXT_CHARS.exceeded(found)
            report(long, name, messages, False)
            text = text.where(~long, text.str.slice(0, limit))
        out[name] = text.astype(object)


def _check_ids(out: pd.DataFrame, labels: np.ndarray, report: Any) -> None:
    ids = out["id"].to_numpy(dtype=object, copy=True)
    blank = ids == ""
    if blank.any():
        taken = set(ids[~blank])
        generated = []
        for i in np.flatnonzero(blank):
            candidate = f"row-{i + 1}"
            while candidate in taken:
                candidate += "-x"
            taken.add(candidate)
            generated.append((i, candidate))
        for i, candidate in generated:
            ids[i] = candidate
        out["id"] = ids
    duplicated = pd.Series(ids).duplicated(keep="first").to_numpy()
    first_seen = pd.Series(np.arange(len(ids))).groupby(ids).transform("min").to_numpy()
    messages = np.array(
        [
            f"duplicate id {ids[i]!r} (first used by {labels[first_seen[i]]})" if d else ""
            for i, d in enumerate(duplicated)
        ],
        dtype=object,
    )
    report(duplicated, "id", messages, True)


def _date_text(values: pd.Series) -> pd.Series:
    """Dates as text, including a date-time column read from a GeoPackage or Shapefile."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return values.where(values.notna(), "").astype(str).str.strip()
    stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
    text: pd.Series = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return text.where(stamps.notna(), "")


def _parse_iso(text: pd.Series) -> pd.Series:
    timed = text.str.contains(":", regex=False)
    naive = text
    if timed.any():
        naive = text.where(~timed, text[timed].str.replace(_UTC_OFFSET, r"\1", regex=True))
    try:
        parsed = pd.to_datetime(naive, format="ISO8601", errors="coerce")
    except ValueError:  # offsets in a form the pattern does not strip, and mixed
        parsed = pd.to_datetime(naive, format="ISO8601", errors="coerce", utc=True)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse dates written in ISO or ACLED's long forms; returns dates, times and problems."""
    text = _date_text(values)
    parsed = _parse_iso(text)
    for fmt in _DATE_FORMATS:
        missing = parsed.isna() & (text != "")
        if not missing.any():
            break
        parsed = parsed.where(
            ~missing, pd.to_datetime(text.where(missing), format=fmt, errors="coerce")
        )
    # Exactly midnight is how tools write a plain date as a date-time (a GeoPackage or
    # Shapefile date field, "2019-12-27T00:00:00"): it says nothing about the time of day.
    has_time = (
        parsed.notna()
        & (parsed != parsed.dt.normalize())
        & text.str.contains(r"\d[T ]\d{1,2}:\d{2}", regex=True)
    )
    times = parsed.dt.strftime("%H:%M").where(has_time, "")
    days = parsed.dt.normalize()
    problem = pd.Series("", index=values.index, dtype=object)
    problem[text == ""] = "missing"
    unparsed = days.isna() & (text != "")
    iso_like = text.str.match(_ISO_LIKE)
    problem[unparsed & iso_like] = text[unparsed & iso_like].map(
        lambda v: f"{v[:40]!r} is not a real calendar date"
    )
    slashed = text.str.contains("/", regex=False)
    problem[unparsed & ~iso_like & slashed] = text[unparsed & ~iso_like & slashed].map(
        lambda v: f"{v[:40]!r} is ambiguous (day/month order); write dates as YYYY-MM-DD"
    )
    rest = unparsed & ~iso_like & ~slashed
    problem[rest] = text[rest].map(
        lambda v: f"{v[:40]!r} is not a date (expected YYYY-MM-DD or e.g. '27 December 2019')"
    )
    years = days.dt.year
    out_of_range = days.notna() & ((years < EARLIEST_YEAR) | (years > LATEST_YEAR))
    problem[out_of_range] = text[out_of_range].map(
        lambda v: f"{v[:40]!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}"
    )
    # ISO 8601 lets "2019" or "2019-12" stand for a whole year or month; a map needs a day.
    no_day = days.notna() & text.str.match(_NO_DAY)
    problem[no_day] = text[no_day].map(lambda v: f"{v!r} names no day; write dates as YYYY-MM-DD")
    days = days.where(~out_of_range & ~no_day)
    return days.astype("datetime64[ns]"), times, problem


def _check_dates(frame: pd.DataFrame, out: pd.DataFrame, report: Any) -> None:
    n = len(out)
    start_raw = frame["event_date"] if "event_date" in frame.columns else pd.Series([""] * n)
    start, start_time, start_problem = parse_dates(start_raw)
    report((start_problem != "").to_numpy(), "event_date", start_problem.to_numpy(), True)
    out["event_date"] = start.to_numpy()
    blank_time = out["event_time"] == ""
    out.loc[blank_time, "event_time"] = start_time[blank_time]
    if "end_date" in frame.columns:
        end, _, end_problem = parse_dates(frame["end_date"])
        end_problem = end_problem.where(end_problem != "missing", "")
        report((end_problem != "").to_numpy(), "end_date", end_problem.to_numpy(), True)
        before = (end < start).to_numpy()
        messages = np.array(
            [
                f"ends {e:%Y-%m-%d} before it starts {s:%Y-%m-%d}" if b else ""
                for b, s, e in zip(before, start, end, strict=True)
            ],
            dtype=object,
        )
        report(before, "end_date", messages, True)
        out["end_date"] = end.to_numpy()
    else:
        out["end_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")


_INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "time_precision": (1, 3),
    "geo_precision": (1, 3),
    "fatalities": (0, 10_000_000),
    "injured": (0, 10_000_000),
}


def _check_numbers(frame: pd.DataFrame, out: pd.DataFrame, report: Any) -> None:
    n = len(out)
    for name in INT_FIELDS + FLOAT_FIELDS:
        if name not in frame.columns:
            out[name] = pd.Series([pd.NA] * n, dtype="Float64" if name in FLOAT_FIELDS else "Int64")
            continue
        raw = frame[name]
        text = raw.where(raw.notna(), "").astype(str).str.strip()
        number = pd.to_numeric(text.where(text != ""), errors="coerce")
        blank = (text == "") | text.str.lower().isin(["nan", "none", "null"])
        bad = number.isna() & ~blank
        if name in INT_FIELDS:
            low, high = _INT_RANGES[name]
            bad |= number.notna() & ((number != number.round()) | (number < low) | (number > high))
            expected = f"a whole number from {low} to {high}"
        else:
            bad |= number.notna() & ((number < 0) | ~np.isfinite(number))
            expected = "a number of metres, 0 or more"
        messages = _describe(text, bad, f"{{!r}} is not {expected}; left empty", 40)
        report(bad.to_numpy(), name, messages, False)
        clean = number.where(~bad)
        out[name] = clean.astype("Int64") if name in INT_FIELDS else clean.astype("Float64")


def _check_types(out: pd.DataFrame, report: Any) -> None:
    given = out["event_type"]
    lowered = given.str.lower()
    known = lowered.map(_TYPE_LOOKUP)
    via_subtype = lowered.map(_SUBTYPE_CATEGORY).fillna("")
    resolved = known.where(known.notna(), via_subtype.where(via_subtype != "", None))
    sub_given = out["sub_event_type"]
    use_sub = known.isna() & (via_subtype != "") & (sub_given == "")
    out.loc[use_sub, "sub_event_type"] = given[use_sub].map(lambda v: _SUBTYPE_LOOKUP[v.lower()][1])
    unknown = resolved.isna() & (given != "")
    messages = _describe(given, unknown, f"unknown event type {{!r}}; shown as {OTHER!r}", 60)
    report(unknown.to_numpy(), "event_type", messages, False)
    keep_label = unknown & (sub_given == "")
    out.loc[keep_label, "sub_event_type"] = given[keep_label]
    out["event_type"] = resolved.fillna(OTHER)


def _check_time(out: pd.DataFrame, report: Any) -> None:
    times = out["event_time"]
    bad = (times != "") & ~times.str.match(_TIME)
    messages = _describe(times, bad, "{!r} is not a time of day (HH:MM); left empty", 20)
    report(bad.to_numpy(), "event_time", messages, False)
    times = times.where(~bad, "")
    out["event_time"] = times.where(times == "", times.str.slice(0, 5).str.zfill(5)).astype(object)


def _describe(values: pd.Series, mask: pd.Series, template: str, width: int) -> np.ndarray:
    """Messages for the flagged values only: formatting every row would cost more than checking."""
    messages = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(mask.to_numpy(dtype=bool))
    messages[idx] = [template.format(str(v)[:width]) for v in values.iloc[idx].tolist()]
    return messages


def _urls(frame: pd.DataFrame, n: int) -> list[tuple[str, ...]]:
    name = LIST_FIELDS[0]
    if name not in frame.columns:
        return [()] * n
    result: list[tuple[str, ...]] = []
    for value in frame[name].tolist():
        if isinstance(value, (list, tuple)):
            result.append(tuple(str(v) for v in value if str(v).strip()))
        elif isinstance(value, str) and value.strip():
            result.append(tuple(v.strip() for v in re.split(r"[;\s]+", value) if v.strip()))
        else:
            result.append(())
    return result


def _check_swapped(geometry: list[Any], out: pd.DataFrame, report: Any) -> None:
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
        messages[i] = (
            f"point (longitude {g.x:g}, latitude {g.y:g}) is outside {out['country'].iat[i]}; "
            "latitude and longitude look swapped"
        )
    report(mask, "geometry", messages, False)


def problem_summary(problems: list[Problem]) -> pd.DataFrame:
    """Count problems by field and outcome, most frequent first."""
    if not problems:
        return pd.DataFrame(columns=["field", "outcome", "count"])
    table = pd.DataFrame(
        {
            "field": [p.field for p in problems],
            "outcome": ["left out" if p.dropped else "kept" for p in problems],
        }
    )
    counts = table.value_counts().reset_index(name="count")
    return counts.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
