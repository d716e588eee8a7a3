"""Real viewers: Chromium pages driven by Playwright through the same scenario.

Each page's websocket frames are decoded (the same protobufs the lightweight client uses), so
a browser's slider step is timed exactly like a lightweight one: from the `rerun_script` it
sends to the `script_finished` it receives. The time until the map has redrawn (`data-step`)
is kept as well: that is what the person sees.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Browser, Locator, Page, Playwright, ViewportSize, WebSocket
from playwright.async_api import Error as PlaywrightError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo.timeline import day_number
from harness.chromium import CHROMIUM_ARGS, CHROMIUM_ENV
from harness.chromium import chromium_path as debian_chromium
from loadtest.fleet import Fleet
from loadtest.scenario import Pace, Plan, Record, ShareLink

MAP_FRAME: Final = 'iframe[title="streamlit_folium.st_folium"]'
SLIDER_INPUT: Final = '[data-testid="stSlider"] input[type="range"]'
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
    """Times each run a page asks for, reading its websocket frames."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self._started: float | None = None
        self._slider_id = ""
        self._slider: float | None = None
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
        for state in msg.rerun_script.widget_states.widgets:
            if state.id == self._slider_id and state.double_array_value.data:
                value = state.double_array_value.data[0]
                self._step |= self._slider is not None and value != self._slider
                self._slider = value
        if self._step and self.record.step_started is None:
            self.record.step_started = self._started

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "slider":
            slider = msg.delta.new_element.slider
            self._slider_id = slider.id
            if slider.set_value:  # the server moved it (a button): not the viewer's step
                self._slider = slider.value[0]
        if kind != "script_finished":
            return
        if self._started is None or msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return
        elapsed = time.perf_counter() - self._started
        self.record.runs.append(elapsed)
        if self._step:
            self.record.steps.append(elapsed)
            self.record.step_started = None
        self._started, self._step = None, False


def map_at(page: Page, day_n: int | None = None) -> Locator:
    """The map container, optionally only once it shows day number `day_n`."""
    selector = ".leaflet-container" if day_n is None else f'.leaflet-container[data-step="{day_n}"]'
    return page.frame_locator(MAP_FRAME).locator(selector)


async def wait_day(page: Page, day_n: int) -> None:
    """Wait until the map has drawn day number `day_n`."""
    await map_at(page, day_n).wait_for(state="attached", timeout=WAIT_MS)


async def wait_event(page: Page, link: ShareLink) -> None:
    """Wait until the page shows `link`'s date on the map and its event in the detail panel."""
    await wait_day(page, day_number(link.day))
    await page.locator(f'.fp-detail[data-event-id="{link.event_id}"]').wait_for(
        state="attached", timeout=WAIT_MS
    )


async def step_slider(page: Page, key: str) -> None:
    """Move the date slider with the keyboard, as a person does after clicking its handle."""
    await page.locator(SLIDER_INPUT).focus()
    await page.keyboard.press(key)


async def click_button(page: Page, key: str) -> None:
    """Click one of the date buttons (`prev`, `next`) and wait for the map to change day."""
    before = await map_at(page).get_attribute("data-step")
    await page.locator(f".st-key-{key} button").first.click()
    await (
        page.frame_locator(MAP_FRAME)
        .locator(f'.leaflet-container[data-step]:not([data-step="{before}"])')
        .wait_for(state="attached", timeout=WAIT_MS)
    )


async def click_marker(page: Page) -> None:
    """Click the first marker the map layer drew, and wait for the address to name it."""
    container = map_at(page)
    x, y = await container.evaluate(
        """() => {
            const layer = window.flashpoint;
            const item = layer.items.values().next().value;
            const p = layer.map.latLngToContainerPoint(item.marker.getLatLng());
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
        await wait_day(page, day_number(plan.days[0]))
        for day in plan.days[1:]:
            await pace.pause()
            started = time.perf_counter()
            await step_slider(page, "ArrowRight")
            await wait_day(page, day_number(day))
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
        moved = day_number(link.day) + 1
        await wait_day(page, moved)
        await page.wait_for_function(
            "(d) => new URLSearchParams(location.search).get('date') !== d",
            arg=link.day.isoformat(),
            timeout=WAIT_MS,
        )
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
