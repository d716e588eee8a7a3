"""Embedding in Chromium: the share box's code frames the view; 640 by 480 holds it all."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from playwright.sync_api import FloatRect, Frame, Page, expect

from geo.dataset import Dataset
from tests.browser.helpers import wait_for_map, wait_idle

FRAME = {"width": 640, "height": 480}
VIEW = "date=2019-12-27&event=k1-rocket-attack"


def embed_code(page: Page) -> str:
    """The embed code the share box offers for the page's view."""
    share = page.locator("details.fp-share")
    share.locator("summary").click()
    code = share.locator(".fp-share-embed textarea")
    expect(code).to_have_value(re.compile(r"^<iframe "))
    return code.input_value()


def inside(inner: FloatRect | None, width: float, height: float) -> bool:
    """A box (in the embedded page's coordinates) lies wholly within the frame."""
    assert inner is not None, "not laid out"
    return (
        inner["x"] >= -1
        and inner["y"] >= -1
        and inner["x"] + inner["width"] <= width + 1
        and inner["y"] + inner["height"] <= height + 1
    )


def embedded_page(page: Page) -> Frame:
    """The dashboard's frame inside the host page."""
    handle = page.locator("iframe#host").element_handle()
    frame = handle.content_frame()
    assert frame is not None, "the host page's frame did not load"
    return frame


def test_the_embed_code_shows_map_date_control_and_detail_in_640_by_480(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.goto(f"{server}/?{VIEW}")
    wait_for_map(page)
    wait_idle(page)
    code = embed_code(page)
    src = re.search(r'src="([^"]+)"', code)
    assert src is not None, code
    url = unescape(src.group(1))
    assert "embed=true" in url and "event=k1-rocket-attack" in url and "date=2019-12-27" in url
    assert 'width="640"' in code and 'height="480"' in code and "title=" in code

    page.set_viewport_size({"width": 700, "height": 560})
    host = code.replace("<iframe ", '<iframe id="host" name="host" ', 1)
    page.set_content(f"<!doctype html><body style='margin:0'>{host}</body>")
    frame = embedded_page(page)
    map_frame = frame.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    container = map_frame.locator(".leaflet-container[data-flashpoint]")
    expect(container).to_have_attribute("data-day", "2019-12-27", timeout=60_000)
    event = bundled.event("k1-rocket-attack")
    assert event is not None
    title = frame.locator(".fp-detail .fp-title")
    expect(title).to_have_text(event.title, timeout=30_000)
    expect(frame.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(frame.locator(".st-key-story_start")).to_have_count(0)

    page.screenshot(path=shots / "embed-640x480.png")
    parts = {
        "map": frame.locator('iframe[title="streamlit_folium.st_folium"]'),
        "detail title": title,
        "detail": frame.locator(".st-key-embed [data-testid='stColumn']").last,
    }
    for name, part in parts.items():
        assert inside(part.bounding_box(), 700, 560), name
    iframe_box = page.locator("iframe#host").bounding_box()
    assert iframe_box is not None
    for name, part in parts.items():
        box = part.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= iframe_box["y"] + 480 + 1, f"the {name} is cut"
        assert box["x"] + box["width"] <= iframe_box["x"] + 640 + 1, f"the {name} is cut"
    for name in ("fp-time", "fp-heading", "fp-slider", "fp-next"):
        box = map_frame.locator(f".{name}").bounding_box()
        assert box is not None, name
        assert box["y"] + box["height"] <= iframe_box["y"] + 480 + 1, f"the {name} is cut"
        assert box["x"] + box["width"] <= iframe_box["x"] + 640 + 1, f"the {name} is cut"
    map_box = parts["map"].bounding_box()
    assert map_box is not None
    for name in ("fp-heading", "fp-time", "leaflet-control-zoom", "leaflet-control-attribution"):
        box = map_frame.locator(f".{name}").bounding_box()
        assert box is not None
        point = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - iframe_box["y"]]
        on_top = frame.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", point)
        assert on_top == "IFRAME", f"the {name} is covered by a {on_top}"
    scroll = frame.evaluate("() => [document.scrollingElement.scrollHeight, innerHeight]")
    assert scroll[0] <= scroll[1] + 1, f"the embedded page scrolls: {scroll}"

    map_frame.locator(".fp-next").click()
    expect(container).not_to_have_attribute("data-day", "2019-12-27")
    expect(frame.locator(".fp-detail .fp-title")).to_have_text(event.title)
    expect(frame.locator(".st-key-embed")).to_be_visible()
    assert "embed=true" in frame.url, frame.url
