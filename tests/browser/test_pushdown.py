"""A table larger than the server holds, in Chromium: the map reads the events of its view from
PostGIS when it moves out of the box read, and not when it moves within it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, expect

from geo.database import ensure_schema
from geo.pushdown import Box
from geo.timeline import day_number
from harness.postgis import ThrowawayPostgis
from harness.server import DashboardServer
from tests.browser.helpers import map_container, wait_for_map, wait_idle
from tests.test_pushdown import FILL, expected, point

READ_MS = 15_000


@pytest.fixture(scope="module")
def large_server(
    postgis: ThrowawayPostgis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DashboardServer]:
    """A dashboard on a 3,000-event table it may hold 1,000 of."""
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        ensure_schema(conn, "pd_page")
        conn.execute("TRUNCATE pd_page")
        conn.execute(FILL.format(table="pd_page"))
        conn.execute("GRANT SELECT ON pd_page TO reader")
    log = tmp_path_factory.mktemp("pushdown") / "server.log"
    with DashboardServer(f"{postgis.url(reader=True)}?table=pd_page&hold=1000", log_path=log) as s:
        yield s


def bridge_state(page: Page) -> dict[str, Any]:
    """The view state the page last handed the map."""
    state: dict[str, Any] = page.evaluate("() => window.__flashpoint.bridge.state")
    return state


def map_box(page: Page) -> Box:
    """What the map shows, as Leaflet says."""
    west, south, east, north = map_container(page).evaluate(
        "() => { const b = window.flashpoint.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
    )
    return Box(west, south, east, north)


def test_moving_out_of_the_box_reads_the_new_view_and_moving_within_it_does_not(
    page: Page, large_server: DashboardServer
) -> None:
    page.goto(large_server.url)
    container = wait_for_map(page)
    expect(container).to_have_attribute("data-events", "1000")
    wait_idle(page)
    first = bridge_state(page)
    assert first["cut"] is True
    # The map's first view (fitted to the events) lies in the box read: no second read.
    map_container(page).evaluate("() => { window.__first = 1; }")
    page.wait_for_timeout(2_000)
    wait_idle(page)
    assert bridge_state(page)["held"] == first["held"]
    assert map_container(page).evaluate("() => window.__first") == 1
    map_container(page).evaluate(
        "() => window.flashpoint.map.setView([33, 44], 6, {animate: false})"
    )
    expect(container).not_to_have_attribute("data-events", "1000", timeout=READ_MS)
    wait_idle(page)
    state = bridge_state(page)
    held = Box(*state["held"])
    assert held.contains(map_box(page)) and state["cut"] is False
    assert container.get_attribute("data-events") == str(len(expected(held)))
    assert "lat=33.0000" in page.url and "zoom=6" in page.url
    # A small pan stays inside the box read: nothing is read, the map is not rebuilt.
    map_container(page).evaluate(
        "() => { window.flashpoint.map.panBy([40, 30], {animate: false}); window.__same = 1; }"
    )
    page.wait_for_timeout(2_000)
    wait_idle(page)
    assert bridge_state(page)["held"] == state["held"]
    assert map_container(page).evaluate("() => window.__same") == 1


def test_a_shared_link_of_a_large_table_opens_on_the_events_around_its_view(
    page: Page, large_server: DashboardServer
) -> None:
    page.goto(f"{large_server.url}/?lat=48.0&lon=10.0&zoom=5")
    container = wait_for_map(page)
    wait_idle(page)
    held = Box(*bridge_state(page)["held"])
    assert held.contains(Box(9.5, 47.5, 10.5, 48.5)) and held.area < 10_000
    count = int(container.get_attribute("data-events") or "0")
    assert 0 < count == len(expected(held))
    center = map_container(page).evaluate(
        "() => { const c = window.flashpoint.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert center == pytest.approx([48.0, 10.0], abs=0.05)


def test_a_pan_to_a_new_window_keeps_the_readers_date_and_the_same_map(
    page: Page, large_server: DashboardServer
) -> None:
    day = date(2017, 9, 24)  # after the last event of either view, before the table's last day
    page.goto(f"{large_server.url}/?lat=33.0&lon=44.0&zoom=6&date={day}&mode=window&window=30")
    container = wait_for_map(page, day)
    wait_idle(page)
    first = bridge_state(page)
    legend = container.locator(".fp-legend-name").all_inner_texts()
    # Marks on the map's own window and objects: a map built again would lose them.
    container.evaluate("() => { window.__same = 1; window.flashpoint.__same = 1; }")
    shown = container.evaluate("() => window.flashpoint.ev.dataset")
    before = container.get_attribute("data-events")
    x, y, _ = point(10)  # a view far off, whose few events end in 2016
    container.evaluate(f"() => window.flashpoint.map.setView([{y}, {x}], 9, {{animate: false}})")
    expect(container).not_to_have_attribute("data-events", before or "", timeout=READ_MS)
    wait_idle(page)
    state = bridge_state(page)
    assert state["held"] != first["held"] and state["dataset"] == first["dataset"]
    found = expected(Box(*state["held"]))
    assert container.get_attribute("data-events") == str(len(found))
    assert len(found) > 0 and max(point(int(i[1:]))[2] for i in found) < date(2017, 1, 1)
    assert (state["day"], state["mode"], state["window"]) == (day_number(day), "window", 30)
    expect(container).to_have_attribute("data-day", day.isoformat())
    assert container.evaluate("() => window.__same === 1 && window.flashpoint.__same === 1")
    assert container.locator(".fp-legend-name").all_inner_texts() == legend
    assert f"date={day}" in page.url and "zoom=9" in page.url
    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)

    # A click on the first window's events that reaches the page after the new window was read
    # names the first window's rows: it is ignored, not read against the new window's rows.
    assert container.evaluate("() => window.flashpoint.ev.dataset") != shown
    page.evaluate(
        """() => { window.__done = 0; const app = document.querySelector('[data-testid=stApp]');
        new MutationObserver(() => { if (app.getAttribute('data-test-script-state')
          === 'notRunning') window.__done += 1; }).observe(app, {attributes: true}); }"""
    )
    page.evaluate(f"() => window.__flashpoint.bridge.tell('pick', {{row: 0, dataset: '{shown}'}})")
    page.wait_for_function("() => window.__done > 0")
    assert bridge_state(page)["sel"] == -1 and "event=" not in page.url
    container.evaluate("() => window.flashpoint.pick(window.flashpoint.ev.row[0])")
    page.wait_for_function("() => window.__flashpoint.bridge.state.sel === 0")
    assert "event=e" in page.url
