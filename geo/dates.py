"""Dates as people write them: ISO days and date-times, ACLED's long forms, and their problems."""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.messages import MISSING, Numeral, message

EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2100
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_NO_DAY = re.compile(r"^\d{4}(-\d{1,2})?$")
# A UTC offset after a time of day ("T10:00+03:00", "10:00:00Z"): dropped, so the event keeps
# the local date and time it was reported with, and mixed offsets in one file parse together.
_UTC_OFFSET: Final = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_DATE_FORMATS: Final = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%B %d, %Y", "%b %d, %Y")


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
    notes = np.full(len(text), "", dtype=object)
    notes[(text == "").to_numpy(dtype=bool)] = MISSING
    problem = pd.Series(notes, index=values.index, dtype=object)
    unparsed = days.isna() & (text != "")
    iso_like = text.str.match(_ISO_LIKE)
    problem[unparsed & iso_like] = text[unparsed & iso_like].map(
        lambda v: message(
            "problem.not_real_date", "{value} is not a real calendar date", value=repr(v[:40])
        )
    )
    slashed = text.str.contains("/", regex=False)
    problem[unparsed & ~iso_like & slashed] = text[unparsed & ~iso_like & slashed].map(
        lambda v: message(
            "problem.ambiguous_date",
            "{value} is ambiguous (day/month order); write dates as YYYY-MM-DD",
            value=repr(v[:40]),
        )
    )
    rest = unparsed & ~iso_like & ~slashed
    problem[rest] = text[rest].map(
        lambda v: message(
            "problem.not_date",
            "{value} is not a date (expected YYYY-MM-DD or e.g. '27 December 2019')",
            value=repr(v[:40]),
        )
    )
    years = days.dt.year
    out_of_range = days.notna() & ((years < EARLIEST_YEAR) | (years > LATEST_YEAR))
    problem[out_of_range] = text[out_of_range].map(
        lambda v: message(
            "problem.year_range",
            "{value} is outside {first}-{last}",
            value=repr(v[:40]),
            first=Numeral(EARLIEST_YEAR),
            last=Numeral(LATEST_YEAR),
        )
    )
    # ISO 8601 lets "2019" or "2019-12" stand for a whole year or month; a map needs a day.
    no_day = days.notna() & text.str.match(_NO_DAY)
    problem[no_day] = text[no_day].map(
        lambda v: message(
            "problem.no_day", "{value} names no day; write dates as YYYY-MM-DD", value=repr(v)
        )
    )
    days = days.where(~out_of_range & ~no_day)
    return days.astype("datetime64[ns]"), times, problem


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
        end_problem = end_problem.where(end_problem.map(lambda v: v != MISSING), "")
        report((end_problem != "").to_numpy(), "end_date", end_problem.to_numpy(), True)
        before = (end < start).to_numpy()
        messages = np.array(
            [
                message(
                    "problem.ends_before",
                    "ends {end} before it starts {start}",
                    end=Numeral(f"{e:%Y-%m-%d}"),
                    start=Numeral(f"{s:%Y-%m-%d}"),
                )
                if b
                else ""
                for b, s, e in zip(before, start, end, strict=True)
            ],
            dtype=object,
        )
        report(before, "end_date", messages, True)
        out["end_date"] = end.to_numpy()
    else:
        out["end_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
