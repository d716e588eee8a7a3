"""A phone (390 by 844) in Chromium: the heading in full, every label whole, the legend folded."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FloatRect, Locator, Page, ViewportSize, expect

from tests.browser.helpers import MAP_FRAME, map_container, wait_for_map, wait_idle

PHONE = ViewportSize(width=390, height=844)

# Labels not shown whole, in the map's controls and on the page (a closed sidebar lies off screen).
CUT_LABELS = """root => Array.from(root.querySelectorAll("button, summary, "
        + ".fp-heading-date, .fp-heading-counts, [data-testid=stMarkdownContainer] p"))
    .filter(el => el.offsetParent !== null && el.clientWidth > 0)
    .filter(el => el.getBoundingClientRect().right > 0)
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
        && getComputedStyle(el).overflow !== "visible")
    .map(el => el.className + ": " + (el.textContent || "").trim().slice(0, 40))"""


def box_of(locator: Locator) -> FloatRect:
    """Where a part is laid out, in page coordinates."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not laid out"
    return box


def apart(a: FloatRect, b: FloatRect) -> bool:
    """Two boxes do not overlap (touching is fine)."""
    return (
        a["x"] + a["width"] <= b["x"] + 1
        or b["x"] + b["width"] <= a["x"] + 1
        or a["y"] + a["height"] <= b["y"] + 1
        or b["y"] + b["height"] <= a["y"] + 1
    )


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    """A box lies wholly within another."""
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


@pytest.mark.parametrize("lang", ["en", "ar", "fa"])
def test_phone_shows_the_heading_whole_labels_and_a_folded_legend(
    page: Page, server: str, shots: Path, lang: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/?date=2019-12-31&lang={lang}")
    container = wait_for_map(page, date(2019, 12, 31))
    wait_idle(page)
    frame = box_of(page.locator(MAP_FRAME))
    toolbar = box_of(page.locator('[data-testid="stHeader"]'))
    # The first element shown: the load bar's slot before it is hidden while no load runs.
    shown = '[data-testid="stMainBlockContainer"] .stElementContainer >> visible=true'
    first = box_of(page.locator(shown).first)
    assert first["y"] >= toolbar["y"] + toolbar["height"] - 1, "the page starts under the toolbar"

    legend = container.locator(".fp-legend")
    expect(legend).not_to_have_attribute("open", "")
    parts: dict[str, Any] = {
        "date heading": container.locator(".fp-heading"),
        "legend button": legend.locator("summary"),
        "time control": container.locator(".fp-time"),
        "zoom": container.locator(".leaflet-control-zoom"),
        "image button": container.locator(".fp-image"),
        "scale": container.locator(".leaflet-control-scale"),
        "attribution": container.locator(".leaflet-control-attribution"),
    }
    boxes = {name: box_of(part) for name, part in parts.items()}
    for name, box in boxes.items():
        assert inside(box, frame), f"the {name} is cut by the map's edge"
    names = list(boxes)
    for i, one in enumerate(names):
        for other in names[i + 1 :]:
            assert apart(boxes[one], boxes[other]), f"the {one} overlaps the {other}"
    assert container.evaluate(CUT_LABELS) == []
    assert page.locator("body").evaluate(CUT_LABELS) == []
    sidebar = box_of(page.locator('[data-testid="stSidebar"]'))
    assert sidebar["x"] + sidebar["width"] <= 1, "the closed sidebar shows over the page"
    page.screenshot(path=shots / f"phone-folded-{lang}.png")

    legend.locator("summary").click()
    expect(legend).to_have_attribute("open", "")
    assert inside(box_of(legend), frame), "the open legend is cut by the map's edge"
    assert apart(box_of(legend), boxes["date heading"])
    page.screenshot(path=shots / f"phone-legend-open-{lang}.png")
    legend.locator("summary").click()
    expect(legend).not_to_have_attribute("open", "")
    assert map_container(page).locator(".fp-legend-row").first.is_hidden()
