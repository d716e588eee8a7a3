"""`python -m bench.aggregation`: the crowded map's costs in Chromium at 100k and 1M events.

The map alone (Leaflet, supercluster, flashpoint.js and clusters.js from `make assets`) on a
plain page served from this checkout, fed ACLED-like event columns (the synthetic set's towns,
type mix and busy weeks) without a dashboard, so a million events need no file that the
upload limits would refuse. Measured: handing the map its events, the index build in the
worker, a date-step frame while it builds (the stand-in grid), with clusters and with every
marker (everything in view, zoom 5), a view change until its clusters are in hand, and a
frame of a town's close view (zoom 8).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final

import numpy as np

from bench.synthetic import DAYS, EAST, FIRST_DAY, NORTH, SEED, SOUTH, TOWNS, TYPE_SHARES, WEST
from geo.categories import assign_categories
from geo.maps import safe_json
from geo.model import EVENT_TYPES
from geo.payload import COORD_SCALE, build_map_config
from harness.chromium import CHROMIUM_ARGS, chromium_path

ROOT: Final = Path(__file__).resolve().parent.parent
SIZES: Final = (100_000, 1_000_000)
FRAMES: Final = 200  # date steps per measure: medians steady on a shared machine
STEP_NOISE: Final = 1.25  # "as fast as at 100k": within a quarter of its figure
VIEWPORT: Final = {"width": 1000, "height": 800}
# About the dashboard's map on a 1400-pixel-wide page.
PAGE: Final = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
<link rel="stylesheet" href="/static/app/flashpoint.css">
<script src="/static/vendor/leaflet/leaflet.js"></script>
<script src="/static/vendor/supercluster/supercluster.min.js"></script>
<script src="/static/app/flashpoint.js"></script>
<script src="/static/app/counts.js"></script>
<script src="/static/app/cluster-worker.js"></script>
<script src="/static/app/clusters.js"></script>
<script src="/static/app/cluster-list.js"></script>
<style>body { margin: 0 } #map { width: 680px; height: 620px }</style></head>
<body><div id="map"></div><script>
const map = L.map("map", {preferCanvas: true}).setView([32.5, 47.5], 5);
new FlashpointMap(map, __CONFIG__);
</script></body></html>"""

MEASURE_JS: Final = """async (frames) => {
  const fp = window.flashpoint;
  const el = fp.container;
  const two = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const until = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 5)); };
  // A step's own work (the time control, the heading's counts) and then its frame's draw.
  const steps = async () => {
    const out = [];
    for (let k = 0; k < frames; k++) {
      const t = performance.now();
      fp.setDay(fp.hi - ((k + 1) % 2), false);
      const own = performance.now() - t;
      await two();
      out.push(own + window.flashpointLastDrawMs);
    }
    return out;
  };
  const columns = await (await fetch("/columns.json")).json();
  let t = performance.now();
  fp.setEvents(columns);
  const setEventsMs = performance.now() - t;
  fp.setState({day: fp.cfg.last, rev: 1, sel: -1, highlight: [], fly: null,
               mode: "cumulative", window: 7});
  const interim = [];
  while (el.getAttribute("data-cluster-index") === "building" && interim.length < frames) {
    const t = performance.now();
    fp.setDay(fp.hi - ((interim.length + 1) % 2), false);
    const own = performance.now() - t;
    await two();
    interim.push(own + window.flashpointLastDrawMs);
  }
  await until(() => el.getAttribute("data-cluster-index") === "ready"
                    && el.hasAttribute("data-cluster-zoom"));
  const buildMs = fp.aggregation.buildMs;
  const clustered = await steps();
  const circles = Number(el.getAttribute("data-clusters"));
  const inView = Number(el.getAttribute("data-in-view"));
  fp.aggregation.above = Infinity;
  const markers = await steps();
  fp.aggregation.above = fp.cfg.aggregateAbove;
  const asked = fp.aggregation.queries;
  t = performance.now();
  fp.map.setView([33.3, 44.4], 8, {animate: false});
  await until(() => el.getAttribute("data-cluster-zoom") === "8" && fp.aggregation.queries > asked);
  await two();
  const viewMs = performance.now() - t;
  const town = await steps();
  return {setEventsMs, buildMs, interim, clustered, markers, circles, inView, viewMs, town,
          townCircles: Number(el.getAttribute("data-clusters"))};
}"""


def columns(size: int, seed: int = SEED) -> dict[str, Any]:
    """ACLED-like event columns as the map receives them (geo.payload.EventColumns)."""
    rng = np.random.default_rng(seed + size)
    town = rng.integers(0, len(TOWNS), size)
    clustered = rng.random(size) < 0.75
    town_lon = np.array([t[3] for t in TOWNS])[town]
    town_lat = np.array([t[4] for t in TOWNS])[town]
    lon = np.where(clustered, town_lon + rng.normal(0, 0.35, size), rng.uniform(WEST, EAST, size))
    lat = np.where(clustered, town_lat + rng.normal(0, 0.25, size), rng.uniform(SOUTH, NORTH, size))
    weekly = rng.gamma(2.0, 1.0, DAYS // 7 + 1).repeat(7)[:DAYS]
    day = (
        np.sort(rng.choice(DAYS, size, p=weekly / weekly.sum()))
        + (FIRST_DAY - date(1970, 1, 1)).days
    )
    shares = np.array(list(TYPE_SHARES.values()))
    kinds = [EVENT_TYPES.index(name) for name in TYPE_SHARES]
    t = np.array(kinds)[rng.choice(len(kinds), size, p=shares / shares.sum())]
    end = day + np.where(rng.random(size) < 0.02, rng.integers(1, 10, size), 0)
    return {
        "row": list(range(size)),
        "x": np.round(np.clip(lon, WEST, EAST) * COORD_SCALE).astype(int).tolist(),
        "y": np.round(np.clip(lat, SOUTH, NORTH) * COORD_SCALE).astype(int).tolist(),
        "t": t.tolist(),
        "start": day.tolist(),
        "end": end.tolist(),
        "unc": {},
        "lines": {},
    }


class _Handler(http.server.SimpleHTTPRequestHandler):
    """This checkout's static files, plus the page and the columns from memory."""

    extra: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        """Serve the page and the columns from memory, the rest from disk."""
        body = self.extra.get(self.path.split("?")[0])
        if body is None:
            super().do_GET()
            return
        self.send_response(200)
        kind = "text/html" if self.path.endswith(".html") else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@contextmanager
def serve(extra: dict[str, bytes]) -> Iterator[str]:
    """A loopback HTTP server on a free port for the duration."""
    handler = type("Handler", (_Handler,), {"extra": extra})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(ROOT))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def measure(size: int) -> dict[str, Any]:
    """Open the map on `size` events and run MEASURE_JS."""
    from playwright.sync_api import sync_playwright

    config = build_map_config(
        categories=assign_categories(dict.fromkeys(TYPE_SHARES, 1)),
        token="bench",
        first=FIRST_DAY,
        last=FIRST_DAY + timedelta(days=DAYS - 1),
        focus=None,
    )
    extra = {
        "/page.html": PAGE.replace("__CONFIG__", safe_json(config)).encode(),
        "/columns.json": json.dumps(columns(size), separators=(",", ":")).encode(),
    }
    with serve(extra) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            page.set_default_timeout(300_000)
            page.goto(f"{url}/page.html")
            result: dict[str, Any] = page.evaluate(MEASURE_JS, FRAMES)
        finally:
            browser.close()
    return result


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def report(size: int, r: dict[str, Any]) -> list[str]:
    """One size's figures as text lines."""
    frames = {k: r[k] for k in ("interim", "clustered", "markers", "town")}
    med = {k: statistics.median(v) for k, v in frames.items()}
    tail = {k: p95(v) for k, v in frames.items()}
    frame = "  date-step frame, {:<14}{:8.1f} ms, p95 {:.1f} ms"
    return [
        f"{size:,} events ({r['inView']:,} visible in view, {r['circles']} circles at zoom 5)",
        f"  setEvents (main thread)        {r['setEventsMs']:8.0f} ms",
        f"  index build in the worker      {r['buildMs']:8.0f} ms",
        frame.format("grid, building", med["interim"], tail["interim"]),
        frame.format("clusters", med["clustered"], tail["clustered"]),
        frame.format("every marker", med["markers"], tail["markers"]),
        f"  view change → its clusters     {r['viewMs']:8.0f} ms",
        frame.format(f"zoom 8 ({r['townCircles']})", med["town"], tail["town"]),
    ]


def main() -> None:
    """Measure each size and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args()
    steps: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        result = measure(size)
        steps[size] = statistics.median(result["clustered"])
        print("\n".join(report(size, result)), flush=True)
    if {100_000, 1_000_000} <= steps.keys():
        limit = steps[100_000] * STEP_NOISE
        verdict = "PASS" if steps[1_000_000] <= limit else "MISS"
        print(
            f"date step with clusters at 1M {steps[1_000_000]:.1f} ms, limit {limit:.1f} ms "
            f"(100k + {STEP_NOISE - 1:.0%}): {verdict}"
        )


if __name__ == "__main__":
    main()
