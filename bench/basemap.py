"""`python -m bench.basemap`: the offline basemap's bytes and draw time, world and city views.

The dashboard runs on the bundled data in Debian's Chromium (1300 x 900). For each view the
page is opened on it through the address; the files the basemap fetched are counted (bytes on
the wire, and as stored), then the basemap is redrawn REDRAWS times and the median and the
slowest draw are kept (`Basemap.draw`: land, coast, borders, rivers and labels, every world
copy in view), with the time spent turning the fetched files into paths once (decoding).
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Final

from playwright.sync_api import Page, expect, sync_playwright

from harness.chromium import CHROMIUM_ARGS, chromium_path
from harness.server import DashboardServer
from harness.tables import render_table
from tests.browser.helpers import map_container, wait_for_map, wait_idle

REDRAWS: Final = 30
# (name, lat, lon, zoom)
VIEWS: Final = (
    ("world", 20.0, 10.0, 2),
    ("region (the crisis)", 33.3, 44.4, 6),
    ("city: Baghdad", 33.32, 44.4, 11),
    ("city: Paris (dense towns)", 48.85, 2.35, 10),
    ("city: Buenos Aires", -34.6, -58.4, 10),
)
BASEMAP_FILES: Final = ("/app/static/app/basemap", "/app/static/app/world/", "topojson-client")


@dataclass(frozen=True, slots=True)
class ViewFigures:
    """What one view of the basemap cost."""

    name: str
    zoom: int
    files: int
    wire_bytes: int
    stored_bytes: int
    detail: str
    labels: int
    median_ms: float
    max_ms: float
    decode_ms: float


def measure_view(page: Page, url: str, view: tuple[str, float, float, int]) -> ViewFigures:
    """Open a fresh page on the view, count the basemap's files, time its redraws."""
    name, lat, lon, zoom = view
    sizes: dict[str, tuple[int, int]] = {}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )

    def finished(event: dict[str, Any]) -> None:
        address = urls.get(event["requestId"], "")
        if any(part in address for part in BASEMAP_FILES):
            sizes[address] = (int(event["encodedDataLength"]), 0)

    cdp.on("Network.loadingFinished", finished)
    page.goto(f"{url}/?date=2020-01-03&lat={lat}&lon={lon}&zoom={zoom}")
    wait_for_map(page)
    wait_idle(page)
    container = map_container(page)
    expect(container).to_have_attribute("data-basemap", "world", timeout=30_000)
    expect(container).to_have_attribute("data-idle", "1")
    page.wait_for_timeout(1500)  # cell files the view asked for arrive after the land
    stored = container.evaluate(
        """(el, urls) => Promise.all(urls.map((u) => fetch(u).then((r) => r.arrayBuffer())
            .then((b) => b.byteLength)))""",
        list(sizes),
    )
    times = container.evaluate(
        """(el, n) => { const b = window.flashpointBasemap; const out = [];
            for (let i = 0; i < n; i++) { b.draw(); out.push(b.lastDrawMs); } return out; }""",
        REDRAWS,
    )
    decoded = container.evaluate(
        "() => Object.values(window.flashpointBasemap.decodeMs).reduce((a, b) => a + b, 0)"
    )
    cdp.detach()
    return ViewFigures(
        name=name,
        zoom=zoom,
        files=len(sizes),
        wire_bytes=sum(w for w, _ in sizes.values()),
        stored_bytes=sum(stored),
        detail=str(container.get_attribute("data-basemap-detail")),
        labels=int(container.get_attribute("data-basemap-labels") or 0),
        median_ms=statistics.median(times),
        max_ms=max(times),
        decode_ms=float(decoded),
    )


def main() -> None:
    """Measure every view and print the table."""
    with DashboardServer() as dashboard, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS
        )
        rows = []
        for view in VIEWS:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            rows.append(measure_view(page, dashboard.url, view))
            page.close()
        browser.close()
    print(
        render_table(
            [
                "view",
                "zoom",
                "files",
                "bytes on the wire",
                "bytes",
                "land",
                "labels",
                "draw (median)",
                "draw (max)",
                "decoding",
            ],
            [
                [
                    f.name,
                    str(f.zoom),
                    str(f.files),
                    f"{f.wire_bytes / 1000:,.0f} KB",
                    f"{f.stored_bytes / 1000:,.0f} KB",
                    f.detail,
                    str(f.labels),
                    f"{f.median_ms:.1f} ms",
                    f"{f.max_ms:.1f} ms",
                    f"{f.decode_ms:.0f} ms",
                ]
                for f in rows
            ],
            right={1, 2, 3, 4, 6, 7, 8, 9},
        )
    )


if __name__ == "__main__":
    main()
