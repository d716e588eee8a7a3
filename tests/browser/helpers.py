"""Reading and driving the map inside its iframe."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import FrameLocator, Locator, Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# The newest map: while a new dataset replaces the old one, both iframes exist for a moment.
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"] >> nth=-1'
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def map_frame(page: Page) -> FrameLocator:
    """The map's iframe."""
    return page.frame_locator(MAP_FRAME)


def map_container(page: Page) -> Locator:
    """The Leaflet container inside the map's iframe."""
    return map_frame(page).locator(".leaflet-container[data-flashpoint]")


def wait_for_map(page: Page, day: date | None = None) -> Locator:
    """Wait until the map has its events and shows a date (a given one, if named)."""
    page.locator(MAP_FRAME).wait_for(state="attached", timeout=60_000)
    container = map_container(page)
    expect(container).to_have_attribute("data-events", re.compile(r"^\d+$"), timeout=60_000)
    if day is None:
        expect(container).to_have_attribute("data-day", ISO_DAY, timeout=60_000)
    else:
        expect(container).to_have_attribute("data-day", day.isoformat(), timeout=60_000)
    return container


def wait_idle(page: Page) -> None:
    """Wait until the app has finished running (the page follows a settled date)."""
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=30_000)


def control(page: Page, name: str) -> Locator:
    """A part of the map's time control: prev, next, play, speed, slider, histogram."""
    return map_frame(page).locator(f".fp-{name}")


def click_event(page: Page, row: int) -> None:
    """Click the marker of a dataset row where it is drawn."""
    container = map_container(page)
    container.scroll_into_view_if_needed()
    expect(container).to_have_attribute("data-idle", "1")
    x, y = marker_point(page, row)
    box = container.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def marker_point(page: Page, row: int) -> tuple[float, float]:
    """Where the map draws a dataset row's marker, in the map container's pixels."""
    x, y = map_container(page).evaluate(
        """(el, row) => {
            const fp = window.flashpoint;
            const i = fp.ev.rowIndex.get(row);
            const p = fp.map.latLngToContainerPoint([fp.ev.lat[i] / 1e5, fp.ev.wx[i] * 360 - 180]);
            return [p.x, p.y];
        }""",
        row,
    )
    return float(x), float(y)


def count_page_requests(page: Page) -> list[str]:
    """Record what the page asks the server over the websocket, leaving out the reruns that
    fragments with their own timer ask for (following live data every few seconds)."""
    sent: list[str] = []
    timers: set[str] = set()

    def received(payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "auto_rerun":
                timers.add(msg.auto_rerun.fragment_id)

    def sent_frame(payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.fragment_id in timers:
                return
        sent.append("frame")

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", received)
        ws.on("framesent", sent_frame)

    page.on("websocket", watch)
    return sent
