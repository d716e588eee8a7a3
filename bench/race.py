"""`python -m bench.race`: does a click on "next" right after a pan of the map count once?

Once, the map reported each pan to the server and that report reran the dashboard; a "next"
click within about 250 ms of a pan could be lost, or the click after it moved two dates. Now
a pan reruns nothing (the map writes its view into the address itself) and "next" is the
map's own control. This pans the map, waits a given delay, clicks "next", waits for the page
to settle and compares the map's date, and the address, with the next event date. Prints one
line per click and exits 1 if any click went wrong. Uses the 1k synthetic set.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Final

from bench.browser import (
    FIRST_DRAW_TIMEOUT_MS,
    READY_JS,
    VIEWPORT,
    CountingServer,
    Frames,
)
from bench.synthetic import make_set
from geo.timeline import day_number
from harness.chromium import CHROMIUM_ARGS, chromium_path

DELAYS_MS: Final = (0, 100, 200, 250, 300, 400, 600, 1000)
PAN_THEN_NEXT: Final = """async ([delay, k]) => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const map = frame.contentDocument.querySelector('.leaflet-container[data-day]');
  const before = map.getAttribute('data-day');
  frame.contentWindow.flashpoint.map.panBy([k % 2 ? 150 : -150, 0], {animate: false});
  await new Promise((done) => setTimeout(done, delay));
  frame.contentDocument.querySelector('.fp-next').click();
  return before;
}"""
AGREED_JS: Final = """() => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const map = frame.contentDocument.querySelector('.leaflet-container[data-day]');
  return map.getAttribute('data-day') === new URL(window.location.href).searchParams.get('date');
}"""
SHOWN_JS: Final = """() => [document
  .querySelector('iframe[title="streamlit_folium.st_folium"]')
  .contentDocument.querySelector('.leaflet-container').getAttribute('data-day'),
  new URL(window.location.href).searchParams.get('date')]"""


def main() -> int:
    """Pan, click, check, for each delay (twice); report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks", type=int, default=50)
    args = parser.parse_args()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    wrong = 0
    with tempfile.TemporaryDirectory(prefix="flashpoint-race-") as folder:
        data = make_set(1_000, Path(folder))
        days = [day_number(d) for d in data.event_dates]
        following = dict(itertools.pairwise(days))
        start = data.event_dates[len(days) // 2]
        with CountingServer(data.csv) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path()), args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
                traffic = Frames(page)
                page.goto(f"{server.url}/?date={start.isoformat()}")
                page.wait_for_function(READY_JS, arg=None, timeout=FIRST_DRAW_TIMEOUT_MS)
                traffic.wait_quiet(page, 1.0, 60)
                delays = itertools.islice(itertools.cycle(DELAYS_MS), args.clicks)
                for k, delay in enumerate(delays):
                    before = day_number(
                        date.fromisoformat(page.evaluate(PAN_THEN_NEXT, [delay, k]))
                    )
                    # The page hears of the date once it rests (120 ms): give it 5 s to agree.
                    with contextlib.suppress(PlaywrightTimeout):
                        page.wait_for_function(AGREED_JS, arg=None, timeout=5_000)
                    traffic.wait_quiet(page, 0.5, 60)
                    shown, address = page.evaluate(SHOWN_JS)
                    expected = following.get(before, before)
                    ok = (
                        day_number(date.fromisoformat(shown))
                        == expected
                        == day_number(date.fromisoformat(address))
                    )
                    wrong += not ok
                    verdict = "ok" if ok else f"WRONG: expected day {expected}"
                    print(
                        f"click {delay:4d} ms after a pan: day {before} -> map {shown}, "
                        f"address {address}  {verdict}"
                    )
            finally:
                browser.close()
    print(f"{wrong} of {args.clicks} clicks went wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
