"""Dates as people write them: ISO days and date-times, ACLED's long forms, slashed days
(03/01/2020), a month (2014-06, June 2014) or a year (2017), and their problems.

Slashed dates name the day and the month in an order the text does not give. The rule, per
file (start and end dates together): a value whose first part is over 12 is day-first and
one whose second part is over 12 is month-first, whatever the others are; the values that
could be either follow the order the file shows where all its telling values agree, else the
order asked for (`--dayfirst`/`--monthfirst`), else day-first, as most of the world writes
dates, and one warning says so. ISO dates (2020-01-03) and ACLED's (03 January 2020) are never
ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.messages import MISSING, GregorianDay, Message, Numeral, message
from geo.model import MONTH_PRECISION, YEAR_PRECISION

EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2100
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}(-\d{1,2})?")
_ISO_DAY: Final = r"\d{4}-\d{1,2}-\d{1,2}"
_YEAR_ONLY: Final = r"^\d{4}$"
_YEAR_MONTH: Final = r"^\d{4}-\d{1,2}$"
# A UTC offset after a time of day ("T10:00+03:00", "10:00:00Z"): dropped, so the event keeps
# the local date and time it was reported with, and mixed offsets in one file parse together.
_UTC_OFFSET: Final = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_DATE_FORMATS: Final = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%B %d, %Y", "%b %d, %Y")
_MONTH_FORMATS: Final = ("%B %Y", "%b %Y")
_TIME_TAIL: Final = r"(?P<rest>(?:[ T]\d{1,2}:\d{2}.*)?)$"
# 03/01/2020, 03.01.2020, 03-01-2020, optionally with a time of day.
_SLASHED: Final = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})" + _TIME_TAIL
# 2020/01/03: nobody writes the year first and then the day.
_YEAR_FIRST: Final = r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME_TAIL
_MONTH_SLASH_YEAR: Final = r"^(?P<m>\d{1,2})/(?P<y>\d{4})$"
_YEAR_SLASH_MONTH: Final = r"^(?P<y>\d{4})/(?P<m>\d{1,2})$"
_SLASHED_DATE: Final = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_SHORT_YEAR: Final = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}(?:$|[ T])"
_MONTH_NAME_YEAR: Final = r"^[A-Za-z]{3,9}\.?,? \d{4}$"


@dataclass(frozen=True, slots=True)
class SlashOrder:
    """How slashed dates whose day and month could be swapped are read, and why."""

    dayfirst: bool = True
    guessed: bool = False  # no telling value and no order asked for: the default was applied


@dataclass(frozen=True, slots=True)
class ParsedDates:
    """One date column parsed: days, times of day, problems and how coarse each date is."""

    days: pd.Series
    times: pd.Series
    problems: pd.Series
    precision: pd.Series  # Int64: 3 for a month, 4 for a year, NA for a day
    ambiguous: pd.Series  # bool: read by the file's (or the default) order, not by itself
    blank: pd.Series  # bool: nothing given (its problem is MISSING)


@dataclass(slots=True)
class DateReading:
    """What the dates add beyond the columns: how coarse each start date is, and warnings."""

    precision: pd.Series
    warnings: list[tuple[int, str, Message]] = field(default_factory=list)  # rows, field, message


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


def _extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """The pattern's groups for the rows it matches only (a match costs far less than an
    extraction, and most rows of a file match none of the rarer forms)."""
    hits = text.str.match(pattern)
    return text[hits].str.extract(pattern)


def _slashed_parts(text: pd.Series) -> pd.DataFrame:
    """The two day-or-month parts, year and time of the slashed dates among `text`."""
    parts = _extract(text, _SLASHED)
    parts["a"] = pd.to_numeric(parts["a"])
    parts["b"] = pd.to_numeric(parts["b"])
    return parts


def _telling(parts: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Which slashed dates are day-first by themselves, month-first, or could be either."""
    day_first = parts["a"] > 12
    month_first = ~day_first & (parts["b"] > 12)
    either = parts["a"].notna() & ~day_first & ~month_first & (parts["a"] != parts["b"])
    return day_first, month_first, either


def slash_order(columns: list[pd.Series], dayfirst: bool | None = None) -> SlashOrder:
    """The order for slashed dates that could be either, from the file's telling values."""
    if dayfirst is not None:
        return SlashOrder(dayfirst)
    shows_day = shows_month = False
    for values in columns:
        if pd.api.types.is_datetime64_any_dtype(values):  # typed dates have no order to guess
            continue
        day_first, month_first, _ = _telling(_slashed_parts(_date_text(values)))
        shows_day = shows_day or bool(day_first.any())
        shows_month = shows_month or bool(month_first.any())
    if shows_day != shows_month:
        return SlashOrder(bool(shows_day))
    return SlashOrder(True, guessed=True)


def _rewrite_slashed(text: pd.Series, order: SlashOrder) -> tuple[pd.Series, pd.Series]:
    """Slashed dates as ISO text, and which of them could have been read the other way."""
    parts = _slashed_parts(text)
    either = pd.Series(False, index=text.index)
    if parts.empty:
        return text, either
    day_first, _, either_here = _telling(parts)
    as_day = day_first | (either_here & order.dayfirst) | (parts["a"] == parts["b"])
    day = parts["a"].where(as_day, parts["b"])
    month = parts["b"].where(as_day, parts["a"])
    iso = (
        parts["y"]
        + "-"
        + month.astype(int).astype(str).str.zfill(2)
        + "-"
        + day.astype(int).astype(str).str.zfill(2)
        + parts["rest"].str.replace(r"^ ", "T", regex=True)
    )
    text = text.copy()
    text[parts.index] = iso
    either[parts.index] = either_here
    return text, either


def _as_iso(text: pd.Series, order: SlashOrder) -> tuple[pd.Series, pd.Series]:
    """Every numeric form and month names with a year rewritten as ISO text."""
    text, either = _rewrite_slashed(text, order)
    year_first = _extract(text, _YEAR_FIRST)
    if not year_first.empty:
        text = text.copy()
        text[year_first.index] = (
            year_first["y"] + "-" + year_first["m"] + "-" + year_first["d"] + year_first["rest"]
        )
    for pattern in (_MONTH_SLASH_YEAR, _YEAR_SLASH_MONTH):
        month = _extract(text, pattern)
        if not month.empty:
            text = text.copy()
            text[month.index] = month["y"] + "-" + month["m"]
    named = text.str.match(_MONTH_NAME_YEAR)
    for fmt in _MONTH_FORMATS:
        if not named.any():
            break
        parsed = pd.to_datetime(
            text.where(named).str.replace(r"[.,]", "", regex=True), format=fmt, errors="coerce"
        )
        done = named & parsed.notna()
        text = text.where(~done, parsed.dt.strftime("%Y-%m"))
        named &= ~done
    return text, either


def parse_dates(values: pd.Series, order: SlashOrder | None = None) -> ParsedDates:
    """Parse dates in every form this module reads; unusable ones say why in `problems`.

    Every whole-column step is vectorised; text is looked at again only for the rows that
    need a message or a second look, so a million clean dates cost a few passes in C.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _dated(values)
    text = _date_text(values)
    # Most files write ISO days: only the other rows go through the rewrites.
    other = ~text.str.match(_ISO_DAY) & (text != "")
    iso, ambiguous = text, pd.Series(False, index=text.index)
    if other.any():
        rewritten, either = _as_iso(text[other], order or SlashOrder())
        iso = text.copy()
        iso[rewritten.index] = rewritten
        ambiguous[either.index] = either
    parsed = _parse_iso(iso)
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
        has_time &= iso.where(has_time, "").str.contains(r"\d[T ]\d{1,2}:\d{2}", regex=True)
    times = _times(parsed, has_time)
    problem = _problems(text, iso, days)
    precision = pd.Series(pd.NA, index=values.index, dtype="Int64")
    short = iso[other & (iso.str.len() <= 7)]
    precision[short.index[short.str.match(_YEAR_MONTH).to_numpy(dtype=bool)]] = MONTH_PRECISION
    precision[short.index[short.str.match(_YEAR_ONLY).to_numpy(dtype=bool)]] = YEAR_PRECISION
    usable = problem == ""
    return ParsedDates(
        days.where(usable).astype("datetime64[ns]"),
        times.where(usable, ""),
        problem,
        precision.where(usable & days.notna()),
        ambiguous & usable,
        text == "",
    )


def _dated(values: pd.Series) -> ParsedDates:
    """A date-time column (Parquet, GeoPackage): no text to parse, only the checks."""
    stamps = _naive(values).astype("datetime64[ns]")
    days = stamps.dt.normalize()
    has_time = stamps.notna() & (stamps != days)
    notes = np.full(len(values), "", dtype=object)
    notes[stamps.isna().to_numpy(dtype=bool)] = MISSING  # as for text: an empty end is no problem
    problem = pd.Series(notes, index=values.index, dtype=object)
    out_of_range = _out_of_range(days, stamps, problem)
    return ParsedDates(
        days.where(~out_of_range),
        _times(stamps, has_time),
        problem,
        pd.Series(pd.NA, index=values.index, dtype="Int64"),
        pd.Series(False, index=values.index),
        stamps.isna(),
    )


def _times(parsed: pd.Series, has_time: pd.Series) -> pd.Series:
    """HH:MM where a date-time names a time of day, else ""."""
    times = pd.Series("", index=parsed.index, dtype=object)
    if has_time.any():
        times[has_time] = parsed[has_time].dt.strftime("%H:%M")
    return times


def _out_of_range(days: pd.Series, text: pd.Series, problem: pd.Series) -> pd.Series:
    """Days outside the years a dataset may hold; each gets its message."""
    # Compared with the first and the last day allowed (working out each day's year took
    # a tenth of a second for a million); NaT compares as neither.
    stamps = days.to_numpy()
    first, after = (np.datetime64(f"{year}-01-01") for year in (EARLIEST_YEAR, LATEST_YEAR + 1))
    out_of_range = pd.Series((stamps < first) | (stamps >= after), index=days.index)
    if out_of_range.any():
        problem[out_of_range] = _date_text(text[out_of_range]).map(
            lambda v: message(
                "problem.year_range",
                "{value} is outside {first}-{last}",
                value=repr(v[:40]),
                first=Numeral(EARLIEST_YEAR),
                last=Numeral(LATEST_YEAR),
            )
        )
    return out_of_range


def _problems(text: pd.Series, iso: pd.Series, days: pd.Series) -> pd.Series:
    """Why each date that did not parse, or is out of range, cannot be used."""
    notes = np.full(len(text), "", dtype=object)
    notes[(text == "").to_numpy(dtype=bool)] = MISSING
    # Objects, not text: pandas would make a column of blanks and messages a column of text.
    problem = pd.Series(notes, index=text.index, dtype=object)
    unparsed = days.isna() & (text != "")
    if unparsed.any():  # most files: none, and explaining nothing cost a second at 1M
        _explain_unparsed(text, iso, unparsed, problem)
    _out_of_range(days, text, problem)
    return problem


def _explain_unparsed(
    text: pd.Series, iso: pd.Series, unparsed: pd.Series, problem: pd.Series
) -> None:
    """Why each date that did not parse cannot be used, into `problem`."""
    iso_like = pd.Series(False, index=text.index)
    iso_like[unparsed] = iso[unparsed].str.match(_ISO_LIKE)
    problem[unparsed & iso_like] = text[unparsed & iso_like].map(
        lambda v: message(
            "problem.not_real_date", "{value} is not a real calendar date", value=repr(v[:40])
        )
    )
    short = pd.Series(False, index=text.index)
    short[unparsed & ~iso_like] = text[unparsed & ~iso_like].str.match(_SHORT_YEAR)
    problem[short] = text[short].map(
        lambda v: message(
            "problem.short_year",
            "{value} has a two-digit year; write the year in full or as YYYY-MM-DD",
            value=repr(v[:40]),
        )
    )
    rest = unparsed & ~iso_like & ~short
    problem[rest] = text[rest].map(
        lambda v: message(
            "problem.not_date",
            "{value} is not a date (expected e.g. 2019-12-27, 27/12/2019, "
            "27 December 2019, 2019-12 or 2019)",
            value=repr(v[:40]),
        )
    )


def ambiguity_warning(value: str) -> Message:
    """One sentence for the slashed dates that were read day-first for want of a telling one."""
    found = _SLASHED_DATE.match(value)
    if found is None:  # only ever called with a slashed date
        return message(
            "problem.unclear_order",
            "dates with day and month in an unclear order were read as day-first",
        )
    day, month, year = (int(part) for part in found.groups())
    return message(
        "problem.day_first",
        "dates like {value} are ambiguous; read as day-first ({day}); "
        "--monthfirst reads them month-first",
        value=Numeral(found.group(0)),
        day=GregorianDay(date(year, month, day).isoformat()),
    )


def check_dates(
    frame: pd.DataFrame, out: pd.DataFrame, report: Any, dayfirst: bool | None = None
) -> DateReading:
    """Start and end dates (and a time of day) into `out`; each bad one reported."""
    n = len(out)
    start_raw = frame["event_date"] if "event_date" in frame.columns else pd.Series([""] * n)
    columns = [start_raw] + ([frame["end_date"]] if "end_date" in frame.columns else [])
    order = slash_order(columns, dayfirst)
    start = parse_dates(start_raw, order)
    report((start.problems != "").to_numpy(), "event_date", start.problems.to_numpy(), True)
    out["event_date"] = start.days.to_numpy()
    # A date's time of day fills a blank time; most dates carry none, and writing a million
    # blanks over blanks took a fifth of a second.
    timed = (out["event_time"] == "") & (start.times != "")
    if timed.any():
        out.loc[timed, "event_time"] = start.times[timed]
    ambiguous = [(start_raw, start.ambiguous)]
    if "end_date" in frame.columns:
        end = _check_end(frame["end_date"], start.days, order, report)
        out["end_date"] = end.days.to_numpy()
        ambiguous.append((frame["end_date"], end.ambiguous))
    else:
        out["end_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    reading = DateReading(start.precision)
    rows = np.logical_or.reduce([a.to_numpy(dtype=bool) for _, a in ambiguous])
    if order.guessed and rows.any():
        values, flags = next((v, a) for v, a in ambiguous if a.any())
        example = str(_date_text(values)[flags.to_numpy(dtype=bool)].iat[0])
        reading.warnings.append((int(rows.sum()), "event_date", ambiguity_warning(example)))
    return reading


def _check_end(values: pd.Series, start: pd.Series, order: SlashOrder, report: Any) -> ParsedDates:
    """End dates: a month or a year ends on its last day; an end before the start is reported."""
    end = parse_dates(values, order)
    days = end.days
    month = (end.precision == MONTH_PRECISION).fillna(False).to_numpy(dtype=bool)
    year = (end.precision == YEAR_PRECISION).fillna(False).to_numpy(dtype=bool)
    days = days.mask(month, days + pd.offsets.MonthEnd(0))
    days = days.mask(year, days + pd.offsets.YearEnd(0))
    # An empty end date is no problem (a Message compared with each row took 3.7 s at 1M).
    problems = end.problems.where(~end.blank, "")
    report((problems != "").to_numpy(), "end_date", problems.to_numpy(), True)
    before = (days < start).to_numpy()
    messages = np.full(len(before), "", dtype=object)
    for i in np.flatnonzero(before).tolist():
        messages[i] = message(
            "problem.ends_before",
            "ends {end} before it starts {start}",
            end=Numeral(f"{days.iat[i]:%Y-%m-%d}"),
            start=Numeral(f"{start.iat[i]:%Y-%m-%d}"),
        )
    report(before, "end_date", messages, True)
    return ParsedDates(days, end.times, problems, end.precision, end.ambiguous, end.blank)
