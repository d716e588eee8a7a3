"""What is visible on a date and how stepping moves, at the edges and on random data."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.timeline import Filter, Mode, Ongoing, Timeline, counts_per_day, day_number

# id, start, end (None: a one-day event), type. Sorted by start, as the loader leaves them.
Row = tuple[str, str, str | None, str]
ROWS: list[Row] = [
    ("a", "2019-12-28", None, "Battles"),
    ("b", "2019-12-30", None, "Protests"),
    ("c", "2019-12-31", "2020-01-01", "Battles"),
    ("d", "2020-01-01", None, "Riots"),
    ("e", "2020-01-03", None, "Battles"),
    ("f", "2020-01-03", None, "Protests"),
]


def make_events(rows: list[Row]) -> pd.DataFrame:
    """An events table with the columns the timeline reads."""
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "event_date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            "end_date": pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object)).astype(
                "datetime64[ns]"
            ),
            "event_type": [r[3] for r in rows],
        }
    )


EVENTS = make_events(ROWS)
TIMELINE = Timeline.from_events(EVENTS)


def ids(mask: np.ndarray) -> str:
    return "".join(EVENTS["id"][mask])


VISIBLE = [
    pytest.param(date(2019, 12, 1), "cumulative", 7, "", id="before-any"),
    pytest.param(date(2019, 12, 28), "cumulative", 7, "a", id="first-day"),
    pytest.param(date(2019, 12, 29), "cumulative", 7, "a", id="day-without-events"),
    pytest.param(date(2020, 1, 1), "cumulative", 7, "abcd", id="new-year"),
    pytest.param(date(2020, 1, 3), "cumulative", 7, "abcdef", id="last-day"),
    pytest.param(date(2021, 6, 1), "cumulative", 7, "abcdef", id="after-all"),
    pytest.param(date(2020, 1, 1), "window", 3, "bcd", id="window-across-new-year"),
    pytest.param(date(2019, 12, 31), "window", 3, "bc", id="window-ending-new-years-eve"),
    pytest.param(date(2020, 1, 1), "window", 1, "cd", id="window-one-day"),
    pytest.param(date(2020, 1, 2), "window", 1, "", id="window-day-without-events"),
    pytest.param(date(2020, 1, 2), "window", 2, "cd", id="multi-day-event-still-in-window"),
    pytest.param(date(2020, 1, 3), "window", 7, "abcdef", id="window-covers-all"),
    pytest.param(date(2020, 1, 3), "window", 6, "bcdef", id="window-just-misses-first"),
    pytest.param(date(2020, 1, 5), "window", 3, "ef", id="window-past-last-day"),
    pytest.param(date(2020, 2, 1), "window", 3, "", id="window-after-all"),
    pytest.param(date(2019, 12, 27), "window", 3, "", id="window-before-any"),
    pytest.param(date(2020, 1, 1), "window", 0, "cd", id="window-zero-means-one-day"),
]


@pytest.mark.parametrize(("at", "mode", "window", "expected"), VISIBLE)
def test_visible(at: date, mode: Mode, window: int, expected: str) -> None:
    assert ids(TIMELINE.visible(at, mode, window)) == expected


CURRENT = [
    pytest.param(date(2019, 12, 27), "", id="before-any"),
    pytest.param(date(2019, 12, 28), "a", id="first-day"),
    pytest.param(date(2019, 12, 29), "", id="day-without-events"),
    pytest.param(date(2019, 12, 31), "c", id="multi-day-first-day"),
    pytest.param(date(2020, 1, 1), "cd", id="multi-day-last-day"),
    pytest.param(date(2020, 1, 2), "", id="multi-day-over"),
    pytest.param(date(2020, 1, 3), "ef", id="last-day"),
    pytest.param(date(2020, 1, 4), "", id="after-all"),
]


@pytest.mark.parametrize(("at", "expected"), CURRENT)
def test_current(at: date, expected: str) -> None:
    assert ids(TIMELINE.current(at)) == expected


STEPS = [
    pytest.param(date(2019, 12, 28), 1, date(2019, 12, 30), id="forward-from-first"),
    pytest.param(date(2019, 12, 28), -1, None, id="back-off-the-start"),
    pytest.param(date(2019, 12, 29), 1, date(2019, 12, 30), id="forward-from-empty-day"),
    pytest.param(date(2019, 12, 29), -1, date(2019, 12, 28), id="back-from-empty-day"),
    pytest.param(date(2019, 12, 31), 1, date(2020, 1, 1), id="forward-across-new-year"),
    pytest.param(date(2020, 1, 1), -1, date(2019, 12, 31), id="back-across-new-year"),
    pytest.param(date(2020, 1, 2), 1, date(2020, 1, 3), id="forward-to-last"),
    pytest.param(date(2020, 1, 3), 1, None, id="forward-off-the-end"),
    pytest.param(date(2020, 1, 3), -1, date(2020, 1, 1), id="back-from-last"),
    pytest.param(date(2019, 1, 1), 1, date(2019, 12, 28), id="forward-from-before-all"),
    pytest.param(date(2019, 1, 1), -1, None, id="back-from-before-all"),
    pytest.param(date(2021, 1, 1), -1, date(2020, 1, 3), id="back-from-after-all"),
    pytest.param(date(2021, 1, 1), 1, None, id="forward-from-after-all"),
    pytest.param(date(2020, 1, 1), 5, date(2020, 1, 3), id="any-positive-is-one-step"),
]


@pytest.mark.parametrize(("at", "direction", "expected"), STEPS)
def test_adjacent_date(at: date, direction: int, expected: date | None) -> None:
    assert TIMELINE.adjacent_date(at, direction) == expected


def test_first_and_last() -> None:
    assert (TIMELINE.first, TIMELINE.last, len(TIMELINE)) == (
        date(2019, 12, 28),
        date(2020, 1, 3),
        6,
    )


def test_last_is_the_end_of_a_multi_day_event_that_outlasts_the_rest() -> None:
    timeline = Timeline.from_events(
        make_events([("a", "2019-12-30", "2020-01-04", "Battles"), ("b", "2020-01-01", None, "")])
    )

    assert (timeline.first, timeline.last) == (date(2019, 12, 30), date(2020, 1, 4))
    assert timeline.adjacent_date(date(2020, 1, 1), 1) is None  # steps go between start dates


def test_a_window_finds_a_long_event_begun_long_before_and_not_a_short_one() -> None:
    timeline = Timeline.from_events(
        make_events(
            [
                ("long", "2019-01-01", "2020-06-30", "Battles"),
                ("short", "2019-01-02", "2019-01-05", "Riots"),
                ("day", "2020-01-01", None, "Riots"),
                ("later", "2020-01-20", None, "Riots"),
            ]
        )
    )
    assert timeline.visible(date(2020, 1, 3), "window", 7).tolist() == [True, False, True, False]
    assert timeline.current(date(2020, 1, 20)).tolist() == [True, False, False, True]
    assert timeline.current(date(2019, 1, 5)).tolist() == [True, True, False, False]
    assert timeline.current(date(2019, 1, 6)).tolist() == [True, False, False, False]


def test_empty_timeline() -> None:
    timeline = Timeline.from_events(make_events([]))

    assert (timeline.first, timeline.last, len(timeline)) == (None, None, 0)
    assert timeline.visible(date(2020, 1, 1)).shape == (0,)
    assert timeline.current(date(2020, 1, 1)).shape == (0,)
    assert timeline.adjacent_date(date(2020, 1, 1), 1) is None
    assert timeline.adjacent_date(date(2020, 1, 1), -1) is None


def test_unsorted_events_are_refused() -> None:
    with pytest.raises(ValueError, match="sorted by event_date"):
        Timeline.from_events(make_events(list(reversed(ROWS))))


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        TIMELINE.visible(date(2020, 1, 1), "sliding")  # type: ignore[arg-type]


def test_counts_per_day() -> None:
    counts = counts_per_day(EVENTS)

    rows = [(d.date(), t, n) for d, t, n in counts.itertuples(index=False)]
    assert rows == [
        (date(2019, 12, 28), "Battles", 1),
        (date(2019, 12, 30), "Protests", 1),
        (date(2019, 12, 31), "Battles", 1),
        (date(2020, 1, 1), "Riots", 1),
        (date(2020, 1, 3), "Battles", 1),
        (date(2020, 1, 3), "Protests", 1),
    ]
    assert list(counts.columns) == ["day", "event_type", "count"]


def test_counts_per_day_of_a_mask() -> None:
    counts = counts_per_day(EVENTS, TIMELINE.visible(date(2020, 1, 1), "window", 3))

    assert [(d.date(), t, n) for d, t, n in counts.itertuples(index=False)] == [
        (date(2019, 12, 30), "Protests", 1),
        (date(2019, 12, 31), "Battles", 1),
        (date(2020, 1, 1), "Riots", 1),
    ]


def test_counts_per_day_of_nothing_has_the_columns() -> None:
    counts = counts_per_day(EVENTS, np.zeros(len(EVENTS), dtype=bool))

    assert counts.empty
    assert list(counts.columns) == ["day", "event_type", "count"]


# ---- property check: the vectorised masks equal a plain Python reading --------------------


def random_rows(rng: np.random.Generator, n: int) -> list[Row]:
    origin = date(2019, 12, 1)
    starts = sorted(int(v) for v in rng.integers(0, 60, n))
    rows: list[Row] = []
    for i, start in enumerate(starts):
        length = int(rng.integers(0, 5)) if rng.random() < 0.3 else None
        end = None if length is None else (origin + timedelta(start + length)).isoformat()
        kind = ("Battles", "Protests", "Riots")[int(rng.integers(0, 3))]
        rows.append((f"r{i}", (origin + timedelta(start)).isoformat(), end, kind))
    return rows


def reference_visible(rows: list[Row], at: date, window: int) -> list[bool]:
    first = at - timedelta(max(window, 1) - 1)
    return [
        date.fromisoformat(s) <= at and date.fromisoformat(e or s) >= first for _, s, e, _ in rows
    ]


def reference_adjacent_date(rows: list[Row], at: date, direction: int) -> date | None:
    days = sorted({date.fromisoformat(s) for _, s, _, _ in rows})
    later = [d for d in days if d > at]
    earlier = [d for d in days if d < at]
    if direction > 0:
        return later[0] if later else None
    return earlier[-1] if earlier else None


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_masks_match_a_python_reference_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = random_rows(rng, int(rng.integers(1, 80)))
    events = make_events(rows)
    timeline = Timeline.from_events(events)
    for _ in range(40):
        at = date(2019, 11, 25) + timedelta(int(rng.integers(0, 75)))
        window = int(rng.integers(0, 12))
        started = [date.fromisoformat(s) <= at for _, s, _, _ in rows]
        assert timeline.visible(at, "cumulative").tolist() == started
        assert timeline.visible(at, "window", window).tolist() == reference_visible(
            rows, at, window
        )
        assert timeline.current(at).tolist() == reference_visible(rows, at, 1)
        within = rng.random(len(rows)) < 0.5  # a filter: only these events may show
        modes: list[tuple[Mode, list[bool]]] = [
            ("cumulative", started),
            ("window", reference_visible(rows, at, window)),
        ]
        for mode, expected in modes:
            got = timeline.visible_within(at, mode, window, within)
            assert got.tolist() == [e and bool(w) for e, w in zip(expected, within, strict=True)]
        assert timeline.adjacent_date(at, 1) == reference_adjacent_date(rows, at, 1)
        assert timeline.adjacent_date(at, -1) == reference_adjacent_date(rows, at, -1)
        mask = timeline.visible(at, "window", window)
        counted = {
            (d.date(), t): n for d, t, n in counts_per_day(events, mask).itertuples(index=False)
        }
        chosen = [r for r, keep in zip(rows, mask.tolist(), strict=True) if keep]
        assert counted == Counter((date.fromisoformat(s), t) for _, s, _, t in chosen)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_shown_rows_counts_and_ends_match_the_mask(seed: int) -> None:
    """What the page takes from a step (count, newest, oldest, rows) is the mask's reading."""
    rng = np.random.default_rng(seed)
    rows = random_rows(rng, int(rng.integers(1, 400)))
    timeline = Timeline.from_events(make_events(rows))
    modes: tuple[Mode, ...] = ("cumulative", "window")
    for _ in range(40):
        at = date(2019, 11, 25) + timedelta(int(rng.integers(0, 75)))
        window = int(rng.integers(0, 12))
        within = None if rng.random() < 0.3 else rng.random(len(rows)) < rng.random()
        if rng.random() < 0.2:
            within = np.ones(len(rows), dtype=bool)  # no filter chosen
        for mode, counted in itertools.product(modes, (False, True)):
            given = Filter.of(within) if counted and within is not None else within
            shown = timeline.shown(at, mode, window, given)
            mask = timeline.visible_within(at, mode, window, within)
            expected = np.flatnonzero(mask)
            assert shown.mask().tolist() == mask.tolist()
            assert len(shown) == len(expected)
            assert shown.rows().tolist() == expected.tolist()
            for n in (0, 1, 3, 50, 64, 65, 500):
                assert shown.newest(n).tolist() == expected[::-1][:n].tolist()
                assert shown.oldest(n).tolist() == expected[:n].tolist()


def test_shown_takes_the_newest_rows_of_a_long_run_without_reading_all_of_it() -> None:
    days = [date(2020, 1, 1) + timedelta(i // 100) for i in range(100_000)]
    rows: list[Row] = [(f"r{i}", d.isoformat(), None, "Riots") for i, d in enumerate(days)]
    timeline = Timeline.from_events(make_events(rows))
    within = np.zeros(len(rows), dtype=bool)
    within[[5, 70_000, 99_998]] = True  # a filter that keeps three events, far apart

    shown = timeline.shown(days[-1], "cumulative", 7, within)
    counted = timeline.shown(days[-1], "window", 2, Filter.of(within))

    assert (len(shown), len(counted)) == (3, 1)
    assert counted.newest(5).tolist() == [99_998]
    assert shown.newest(2).tolist() == [99_998, 70_000]
    assert shown.newest(10).tolist() == [99_998, 70_000, 5]
    assert shown.oldest(1).tolist() == [5]


def test_a_day_with_nothing_shows_nothing() -> None:
    shown = TIMELINE.shown(date(2019, 1, 1), "window", 1, None)

    assert (len(shown), shown.rows().tolist(), shown.newest(5).tolist()) == (0, [], [])
    assert shown.mask().tolist() == [False] * len(ROWS)


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (date(1970, 1, 1), 0),
        (date(1970, 1, 2), 1),
        (date(1969, 12, 31), -1),
        (date(2020, 1, 3), 18_264),
    ],
)
def test_day_number_counts_days_since_1970(day: date, number: int) -> None:
    assert day_number(day) == number
    assert day_number(day) == int(np.datetime64(day, "D").astype(np.int64))


@pytest.mark.parametrize("window", [10**30, 10**6, 1000, 3, -5, 0])
@pytest.mark.parametrize("at", [date(1, 1, 1), date(2020, 1, 1), date(9999, 12, 31)])
def test_any_window_and_date_give_the_reference_reading(window: int, at: date) -> None:
    days = max(window, 1)
    first = at - timedelta(days - 1) if days <= at.toordinal() else date.min
    expected = [
        date.fromisoformat(s) <= at and date.fromisoformat(e or s) >= first for _, s, e, _ in ROWS
    ]
    assert TIMELINE.visible(at, "window", window).tolist() == expected
    assert len(TIMELINE.shown(at, "window", window, None)) == sum(expected)


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_without_the_days_index_a_timeline_reads_the_same(seed: int) -> None:
    """Events lasting too long for the index of days are found by the search instead."""
    rng = np.random.default_rng(seed)
    rows = random_rows(rng, 300)
    rows += [("long", "2020-02-01", "2120-01-01", "Battles")]  # a century: 36,500 days
    timeline = Timeline.from_events(make_events(rows))
    searched = dataclasses.replace(timeline, ongoing=None)
    assert timeline.ongoing is not None
    assert Ongoing.of(timeline.start, timeline.end, timeline.lasting, timeline.day0, 1000) is None
    for _ in range(60):
        at = date(2019, 11, 25) + timedelta(int(rng.integers(0, 90)))
        window = int(rng.integers(0, 12))
        modes: tuple[Mode, ...] = ("cumulative", "window")
        for mode in modes:
            expected = timeline.visible(at, mode, window).tolist()
            assert searched.visible(at, mode, window).tolist() == expected
            assert searched.visible(at, "window", window).tolist() == reference_visible(
                rows, at, window
            )
