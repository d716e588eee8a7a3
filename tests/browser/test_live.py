"""Live data in Chromium: a row inserted into PostGIS (or a line added to a file) while a page
is open appears within 10 s, with the reader's date, selection and map view unchanged, and
the database's credentials never reach the page or the server's log."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Locator, Page, expect

from geo.cli import main
from harness.postgis import ThrowawayPostgis
from harness.server import DashboardServer
from tests.browser.helpers import map_container, map_frame, wait_for_map, wait_idle

BUNDLED = Path(__file__).resolve().parent.parent.parent / "data" / "locations.geojson"
LIVE_MS = 10_000
NEW_ROW = (
    "INSERT INTO live_page (id, event_date, event_type, title, location, geom) VALUES "
    "('live-1', '2020-01-02', 'Protests', 'A protest added while reading', 'Basra', "
    "ST_SetSRID(ST_MakePoint(47.8, 30.5), 4326))"
)
CSV = "id,event_date,latitude,longitude,event_type,title\n" + "".join(
    f"f{i},2021-03-0{i},33.{i},44.{i},Protests,March {i}\n" for i in range(1, 4)
)


@pytest.fixture(scope="module")
def table_server(
    postgis: ThrowawayPostgis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DashboardServer]:
    """A dashboard reading the bundled events from a PostGIS table as the read-only role."""
    code = main(["load-db", str(BUNDLED), postgis.url(), "--table", "live_page"], out=io.StringIO())
    assert code == 0
    log = tmp_path_factory.mktemp("live") / "server.log"
    url = f"{postgis.url(reader=True)}?table=live_page"
    with DashboardServer(url, log_path=log) as dashboard:
        yield dashboard


def map_view(page: Page) -> list[float]:
    """The map's centre and zoom, read from Leaflet."""
    view: list[float] = map_container(page).evaluate(
        "() => { const m = window.flashpoint.map, c = m.getCenter();"
        " return [c.lat, c.lng, m.getZoom()]; }"
    )
    return view


def test_a_row_inserted_appears_within_ten_seconds_and_the_view_stays(
    page: Page, table_server: DashboardServer, postgis: ThrowawayPostgis
) -> None:
    page.goto(f"{table_server.url}/?date=2020-01-03&event=k1-rocket-attack")
    container = wait_for_map(page, date(2020, 1, 3))
    expect(container).to_have_attribute("data-events", "26")
    wait_idle(page)
    map_container(page).evaluate(
        "() => { window.flashpoint.map.setView([31.5, 45.5], 7, {animate: false});"
        " window.__same_map = 1; }"
    )
    view = map_view(page)
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        conn.execute(NEW_ROW)
    expect(container).to_have_attribute("data-events", "27", timeout=LIVE_MS)
    expect(container).to_have_attribute("data-new", "1")
    expect(container).to_have_attribute("data-day", "2020-01-03")
    assert map_container(page).evaluate("() => window.__same_map") == 1, "the map was reloaded"
    assert map_view(page) == pytest.approx(view)
    # The legend's counts come with the events: they grow in place.
    legend_total = map_container(page).evaluate(
        "() => Array.from(document.querySelectorAll('.fp-legend > .fp-legend-row"
        " .fp-legend-count, .fp-legend-group > summary .fp-legend-count'))"
        ".reduce((sum, el) => sum + Number(el.textContent.replace(/,/g, '')), 0)"
    )
    assert legend_total == 27
    expect(page.locator('[data-event-id="k1-rocket-attack"]')).to_be_visible()
    page.goto(f"{table_server.url}/?date=2020-01-03&event=live-1")
    wait_for_map(page, date(2020, 1, 3))
    expect(page.get_by_text("New", exact=True).first).to_be_visible()
    expect(page.locator('[data-event-id="live-1"]')).to_be_visible()


def test_credentials_reach_neither_the_page_nor_the_log(
    page: Page, table_server: DashboardServer, postgis: ThrowawayPostgis, tmp_path: Path
) -> None:
    page.goto(table_server.url)
    wait_for_map(page)
    secrets = [postgis.reader_password, postgis.password, "reader:"]
    text = page.content() + map_frame(page).locator("body").inner_html()
    assert not [s for s in secrets if s in text]
    wrong = postgis.url(reader=True).replace(postgis.reader_password, "not-the-pass-789")
    log = tmp_path / "wrong.log"
    with DashboardServer(wrong, log_path=log) as dashboard:
        page.goto(dashboard.url)
        alert = page.get_by_role("alert").first
        expect(alert).to_contain_text("cannot be reached, or it refused the login", timeout=30_000)
        shown = page.content()
    logged = log.read_text(encoding="utf-8") + (table_server.log_path or log).read_text(
        encoding="utf-8"
    )
    for secret in (*secrets, "not-the-pass-789", "127.0.0.1:" + str(postgis.port)):
        assert secret not in shown and secret not in logged


@contextmanager
def file_page(page: Page, path: Path, day: date) -> Iterator[Locator]:
    """A dashboard on a three-event CSV file, open in the page at a day; the map's container."""
    path.write_text(CSV, encoding="utf-8")
    with DashboardServer(path) as dashboard:
        page.goto(f"{dashboard.url}/?date={day.isoformat()}")
        container = wait_for_map(page, day)
        expect(container).to_have_attribute("data-events", "3")
        yield container


def test_a_changed_file_appears_within_ten_seconds(page: Page, tmp_path: Path) -> None:
    path = tmp_path / "growing.csv"
    with file_page(page, path, date(2021, 3, 3)) as container:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("f4,2021-03-02,33.5,44.5,Riots,Added later\n")
        expect(container).to_have_attribute("data-events", "4", timeout=LIVE_MS)
        expect(container).to_have_attribute("data-new", "1")
        expect(container).to_have_attribute("data-day", "2021-03-03")
        expect(container).to_have_attribute("data-visible", re.compile("^4$"))


def test_a_file_broken_on_disk_keeps_the_map_and_recovers(page: Page, tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    with file_page(page, path, date(2021, 3, 2)):
        path.write_text("id,title\nx,<b>half written</b>\n", encoding="utf-8")
        notice = page.get_by_role("alert").filter(has_text="cannot be read now")
        expect(notice).to_contain_text("showing its data as of", timeout=LIVE_MS)
        expect(notice).not_to_contain_text("<b>")  # never markup from the file
        container = map_container(page)
        expect(container).to_have_attribute("data-events", "3")
        expect(container).to_have_attribute("data-day", "2021-03-02")
        path.write_text(CSV + "f4,2021-03-02,33.5,44.5,Riots,Mended\n", encoding="utf-8")
        expect(notice).to_have_count(0, timeout=LIVE_MS)
        container = map_container(page)
        expect(container).to_have_attribute("data-events", "4", timeout=LIVE_MS)
        expect(container).to_have_attribute("data-day", "2021-03-02")


def test_a_table_made_by_hand_is_followed_insert_update_and_delete(
    page: Page, postgis: ThrowawayPostgis
) -> None:
    code = main(["load-db", str(BUNDLED), postgis.url(), "--table", "page_src"], out=io.StringIO())
    assert code == 0
    # Made by plain SQL: no trigger of ours; the read-only role may only SELECT it.
    postgis.psql("flashpoint", "CREATE TABLE page_hand AS SELECT * FROM page_src")
    with DashboardServer(f"{postgis.url(reader=True)}?table=page_hand") as dashboard:
        page.goto(f"{dashboard.url}/?date=2020-01-03")
        container = wait_for_map(page, date(2020, 1, 3))
        expect(container).to_have_attribute("data-events", "26")
        wait_idle(page)
        map_container(page).evaluate("() => { window.__same_map = 1; }")
        postgis.psql("flashpoint", NEW_ROW.replace("live_page", "page_hand"))
        expect(container).to_have_attribute("data-events", "27", timeout=LIVE_MS)
        expect(container).to_have_attribute("data-new", "1")
        # The event list (a canvas grid: its cells are in the page but hidden) names it.
        expect(page.get_by_text("New · A protest added while reading", exact=True)).to_be_attached()
        postgis.psql("flashpoint", "UPDATE page_hand SET title = 'Retitled' WHERE id = 'live-1'")
        retitled = page.get_by_text("New · Retitled", exact=True)
        expect(retitled).to_be_attached(timeout=LIVE_MS)
        postgis.psql("flashpoint", "DELETE FROM page_hand WHERE id = 'live-1'")
        expect(container).to_have_attribute("data-events", "26", timeout=LIVE_MS)
        expect(container).to_have_attribute("data-day", "2020-01-03")
        assert map_container(page).evaluate("() => window.__same_map") == 1, "the map reloaded"


def test_an_outage_keeps_the_data_on_the_page_and_it_recovers(page: Page) -> None:
    with ThrowawayPostgis() as cluster:
        code = main(["load-db", str(BUNDLED), cluster.url(), "--table", "live_page"])
        assert code == 0
        with DashboardServer(f"{cluster.url(reader=True)}?table=live_page") as dashboard:
            page.goto(f"{dashboard.url}/?date=2020-01-03&event=k1-rocket-attack")
            container = wait_for_map(page, date(2020, 1, 3))
            wait_idle(page)
            map_container(page).evaluate("() => { window.__same_map = 1; }")
            notice = page.get_by_text(re.compile(r"showing the data as of \d\d:\d\d"))
            cluster.pause()
            expect(notice).to_be_visible(timeout=LIVE_MS)
            expect(container).to_have_attribute("data-events", "26")
            expect(page.locator('[data-event-id="k1-rocket-attack"]')).to_be_visible()
            cluster.resume()
            expect(notice).to_have_count(0, timeout=2 * LIVE_MS)
            # A read that fails while the table changes (the role lost its grant): the same,
            # and the page's own check tries again until the read succeeds.
            cluster.psql("flashpoint", "REVOKE SELECT ON live_page FROM reader")
            cluster.psql("flashpoint", NEW_ROW)
            expect(notice).to_be_visible(timeout=LIVE_MS)
            expect(container).to_have_attribute("data-events", "26")
            cluster.psql("flashpoint", "GRANT SELECT ON live_page TO reader")
            expect(container).to_have_attribute("data-events", "27", timeout=2 * LIVE_MS)
            expect(notice).to_have_count(0)
            expect(container).to_have_attribute("data-day", "2020-01-03")
            assert map_container(page).evaluate("() => window.__same_map") == 1
