"""Real viewers: Chromium pages driven by Playwright through the same scenario.

Each page's websocket frames are decoded (the same protobufs the lightweight client uses), so
a browser's date change is timed exactly like a lightweight one: from the `rerun_script`
carrying the bridge's date trigger to the `script_finished` it receives. The time from the
key press until the page agrees (the map shows the day and the address names it; the page
hears of a date 250 ms after the thumb rests) is kept as well: that is what the person sees.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Browser, Locator, Page, Playwright, ViewportSize, WebSocket
from playwright.async_api import Error as PlaywrightError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from harness.chromium import CHROMIUM_ARGS, CHROMIUM_ENV
from harness.chromium import chromium_path as debian_chromium
from loadtest.fleet import Fleet
from loadtest.scenario import Pace, Plan, Record, ShareLink

# The newest map: while a new dataset replaces the old one, both iframes exist for a moment.
MAP_FRAME: Final = 'iframe[title="streamlit_folium.st_folium"] >> nth=-1'
TRIGGERS: Final = "__events"
WAIT_MS: Final = 30_000
VIEWPORT: Final[ViewportSize] = {"width": 1400, "height": 1000}


def chromium_path() -> Path:
    """Debian's Chromium (Playwright cannot download a browser here)."""
    path = debian_chromium()
    if not path.exists():
        raise SystemExit(f"Chromium is missing at {path}: set {CHROMIUM_ENV} or run make browser")
    return path


async def launch(playwright: Playwright) -> Browser:
    """One headless Chromium; each viewer gets its own context (cookies, storage)."""
    return await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


class WireTimer:
    """Times each run a page asks for, reading its websocket frames; a run that carries the
    bridge's `date` trigger is a date change."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self._started: float | None = None
        self._step = False

    def attach(self, socket: WebSocket) -> None:
        """Listen to one websocket of the page (a reload opens a new one)."""
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "rerun_script":
            return
        now = time.perf_counter()
        if self._started is None:
            self._started = now
        self._step |= any(
            is_date_trigger(state) for state in msg.rerun_script.widget_states.widgets
        )
        if self._step and self.record.step_started is None:
            self.record.step_started = self._started

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "script_finished":
            return
        if self._started is None or msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return
        elapsed = time.perf_counter() - self._started
        self.record.runs.append(elapsed)
        if self._step:
            self.record.steps.append(elapsed)
            self.record.step_started = None
        self._started, self._step = None, False


def is_date_trigger(state: WidgetState) -> bool:
    """Whether a widget state is the bridge's trigger carrying a settled date."""
    if not state.id.endswith(TRIGGERS) or not state.json_trigger_value:
        return False
    try:
        sent = json.loads(state.json_trigger_value)
    except json.JSONDecodeError:
        return False
    return any(isinstance(t, dict) and t.get("event") == "date" for t in sent)


def map_at(page: Page) -> Locator:
    """The map's container."""
    return page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-flashpoint]")


async def wait_day(page: Page, day: date) -> None:
    """Wait until the map shows `day` and the page agrees (the address names it)."""
    await (
        page.frame_locator(MAP_FRAME)
        .locator(f'.leaflet-container[data-day="{day.isoformat()}"]')
        .wait_for(state="attached", timeout=WAIT_MS)
    )
    await page.wait_for_function(
        "(d) => new URLSearchParams(location.search).get('date') === d",
        arg=day.isoformat(),
        timeout=WAIT_MS,
    )


async def wait_event(page: Page, link: ShareLink) -> None:
    """Wait until the page shows `link`'s date on the map and its event in the detail panel."""
    await wait_day(page, link.day)
    await page.locator(f'.fp-detail[data-event-id="{link.event_id}"]').wait_for(
        state="attached", timeout=WAIT_MS
    )


async def step_slider(page: Page, key: str) -> None:
    """Move the map's date slider with the keyboard, as a person does after clicking it."""
    await page.frame_locator(MAP_FRAME).locator(".fp-slider").focus()
    await page.keyboard.press(key)


async def shown_day(page: Page) -> date:
    """The day the map shows."""
    value = await map_at(page).get_attribute("data-day")
    if value is None:
        raise RuntimeError("the map shows no date")
    return date.fromisoformat(value)


async def click_button(page: Page, key: str) -> None:
    """Click one of the map's date buttons (`prev`, `next`); wait for the page to follow."""
    before = await shown_day(page)
    await page.frame_locator(MAP_FRAME).locator(f".fp-{key}").click()
    await (
        page.frame_locator(MAP_FRAME)
        .locator(f'.leaflet-container[data-day]:not([data-day="{before.isoformat()}"])')
        .wait_for(state="attached", timeout=WAIT_MS)
    )
    await wait_day(page, await shown_day(page))


async def click_marker(page: Page) -> None:
    """Click the newest marker the map drew, and wait for the address to name its event."""
    container = map_at(page)
    await (
        page.frame_locator(MAP_FRAME)
        .locator(".leaflet-container[data-idle]")
        .wait_for(state="attached", timeout=WAIT_MS)
    )
    x, y = await container.evaluate(
        """() => {
            const fp = window.flashpoint;
            const i = fp.drawn.index[0];
            const p = fp.map.latLngToContainerPoint([fp.ev.lat[i] / 1e5, fp.ev.wx[i] * 360 - 180]);
            return [p.x, p.y];
        }"""
    )
    await container.click(position={"x": x, "y": y})
    await page.wait_for_function("() => location.search.includes('event=')", timeout=WAIT_MS)


async def browser_session(
    browser: Browser,
    base_url: str,
    plan: Plan,
    pace: Pace,
    record: Record,
    hold: asyncio.Event,
    index: int,
) -> None:
    """One person in Chromium: the whole scenario, then keep the tab open until released."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        page.on("websocket", WireTimer(record).attach)
        await page.goto(f"{base_url}/?{plan.query}", timeout=WAIT_MS)
        await wait_day(page, plan.days[0])
        for day in plan.days[1:]:
            await pace.pause()
            started = time.perf_counter()
            await step_slider(page, "ArrowRight")
            await wait_day(page, day)
            record.shown.append(time.perf_counter() - started)
        for key in ("prev", "next"):
            await pace.pause()
            await click_button(page, key)
        await pace.pause()
        await click_marker(page)
        await pace.pause()
        link = plan.shares[index % len(plan.shares)]
        await page.goto(f"{base_url}/?{link.query}", timeout=WAIT_MS)
        await wait_event(page, link)
        record.finished = True
        await hold.wait()
    except Exception as exc:  # every failure of a session is a data point
        record.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
    finally:
        with suppress(PlaywrightError):  # the browser may already be gone (Ctrl-C)
            await context.close()


def view_of(url: str) -> tuple[str | None, str | None]:
    """The date and the event an address shows. (Its lat/lon/zoom follow the map as it
    settles, e.g. after flying to the selected event, so they are not compared.)"""
    params = parse_qs(urlsplit(url).query)
    return (params.get("date", [None])[0], params.get("event", [None])[0])


async def check_restart(browser: Browser, fleet: Fleet, link: ShareLink) -> list[str]:
    """Open a share link, step a day on, restart the server: the tab reconnects and, reloaded,
    shows the same date and event (the address is the whole view; the server holds nothing).
    `link` must not be on the slider's last day."""
    problems: list[str] = []
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.goto(f"{fleet.url}/?{link.query}", timeout=WAIT_MS)
        await wait_event(page, link)
        await step_slider(page, "ArrowRight")
        moved = link.day + timedelta(days=1)
        await wait_day(page, moved)
        before = view_of(page.url)
        await asyncio.to_thread(fleet.restart)
        if not await reconnected(fleet):
            problems.append("the open tab did not reconnect to the restarted server")
        await page.reload(timeout=WAIT_MS)
        await wait_day(page, moved)
        await page.locator(f'.fp-detail[data-event-id="{link.event_id}"]').wait_for(
            state="attached", timeout=WAIT_MS
        )
        if view_of(page.url) != before:
            problems.append(f"the view changed across the restart: {before} -> {view_of(page.url)}")
    except Exception as exc:  # a failed check is a finding, not a crash
        problems.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
    finally:
        with suppress(PlaywrightError):
            await context.close()
    return problems


async def reconnected(fleet: Fleet, timeout: float = 30) -> bool:
    """Whether a tab re-opened its session on the restarted servers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await asyncio.to_thread(fleet.live_sessions) or 0) > 0:
            return True
        await asyncio.sleep(0.5)
    return False
