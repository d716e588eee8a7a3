"""A table larger than a process holds: what a view reads (boxes, dates, the newest first),
and the dashboard reading a reader's view and dates from PostGIS (AppTest)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

import geo.live
from geo.categories import assign_categories
from geo.database import DatabaseSource, ensure_schema
from geo.dataset import Dataset
from geo.pushdown import (
    Box,
    Extent,
    Window,
    bound_of,
    box_around,
    read_window,
    stale,
    table_extent,
    view_box,
)
from geo.table import DatasetError
from geo.timeline import day_number
from geo.validation import load_events_from_bytes, validate
from harness.postgis import ThrowawayPostgis
from tests.test_dashboard import map_columns, view_state
from ui.text import plain

App = Callable[..., AppTest]
ROWS = 3_000
FIRST = date(2015, 1, 1)
# Events spread over the world (a deterministic scatter), one day apart in a 3,000-day cycle.
FILL = f"""INSERT INTO {{table}} (id, event_date, event_type, title, geom)
SELECT 'e' || g, date '{FIRST}' + (g % 1000),
  (array['Battles','Protests','Riots'])[1 + g % 3], 'Event ' || g,
  ST_SetSRID(ST_MakePoint(-170 + (g * 7919 % 34000) / 100.0,
                          -60 + (g * 104729 % 13000) / 100.0), 4326)
FROM generate_series(1, {ROWS}) g"""
IRAQ = Box(38.0, 28.0, 50.0, 38.0)


def point(g: int) -> tuple[float, float, date]:
    """The longitude, latitude and date FILL gives event g."""
    return (
        -170 + (g * 7919 % 34000) / 100.0,
        -60 + (g * 104729 % 13000) / 100.0,
        FIRST + timedelta(days=g % 1000),
    )


def events_box() -> Box:
    """The bounding box of FILL's events."""
    xs, ys, _ = zip(*(point(g) for g in range(1, ROWS + 1)), strict=True)
    return Box(min(xs), min(ys), max(xs), max(ys))


def expected(box: Box, start: date | None = None, end: date | None = None) -> set[str]:
    """The ids of FILL's events inside a box and dates, worked out here."""
    found = set()
    for g in range(1, ROWS + 1):
        x, y, day = point(g)
        inside = box.west <= x <= box.east and box.south <= y <= box.north
        if inside and (start is None or day >= start) and (end is None or day <= end):
            found.add(f"e{g}")
    return found


@pytest.fixture(scope="module")
def big(postgis: ThrowawayPostgis) -> Iterator[str]:
    """A 3,000-row table, readable by the read-only role."""
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        ensure_schema(conn, "pd_big")
        conn.execute("TRUNCATE pd_big")
        conn.execute(FILL.format(table="pd_big"))
        conn.execute("GRANT SELECT ON pd_big TO reader")
    yield "pd_big"


# --- what a view reads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "box"),
    [
        ([44, 30, 46, 32], Box(44, 30, 46, 32)),
        ([-540, -80, 540, 80], Box(-180, -80, 180, 80)),  # the world, more than once
        ([170, -95, 190, 10], Box(170, -90, 180, 10)),
        ([44, 30, 44, 32], None),
        ([44, 30, float("nan"), 32], None),
        ([True, 30, 46, 32], None),
        ("44,30,46,32", None),
        ([44, 30, 46], None),
        (None, None),
    ],
)
def test_a_reported_box_is_checked_and_clamped(value: object, box: Box | None) -> None:
    assert Box.parse(value) == box


@pytest.mark.parametrize(
    "view", [Box(44, 30, 46, 32), Box(-10, 35, 30, 60), Box(44.01, 33, 44.02, 33.01)]
)
def test_the_box_read_is_wider_than_the_view_and_on_a_grid(view: Box) -> None:
    world = Box(-180, -90, 180, 90)
    read = box_around(view, world)
    assert read.contains(view)
    assert read.area >= 4 * view.area * 0.99  # half the view's size on every side
    assert read.area <= 16 * view.area  # not much more than that
    nearby = Box(view.west + 0.1 * (view.east - view.west), view.south, view.east, view.north)
    assert box_around(nearby, world) == read or read.contains(nearby)


def test_the_box_read_stays_in_the_table_box() -> None:
    bound = Box(38, 28, 50, 38)
    assert box_around(Box(30, 20, 60, 50), bound) == bound
    assert bound.contains(box_around(Box(44, 30, 46, 32), bound))


def test_the_box_a_table_is_read_in_is_its_address_box_within_its_events_box() -> None:
    url = "postgresql://reader@localhost/db?bbox=40,30,50,40"
    source = DatabaseSource.from_url(url)
    assert bound_of(source) == Box(40, 30, 50, 40)
    events = Extent(10, date(2020, 1, 1), date(2020, 2, 1), Box(35, 32, 45, 33))
    assert bound_of(source, events) == Box(40, 32, 45, 33)
    elsewhere = Extent(10, date(2020, 1, 1), date(2020, 2, 1), Box(0, 0, 1, 1))
    assert bound_of(source, elsewhere) == Box(40, 30, 50, 40)
    assert bound_of(DatabaseSource.from_url("postgresql://reader@localhost/db")) == Box(
        -180, -90, 180, 90
    )


def test_a_view_needs_another_read_when_it_leaves_the_box_or_looks_far_into_a_cut_one() -> None:
    read = Box(40, 28, 48, 36)
    assert not stale(read, Box(42, 30, 46, 34), cut_short=False)
    assert stale(read, Box(47, 30, 49, 34), cut_short=False)  # out of the box
    assert not stale(read, Box(43, 31, 44, 32), cut_short=False)  # closer, but all was read
    assert stale(read, Box(43, 31, 44, 32), cut_short=True)  # closer, and more is there
    assert not stale(read, Box(42, 30, 46, 34), cut_short=True)


def test_a_shared_view_gives_a_box_around_its_centre() -> None:
    box = view_box(33.0, 44.0, 6)
    assert box.contains(Box(43.5, 32.5, 44.5, 33.5))
    assert box.east - box.west == pytest.approx(1280 * 360 / (256 * 64))


def test_hold_is_a_number_of_events() -> None:
    url = "postgresql://reader@localhost/db"
    assert DatabaseSource.from_url(url + "?hold=2000").hold == 2000
    assert DatabaseSource.from_url(url).hold == 500_000
    for bad in ("0", "-3", "2e3", "10000000", "x"):
        with pytest.raises(DatasetError, match="is not a number of events"):
            DatabaseSource.from_url(f"{url}?hold={bad}")


def test_a_window_reads_its_box_and_dates_the_newest_first(
    postgis: ThrowawayPostgis, big: str
) -> None:
    source = DatabaseSource.from_url(f"{postgis.url(reader=True)}?table={big}&hold=500")
    with psycopg.connect(source.conninfo) as conn:
        extent = table_extent(conn, source)
        assert (extent.count, extent.first, extent.last) == (
            ROWS,
            FIRST,
            FIRST + timedelta(days=999),
        )
        assert extent.box is not None
        assert extent.box.as_list() == pytest.approx(events_box().as_list(), abs=1e-5)
        assert extent.types == (("Battles", 1000), ("Protests", 1000), ("Riots", 1000))
        rows = read_window(conn, source, Window(IRAQ), 10_000)
        ids = set(rows.raw.frame["id"])
        assert ids == expected(IRAQ) and rows.found == len(ids) and not rows.cut_short
        start, end = date(2016, 1, 1), date(2016, 6, 30)
        rows = read_window(conn, source, Window(IRAQ, start, end), 10_000)
        assert set(rows.raw.frame["id"]) == expected(IRAQ, start, end)
        world = Box(-180, -90, 180, 90)
        rows = read_window(conn, source, Window(world), 100)
        assert rows.found == ROWS and rows.cut_short and len(rows.raw.frame) == 100
        dates = sorted(point(int(i[1:]))[2] for i in rows.raw.frame["id"])
        assert dates[0] >= FIRST + timedelta(days=966)  # the newest 100: 3 a day, 34 days
        assert list(rows.raw.frame["event_date"]) == sorted(rows.raw.frame["event_date"])


# --- the dashboard on a large table --------------------------------------------------------------


def large(app: App, monkeypatch: pytest.MonkeyPatch, url: str, **params: str) -> AppTest:
    """An AppTest reading a large table."""
    at = app(**params)
    monkeypatch.setenv("FLASHPOINT_DATA", url)
    return at


def shown_points(at: AppTest) -> list[tuple[float, float]]:
    """The longitude and latitude of every event the map was given."""
    columns = map_columns(at)
    return [(x / 1e5, y / 1e5) for x, y in zip(columns["x"], columns["y"], strict=True)]


def test_a_large_table_opens_on_its_newest_events_and_says_so(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    at = large(app, monkeypatch, url).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 1000
    note = " ".join(i.value for i in at.sidebar.info)
    assert "This table holds 3,000 events, more than the server holds at once (1,000)" in note
    assert "the newest 1,000 of 3,000 events" in note
    state = view_state(at)
    assert state["held"] == pytest.approx(events_box().as_list()) and state["cut"] is True
    assert state["bound"] == state["held"]


def test_a_shared_view_of_a_large_table_reads_the_events_around_it(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    at = large(app, monkeypatch, url, lat="33.0", lon="44.0", zoom="6").run()
    assert not at.exception
    held = Box(*view_state(at)["held"])
    view = view_box(33.0, 44.0, 6)
    assert held.contains(view) and held.area <= 16 * view.area
    points = shown_points(at)
    assert len(points) == len(expected(held)) > 0
    assert all(held.west <= x <= held.east and held.south <= y <= held.north for x, y in points)
    assert view_state(at)["cut"] is False
    assert "In this view: all" in " ".join(i.value for i in at.sidebar.info)


def test_the_dates_chosen_are_read_from_the_table(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    at = large(app, monkeypatch, url).run()
    start, end = date(2015, 3, 1), date(2015, 4, 30)
    at.date_input(key="read_dates").set_value((start, end)).run()
    assert not at.exception
    ids = {int(t.split()[-1]) for t in map_columns(at)["title"]}
    assert {f"e{g}" for g in ids} == expected(Box(-180, -90, 180, 90), start, end)
    assert "In this view: all 183 events" in " ".join(i.value for i in at.sidebar.info)
    assert not at.toast, "reading other dates is not a change in the data"


def test_a_table_within_hold_is_read_whole(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=3000"
    at = large(app, monkeypatch, url).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == ROWS
    assert view_state(at)["held"] is None
    assert not at.sidebar.info or "This table holds" not in at.sidebar.info[0].value


def test_the_dates_read_go_into_the_address_and_a_link_with_them_reads_them(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    at = large(app, monkeypatch, url).run()
    assert "from" not in at.query_params and "to" not in at.query_params
    at.date_input(key="read_dates").set_value((date(2015, 3, 1), date(2015, 4, 30))).run()
    assert (at.query_params["from"], at.query_params["to"]) == ("2015-03-01", "2015-04-30")
    shared = large(app, monkeypatch, url, **{"from": "2015-04-30", "to": "2015-03-01"}).run()
    assert not shared.exception
    ids = {f"e{t.split()[-1]}" for t in map_columns(shared)["title"]}
    assert ids == expected(Box(-180, -90, 180, 90), date(2015, 3, 1), date(2015, 4, 30))
    bad = large(app, monkeypatch, url, **{"from": "March"}).run()
    assert len(map_columns(bad)["row"]) == 1000
    assert [t.proto.body for t in bad.toast] == [
        plain("Ignored from='March': expected YYYY-MM-DD.")
    ]


def test_a_row_inserted_into_a_large_table_reaches_the_view_it_falls_in(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    at = large(app, monkeypatch, url, lat="33.0", lon="44.0", zoom="6").run()
    before = len(map_columns(at)["row"])
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO {big} (id, event_date, event_type, title, geom) VALUES ('new-1', "
            f"'{FIRST + timedelta(days=500)}', 'Protests', 'Event added', "
            "ST_SetSRID(ST_MakePoint(44.4, 33.3), 4326))"
        )
    try:
        at.run()
        assert not at.exception
        columns = map_columns(at)
        assert len(columns["row"]) == before + 1
        row = columns["title"].index("Event added")
        assert columns["new"] == [columns["row"][row]]
        assert [t.proto.body for t in at.toast] == [
            plain(f"The data changed: {before + 1:,} events now")
        ]
    finally:
        with psycopg.connect(postgis.url(), autocommit=True) as conn:
            conn.execute(f"DELETE FROM {big} WHERE id = 'new-1'")


def test_a_new_window_keeps_the_readers_date_filters_and_the_map(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    day = date(2017, 9, 24)  # after the last event of either view, before the table's last day
    params = {"lat": "33.0", "lon": "44.0", "zoom": "6", "mode": "window", "window": "30"}
    at = large(app, monkeypatch, url, date=str(day), types="Battles,Riots", **params).run()
    assert not at.exception and not at.toast
    first = map_columns(at)
    (component,) = at.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    # The table's days and categories, not the view's: its events end on 2017-09-18.
    assert at.session_state["date"] == day and view_state(at)["day"] == day_number(day)
    # The reader pans far off, to a view whose three events end in 2016 (ui.pushdown's
    # on_bridge_view does this when the map reports the view; AppTest cannot run the bridge).
    x, y, _ = point(10)
    box = box_around(view_box(y, x, 9), events_box())
    assert max(point(int(i[1:]))[2] for i in expected(box)) < date(2017, 1, 1)
    at.session_state["held_window"] = Window(box)
    at.session_state["map_view"] = (y, x, 9)
    at.run()
    assert not at.exception
    assert not at.toast, "another window is not a change in the data"
    shown = {f"e{t.split()[-1]}" for t in map_columns(at)["title"]}
    # FILL's event g is a battle, a protest or a riot as g % 3 is 0, 1 or 2.
    assert shown == {i for i in expected(box) if int(i[1:]) % 3 != 1} != set()
    assert not shown & {f"e{t.split()[-1]}" for t in first["title"]}
    assert at.session_state["date"] == day and view_state(at)["day"] == day_number(day)
    assert (at.session_state["mode"], at.session_state["window"]) == ("window", 30)
    types = next(m for m in at.sidebar.multiselect if (m.key or "").startswith("types:"))
    assert types.value == ["Battles", "Riots"]
    # The base map (its time control's range, its legend's colours, the view it opened on) is
    # the same script: the map is updated in place, not built again.
    (component,) = at.get("component_instance")
    assert json.loads(component.proto.json_args)["script"] == script
    assert at.query_params["date"] == str(day)


def test_a_tables_categories_are_spelt_as_validation_files_its_events(
    postgis: ThrowawayPostgis,
) -> None:
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        ensure_schema(conn, "pd_types")
        conn.execute("TRUNCATE pd_types")
        conn.execute(
            "INSERT INTO pd_types (id, event_date, event_type, geom) SELECT 't' || g, "
            "date '2020-01-01' + g, (array[' battles', 'Peaceful protest', 'Road  block', "
            "'road block', 'Road block', NULL])[1 + g % 6], ST_SetSRID(ST_MakePoint(g, 0), 4326) "
            "FROM generate_series(1, 60) g"
        )
        source = DatabaseSource.from_url(f"{postgis.url()}?table=pd_types")
        extent = table_extent(conn, source)
        rows = read_window(conn, source, Window(Box(-180, -90, 180, 90)), 100)
    dataset = Dataset.from_result(validate(rows.raw), "pd_types")
    filed = {c.key: c.events for c in dataset.categories.entries}
    assert dict(extent.types) == filed
    assert filed == {"Battles": 10, "Protests": 10, "Road block": 30, "": 10}


def test_a_window_takes_the_tables_days_and_colours_and_counts_its_own_events() -> None:
    day = date(2020, 3, 1)
    text = f"id,event_date,event_type,latitude,longitude\na,{day},Own kind,1,2\n"
    window = Dataset.from_result(load_events_from_bytes(text.encode(), "w.csv"), "w.csv")
    types = {"Battles": 500, "Bigger kind": 900, "Own kind": 40}
    held = window.within_table(date(2015, 1, 1), date(2024, 12, 28), types)
    whole = assign_categories(types)
    assert [(c.key, c.color, c.shape) for c in held.categories.entries] == [
        (c.key, c.color, c.shape) for c in whole.entries
    ]
    assert [c.events for c in held.categories.entries] == [0, 0, 1]
    assert (held.first_day, held.last_day) == (date(2015, 1, 1), date(2024, 12, 28))
    assert (window.first_day, window.last_day) == (day, day)
    style = held.map_config("t")["categories"][int(held.map_data.t[0])]
    assert style["color"] == whole.get("Own kind").color


def test_a_view_without_events_keeps_the_map_and_the_readers_date(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis, big: str
) -> None:
    url = f"{postgis.url(reader=True)}?table={big}&hold=1000"
    day = date(2016, 5, 1)
    at = large(app, monkeypatch, url, lat="33.0", lon="44.0", zoom="6", date=str(day)).run()
    box = box_around(view_box(0.05, 0.05, 11), events_box())
    assert not expected(box)
    at.session_state["held_window"] = Window(box)
    at.run()
    assert not at.exception and not at.warning
    assert map_columns(at)["row"] == []
    assert view_state(at)["day"] == day_number(day) and view_state(at)["held"] == box.as_list()
    assert "In this view: all 0 events" in " ".join(i.value for i in at.sidebar.info)


def test_a_table_without_types_has_one_category_of_none(postgis: ThrowawayPostgis) -> None:
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS pd_bare; CREATE TABLE pd_bare (id text, event_date date, "
            "geom geometry(Geometry, 4326)); INSERT INTO pd_bare SELECT 'b' || g, "
            "date '2020-01-01' + g, ST_SetSRID(ST_MakePoint(g, g), 4326) "
            "FROM generate_series(1, 5) g"
        )
        extent = table_extent(conn, DatabaseSource.from_url(f"{postgis.url()}?table=pd_bare"))
    assert extent.types == (("", 5),)
    assert (extent.count, extent.first, extent.last) == (5, date(2020, 1, 2), date(2020, 1, 6))
    assert extent.box is not None and extent.box.contains(Box(1, 1, 5, 5))
