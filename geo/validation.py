"""Load and validate incident data: good events as a GeoDataFrame, plus a list of problems.

A bad record is reported (which record, which field, why) and never silently dropped;
a file that cannot be read at all raises `DatasetError` with a message for people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.arrowtext import arrow_text, lengths_past, numbers_in, stripped_text
from geo.claims import check_claims
from geo.columns import ColumnMap, ColumnUse, FileColumns
from geo.dates import check_dates
from geo.geometry import check_geometry, check_swapped
from geo.language import Language
from geo.limits import FILE_BYTES, NESTING, TEXT_CHARS, UPLOAD, SourceLimits
from geo.messages import Message, Note, Numeral, Value, message
from geo.model import (
    CATEGORIES,
    EVENT_TYPES,
    FLOAT_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    TEXT_FIELDS,
    TIME_PRECISION_WORDS,
)
from geo.progress import Progress, tell
from geo.reading import read_raw
from geo.table import DatasetError, RawTable

__all__ = ["DatasetError", "LoadResult", "Problem", "load_events", "load_events_from_bytes"]

MAX_FILE_BYTES: Final = FILE_BYTES.value
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$")

# Event types and sub-types matched case-insensitively, so "air/drone strike" or
# "PROTESTS" in someone else's file finds its ACLED category.
_TYPE_LOOKUP: Final[dict[str, str]] = {t.lower(): t for t in EVENT_TYPES}
_SUBTYPE_LOOKUP: Final[dict[str, tuple[str, str]]] = {
    s.lower(): (c.name, s) for c in CATEGORIES for s in c.sub_types if s != "Other"
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad record: where it is, which field, why, and whether it was left out."""

    where: str
    field: str
    message: str
    dropped: bool
    # The message by catalogue key, so the page can show it in the reader's language; a
    # problem made from a plain string has none and is shown as its English message.
    note: Message | None = None

    def text(self, language: Language) -> str:
        """The message in a language (English where it has no catalogue key)."""
        return self.note.render(language) if self.note is not None else self.message

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
    columns: FileColumns | None = None  # the file's own columns, with examples
    used: tuple[ColumnUse, ...] = ()  # which column filled each main field

    @property
    def dropped(self) -> int:
        """How many records were left out."""
        return len({p.where for p in self.problems if p.dropped})


def load_events(
    path: str | Path,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
    *,
    sheet: str | None = None,
    dayfirst: bool | None = None,
    limits: SourceLimits = UPLOAD,
) -> LoadResult:
    """Read and validate an incident file (GeoJSON, CSV, Excel, GeoPackage, Shapefile).

    `columns` chooses the file's columns for our fields; `progress` hears of each stage;
    `sheet` names a workbook's sheet (else the first); `dayfirst` reads dates like 03/01/2020
    day-first (True) or month-first (False) where the file does not show which. The file is
    held to an upload's limits unless the caller vouches for it (`geo.limits.OPERATOR`).
    """
    path = Path(path)
    # Messages name the file, never the folder it is in: a hosted instance shows them.
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DatasetError(f"cannot open {path.name}: {exc.strerror or 'not found'}") from None
    if not path.is_file():
        raise DatasetError(f"{path.name} is not a file")
    if size > limits.file_bytes.value:
        raise DatasetError(f"{path.name}: " + limits.file_bytes.exceeded(f"it is {size:,} bytes"))
    try:
        held = [path.read_bytes()]  # handed over, not kept: the bytes go once they are read
    except OSError as exc:
        raise DatasetError(f"cannot read {path.name}: {exc.strerror or 'read error'}") from None
    return _load_held(held, path.name, columns, progress, sheet, dayfirst, limits)


def load_events_from_bytes(
    data: bytes,
    name: str,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
    *,
    sheet: str | None = None,
    dayfirst: bool | None = None,
    limits: SourceLimits = UPLOAD,
) -> LoadResult:
    """Validate incident data held in memory (an upload); `name` gives the format."""
    return _load_held([data], name, columns, progress, sheet, dayfirst, limits)


def _load_held(
    held: list[bytes],
    name: str,
    columns: ColumnMap | None,
    progress: Progress | None,
    sheet: str | None,
    dayfirst: bool | None,
    limits: SourceLimits,
) -> LoadResult:
    """Read and validate the bytes in `held`, letting go of them once they are read (a
    million events' CSV is 430 MB that validation does not need)."""
    data = held.pop()
    if len(data) > limits.file_bytes.value:
        found = f"it is {len(data):,} bytes"
        raise DatasetError(f"{name}: " + limits.file_bytes.exceeded(found))
    try:
        tell(progress, "reading")
        raw = read_raw(data, name, columns, sheet=sheet, limits=limits)
        del data
        tell(progress, "validating")
        return validate(raw, progress, dayfirst=dayfirst)
    except RecursionError:  # a last line of defence: the limits should stop this first
        raise DatasetError(f"{name}: " + NESTING.exceeded("it is nested too deeply")) from None


def validate(
    raw: RawTable, progress: Progress | None = None, *, dayfirst: bool | None = None
) -> LoadResult:
    """Check every record of a raw table; keep the good ones in date order."""
    n = len(raw.labels)
    frame = raw.frame.reset_index(drop=True)
    labels = raw.labels
    problems: list[tuple[int, str, Note, bool]] = [
        (raw.labels.index(p.label) if p.label in raw.labels else 0, p.field, p.message, True)
        for p in raw.problems
    ]
    drop = np.zeros(n, dtype=bool)

    def report(mask: np.ndarray, field_name: str, messages: Any, dropped: bool) -> None:
        idx = np.flatnonzero(mask)
        # `messages` is one for all, or each flagged row's (an array, or a dict by row)
        if isinstance(messages, str | Message):
            problems.extend((i, field_name, messages, dropped) for i in idx.tolist())
        else:
            problems.extend((i, field_name, messages[i], dropped) for i in idx.tolist())
        if dropped:
            drop[idx] = True

    places = check_geometry(raw, report)
    tell(progress, "validating", 0.25)
    out = pd.DataFrame(index=range(n))
    _clean_text(frame, out, n, report)
    _check_ids(out, labels, report)
    dates = check_dates(frame, out, report, dayfirst)
    tell(progress, "validating", 0.6)
    _check_numbers(frame, out, report)
    out["time_precision"] = coarsest_precision(out["time_precision"], dates.precision)
    check_claims(frame, out, report)
    _check_types(out)
    _check_time(out, report)
    check_swapped(places.xy, out, report)
    tell(progress, "validating", 0.9)
    out["source_urls"] = _urls(frame, n)

    order = _date_order(out["event_date"], out["id"], ~drop)
    if order is not None:  # else every record is kept, already in order: nothing to move
        out = out.take(order).reset_index(drop=True)
    shapes = places.shapes_in(order)
    events = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(shapes, crs="EPSG:4326"), crs="EPSG:4326")
    problems.sort(key=lambda p: p[0])
    # A warning about a whole column comes first, naming how many rows it concerns.
    column_warnings = [
        _problem(f"{rows:,} row{'s' if rows != 1 else ''}", f, m, False)
        for rows, f, m in dates.warnings
    ]
    return LoadResult(
        events=events,
        problems=column_warnings + [_problem(str(labels[i]), f, m, d) for i, f, m, d in problems],
        kind=raw.kind,
        records=n,
        meta=raw.meta,
        columns=raw.columns,
        used=raw.used,
    )


def _problem(where: str, field_name: str, note: Note, dropped: bool) -> Problem:
    """A problem from a report: its English message, and its key when it has one."""
    keyed = note if isinstance(note, Message) else None
    return Problem(where, field_name, str(note), dropped, keyed)


def _clean_text(frame: pd.DataFrame, out: pd.DataFrame, n: int, report: Any) -> None:
    """Text fields as stripped strings, each cut to the `text_chars` limit (and reported).

    They stay pandas strings (held by Arrow): a million events' text as Python objects would
    take gigabytes and seconds to make.
    """
    limit = TEXT_CHARS.value
    # One column of blanks for every missing field: pandas copies a column on write.
    blank = pd.Series("", index=out.index, dtype=str)
    for name in TEXT_FIELDS:
        if name not in frame.columns:
            out[name] = blank
            continue
        text = stripped_text(frame[name])
        lengths = lengths_past(text, limit)
        long = lengths > limit
        if long.any():
            messages = np.full(n, "", dtype=object)
            for i in np.flatnonzero(long).tolist():
                messages[i] = message(
                    "problem.text_cut",
                    "{count} characters; cut to {limit}; the limit is {limit} characters "
                    "(text in one field)",
                    count=int(lengths[i]),
                    limit=limit,
                )
            report(long, name, messages, False)
            text = text.where(~long, text.str.slice(0, limit))
        out[name] = text.set_axis(out.index)


def coarsest_precision(given: pd.Series, derived: pd.Series) -> pd.Series:
    """A date written as a month or a year is at most that precise, whatever the file says."""
    derived = pd.Series(derived.to_numpy(), index=given.index, dtype="Int64")
    coarser = derived.notna() & (given.isna() | (derived > given))
    return given.where(~coarser.fillna(False), derived).astype("Int64")


def _date_order(days: pd.Series, ids: pd.Series, keep: np.ndarray) -> np.ndarray | None:
    """The kept rows by date, then id; None when that is every row as it stands (most files
    run so: nothing to sort or move).

    Sorted by Arrow on the two columns (a tenth of a second for a million events), so a file
    and the same events read in another order (a database's) become the same table.
    """
    rows = np.flatnonzero(keep)
    day = pa.array(days.to_numpy()[rows])
    ident = arrow_text(ids).take(pa.array(rows))
    if len(rows) > 1:
        same_day = pc.equal(day[:-1], day[1:])
        in_order = (
            pc.all(pc.less_equal(day[:-1], day[1:])).as_py()
            and pc.all(pc.or_(pc.invert(same_day), pc.less_equal(ident[:-1], ident[1:]))).as_py()
        )
        if not in_order:
            keys = pa.table({"day": day, "id": ident})
            order = pc.sort_indices(keys, sort_keys=[("day", "ascending"), ("id", "ascending")])
            return rows[np.asarray(order.to_numpy(), dtype=np.int64)]
    return None if len(rows) == len(keep) else rows


def _check_ids(out: pd.DataFrame, labels: Sequence[str], report: Any) -> None:
    ids = out["id"]
    blank = (ids == "").to_numpy(dtype=bool)
    if blank.any():
        taken = set(ids[~blank].tolist())
        generated = ids.to_numpy(dtype=object, copy=True)
        for i in np.flatnonzero(blank).tolist():
            candidate = f"row-{i + 1}"
            while candidate in taken:
                candidate += "-x"
            taken.add(candidate)
            generated[i] = candidate
        ids = pd.Series(generated, index=out.index, dtype=str)
        out["id"] = ids
    # Arrow's hash of the ids says whether any repeats in a fifth of pandas' time; only then
    # is each repeat looked for.
    distinct = len(pc.unique(pa.array(ids.array))) == len(ids)
    duplicated = (
        np.zeros(len(ids), dtype=bool)
        if distinct
        else ids.duplicated(keep="first").to_numpy(dtype=bool)
    )
    messages: dict[int, Message] = {}
    if duplicated.any():
        # Where each repeated id was first used: looked up for the repeated ids only.
        repeated = ids[ids.isin(ids[duplicated])]
        positions = pd.Series(repeated.index, index=repeated.index)
        first_seen = positions.groupby(repeated.to_numpy(), sort=False).transform("min")
        for i in np.flatnonzero(duplicated).tolist():
            messages[i] = message(
                "problem.duplicate_id",
                "duplicate id {id} (first used by {record})",
                id=repr(ids.iat[i]),
                record=str(labels[first_seen[i]]),
            )
    report(duplicated, "id", messages, True)


_INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "time_precision": (1, max(TIME_PRECISION_WORDS)),
    "geo_precision": (1, 3),
    "fatalities": (0, 10_000_000),
    "injured": (0, 10_000_000),
}


def _check_numbers(frame: pd.DataFrame, out: pd.DataFrame, report: Any) -> None:
    for name in INT_FIELDS + FLOAT_FIELDS:
        if name not in frame.columns:
            out[name] = pd.Series(
                pd.NA, index=out.index, dtype="Float64" if name in FLOAT_FIELDS else "Int64"
            )
            continue
        raw = frame[name]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            # A Parquet column of numbers: nothing to parse, only the range to check.
            number = raw.astype(float)
            text: pd.Series = number  # formatted only where a message needs it
            blank = number.isna()
        else:
            text = stripped_text(raw)
            number = numbers_in(text)
            unparsed = number.isna()
            blank = (text == "") | (unparsed & text.str.lower().isin(["nan", "none", "null"]))
        bad = number.isna() & ~blank
        if name in INT_FIELDS:
            low, high = _INT_RANGES[name]
            bad |= number.notna() & ((number != number.round()) | (number < low) | (number > high))
            messages = _describe(
                text,
                bad,
                40,
                "problem.not_whole",
                "{value} is not a whole number from {low} to {high}; left empty",
                low=Numeral(low),
                high=Numeral(high),
            )
        else:
            bad |= number.notna() & ((number < 0) | ~np.isfinite(number))
            messages = _describe(
                text,
                bad,
                40,
                "problem.not_metres",
                "{value} is not a number of metres, 0 or more; left empty",
            )
        report(bad.to_numpy(), name, messages, False)
        clean = number.where(~bad)
        out[name] = clean.astype("Int64") if name in INT_FIELDS else clean.astype("Float64")


def _check_types(out: pd.DataFrame) -> None:
    """ACLED's types (and sub-types) in ACLED's spelling; a file's own types kept as written.

    A type outside ACLED's vocabulary is information, not a problem (geo.categories reports
    it). Spellings that differ only in case or spacing are one category, written the way the
    file writes it most often. Worked out once per distinct value: a file has few.
    """
    given = out["event_type"]
    counts = {str(value): int(count) for value, count in given.value_counts().items()}
    type_of, sub_of = type_names(counts)
    if sub_of:
        use_sub = given.isin(list(sub_of)) & (out["sub_event_type"] == "")
        out.loc[use_sub, "sub_event_type"] = given[use_sub].map(sub_of)
    # Arrow looks each value up among the few distinct ones (pandas' map took five times as long).
    found = pc.index_in(arrow_text(given), value_set=pa.array(list(type_of), pa.string()))
    written = pa.array(list(type_of.values()), pa.string()).take(found)
    out["event_type"] = pd.Series(written, index=given.index, dtype=given.dtype)


def type_names(counts: Mapping[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """Each type as given (with its number of events) to the category it is filed under, and
    to its ACLED sub-type where the value names one (validation's rule, for a database's
    distinct values too)."""
    type_of: dict[str, str] = {}
    sub_of: dict[str, str] = {}
    own_text: dict[str, str] = {}  # value as given -> its text, spaces tidied
    own: dict[str, int] = {}  # tidied text -> events
    for value, count in counts.items():
        text = " ".join(value.split())
        lowered = text.lower()
        if lowered in _TYPE_LOOKUP:
            type_of[value] = _TYPE_LOOKUP[lowered]
        elif lowered in _SUBTYPE_LOOKUP:
            type_of[value], sub_of[value] = _SUBTYPE_LOOKUP[lowered]
        else:
            own_text[value] = text
            own[text] = own.get(text, 0) + count
    spelling = _spellings(own)
    type_of |= {value: spelling[text.lower()] for value, text in own_text.items()}
    return type_of, sub_of


def _spellings(own: dict[str, int]) -> dict[str, str]:
    """Each own type, lower-cased, to its most frequent spelling (ties: the first sorted)."""
    spelling = {text.lower(): text for text in own}
    if len(spelling) == len(own):  # the usual file: every type written one way
        return spelling
    spelling = {}
    for text, _ in sorted(own.items(), key=lambda item: (-item[1], item[0])):
        spelling.setdefault(text.lower(), text)
    return spelling


def _check_time(out: pd.DataFrame, report: Any) -> None:
    times = out["event_time"]
    given = times != ""
    if not given.any():  # most files give no time of day: nothing to check or pad
        out["event_time"] = times.astype(object)
        return
    bad = given & ~times.where(given, "00:00").str.match(_TIME)
    messages = _describe(
        times, bad, 20, "problem.not_time", "{value} is not a time of day (HH:MM); left empty"
    )
    report(bad.to_numpy(), "event_time", messages, False)
    times = times.where(~bad, "")
    out["event_time"] = times.where(times == "", times.str.slice(0, 5).str.zfill(5)).astype(object)


def _describe(
    values: pd.Series, mask: pd.Series, width: int, key: str, english: str, **params: Value
) -> dict[int, Message]:
    """Messages for the flagged values only, by row: formatting every row (or filling a
    column of blanks for them) would cost more than checking.

    Each names its value (cut to `width` characters) as `{value}`.
    """
    idx = np.flatnonzero(mask.to_numpy(dtype=bool)).tolist()
    return {
        i: message(key, english, value=repr(str(v)[:width]), **params)
        for i, v in zip(idx, values.iloc[idx].tolist(), strict=True)
    }


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
