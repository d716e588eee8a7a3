"""The dashboard in Chromium: time from a click on "next" to updated pixels, bytes per step,
and the server's memory per extra browser session.

The dashboard runs under `python -m bench.serve` (plain `streamlit run` plus a counter of
dataset loads) on a free port. Timing is taken inside the page, so Playwright's own round
trips are not counted: the click is dispatched from the page's script, a MutationObserver
sees the map's `data-step` change, and a requestAnimationFrame plus a task later the new
frame has been painted.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from bench.instrument import LOADS_ENV, count_lines
from bench.procs import bytes_between, child_env, rss_mb, tcp_bytes_sent
from geo.timeline import day_number
from harness.chromium import CHROMIUM_ARGS, chromium_path
from harness.server import DashboardServer

MAP_FRAME: Final = 'iframe[title="streamlit_folium.st_folium"]'
VIEWPORT: Final = {"width": 1400, "height": 1000}
QUIET_S: Final = 1.5
# The region's centre, as a shared link gives it: the map opens there without fitting its
# bounds, which saves one of the reruns its view reports cause after the first draw.
VIEW: Final = "lat=32.5&lon=47.5&zoom=5"
FIRST_DRAW_TIMEOUT_MS: Final = 90_000
MAX_REDONE: Final = 4

# True once the map shows the expected step (any step if null) and the script has finished.
READY_JS: Final = """(expected) => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const doc = frame && frame.contentDocument;
  const map = doc && doc.querySelector('.leaflet-container[data-day]');
  const app = document.querySelector('[data-testid="stApp"]');
  return Boolean(map && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && (expected === null || map.getAttribute('data-step') === String(expected)));
}"""

# Click "next"; resolve with the time to the new data-step, to the painted frame after it,
# and to the end of the rerun (all in ms from the click, on the page's clock).
STEP_JS: Final = """() => new Promise((resolve, reject) => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const win = frame.contentWindow;
  const map = frame.contentDocument.querySelector('.leaflet-container[data-step]');
  const app = document.querySelector('[data-testid="stApp"]');
  const before = map.getAttribute('data-step');
  const button = Array.from(document.querySelectorAll('.st-key-next button'))
    .find((b) => b.getBoundingClientRect().width > 0);
  if (!button) { reject(new Error('no visible "next" button')); return; }
  const timer = setTimeout(() => reject(new Error('the map did not change in 60 s')), 60000);
  let stepped = 0;
  let painted = 0;
  const finish = () => {
    if (app.getAttribute('data-test-script-state') !== 'notRunning') {
      setTimeout(finish, 5);
      return;
    }
    clearTimeout(timer);
    resolve({step_ms: stepped, pixels_ms: painted, done_ms: performance.now() - started,
             day: Number(map.getAttribute('data-step')),
             visible: Number(map.getAttribute('data-visible')),
             js_ms: win.flashpointLastUpdateMs});
  };
  const observer = new win.MutationObserver(() => {
    if (map.getAttribute('data-step') === before) return;
    observer.disconnect();
    stepped = performance.now() - started;
    win.requestAnimationFrame(() => setTimeout(() => {
      painted = performance.now() - started;
      finish();
    }, 0));
  });
  observer.observe(map, {attributes: true, attributeFilter: ['data-step']});
  const started = performance.now();
  button.click();
})"""


@dataclass(slots=True)
class BrowserResult:
    """What one dashboard server and its browser sessions measured."""

    page_load_s: float = 0.0
    pixels_ms: list[float] = field(default_factory=list)
    step_ms: list[float] = field(default_factory=list)
    done_ms: list[float] = field(default_factory=list)
    js_ms: list[float] = field(default_factory=list)
    bytes_per_step: list[int] = field(default_factory=list)
    deflated_per_step: list[int] = field(default_factory=list)
    wire_per_step: list[int] = field(default_factory=list)
    visible: int = 0
    rss_one_session_mb: float = 0.0
    rss_extra_sessions_mb: float = 0.0
    extra_sessions: int = 0
    loads: int = -1
    notes: list[str] = field(default_factory=list)
    chromium: str = ""

    @property
    def median_pixels_ms(self) -> float:
        """Median time from the click to the painted frame."""
        return statistics.median(self.pixels_ms) if self.pixels_ms else float("nan")


class CountingServer(DashboardServer):
    """The dashboard under `python -m bench.serve`, which counts dataset loads in a file."""

    def __init__(self, data: Path, options: tuple[str, ...] = ()) -> None:
        handle, log = tempfile.mkstemp(prefix="flashpoint-loads-")
        os.close(handle)
        self.loads_log = Path(log)
        super().__init__(
            data,
            options=("--server.fileWatcherType", "none", *options),
            env=child_env({LOADS_ENV: log}),
            runner="bench.serve",
        )

    def stop(self) -> None:
        """Stop the server and remove its load counter."""
        super().stop()
        self.loads_log.unlink(missing_ok=True)

    @property
    def loads(self) -> int:
        """How many times the server has loaded a dataset so far."""
        return count_lines(self.loads_log)


def compressed_size(frames: list[bytes]) -> int:
    """Bytes the frames would take with permessage-deflate (server.enableWebsocketCompression)."""
    deflate = zlib.compressobj(wbits=-15)
    # Each message ends in a sync flush whose last four bytes (00 00 ff ff) are not sent.
    return sum(len(deflate.compress(f) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4 for f in frames)


class Traffic:
    """The websocket frames a page receives, and when anything last went either way."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.last = time.monotonic()

    def attach(self, socket: Any) -> None:
        """Follow one websocket of the page."""
        socket.on("framereceived", self._received)
        socket.on("framesent", self._sent)

    def _received(self, payload: bytes | str) -> None:
        self.received.append(payload if isinstance(payload, bytes) else payload.encode())
        self.last = time.monotonic()

    def _sent(self, payload: bytes | str) -> None:
        self.last = time.monotonic()

    def wait_quiet(self, page: Any, quiet_s: float, timeout_s: float) -> None:
        """Wait until nothing has crossed the websocket for `quiet_s` and no script runs."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if time.monotonic() - self.last >= quiet_s and page.evaluate(READY_JS, None):
                return
            page.wait_for_timeout(100)
        raise RuntimeError(f"the page did not settle within {timeout_s:.0f} s")


def measure(
    data: Path,
    dates: list[date],
    steps: int,
    extra_sessions: int,
    timeout_s: float = 180.0,
    options: tuple[str, ...] = (),
) -> BrowserResult:
    """Open the dashboard near the end of `dates`, click "next" `steps` times, open more tabs.

    The page is first left to settle: after it is drawn, the map reports its view and the
    dashboard reruns. A first,
    unmeasured step warms the page up. A step that a concurrent rerun undoes (the map ends
    on another date than the one "next" leads to) is noted and measured again.
    """
    from playwright.sync_api import sync_playwright

    if len(dates) < steps + MAX_REDONE + 3:
        raise ValueError(f"{steps} steps need more event dates than the data's {len(dates)}")
    start = dates[-steps - MAX_REDONE - 3]
    by_day = {day_number(d): d for d in dates}
    later = {day_number(d): n for d, n in itertools.pairwise(dates)}
    result = BrowserResult()
    traffic = Traffic()

    with CountingServer(data, options) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS, timeout=60_000
        )
        result.chromium = browser.version
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            context.set_default_timeout(timeout_s * 1000)
            page = context.new_page()
            page.on("websocket", traffic.attach)
            started = time.perf_counter()
            page.goto(f"{server.url}/?date={start.isoformat()}&{VIEW}")
            page.wait_for_function(READY_JS, arg=day_number(start), timeout=FIRST_DRAW_TIMEOUT_MS)
            result.page_load_s = time.perf_counter() - started
            traffic.wait_quiet(page, QUIET_S, timeout_s)
            shown, warm, redone = day_number(start), True, 0
            while len(result.pixels_ms) < steps:
                if shown not in later:
                    raise RuntimeError(
                        f"the map shows day {shown}, not an event date before the last"
                    )
                expected = later[shown]
                traffic.received.clear()
                wire = tcp_bytes_sent(server.port)
                step: dict[str, Any] = page.evaluate(STEP_JS)
                page.evaluate("() => 0")  # lets Playwright deliver the last frames' events
                wire_after = tcp_bytes_sent(server.port)
                shown = int(step["day"])
                if shown != day_number(expected):
                    redone += 1
                    result.notes.append(
                        f"a step to {expected} ended on {by_day.get(shown, shown)} "
                        "(undone by a concurrent rerun); measured again"
                    )
                    if redone > MAX_REDONE:
                        raise RuntimeError("steps keep being undone: " + "; ".join(result.notes))
                    traffic.wait_quiet(page, QUIET_S, timeout_s)
                    continue
                if warm:
                    warm = False
                    continue
                result.pixels_ms.append(float(step["pixels_ms"]))
                result.step_ms.append(float(step["step_ms"]))
                result.done_ms.append(float(step["done_ms"]))
                result.js_ms.append(float(step["js_ms"] or 0.0))
                result.bytes_per_step.append(sum(len(f) for f in traffic.received))
                result.deflated_per_step.append(compressed_size(traffic.received))
                sent = bytes_between(wire, wire_after)
                if sent is not None:
                    result.wire_per_step.append(sent)
                result.visible = int(step["visible"])
            result.rss_one_session_mb = rss_mb(server.pid)
            pages = []
            for _ in range(extra_sessions):
                extra = context.new_page()
                extra.goto(server.url)
                extra.wait_for_function(READY_JS, arg=None)
                pages.append(extra)
            result.extra_sessions = extra_sessions
            result.rss_extra_sessions_mb = rss_mb(server.pid)
            result.loads = server.loads
            for extra in pages:
                extra.close()
        finally:
            browser.close()
    return result
