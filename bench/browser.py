"""The dashboard in Chromium: what a date change costs the server and the wire, how soon the
page follows it, how long the map takes to draw a frame while the date moves, and the
server's memory per extra browser session.

The dashboard runs under `python -m bench.serve` (plain `streamlit run` plus a counter of
dataset loads) on a free port. A date change is driven as a person does it, with the map's
own slider (an arrow key); the page hears of the date from the map (its `commit`), and is
timed on the page's clock from that moment until the address and the map name the same day.
The server's CPU comes from psutil, over all the measured changes together (its clock ticks
are 10 ms, too coarse for one change); the bytes from Chromium's own record of the websocket
frames it received (CDP `Network.webSocketFrameReceived`, before compression).
"""

from __future__ import annotations

import base64
import os
import re
import statistics
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import psutil

from bench.instrument import LOADS_ENV, count_lines
from bench.procs import bytes_between, child_env, rss_mb, tcp_bytes_sent
from harness.chromium import CHROMIUM_ARGS, chromium_path
from harness.server import DashboardServer

VIEWPORT: Final = {"width": 1400, "height": 1000}
QUIET_S: Final = 1.5
# A shared link's view: the map opens there without fitting its bounds first.
VIEW: Final = "lat=32.5&lon=47.5&zoom=5"
FIRST_DRAW_TIMEOUT_MS: Final = 120_000
WARM_CHANGES: Final = 2
# The map hands the page a date this long after the thumb rests: read from the map's own code.
_MAP_JS: Final = (
    Path(__file__).resolve().parent.parent / "geo" / "web" / "flashpoint.js"
).read_text(encoding="utf-8")
_COMMIT = re.search(r"var COMMIT_MS = (\d+);", _MAP_JS)
assert _COMMIT is not None, "flashpoint.js names its commit delay COMMIT_MS"
COMMIT_S: Final = int(_COMMIT.group(1)) / 1000
# Everything in view for the frame-time measurement: the synthetic sets' region (lon 35-60,
# lat 25-40) fits the map at zoom 5 around its centre.
WHOLE_REGION_JS: Final = (
    "() => { window.flashpoint.map.setView([32.5, 47.5], 5, {animate: false}); }"
)
MAP_JS: Final = """
  const frame = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')].pop();
  const win = frame && frame.contentWindow;
  const map = frame && frame.contentDocument.querySelector('.leaflet-container[data-flashpoint]');
"""

# True once the map shows `day` (an ISO date) with its events and no script runs.
READY_JS: Final = (
    "(day) => {"
    + MAP_JS
    + """
  const app = document.querySelector('[data-testid="stApp"]');
  return Boolean(map && app && map.getAttribute('data-events')
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && (day === null || map.getAttribute('data-day') === day));
}"""
)

# Note when the map next hands the page a date (its `commit` sends the bridge's trigger).
HOOK_JS: Final = (
    "() => {"
    + MAP_JS
    + """
  const fp = win.flashpoint;
  win.__fpCommittedAt = null;
  if (Object.prototype.hasOwnProperty.call(fp, 'commit')) return;
  const commit = Object.getPrototypeOf(fp).commit;
  fp.commit = function () {
    const at = win.performance.timeOrigin + win.performance.now();
    const sends = this.day !== null && this.day !== this.committed;
    const result = commit.apply(this, arguments);
    if (sends && win.__fpCommittedAt === null) win.__fpCommittedAt = at;
    return result;
  };
}"""
)

# Resolve with the ms from the map's commit until the page agrees: address date == data-day.
AGREE_JS: Final = (
    "(day) => new Promise((resolve, reject) => {"
    + MAP_JS
    + """
  const limit = setTimeout(() => reject(new Error('the page did not follow ' + day)), 30000);
  const poll = () => {
    const at = win.__fpCommittedAt;
    const address = new URLSearchParams(location.search).get('date');
    if (at !== null && address === day && map.getAttribute('data-day') === day) {
      clearTimeout(limit);
      resolve(performance.timeOrigin + performance.now() - at);
    } else {
      setTimeout(poll, 2);
    }
  };
  poll();
})"""
)

# Move the date back and forth by a day at its end (everything visible), as a drag does;
# read the map's own draw time after two animation frames each time. Then count the visible
# events inside the map's view (the map stamps one marker per pixel, so fewer are drawn).
# A crowded view is drawn as clusters once their index is built: wait for it.
FRAMES_JS: Final = """async (element, count) => {
  const fp = window.flashpoint;
  while (element.getAttribute('data-cluster-index') === 'building') {
    await new Promise((r) => setTimeout(r, 20));
  }
  const out = [];
  for (let k = 0; k < count; k++) {
    fp.setDay(fp.hi - ((k + 1) % 2), true);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    out.push(window.flashpointLastDrawMs);
  }
  const bounds = fp.map.getBounds();
  let inView = 0;
  for (let i = 0; i < fp.visibleRange(); i++) {
    if (bounds.contains([fp.ev.lat[i] / 1e5, fp.ev.wx[i] * 360 - 180])) inView++;
  }
  const visible = Number(fp.container.getAttribute('data-visible'));
  const clusters = Number(fp.container.getAttribute('data-clusters') || 0);
  return {ms: out, inView: inView, visible: visible, clusters: clusters};
}"""


@dataclass(slots=True)
class BrowserResult:
    """What one dashboard server and its browser sessions measured."""

    page_load_s: float = 0.0
    changes: int = 0
    cpu_per_change_s: float | None = None
    agree_ms: list[float] = field(default_factory=list)
    bytes_per_change: list[int] = field(default_factory=list)
    deflated_per_change: list[int] = field(default_factory=list)
    wire_per_change: list[int] = field(default_factory=list)
    events_resent: int = 0
    frame_ms: list[float] = field(default_factory=list)
    in_view: int = 0
    visible: int = 0
    clusters: int = 0
    rss_one_session_mb: float = 0.0
    rss_extra_sessions_mb: float = 0.0
    extra_sessions: int = 0
    loads: int = -1
    notes: list[str] = field(default_factory=list)
    chromium: str = ""

    def median_agree_s(self) -> float:
        """Median time from the map's commit until the page follows, in seconds."""
        return statistics.median(self.agree_ms) / 1e3


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


class Frames:
    """The websocket frames the page receives, as Chromium records them (before compression)."""

    def __init__(self, page: Any) -> None:
        self.received: list[bytes] = []
        self.last = time.monotonic()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._received)

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        data = response["payloadData"]
        self.received.append(base64.b64decode(data) if response["opcode"] == 2 else data.encode())
        self.last = time.monotonic()

    def wait_quiet(self, page: Any, quiet_s: float, timeout_s: float) -> None:
        """Wait until no frame has come for `quiet_s` and no script runs."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if time.monotonic() - self.last >= quiet_s and page.evaluate(READY_JS, None):
                return
            page.wait_for_timeout(100)
        raise RuntimeError(f"the page did not settle within {timeout_s:.0f} s")


def server_cpu_s(pid: int) -> float:
    """User + system CPU the server process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def change_dates(page: Any, server: CountingServer, start: date, count: int) -> BrowserResult:
    """Press → on the map's slider `count` times (after a warm-up); measure each change."""
    result = BrowserResult()
    frames = Frames(page)
    frames.wait_quiet(page, QUIET_S, 60)
    slider = page.frame_locator('iframe[title="streamlit_folium.st_folium"] >> nth=-1').locator(
        ".fp-slider"
    )
    slider.focus()
    cpu_before = 0.0
    for k in range(1, WARM_CHANGES + count + 1):
        if k == WARM_CHANGES + 1:
            cpu_before = server_cpu_s(server.pid)
        day = (start + timedelta(days=k)).isoformat()
        page.evaluate(HOOK_JS)
        frames.received.clear()
        wire = tcp_bytes_sent(server.port)
        page.keyboard.press("ArrowRight")
        agreed = float(page.evaluate(AGREE_JS, day))
        page.wait_for_function(READY_JS, arg=day)
        page.evaluate("() => 0")  # lets the last frames' CDP events arrive
        wire_after = tcp_bytes_sent(server.port)
        if k <= WARM_CHANGES:
            continue
        result.agree_ms.append(agreed)
        result.bytes_per_change.append(sum(len(f) for f in frames.received))
        result.deflated_per_change.append(compressed_size(frames.received))
        result.events_resent += any(b"setEvents" in f for f in frames.received)
        sent = bytes_between(wire, wire_after)
        if sent is not None:
            result.wire_per_change.append(sent)
    result.cpu_per_change_s = (server_cpu_s(server.pid) - cpu_before) / count
    result.changes = count
    return result


def measure(
    data: Path,
    start: date,
    changes: int,
    frames: int,
    extra_sessions: int,
    timeout_s: float = 180.0,
) -> BrowserResult:
    """Open the dashboard on `start`, change the date `changes` times, time drag frames with
    everything in view, then open `extra_sessions` more tabs for the server's memory."""
    from playwright.sync_api import sync_playwright

    with CountingServer(data) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path()), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            context.set_default_timeout(timeout_s * 1000)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{server.url}/?date={start.isoformat()}&{VIEW}")
            page.wait_for_function(READY_JS, arg=start.isoformat(), timeout=FIRST_DRAW_TIMEOUT_MS)
            page_load_s = time.perf_counter() - started
            result = change_dates(page, server, start, changes)
            result.page_load_s = page_load_s
            result.chromium = browser.version
            if result.events_resent:
                result.notes.append(f"the map's events were sent again in {result.events_resent}")
            container = page.frame_locator(
                'iframe[title="streamlit_folium.st_folium"] >> nth=-1'
            ).locator(".leaflet-container[data-flashpoint]")
            container.evaluate(WHOLE_REGION_JS)
            page.wait_for_timeout(500)  # the basemap redraws at the new zoom
            drawn = container.evaluate(FRAMES_JS, frames)
            result.frame_ms = [float(ms) for ms in drawn["ms"]]
            result.in_view, result.visible = int(drawn["inView"]), int(drawn["visible"])
            result.clusters = int(drawn["clusters"])
            page.wait_for_timeout(400)  # the last frame's date is handed to the page
            page.wait_for_function(READY_JS, arg=None)
            result.rss_one_session_mb = rss_mb(server.pid)
            pages = []
            for _ in range(extra_sessions):
                extra = context.new_page()
                extra.goto(server.url)
                extra.wait_for_function(READY_JS, arg=None, timeout=FIRST_DRAW_TIMEOUT_MS)
                pages.append(extra)
            result.extra_sessions = extra_sessions
            result.rss_extra_sessions_mb = rss_mb(server.pid)
            result.loads = server.loads
            for extra in pages:
                extra.close()
        finally:
            browser.close()
    return result
