"""`python -m bench.pushdown`: what a table larger than a process holds costs a reader.

A throwaway PostGIS cluster gets N synthetic ACLED-like events (default 1,000,000) over the
Middle East and ten years; the table's extent, and the windows a reader's views read (the whole
table's newest, views around Baghdad at zooms 5, 7 and 9, one of them over three months), are
timed in the database and through validation and indexing. Then the dashboard's real server
process with Chromium: the first page, a pan to Baghdad (the time until the map shows the new
box's events) and the server's memory. Prints the figures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Final

import psutil
import psycopg
from playwright.sync_api import sync_playwright

from bench.procs import load_average
from geo.database import DatabaseSource, ensure_schema
from geo.dataset import Dataset
from geo.pushdown import (
    VIEW_EVENTS,
    Box,
    Window,
    box_around,
    read_window,
    table_extent,
    view_box,
)
from geo.validation import validate
from harness.chromium import chromium_path
from harness.postgis import ThrowawayPostgis
from harness.server import DashboardServer
from harness.tables import render_table

FILL: Final = """INSERT INTO {table} (id, event_date, event_type, actor1, title, location,
  country, fatalities, source, geom)
SELECT 'ev' || g, date '2015-01-01' + (g * 7 % 3650),
  (array['Battles','Protests','Riots','Explosions/Remote violence',
         'Violence against civilians','Strategic developments'])[1 + g % 6],
  'Actor ' || (g % 97), 'Synthetic event ' || g, 'Place ' || (g % 5000),
  (array['Iraq','Syria','Iran','Turkey','Saudi Arabia'])[1 + g % 5], g % 4, 'bench',
  ST_SetSRID(ST_MakePoint(25 + (g::bigint * 7919 % 380000) / 10000.0,
                          12 + (g::bigint * 104729 % 300000) / 10000.0), 4326)
FROM generate_series(1, {rows}) g"""
BAGHDAD: Final = (33.31, 44.37)
MAP_FRAME: Final = 'iframe[title="streamlit_folium.st_folium"]'


def fill(postgis: ThrowawayPostgis, rows: int) -> float:
    """Create and fill the table; the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        ensure_schema(conn, "big")
        conn.execute(FILL.format(table="big", rows=rows))
        conn.execute("ANALYZE big")
        conn.execute("GRANT SELECT ON big, flashpoint_changes TO reader")
    return time.perf_counter() - started


def windows(source: DatabaseSource) -> list[tuple[str, Window]]:
    """The windows a reader's views read: the first page's, and views around Baghdad."""
    world = Box(-180, -90, 180, 90)
    found = [("the whole table (first page)", Window(world))]
    for zoom in (5, 7, 9):
        found.append((f"view at zoom {zoom}", Window(box_around(view_box(*BAGHDAD, zoom), world))))
    box = box_around(view_box(*BAGHDAD, 5), world)
    found.append(("zoom 5, three months", Window(box, date(2020, 1, 1), date(2020, 3, 31))))
    return found


def measure_windows(source: DatabaseSource) -> list[list[str]]:
    """Each window: events found and read, the query's time, validation and indexing."""
    rows = []
    with psycopg.connect(source.conninfo) as conn:
        started = time.perf_counter()
        extent = table_extent(conn, source)
        rows.append(
            [
                "extent (count, first and last day, box, categories)",
                f"{extent.count:,}",
                "",
                f"{time.perf_counter() - started:.2f}",
                "",
            ]
        )
        for label, window in windows(source):
            started = time.perf_counter()
            read = read_window(conn, source, window, min(source.hold, VIEW_EVENTS))
            queried = time.perf_counter() - started
            started = time.perf_counter()
            dataset = Dataset.from_result(validate(read.raw), source.table)
            built = time.perf_counter() - started
            rows.append(
                [label, f"{read.found:,}", f"{len(dataset):,}", f"{queried:.2f}", f"{built:.2f}"]
            )
    return rows


IDLE: Final = (
    "document.querySelector('[data-testid=stApp]')"
    ".getAttribute('data-test-script-state') === 'notRunning'"
)
# The map has its clusters for the events it holds (a worker builds them after the events came).
CLUSTERED: Final = (
    f"(() => {{ const f = document.querySelector('{MAP_FRAME}');"
    " const c = f && f.contentDocument"
    " && f.contentDocument.querySelector('.leaflet-container[data-flashpoint]');"
    " return !!c && c.getAttribute('data-cluster-index') !== 'building'; })()"
)


def measure_page(url: str, log: Path) -> list[list[str]]:
    """The real server with Chromium: first page, a pan to Baghdad, the server's memory."""
    with DashboardServer(url, log_path=log) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path()), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        started = time.perf_counter()
        page.goto(server.url)
        container = page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-flashpoint]")
        container.wait_for(timeout=300_000)
        page.wait_for_function(f"() => {IDLE} && {CLUSTERED}", timeout=300_000)
        first = time.perf_counter() - started
        before = container.get_attribute("data-events")
        held = page.evaluate("() => JSON.stringify(window.__flashpoint.bridge.state.held)")
        container.evaluate("() => { window.__same = 1; }")
        started = time.perf_counter()
        container.evaluate(
            f"() => window.flashpoint.map.setView([{BAGHDAD[0]}, {BAGHDAD[1]}], 7,"
            " {animate: false})"
        )
        # The new box's events are drawn when the page hands the map a new box read.
        page.wait_for_function(
            f"() => JSON.stringify(window.__flashpoint.bridge.state.held) !== '{held}'"
            f" && {IDLE} && {CLUSTERED}",
            timeout=300_000,
        )
        pan = time.perf_counter() - started
        after = container.get_attribute("data-events")
        same = container.evaluate("() => window.__same === 1")
        rss = psutil.Process(server.pid).memory_info().rss / 1e9
        browser.close()
    return [
        ["first page: map drawn and clustered, page idle", f"{first:.1f} s", f"{before} events"],
        [
            "pan to Baghdad at zoom 7: the new box's events drawn and clustered",
            f"{pan:.1f} s",
            f"{after} events, {'the same map' if same else 'a new map frame'}",
        ],
        ["server RSS after both", f"{rss:.2f} GB", ""],
    ]


def main() -> None:
    """Fill a table, measure, print."""
    parser = argparse.ArgumentParser(prog="python -m bench.pushdown", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hold", type=int, default=None, help="the address's hold=N")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    rows = args.rows
    print(f"load average at start: {load_average()}")
    with ThrowawayPostgis() as postgis, tempfile.TemporaryDirectory() as folder:
        seconds = fill(postgis, rows)
        print(f"{rows:,} rows inserted, indexed and analysed in {seconds:.1f} s\n")
        url = f"{postgis.url(reader=True)}?table=big" + (f"&hold={args.hold}" if args.hold else "")
        source = DatabaseSource.from_url(url)
        print(
            render_table(
                ["read", "events found", "read", "query s", "validate + index s"],
                measure_windows(source),
            )
        )
        if not args.no_browser:
            print()
            print(render_table(["in Chromium", "time", ""], measure_page(url, Path(folder) / "l")))
    print(f"\nload average at end: {load_average()} (cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
