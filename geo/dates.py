"""Dates as people write them: ISO days and date-times, ACLED's long forms, and their problems."""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd

EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2100
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_NO_DAY = re.compile(r"^\d{4}(-\d{1,2})?$")
# A UTC offset after a time of day ("T10:00+03:00", "10:00:00Z"): dropped, so the event keeps
# the local date and time it was reported with, and mixed offsets in one file parse together.
_UTC_OFFSET: Final = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_DATE_FORMATS: Final = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%B %d, %Y", "%b %d, %Y")


def _date_text(values: pd.Series) -> pd.Series:
    """Dates as text (where a date-time column's text is needed, for a message)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return values.where(values.notna(), "").astype(str).str.strip()
    stamps = _naive(values)
    text: pd.Series = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S")
    return text.where(stamps.notna(), "")


def _naive(values: pd.Series) -> pd.Series:
    """Date-times without their zone: the local time the event was reported with."""
    return values.dt.tz_localize(None) if values.dt.tz is not None else values


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
    """Parse dates written in ISO or ACLED's long forms; returns dates, times and problems.

    Every whole-column step is vectorised; text is looked at again only for the rows that
    need a message or a second look, so a million clean dates cost a few passes in C.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _dated(values)
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
    days = parsed.dt.normalize()
    has_time = parsed.notna() & (parsed != days)
    if has_time.any():
        has_time &= text.where(has_time, "").str.contains(r"\d[T ]\d{1,2}:\d{2}", regex=True)
    times = _times(parsed, has_time)
    problem = pd.Series("", index=values.index, dtype=object)
    problem[text == ""] = "missing"
    unparsed = days.isna() & (text != "")
    if unparsed.any():
        _explain_unparsed(text, unparsed, problem)
    out_of_range = _out_of_range(days, text, problem)
    # ISO 8601 lets "2019" or "2019-12" stand for a whole year or month; a map needs a day.
    short = days.notna() & (text.str.len() <= 7)
    no_day = short & text.where(short, "").str.match(_NO_DAY)
    problem[no_day] = text[no_day].map(lambda v: f"{v!r} names no day; write dates as YYYY-MM-DD")
    days = days.where(~out_of_range & ~no_day)
    return days.astype("datetime64[ns]"), times, problem


def _dated(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """A date-time column (Parquet, GeoPackage): no text to parse, only the checks."""
    stamps = _naive(values).astype("datetime64[ns]")
    days = stamps.dt.normalize()
    has_time = stamps.notna() & (stamps != days)
    problem = pd.Series("", index=values.index, dtype=object)
    problem[stamps.isna()] = "missing"
    out_of_range = _out_of_range(days, stamps, problem)
    return days.where(~out_of_range), _times(stamps, has_time), problem


def _times(parsed: pd.Series, has_time: pd.Series) -> pd.Series:
    """HH:MM where a date-time names a time of day, else ""."""
    times = pd.Series("", index=parsed.index, dtype=object)
    if has_time.any():
        times[has_time] = parsed[has_time].dt.strftime("%H:%M")
    return times


def _out_of_range(days: pd.Series, text: pd.Series, problem: pd.Series) -> pd.Series:
    """Days outside the years a dataset may hold; each gets its message."""
    years = days.dt.year
    out_of_range: pd.Series = days.notna() & ((years < EARLIEST_YEAR) | (years > LATEST_YEAR))
    if out_of_range.any():
        problem[out_of_range] = _date_text(text[out_of_range]).map(
            lambda v: f"{v[:40]!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}"
        )
    return out_of_range


def _explain_unparsed(text: pd.Series, unparsed: pd.Series, problem: pd.Series) -> None:
    """Why each date that did not parse did not."""
    iso_like = unparsed & text.where(unparsed, "").str.match(_ISO_LIKE)
    problem[iso_like] = text[iso_like].map(lambda v: f"{v[:40]!r} is not a real calendar date")
    slashed = unparsed & ~iso_like & text.str.contains("/", regex=False)
    problem[slashed] = text[slashed].map(
        lambda v: f"{v[:40]!r} is ambiguous (day/month order); write dates as YYYY-MM-DD"
    )
    rest = unparsed & ~iso_like & ~slashed
    problem[rest] = text[rest].map(
        lambda v: f"{v[:40]!r} is not a date (expected YYYY-MM-DD or e.g. '27 December 2019')"
    )


def check_dates(frame: pd.DataFrame, out: pd.DataFrame, report: Any) -> None:
    """Start and end dates (and a time of day) into `out`; each bad one reported."""
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
        messages = np.full(len(before), "", dtype=object)
        for i in np.flatnonzero(before).tolist():
            messages[i] = f"ends {end.iat[i]:%Y-%m-%d} before it starts {start.iat[i]:%Y-%m-%d}"
        report(before, "end_date", messages, True)
        out["end_date"] = end.to_numpy()
    else:
        out["end_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
