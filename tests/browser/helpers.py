"""Reading and driving the map inside its iframe."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

# The newest map: while a new dataset replaces the old one, both iframes exist for a moment.
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"] >> nth=-1'
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """The number the map publishes in data-step for a date."""
    return (day - EPOCH).days


def map_container(page: Page) -> Locator:
    """The Leaflet container inside the map's iframe."""
    return page.frame_locator(MAP_FRAME).locator(".leaflet-container[data-flashpoint]")


def wait_for_map(page: Page, day: date | None = None) -> Locator:
    """Wait until the map has drawn a step (for a given date, if named)."""
    page.locator(MAP_FRAME).wait_for(state="attached", timeout=60_000)
    container = map_container(page)
    if day is None:
        expect(container).to_have_attribute("data-step", re.compile(r"^\d+$"), timeout=60_000)
    else:
        expect(container).to_have_attribute("data-step", str(day_number(day)), timeout=60_000)
    return container


def wait_settled(page: Page) -> None:
    """Wait until the map has reported its first view and the app has finished running.

    A click that lands while the map's view report reruns the app can be lost (a known
    race between two reruns); users rarely click within that quarter second, tests would.
    """
    expect(page).to_have_url(re.compile(r"[?&]zoom="), timeout=30_000)
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=30_000)


def drawn_markers(page: Page) -> int:
    """How many events the event layer holds on the map right now."""
    return int(map_container(page).evaluate("() => window.flashpoint.items.size"))


def click_event(page: Page, row: int) -> None:
    """Click the marker of a dataset row where it is drawn."""
    container = map_container(page)
    container.scroll_into_view_if_needed()
    expect(container).to_have_attribute("data-idle", "1")
    wait_settled(page)
    x, y = container.evaluate(
        """(el, row) => {
            const fp = window.flashpoint;
            const item = fp.items.get(row);
            const p = fp.map.latLngToContainerPoint(item.marker.getLatLng());
            return [p.x, p.y];
        }""",
        row,
    )
    box = container.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
