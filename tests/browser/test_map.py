"""The dashboard in a real Chromium: markers per date, smooth scrubbing, clicks, share links."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from geo.dataset import Dataset
from tests.browser.helpers import (
    MAP_FRAME,
    click_event,
    day_number,
    drawn_markers,
    map_container,
    wait_for_map,
    wait_settled,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("day", [date(2019, 12, 27), date(2019, 12, 31), date(2020, 1, 3)])
def test_markers_at_three_dates(
    page: Page, server: str, bundled: Dataset, shots: Path, day: date
) -> None:
    expected = int(bundled.visible(day, "cumulative", 7, bundled.filter_mask()).sum())
    page.goto(f"{server}/?date={day.isoformat()}")
    container = wait_for_map(page, day)
    expect(container).to_have_attribute("data-visible", str(expected))
    assert drawn_markers(page) == expected
    page.screenshot(path=shots / f"markers-{day.isoformat()}.png", full_page=True)


def test_slider_step_updates_markers_without_reloading_the_map(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    start = date(2019, 12, 31)
    page.goto(f"{server}/?date={start.isoformat()}")
    container = wait_for_map(page, start)
    container.evaluate("() => { window.__sameMap = true; }")
    expect(container).to_have_attribute("data-idle", "1")
    wait_settled(page)
    container.evaluate(
        "() => { window.flashpoint.map.setView([34.5, 43.5], 8, {animate: false}); }"
    )
    before = drawn_markers(page)
    expect(page).to_have_url(re.compile(r"lat=34\.5000&lon=43\.5000&zoom=8"))
    wait_settled(page)

    slider = page.locator(".st-key-date input[type=range]")
    slider.focus()
    slider.press("ArrowLeft")
    expect(container).to_have_attribute("data-step", str(day_number(date(2019, 12, 30))))
    slider.press("ArrowLeft")
    earlier = date(2019, 12, 29)
    expect(container).to_have_attribute("data-step", str(day_number(earlier)))
    expected = int(bundled.visible(earlier, "cumulative", 7, bundled.filter_mask()).sum())
    assert drawn_markers(page) == expected < before
    assert container.evaluate("() => window.__sameMap === true"), "the map iframe reloaded"

    wait_settled(page)
    page.locator(".st-key-next button:visible").click()
    expect(container).to_have_attribute("data-step", str(day_number(date(2019, 12, 31))))
    assert container.evaluate("() => window.__sameMap === true"), "the map iframe reloaded"
    view = container.evaluate(
        "() => { const m = window.flashpoint.map; const c = m.getCenter();"
        " return [m.getZoom(), c.lat, c.lng]; }"
    )
    assert view == [8, pytest.approx(34.5, abs=1e-6), pytest.approx(43.5, abs=1e-6)]
    expect(page).to_have_url(re.compile(r"lat=34\.5000&lon=43\.5000&zoom=8"))
    expect(page.get_by_role("heading", name="Tue 31 Dec 2019")).to_be_visible()
    page.screenshot(path=shots / "after-stepping.png", full_page=True)


def test_clicking_a_marker_opens_the_detail_panel(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.goto(f"{server}/?date=2019-12-27&mode=window&window=1")
    container = wait_for_map(page, date(2019, 12, 27))
    expect(container).to_have_attribute("data-visible", "1")
    row = bundled.row_of_id["k1-rocket-attack"]
    click_event(page, row)
    panel = page.locator('.fp-detail[data-event-id="k1-rocket-attack"]')
    expect(panel).to_be_visible(timeout=20_000)
    expect(panel).to_contain_text("Fri 27 Dec 2019")
    expect(panel).to_contain_text("Sources differ")
    expect(page).to_have_url(re.compile(r"event=k1-rocket-attack"))
    expect(container).to_have_attribute("data-selected", str(row))
    page.screenshot(path=shots / "marker-clicked.png", full_page=True)


def test_share_url_opens_on_that_date_and_event(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    event = bundled.event("us-embassy-storming")
    assert event is not None
    page.goto(f"{server}/?date=2020-01-01&event=us-embassy-storming")
    wait_for_map(page, date(2020, 1, 1))
    expect(page.get_by_role("heading", name="Wed 1 Jan 2020")).to_be_visible()
    panel = page.locator('.fp-detail[data-event-id="us-embassy-storming"]')
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(event.title)
    page.screenshot(path=shots / "share-url.png", full_page=True)


def test_phone_width_renders_without_overlap(page: Page, server: str, shots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/?date=2019-12-31")
    wait_for_map(page, date(2019, 12, 31))
    parts = {
        "date": page.get_by_role("heading", name="Tue 31 Dec 2019"),
        "slider": page.locator(".st-key-date"),
        "map": page.locator(MAP_FRAME),
        "day panel": page.get_by_role("heading", name="On this day"),
    }
    boxes = {}
    for name, locator in parts.items():
        box = locator.bounding_box()
        assert box is not None, f"{name} is not laid out"
        assert box["x"] >= -1 and box["x"] + box["width"] <= 391, f"{name} is wider than the screen"
        boxes[name] = box
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = boxes[first], boxes[second]
            apart = (
                a["x"] + a["width"] <= b["x"] + 1
                or b["x"] + b["width"] <= a["x"] + 1
                or a["y"] + a["height"] <= b["y"] + 1
                or b["y"] + b["height"] <= a["y"] + 1
            )
            assert apart, f"{first} overlaps {second}"
    assert boxes["map"]["width"] >= 300
    assert drawn_markers(page) > 0
    page.screenshot(path=shots / "phone.png", full_page=True)


def test_map_loads_nothing_from_outside_the_machine(page: Page, server: str, shots: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/?date=2019-12-31")
    wait_for_map(page, date(2019, 12, 31))
    page.locator(".st-key-next button:visible").click()
    expect(map_container(page)).to_have_attribute("data-step", str(day_number(date(2020, 1, 1))))
    outside = [
        u for u in requests if not re.match(r"^(http://127\.0\.0\.1[:/]|data:|blob:|about:)", u)
    ]
    assert requests and not outside, f"requests left the machine: {outside}"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in requests)


def test_online_basemap_fetches_only_tiles(page: Page, server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/?date=2019-12-31&basemap=osm")
    wait_for_map(page, date(2019, 12, 31))
    expect(map_container(page).locator(".leaflet-tile").first).to_be_attached(timeout=20_000)
    outside = [
        u for u in requests if not re.match(r"^(http://127\.0\.0\.1[:/]|data:|blob:|about:)", u)
    ]
    assert outside, "the OpenStreetMap basemap requested no tiles"
    not_tiles = [
        u
        for u in outside
        if not re.match(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", u)
    ]
    assert not not_tiles, f"non-tile requests left the machine: {not_tiles}"


def test_readme_screenshot(page: Page, server: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 950})
    page.goto(f"{server}/?date=2020-01-03")
    container = wait_for_map(page, date(2020, 1, 3))
    assert drawn_markers(page) > 10
    expect(container.locator(".leaflet-fp-basemap-pane canvas")).to_be_attached()
    expect(container.locator(".fp-legend")).to_be_visible()
    page.screenshot(path=ROOT / "docs" / "screenshot.png")


def test_clicking_a_day_in_the_timeline_moves_the_date(page: Page, server: str) -> None:
    page.goto(f"{server}/?date=2020-01-03")
    container = wait_for_map(page, date(2020, 1, 3))
    container.evaluate("() => { window.__sameMap = true; }")
    bar = page.locator('.st-key-timeline_chart path[aria-label*="Day: Sun 29 Dec 2019"]').first
    bar.scroll_into_view_if_needed()
    wait_settled(page)
    bar.click()
    expect(container).to_have_attribute("data-step", str(day_number(date(2019, 12, 29))))
    expect(page.get_by_role("heading", name="Sun 29 Dec 2019")).to_be_visible()
    expect(page).to_have_url(re.compile(r"date=2019-12-29"))
    assert container.evaluate("() => window.__sameMap === true"), "the map iframe reloaded"


def test_choosing_a_row_of_the_event_list_selects_it(
    page: Page, server: str, bundled: Dataset
) -> None:
    day = date(2019, 12, 31)
    visible = bundled.visible(day, "cumulative", 7, bundled.filter_mask())
    newest_first = bundled.events.loc[visible, "id"].tolist()[::-1]
    page.goto(f"{server}/?date={day.isoformat()}")
    wait_for_map(page, day)
    grid = page.locator(".st-key-event_table [data-testid=stDataFrameResizable]")
    grid.scroll_into_view_if_needed()
    wait_settled(page)
    box = grid.bounding_box()
    assert box is not None
    row_height = 35
    page.mouse.click(box["x"] + 16, box["y"] + row_height * 2.5)
    second = newest_first[1]
    expect(page.locator(f'.fp-detail[data-event-id="{second}"]')).to_be_visible()
    expect(page).to_have_url(re.compile(rf"event={second}\b"))


def test_play_advances_through_the_dates_and_stops_at_the_end(
    page: Page, server: str, bundled: Dataset
) -> None:
    start = date(2019, 12, 31)
    page.goto(f"{server}/?date={start.isoformat()}")
    container = wait_for_map(page, start)
    wait_settled(page)
    page.locator(".st-key-play button:visible").click()
    expect(page.locator(".st-key-play button:visible")).to_contain_text("Pause")
    day = bundled.timeline.step(start, +1)
    while day is not None:
        expect(container).to_have_attribute("data-step", str(day_number(day)), timeout=10_000)
        day = bundled.timeline.step(day, +1)
    expect(page.locator(".st-key-play button:visible")).to_contain_text("Play", timeout=10_000)
    last = bundled.timeline.dates[-1]
    expect(container).to_have_attribute("data-step", str(int(last.astype("int64"))))
