"""What is visible at a date, stepping between event dates, and counts per day per type.

Every function works on whole columns (the events table is sorted by `event_date`), so a
slider step costs a binary search and a few vector comparisons, whatever the size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

Mode = Literal["cumulative", "window"]
MODES: Final[tuple[Mode, ...]] = ("cumulative", "window")
DAY: Final = np.timedelta64(1, "D")


NO_ROWS: Final = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True, slots=True)
class Filter:
    """A filter's mask, with how many events pass it before each row (counts a run at once)."""

    mask: np.ndarray
    before: np.ndarray  # before[i]: the events passing among rows 0 .. i-1
    keeps_all: bool  # every event passes (no filter chosen): a step need not look at the mask

    @classmethod
    def of(cls, mask: np.ndarray) -> Filter:
        """Count once what a filter's mask keeps, for every date step that follows."""
        mask = np.asarray(mask, dtype=bool)
        before = np.zeros(len(mask) + 1, dtype=np.int64)
        np.cumsum(mask, out=before[1:])
        return cls(mask, before, bool(before[-1] == len(mask)))


class Shown:
    """The rows visible at a date: a run of rows (those of its filter) and earlier rows.

    A date step makes one, at the cost of a few index lookups; the page then takes only
    what it shows (how many, the newest few), and a mask of every event only when asked.
    """

    __slots__ = ("_count", "before", "earlier", "size", "start", "stop", "within")

    def __init__(
        self,
        size: int,
        span: tuple[int, int],
        earlier: np.ndarray,
        within: np.ndarray | Filter | None,
    ) -> None:
        self.size = size  # events in the dataset
        self.start, self.stop = span  # the run of rows, before the filter
        self.earlier = earlier  # rows before the run still shown, ascending, filtered
        self.within = within.mask if isinstance(within, Filter) else within  # None: every event
        self.before = within.before if isinstance(within, Filter) else None
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            run = self.stop - self.start
            if self.before is not None:
                run = int(self.before[self.stop] - self.before[self.start])
            elif self.within is not None and run:
                run = int(np.count_nonzero(self.within[self.start : self.stop]))
            self._count = run + len(self.earlier)
        return self._count

    def _run_rows(self, start: int, stop: int) -> np.ndarray:
        """The rows of the run between two rows that pass the filter, ascending."""
        if self.within is None:
            return np.arange(start, stop, dtype=np.intp)
        return np.flatnonzero(self.within[start:stop]) + start

    def rows(self) -> np.ndarray:
        """Every row shown, ascending."""
        return np.concatenate([self.earlier, self._run_rows(self.start, self.stop)])

    def oldest(self, n: int) -> np.ndarray:
        """At most `n` rows shown, first ones first."""
        if len(self.earlier) >= n:
            return self.earlier[:n]
        return self.rows()[:n] if n > 0 else NO_ROWS

    def newest(self, n: int) -> np.ndarray:
        """At most `n` rows shown, last ones first: reads the run from its end, in growing steps."""
        parts: list[np.ndarray] = []
        found, stop, step = 0, self.stop, max(n, 64)
        while found < n and stop > self.start:
            lo = max(self.start, stop - step)
            part = self._run_rows(lo, stop)[::-1]
            parts.append(part)
            found, stop, step = found + len(part), lo, step * 4
        if found < n:
            parts.append(self.earlier[::-1])
        return np.concatenate(parts)[:n] if parts else NO_ROWS

    def mask(self) -> np.ndarray:
        """A mask of every event of the dataset: true where shown."""
        mask = np.zeros(self.size, dtype=bool)
        run = slice(self.start, self.stop)
        mask[run] = True if self.within is None else self.within[run]
        mask[self.earlier] = True
        return mask


ONGOING_FLOOR: Final = 1_000_000  # entries an index of days of multi-day events may always hold


@dataclass(frozen=True, slots=True)
class Ongoing:
    """For each day, the multi-day events begun before it and still going on, as rows."""

    day0: int  # the day number of rows_at[0]
    rows_at: np.ndarray  # rows[rows_at[i] : rows_at[i + 1]]: the events of day day0 + i
    rows: np.ndarray

    @classmethod
    def of(
        cls, start: np.ndarray, end: np.ndarray, lasting: np.ndarray, day0: int, budget: int
    ) -> Ongoing | None:
        """The index, or None when the events last so long that it would pass the budget."""
        first = start[lasting].astype(np.int64) + 1  # an event is "begun before" from its 2nd day
        length = end[lasting].astype(np.int64) - first + 1
        if int(length.sum()) > budget:
            return None
        # One entry per (event, day after its first), grouped by day, rows ascending in a day.
        rows = np.repeat(lasting, length)
        offset = np.arange(len(rows)) - np.repeat(np.cumsum(length) - length, length)
        days = np.repeat(first - day0, length) + offset
        order = np.argsort(days, kind="stable")
        span = int(days.max()) + 1 if len(days) else 0
        rows_at = np.zeros(span + 1, dtype=np.int64)
        np.cumsum(np.bincount(days, minlength=span), out=rows_at[1:])
        return cls(day0, rows_at, rows[order])

    def begun_before(self, day: int) -> np.ndarray:
        """The rows of the events begun before a day and going on at it, ascending."""
        i = day - self.day0
        if i < 0 or i + 1 >= len(self.rows_at):
            return NO_ROWS
        return self.rows[self.rows_at[i] : self.rows_at[i + 1]]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Start and end day of every event, as day numbers, in the events table's order."""

    start: np.ndarray
    end: np.ndarray
    dates: np.ndarray
    lasting: np.ndarray  # rows of the events that end after the day they start, in order
    reach: int  # how many days the longest of them lasts
    day0: int  # the day number of the first start (0 when there is none)
    first_row: np.ndarray  # for each day from day0: the first row starting on or after it
    first_lasting: np.ndarray  # for the same days: that row's place in `lasting`
    ongoing: Ongoing | None  # the multi-day events going on at each day, when few enough
    final: date | None  # the last day any event is still going on (worked out once)

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> Timeline:
        """Index an events table sorted by event_date."""
        start = events["event_date"].to_numpy(dtype="datetime64[D]")
        if len(start) and np.any(start[1:] < start[:-1]):
            raise ValueError("events must be sorted by event_date")
        end_col = events["end_date"].to_numpy(dtype="datetime64[D]")
        end = np.where(np.isnat(end_col), start, end_col)
        lasting = np.flatnonzero(end > start)
        reach = int((end[lasting] - start[lasting]).max() / DAY) if len(lasting) else 0
        # A row per day of the starts' span (at most about 213,000 days for pandas' dates):
        # a step finds its rows by an index instead of binary searches over every event.
        day0 = int(start[0].astype(np.int64)) if len(start) else 0
        last = int(start[-1].astype(np.int64)) if len(start) else -1
        days = np.arange(day0, last + 2, dtype=np.int64).astype("datetime64[D]")
        first_row = np.searchsorted(start, days, side="left")
        first_lasting = np.searchsorted(lasting, first_row)
        ongoing = Ongoing.of(start, end, lasting, day0, 8 * len(start) + ONGOING_FLOOR)
        final = _to_date(end.max()) if len(end) else None
        return cls(
            start,
            end,
            np.unique(start),
            lasting,
            reach,
            day0,
            first_row,
            first_lasting,
            ongoing,
            final,
        )

    def __len__(self) -> int:
        return len(self.start)

    @property
    def first(self) -> date | None:
        """The first day with an event."""
        return _to_date(self.dates[0]) if len(self.dates) else None

    @property
    def last(self) -> date | None:
        """The last day any event is still going on."""
        return self.final

    def visible(self, at: date, mode: Mode = "cumulative", window_days: int = 7) -> np.ndarray:
        """Mask of events visible at a date: all begun so far, or those active in the window."""
        return self.visible_within(at, mode, window_days, None)

    def visible_within(
        self, at: date, mode: Mode, window_days: int, within: np.ndarray | None
    ) -> np.ndarray:
        """`visible`, of the events `within` a mask (all when None), as a mask of every event."""
        return self.shown(at, mode, window_days, within).mask()

    def shown(
        self, at: date, mode: Mode, window_days: int, within: np.ndarray | Filter | None
    ) -> Shown:
        """The events visible at a date, of those `within` a mask, without a mask of every event.

        The events that start in the window are one run of rows; of those that started
        before it, only the multi-day ones can still be going on (an index of days gives both).
        So a step costs a few lookups and the window's multi-day events, not the dataset's size.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        days = max(int(window_days), 1) if mode == "window" else None
        return self._active(day_number(at), days, within)

    def current(self, at: date) -> np.ndarray:
        """Mask of events going on at the date itself (multi-day events included)."""
        return self._active(day_number(at), 1, None).mask()

    def _row_from(self, day: int) -> tuple[int, int]:
        """The first row starting on or after a day number, and its place in `lasting`."""
        i = min(max(day - self.day0, 0), len(self.first_row) - 1)
        return int(self.first_row[i]), int(self.first_lasting[i])

    def _active(self, day: int, days: int | None, within: np.ndarray | Filter | None) -> Shown:
        """Events begun by `day` and, given `days`, still going on in the `days` up to it."""
        if isinstance(within, Filter) and within.keeps_all:
            within = None
        begun = self._row_from(day + 1)[0]
        if days is None:
            return Shown(len(self.start), (0, begun), NO_ROWS, within)
        # A window reaching before every event shows the same as one reaching just before them.
        first_day = max(day - (days - 1), self.day0 - self.reach - 1)
        run, run_lasting = self._row_from(first_day)
        if self.ongoing is not None:
            earlier = self.ongoing.begun_before(first_day)
        else:
            # Only events that started within the longest one's length of the window reach it.
            since_lasting = self._row_from(first_day - self.reach)[1]
            earlier = self.lasting[since_lasting:run_lasting]
            earlier = earlier[self.end[earlier] >= np.datetime64(first_day, "D")]
        if within is not None:
            earlier = earlier[(within.mask if isinstance(within, Filter) else within)[earlier]]
        return Shown(len(self.start), (run, begun), earlier, within)

    def adjacent_date(self, at: date, direction: int) -> date | None:
        """The next (direction > 0) or previous (< 0) date with an event starting, or None."""
        day = np.datetime64(at, "D")
        if direction > 0:
            i = int(np.searchsorted(self.dates, day, side="right"))
            return _to_date(self.dates[i]) if i < len(self.dates) else None
        i = int(np.searchsorted(self.dates, day, side="left")) - 1
        return _to_date(self.dates[i]) if i >= 0 else None


ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_day(value: Any) -> date | None:
    """A date written exactly as YYYY-MM-DD, or None (no other spelling is accepted)."""
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


EPOCH: Final = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01: how the map and the page name a date."""
    return (day - EPOCH).days


def _to_date(value: np.datetime64) -> date:
    return date(1970, 1, 1) + timedelta(days=int(value.astype("datetime64[D]").astype(np.int64)))


def counts_per_day(events: pd.DataFrame, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Events starting on each day, per event type: columns day, event_type, count."""
    frame = events if mask is None else events.loc[mask]
    if frame.empty:
        return pd.DataFrame(
            {
                "day": pd.Series(dtype="datetime64[ns]"),
                "event_type": pd.Series(dtype=object),
                "count": pd.Series(dtype="int64"),
            }
        )
    grouped = frame.groupby([frame["event_date"].dt.normalize(), "event_type"], sort=True)
    counts = grouped.size().reset_index(name="count")
    return counts.rename(columns={"event_date": "day"})
