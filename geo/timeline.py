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


@dataclass(frozen=True, slots=True)
class Timeline:
    """Start and end day of every event, as day numbers, in the events table's order."""

    start: np.ndarray
    end: np.ndarray
    dates: np.ndarray
    lasting: np.ndarray  # rows of the events that end after the day they start, in order
    reach: np.timedelta64  # how long the longest of them lasts

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> Timeline:
        """Index an events table sorted by event_date."""
        start = events["event_date"].to_numpy(dtype="datetime64[D]")
        if len(start) and np.any(start[1:] < start[:-1]):
            raise ValueError("events must be sorted by event_date")
        end_col = events["end_date"].to_numpy(dtype="datetime64[D]")
        end = np.where(np.isnat(end_col), start, end_col)
        lasting = np.flatnonzero(end > start)
        reach = (end[lasting] - start[lasting]).max() if len(lasting) else np.timedelta64(0, "D")
        return cls(start, end, np.unique(start), lasting, reach)

    def __len__(self) -> int:
        return len(self.start)

    @property
    def first(self) -> date | None:
        """The first day with an event."""
        return _to_date(self.dates[0]) if len(self.dates) else None

    @property
    def last(self) -> date | None:
        """The last day any event is still going on."""
        return _to_date(self.end.max()) if len(self.end) else None

    def visible(self, at: date, mode: Mode = "cumulative", window_days: int = 7) -> np.ndarray:
        """Mask of events visible at a date: all begun so far, or those active in the window."""
        return self.visible_within(at, mode, window_days, None)

    def visible_within(
        self, at: date, mode: Mode, window_days: int, within: np.ndarray | None
    ) -> np.ndarray:
        """`visible`, of the events `within` a mask (all when None).

        The events that start in the window are one run of rows; of those that started
        before it, only the multi-day ones can still be going on. So a step costs the
        window's events, not the dataset's.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        day = np.datetime64(at, "D")
        days = max(int(window_days), 1) if mode == "window" else None
        return self._active(day, days, within)

    def current(self, at: date) -> np.ndarray:
        """Mask of events going on at the date itself (multi-day events included)."""
        return self._active(np.datetime64(at, "D"), 1, None)

    def _active(
        self, day: np.datetime64, days: int | None, within: np.ndarray | None
    ) -> np.ndarray:
        """Events begun by `day` and, given `days`, still going on in the `days` up to it."""
        begun = int(np.searchsorted(self.start, day, side="right"))
        mask = np.zeros(len(self.start), dtype=bool)
        if days is None:
            mask[:begun] = True if within is None else within[:begun]
            return mask
        first_day = day - (days - 1) * DAY
        run = int(np.searchsorted(self.start, first_day, side="left"))
        mask[run:begun] = True if within is None else within[run:begun]
        # Only events that started within the longest one's length of the window can reach it.
        since = int(np.searchsorted(self.start, first_day - self.reach, side="left"))
        earlier = self.lasting[
            np.searchsorted(self.lasting, since) : np.searchsorted(self.lasting, run)
        ]
        earlier = earlier[self.end[earlier] >= first_day]
        mask[earlier] = True if within is None else within[earlier]
        return mask

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
