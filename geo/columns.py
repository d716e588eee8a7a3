"""Which column of a file is which field: a chosen mapping (`date=when,lat=y_coord`) and its echo.

A mapping is parsed and checked on its own (`parse_columns`), then against a file's columns
(`apply_columns`), before anything is validated: a chosen column wins over one found by its
name. The report names every column used, chosen or found (`columns_used`).

Syntax: `target=column` pairs separated by commas. A column whose name holds a comma, an
equals sign, a double quote or spaces at its ends is written in double quotes, a quote inside
doubled: `date="Event date",title="Headline, short",notes="the ""why"" column"`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from geo.dates import parse_dates
from geo.table import ALIASES, DatasetError

MAX_SPEC_CHARS: Final = 2_000
MAX_COLUMN_CHARS: Final = 300
SAMPLE_ROWS: Final = 200  # rows looked at for examples of each column
SAMPLE_VALUES: Final = 3  # distinct examples kept per column
EXAMPLE_CHARS: Final = 80
CHECKED_VALUES: Final = 1_000  # values of a chosen column checked before the whole file is

# Columns found by their name, in order of preference. ACLED's `timestamp` is its upload
# time, so it comes last (and only tables read it as a date).
DATE_COLUMNS: Final[tuple[str, ...]] = ("event_date", "date", "start_date", "datetime", "timestamp")
LAT_COLUMNS: Final[tuple[str, ...]] = ("latitude", "lat", "y")
LON_COLUMNS: Final[tuple[str, ...]] = ("longitude", "lon", "lng", "long", "x")
# A table without coordinate columns may carry each event's shape as WKT or GeoJSON text.
GEOMETRY_COLUMNS: Final[tuple[str, ...]] = ("geometry", "wkt", "geom", "the_geom")
# Our CSV export writes lines and areas here as WKT, beside their representative point.
WKT_COLUMN: Final = "geometry_wkt"
LOCATION_COLUMNS: Final = (*LAT_COLUMNS, *LON_COLUMNS, *GEOMETRY_COLUMNS)


class ColumnSpecError(DatasetError):
    """A column mapping that cannot be used, whatever the file."""


class ColumnsError(DatasetError):
    """The file's columns do not give a date and a place (or a chosen column is unusable)."""

    def __init__(self, message: str, columns: FileColumns | None = None) -> None:
        super().__init__(message)
        self.columns = columns


@dataclass(frozen=True, slots=True)
class Target:
    """A field a column can be chosen for."""

    key: str  # as written in a mapping
    field: str  # the column of the events table it fills
    label: str  # in reports
    other_keys: tuple[str, ...] = ()

    @property
    def found_as(self) -> tuple[str, ...]:
        """Column names (lower case) that fill this field when nothing is chosen."""
        return {
            "date": DATE_COLUMNS,
            "lat": LAT_COLUMNS,
            "lon": LON_COLUMNS,
            "geometry": GEOMETRY_COLUMNS,
        }.get(self.key, (self.field, *(a for a, ours in ALIASES.items() if ours == self.field)))


TARGETS: Final[tuple[Target, ...]] = (
    Target("date", "event_date", "date", ("event_date",)),
    Target("lat", "latitude", "latitude", ("latitude",)),
    Target("lon", "longitude", "longitude", ("longitude", "lng")),
    Target("geometry", "geometry", "geometry", ("wkt",)),
    Target("type", "event_type", "category", ("category", "event_type")),
    Target("subtype", "sub_event_type", "sub-category", ("sub_event_type",)),
    Target("title", "title", "title"),
    Target("description", "notes", "description", ("notes",)),
    Target("actors", "actor1", "actors", ("actor1", "actor")),
    Target("actor2", "actor2", "second actor"),
    Target("id", "id", "id"),
    Target("time", "event_time", "time of day", ("event_time",)),
    Target("end_date", "end_date", "end date"),
    Target("fatalities", "fatalities", "fatalities", ("killed", "deaths")),
    Target("injured", "injured", "injured"),
    Target("location", "location", "place", ("place",)),
    Target("admin1", "admin1", "region"),
    Target("country", "country", "country"),
    Target("source", "source", "source"),
    Target("url", "source_urls", "source links", ("source_urls",)),
)
TARGET_BY_KEY: Final[dict[str, Target]] = {
    key: t for t in TARGETS for key in (t.key, *t.other_keys)
}
# What the dashboard's chooser offers and every report names.
MAIN_TARGETS: Final[tuple[str, ...]] = (
    "date",
    "lat",
    "lon",
    "geometry",
    "type",
    "title",
    "description",
    "actors",
    "actor2",
)


def _show(text: str, width: int = 60) -> str:
    """User text quoted for a message, cut to a width."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Chosen columns: (target key, column name) pairs, checked, in the order given."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def from_choices(cls, choices: Mapping[str, str]) -> ColumnMap:
        """A mapping from {target: column} (blank columns left out), checked like a spec."""
        pairs = [(TARGET_BY_KEY[k].key if k in TARGET_BY_KEY else k, c) for k, c in choices.items()]
        return _checked([(i, k, c) for i, (k, c) in enumerate(pairs, 1) if c != ""])

    def get(self, key: str) -> str | None:
        """The column chosen for a target, if any."""
        return dict(self.pairs).get(key)

    @property
    def locates(self) -> bool:
        """Whether the mapping says where events are (lat/lon or a geometry column)."""
        return any(k in ("lat", "lon", "geometry") for k, _ in self.pairs)

    def spec(self) -> str:
        """The mapping written back as a spec (quoted where needed); it parses to itself."""
        return ",".join(f"{k}={_quote(c)}" for k, c in self.pairs)

    def __str__(self) -> str:
        return self.spec()


def _quote(column: str) -> str:
    plain = column == column.strip() and not any(ch in column for ch in ',="')
    return column if plain and column else '"' + column.replace('"', '""') + '"'


def parse_columns(spec: str) -> ColumnMap:
    """Parse `date=when,lat=y_coord,...` into a checked mapping, or raise ColumnSpecError."""
    if len(spec) > MAX_SPEC_CHARS:
        raise ColumnSpecError(
            f"the column mapping is {len(spec):,} characters long; "
            f"the limit is {MAX_SPEC_CHARS:,} characters"
        )
    if not spec.strip():
        raise ColumnSpecError("the column mapping is empty; write e.g. date=when,lat=y,lon=x")
    return _checked(list(_parts(spec)))


def _parts(spec: str) -> Iterator[tuple[int, str, str]]:
    """(part number, target, column) for each comma-separated part; quotes honoured."""
    i, number, end = 0, 1, len(spec)
    while True:
        stop = i
        while stop < end and spec[stop] not in ",=":
            stop += 1
        key = spec[i:stop].strip()
        if stop == end or spec[stop] == ",":
            if not key:
                raise ColumnSpecError(f"part {number} of the column mapping is empty")
            raise ColumnSpecError(
                f"part {number} ({_show(key)}) has no '=': write target=column, e.g. date=when"
            )
        column, i = _column(spec, stop + 1, number)
        yield number, key, column
        if i >= end:
            return
        i, number = i + 1, number + 1  # past the comma


def _column(spec: str, i: int, number: int) -> tuple[str, int]:
    """A column name from position i (quoted or not) and the position of the next comma."""
    end = len(spec)
    while i < end and spec[i] == " ":
        i += 1
    if i < end and spec[i] == '"':
        chars: list[str] = []
        i += 1
        while True:
            if i >= end:
                raise ColumnSpecError(f"part {number}: a quoted column name has no closing quote")
            if spec[i] == '"' and spec[i + 1 : i + 2] == '"':
                chars.append('"')
                i += 2
            elif spec[i] == '"':
                i += 1
                break
            else:
                chars.append(spec[i])
                i += 1
        rest = spec.find(",", i)
        rest = end if rest < 0 else rest
        if spec[i:rest].strip():
            raise ColumnSpecError(
                f"part {number}: {_show(spec[i:rest].strip())} follows a quoted column name; "
                "put a comma between parts"
            )
        return "".join(chars), rest
    rest = spec.find(",", i)
    rest = end if rest < 0 else rest
    column = spec[i:rest].strip()
    if '"' in column or "=" in column:
        raise ColumnSpecError(
            f"part {number}: the column name {_show(column)} holds '=' or '\"'; "
            'write it in double quotes (a quote inside doubled), e.g. date="a=b"'
        )
    return column, rest


def _checked(parts: Sequence[tuple[int, str, str]]) -> ColumnMap:
    """Check targets, columns and how they go together; the mapping, or ColumnSpecError."""
    if not parts:
        raise ColumnSpecError("the column mapping chooses no column")
    seen: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    for number, key, column in parts:
        target = TARGET_BY_KEY.get(key.strip().lower())
        if target is None:
            known = ", ".join(t.key for t in TARGETS)
            raise ColumnSpecError(f"part {number}: unknown target {_show(key)}; targets: {known}")
        if not column:
            raise ColumnSpecError(f"part {number}: {target.key}= names no column")
        if len(column) > MAX_COLUMN_CHARS:
            raise ColumnSpecError(
                f"part {number}: the column name is {len(column):,} characters long; "
                f"the limit is {MAX_COLUMN_CHARS:,}"
            )
        if target.key in seen:
            raise ColumnSpecError(
                f"{target.key} is chosen twice (parts {seen[target.key]} and {number})"
            )
        seen[target.key] = number
        pairs.append((target.key, column))
    chosen = dict(pairs)
    if "geometry" in chosen and ("lat" in chosen or "lon" in chosen):
        raise ColumnSpecError("choose either a geometry column or lat and lon, not both")
    if ("lat" in chosen) != ("lon" in chosen):
        missing = "lon" if "lat" in chosen else "lat"
        raise ColumnSpecError(f"lat and lon are chosen together: {missing} is missing")
    if "lat" in chosen and chosen["lat"] == chosen["lon"]:
        raise ColumnSpecError(f"lat and lon both name the column {_show(chosen['lat'])}")
    return ColumnMap(tuple(pairs))


@dataclass(frozen=True, slots=True)
class FileColumns:
    """A file's columns as it names them, with a few example values of each (as text)."""

    names: tuple[str, ...]
    examples: tuple[tuple[str, ...], ...] = field(compare=False)


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def file_columns(frame: pd.DataFrame) -> FileColumns:
    """The columns of a frame as read, each with its first distinct non-empty values."""
    head = frame.head(SAMPLE_ROWS)
    examples = []
    for position in range(head.shape[1]):
        seen: list[str] = []
        for value in head.iloc[:, position].tolist():
            text = _as_text(value)
            if text and text not in seen:
                seen.append(text)
                if len(seen) == SAMPLE_VALUES:
                    break
        examples.append(tuple(seen))
    return FileColumns(tuple(str(c) for c in frame.columns), tuple(examples))


def _fold(name: str) -> str:
    return name.strip().lower()


def _find(columns: FileColumns, wanted: str, target: Target, name: str) -> str:
    """The file's column a chosen name means: exactly it, else the one equal ignoring case."""
    if wanted in columns.names:
        return wanted
    folded = [c for c in columns.names if _fold(c) == _fold(wanted)]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(_show(c, 40) for c in columns.names[:40]) or "(none)"
    raise ColumnsError(
        f"{name} has no column {_show(wanted)} (chosen for {target.label}); its columns: {listed}",
        columns,
    )


def apply_columns(
    frame: pd.DataFrame, mapping: ColumnMap | None, name: str, columns: FileColumns
) -> pd.DataFrame:
    """Rename chosen columns to our fields; drop the columns they win over; check values."""
    if mapping is None:
        return frame
    label_of = {str(c): c for c in frame.columns}
    sources = {k: _find(columns, wanted, TARGET_BY_KEY[k], name) for k, wanted in mapping.pairs}
    beaten = {n for key in sources for n in (key_field(key), *TARGET_BY_KEY[key].found_as)}
    if mapping.locates:  # chosen coordinates beat a found shape, and the other way round
        beaten.update(LOCATION_COLUMNS)
    if "geometry" in sources:
        beaten.add(WKT_COLUMN)
    used = set(sources.values())
    keep = [label_of[c] for c in label_of if c not in used and _fold(c) not in beaten]
    out = frame.loc[:, keep].copy()
    for key, source in sources.items():
        out[TARGET_BY_KEY[key].field] = frame[label_of[source]].to_numpy()
        _check_values(frame[label_of[source]], key, source, name, columns)
    return out


def key_field(key: str) -> str:
    """The field of the events table a target fills."""
    return TARGET_BY_KEY[key].field


def _check_values(
    values: pd.Series, key: str, source: str, name: str, columns: FileColumns
) -> None:
    """Refuse a chosen date or coordinate column none of whose first values could be one."""
    if key not in ("date", "lat", "lon"):
        return
    present = values[values.notna()]
    text = present.astype(str).str.strip()
    text = text[text != ""].head(CHECKED_VALUES)
    if text.empty:
        raise ColumnsError(f"{name}: the column {_show(source)} chosen as {key} is empty", columns)
    examples = ", ".join(_show(v, 20) for v in text.drop_duplicates().head(3).tolist())
    target = TARGET_BY_KEY[key]
    if key == "date":
        if parse_dates(text.reset_index(drop=True)).days.notna().any():
            return
        why = "holds no dates"
    else:
        numbers = pd.to_numeric(text.where(text.str.len() <= 40), errors="coerce")
        bound = 90 if key == "lat" else 180
        if (numbers.abs() <= bound).any():
            return
        why = (
            f"holds no {target.label}s from -{bound} to {bound}"
            if numbers.notna().any()
            else "holds no numbers"
        )
    raise ColumnsError(
        f"{name}: the column {_show(source)} chosen as {target.label} {why} (e.g. {examples})",
        columns,
    )


@dataclass(frozen=True, slots=True)
class ColumnUse:
    """One field and the column it was read from; `chosen` when a mapping named it."""

    target: str
    column: str
    chosen: bool

    def __str__(self) -> str:
        return f"{TARGET_BY_KEY[self.target].label} ← {self.column}"


def columns_used(
    columns: FileColumns, mapping: ColumnMap | None, own_geometry: str | None = None
) -> tuple[ColumnUse, ...]:
    """The main fields and the columns that fill them: chosen ones, then those found by name.

    `own_geometry` names where a file without coordinate columns keeps its shapes (a GeoJSON
    feature's geometry); tables pass None.
    """
    chosen = dict(mapping.pairs) if mapping else {}
    uses: list[ColumnUse] = []
    for key in MAIN_TARGETS:
        if key in chosen:
            uses.append(ColumnUse(key, chosen[key], True))
            continue
        if mapping is not None and mapping.locates and key in ("lat", "lon", "geometry"):
            continue
        found = _found(columns, TARGET_BY_KEY[key], own_geometry)
        if found is not None:
            uses.append(ColumnUse(key, found, False))
    chosen_keys = {u.target for u in uses if u.chosen}
    uses += [ColumnUse(k, c, True) for k, c in chosen.items() if k not in chosen_keys]
    return tuple(uses)


def _found(columns: FileColumns, target: Target, own_geometry: str | None) -> str | None:
    """The column a field is read from when nothing is chosen, as the readers find it."""
    folded: dict[str, str] = {}
    for column in columns.names:
        folded.setdefault(_fold(column), column)

    def first(candidates: tuple[str, ...]) -> str | None:
        return next((folded[c] for c in candidates if c in folded), None)

    if target.key in ("lat", "lon", "geometry"):
        if own_geometry is not None:
            return own_geometry if target.key == "geometry" else None
        lat, lon = first(LAT_COLUMNS), first(LON_COLUMNS)
        if lat is not None and lon is not None:
            return {"lat": lat, "lon": lon}.get(target.key)
        return first(GEOMETRY_COLUMNS) if target.key == "geometry" else None
    if target.key == "date" and own_geometry is not None:
        return first(tuple(c for c in DATE_COLUMNS if c != "timestamp"))
    return first(target.found_as)
