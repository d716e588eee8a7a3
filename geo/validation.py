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

from geo.claims import check_claims
from geo.dates import check_dates
from geo.geometry import check_geometry, check_swapped
from geo.language import Language
from geo.limits import FILE_BYTES, NESTING, TEXT_CHARS
from geo.messages import Message, Note, Numeral, Value, message
from geo.model import (
    CATEGORIES,
    EVENT_TYPES,
    FLOAT_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    OTHER,
    TEXT_FIELDS,
)
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
_SUBTYPE_CATEGORY: Final[dict[str, str]] = {k: v[0] for k, v in _SUBTYPE_LOOKUP.items()}


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
    problems: list[tuple[int, str, Note, bool]] = [
        (raw.labels.index(p.label) if p.label in raw.labels else 0, p.field, p.message, True)
        for p in raw.problems
    ]
    drop = np.zeros(n, dtype=bool)

    def report(mask: np.ndarray, field_name: str, messages: Any, dropped: bool) -> None:
        idx = np.flatnonzero(mask)
        if isinstance(messages, str | Message):
            problems.extend((int(i), field_name, messages, dropped) for i in idx)
        else:
            problems.extend((int(i), field_name, messages[i], dropped) for i in idx)
        if dropped:
            drop[idx] = True

    geometry = check_geometry(raw, report)
    out = pd.DataFrame(index=range(n))
    _clean_text(frame, out, n, report)
    _check_ids(out, labels, report)
    check_dates(frame, out, report)
    _check_numbers(frame, out, report)
    check_claims(frame, out, report)
    _check_types(out, report)
    _check_time(out, report)
    check_swapped(geometry, out, report)
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
        problems=[_problem(str(labels[i]), f, m, d) for i, f, m, d in problems],
        kind=raw.kind,
        records=n,
        meta=raw.meta,
    )


def _problem(where: str, field_name: str, note: Note, dropped: bool) -> Problem:
    """A problem from a report: its English message, and its key when it has one."""
    keyed = note if isinstance(note, Message) else None
    return Problem(where, field_name, str(note), dropped, keyed)


def _clean_text(frame: pd.DataFrame, out: pd.DataFrame, n: int, report: Any) -> None:
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
                messages[i] = message(
                    "problem.text_cut",
                    "{count} characters; cut to {limit}; the limit is {limit} characters "
                    "(text in one field)",
                    count=int(str(lengths.iat[i])),
                    limit=limit,
                )
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
            message(
                "problem.duplicate_id",
                "duplicate id {id} (first used by {record})",
                id=repr(ids[i]),
                record=str(labels[first_seen[i]]),
            )
            if d
            else ""
            for i, d in enumerate(duplicated)
        ],
        dtype=object,
    )
    report(duplicated, "id", messages, True)


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
    messages = _describe(
        given, unknown, 60, "problem.unknown_type", "unknown event type {value}; shown as 'Other'"
    )
    report(unknown.to_numpy(), "event_type", messages, False)
    keep_label = unknown & (sub_given == "")
    out.loc[keep_label, "sub_event_type"] = given[keep_label]
    out["event_type"] = resolved.fillna(OTHER)


def _check_time(out: pd.DataFrame, report: Any) -> None:
    times = out["event_time"]
    bad = (times != "") & ~times.str.match(_TIME)
    messages = _describe(
        times, bad, 20, "problem.not_time", "{value} is not a time of day (HH:MM); left empty"
    )
    report(bad.to_numpy(), "event_time", messages, False)
    times = times.where(~bad, "")
    out["event_time"] = times.where(times == "", times.str.slice(0, 5).str.zfill(5)).astype(object)


def _describe(
    values: pd.Series, mask: pd.Series, width: int, key: str, english: str, **params: Value
) -> np.ndarray:
    """Messages for the flagged values only: formatting every row would cost more than checking.

    Each names its value (cut to `width` characters) as `{value}`.
    """
    messages = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(mask.to_numpy(dtype=bool))
    messages[idx] = [
        message(key, english, value=repr(str(v)[:width]), **params)
        for v in values.iloc[idx].tolist()
    ]
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
