"""`python -m bench.race`: does a click on "next" right after a pan of the map count once?

Found while benchmarking: the map reports a pan (debounced by 250 ms) and that report reruns
the dashboard; a "next" click in that window can be lost, and the click after it then moves
two event dates. This pans the map, waits a given delay, clicks "next", waits for the page
to settle and compares the map's date with the next event date. Prints one line per click
and exits 1 if any click went wrong. Uses the 1k synthetic set.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Final

from bench.browser import (
    FIRST_DRAW_TIMEOUT_MS,
    READY_JS,
    VIEWPORT,
    DashboardServer,
    Traffic,
    day_number,
)
from bench.chromium import CHROMIUM_ARGS, chromium_path
from bench.synthetic import make_set

DELAYS_MS: Final = (0, 100, 200, 250, 300, 400, 600, 1000)
PAN_THEN_NEXT: Final = """async (delay) => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const map = frame.contentDocument.querySelector('.leaflet-container[data-step]');
  const before = Number(map.getAttribute('data-step'));
  frame.contentWindow.map.panBy([150, 0], {animate: false});
  await new Promise((done) => setTimeout(done, delay));
  Array.from(document.querySelectorAll('.st-key-next button'))
    .find((b) => b.getBoundingClientRect().width > 0).click();
  return before;
}"""
SHOWN_JS: Final = """() => Number(document
  .querySelector('iframe[title="streamlit_folium.st_folium"]')
  .contentDocument.querySelector('.leaflet-container').getAttribute('data-step'))"""


def main() -> int:
    """Pan, click, check, for each delay (twice); report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    wrong = 0
    with tempfile.TemporaryDirectory(prefix="flashpoint-race-") as folder:
        data = make_set(1_000, Path(folder))
        days = [day_number(d) for d in data.event_dates]
        following = dict(itertools.pairwise(days))
        start = data.event_dates[len(days) // 2]
        with DashboardServer(data.csv) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path()), args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
                traffic = Traffic()
                page.on("websocket", traffic.attach)
                page.goto(f"{server.url}/?date={start.isoformat()}")
                page.wait_for_function(READY_JS, arg=None, timeout=FIRST_DRAW_TIMEOUT_MS)
                traffic.wait_quiet(page, 1.0, 60)
                for delay in DELAYS_MS * args.rounds:
                    before = int(page.evaluate(PAN_THEN_NEXT, delay))
                    traffic.wait_quiet(page, 1.5, 60)
                    shown = int(page.evaluate(SHOWN_JS))
                    ok = shown == following[before]
                    wrong += not ok
                    verdict = "ok" if ok else f"WRONG: expected day {following[before]}"
                    print(f"click {delay:4d} ms after a pan: day {before} -> {shown}  {verdict}")
            finally:
                browser.close()
    print(f"{wrong} of {len(DELAYS_MS) * args.rounds} clicks went wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
