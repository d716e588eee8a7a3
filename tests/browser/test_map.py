"""The dashboard in a real Chromium: time runs in the map, the page follows, links restore views."""

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
    control,
    count_page_requests,
    map_container,
    wait_for_map,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-output"


def shown(bundled: Dataset, day: date, mode: str = "cumulative", window: int = 7) -> int:
    return int(bundled.visible(day, mode, window, bundled.filter_mask()).sum())  # type: ignore[arg-type]


def side_heading(page: Page) -> str:
    """The detail panel's heading or the event list's count, as the page shows them."""
    return page.get_by_role("heading", name=re.compile(r"^Events shown")).inner_text()


@pytest.mark.parametrize("day", [date(2019, 12, 27), date(2019, 12, 31), date(2020, 1, 3)])
def test_markers_at_three_dates(
    page: Page, server: str, bundled: Dataset, shots: Path, day: date
) -> None:
    page.goto(f"{server}/?date={day.isoformat()}")
    container = wait_for_map(page, day)
    expect(container).to_have_attribute("data-visible", str(shown(bundled, day)))
    heading = map_container(page).locator(".fp-heading-date")
    expect(heading).to_have_text(f"{day:%a} {day.day} {day:%b %Y}")
    page.screenshot(path=shots / f"markers-{day.isoformat()}.png", full_page=True)


def test_the_map_follows_the_thumb_while_it_is_held_and_the_page_when_it_stops(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 950})
    page.goto(f"{server}/?date=2020-01-03")
    container = wait_for_map(page, date(2020, 1, 3))
    container.evaluate("() => { window.__sameMap = true; }")
    wait_idle(page)
    slider = control(page, "slider")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 4, y)
    page.mouse.down()
    seen: list[str] = ["2020-01-03"]
    for share in (0.85, 0.55, 0.3):
        page.mouse.move(box["x"] + box["width"] * share, y, steps=4)
        expect(container).not_to_have_attribute("data-day", seen[-1])
        seen.append(str(container.get_attribute("data-day")))
    seen = seen[1:]
    assert len(set(seen)) == 3 and "2020-01-03" not in seen, seen
    day = date.fromisoformat(seen[-1])
    expect(container).to_have_attribute("data-visible", str(shown(bundled, day)))
    # Still held down: once the thumb rests, the page and the address follow.
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"), timeout=5_000)
    expect(page.get_by_role("heading", name=re.compile(r"^Events shown"))).to_have_text(
        f"Events shown ({shown(bundled, day)})"
    )
    page.mouse.up()
    assert container.evaluate("() => window.__sameMap === true"), "the map iframe reloaded"
    page.screenshot(path=shots / "after-dragging.png", full_page=True)


def test_keyboard_steps_days_weeks_and_ends(page: Page, server: str) -> None:
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page, date(2019, 12, 31))
    slider = control(page, "slider")
    slider.focus()
    for key, expected in [
        ("ArrowLeft", "2019-12-30"),
        ("ArrowRight", "2019-12-31"),
        ("End", "2020-01-03"),
        ("Home", "2019-12-27"),
        ("PageUp", "2020-01-03"),
    ]:
        slider.press(key)
        expect(container).to_have_attribute("data-day", expected)
    expect(slider).to_have_attribute("aria-valuetext", "Fri 3 Jan 2020")
    live = map_container(page).locator(".fp-sr-only[aria-live=polite]")
    expect(live).to_have_text("Fri 3 Jan 2020")
    expect(page).to_have_url(re.compile(r"date=2020-01-03"))


def test_step_buttons_keep_the_view_and_never_lose_a_click_after_a_pan(
    page: Page, server: str, bundled: Dataset
) -> None:
    """The pan-then-click race is gone: a pan reruns nothing, so no click is merged away."""
    page.goto(f"{server}/?date=2014-06-13")
    container = wait_for_map(page, date(2014, 6, 13))
    container.evaluate("() => { window.__sameMap = true; }")
    wait_idle(page)
    next_button = control(page, "next")
    expected = date(2014, 6, 13)
    for k in range(10):
        container.evaluate(
            "(k) => { window.flashpoint.map.panBy([k % 2 ? 40 : -40, 15], {animate: false}); }", k
        )
        next_button.click()
        following = bundled.timeline.adjacent_date(expected, +1)
        assert following is not None
        expected = following
        expect(container).to_have_attribute("data-day", expected.isoformat())
    expect(page).to_have_url(re.compile(rf"date={expected.isoformat()}"))
    expect(page).to_have_url(re.compile(r"lat=-?\d+\.\d{4}&lon=-?\d+\.\d{4}&zoom=\d+"))
    assert container.evaluate("() => window.__sameMap === true"), "the map iframe reloaded"


def test_clicking_a_marker_opens_the_detail_panel(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.goto(f"{server}/?date=2019-12-27&mode=window&window=1")
    container = wait_for_map(page, date(2019, 12, 27))
    expect(container).to_have_attribute("data-visible", "1")
    wait_idle(page)
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
    container = wait_for_map(page, date(2020, 1, 1))
    expect(container.locator(".fp-heading-date")).to_have_text("Wed 1 Jan 2020")
    panel = page.locator('.fp-detail[data-event-id="us-embassy-storming"]')
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(event.title)
    expect(container).to_have_attribute("data-selected", str(bundled.row_of_id[event.id]))
    page.screenshot(path=shots / "share-url.png", full_page=True)


VIEWS = [
    "date=2019-12-31",
    "date=2020-01-01&event=us-embassy-storming",
    "date=2019-12-30&types=Explosions%2FRemote+violence",
    "date=2020-01-02&mode=window&window=2&lat=33.3000&lon=44.4000&zoom=7",
]


@pytest.mark.parametrize("query", VIEWS)
def test_the_address_and_the_share_box_are_one_link(page: Page, server: str, query: str) -> None:
    page.goto(f"{server}/?{query}")
    wait_for_map(page)
    wait_idle(page)
    share = page.locator("details.fp-share")
    share.locator("summary").click()
    field = share.locator("input")
    expect(field).to_have_value(page.url)
    for part in query.split("&"):
        assert part in page.url, (part, page.url)


def test_phone_width_renders_without_overlap(page: Page, server: str, shots: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page, date(2019, 12, 31))
    frame_box = page.locator(MAP_FRAME).bounding_box()
    assert frame_box is not None and frame_box["width"] >= 300
    parts = {
        "date": container.locator(".fp-heading"),
        "time control": container.locator(".fp-time"),
        "zoom": container.locator(".leaflet-control-zoom"),
    }
    boxes = {}
    for name, locator in parts.items():
        box = locator.bounding_box()
        assert box is not None, f"{name} is not laid out"
        assert box["x"] >= frame_box["x"] - 1, f"{name} starts left of the map"
        assert box["x"] + box["width"] <= frame_box["x"] + frame_box["width"] + 1, name
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
    expect(control(page, "play")).to_have_text("▶ Play")
    page.screenshot(path=shots / "phone.png", full_page=True)


OUTSIDE = re.compile(r"^(http://127\.0\.0\.1[:/]|data:|blob:|about:)")


def test_map_loads_nothing_from_outside_the_machine(page: Page, server: str, shots: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page, date(2019, 12, 31))
    control(page, "next").click()
    expect(container).to_have_attribute("data-day", "2020-01-01")
    expect(page).to_have_url(re.compile(r"date=2020-01-01"))
    outside = [u for u in requests if not OUTSIDE.match(u)]
    assert requests and not outside, f"requests left the machine: {outside}"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in requests)
    assert any("/app/static/app/flashpoint.js?v=" in u for u in requests)
    assert any("/app/static/app/basemap.geojson?v=" in u for u in requests)


def test_online_basemap_fetches_only_tiles(page: Page, server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/?date=2019-12-31&basemap=osm")
    wait_for_map(page, date(2019, 12, 31))
    expect(map_container(page).locator(".leaflet-tile").first).to_be_attached(timeout=20_000)
    outside = [u for u in requests if not OUTSIDE.match(u)]
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
    expect(container.locator(".leaflet-fp-basemap-pane canvas")).to_be_attached()
    expect(container.locator(".fp-legend")).to_be_visible()
    wait_idle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshot.png")


def test_clicking_a_day_in_the_timeline_moves_the_date(page: Page, server: str) -> None:
    page.goto(f"{server}/?date=2020-01-03")
    container = wait_for_map(page, date(2020, 1, 3))
    histogram = control(page, "histogram")
    box = histogram.bounding_box()
    assert box is not None
    # The crisis runs 27 Dec - 3 Jan: eight days, the third is 29 Dec.
    histogram.click(position={"x": box["width"] * 2.5 / 8, "y": box["height"] / 2})
    expect(container).to_have_attribute("data-day", "2019-12-29")
    expect(page).to_have_url(re.compile(r"date=2019-12-29"))


def test_choosing_a_row_of_the_event_list_selects_it(
    page: Page, server: str, bundled: Dataset
) -> None:
    day = date(2019, 12, 31)
    visible = bundled.visible(day, "cumulative", 7, bundled.filter_mask())
    newest_first = bundled.events.loc[visible, "id"].tolist()[::-1]
    page.goto(f"{server}/?date={day.isoformat()}")
    container = wait_for_map(page, day)
    grid = page.locator(".st-key-event_table [data-testid=stDataFrameResizable]")
    grid.scroll_into_view_if_needed()
    wait_idle(page)
    box = grid.bounding_box()
    assert box is not None
    row_height = 35
    page.mouse.click(box["x"] + 16, box["y"] + row_height * 2.5)
    second = newest_first[1]
    expect(page.locator(f'.fp-detail[data-event-id="{second}"]')).to_be_visible()
    expect(page).to_have_url(re.compile(rf"event={second}\b"))
    expect(container).to_have_attribute("data-selected", str(bundled.row_of_id[second]))


def test_play_runs_in_the_browser_with_no_rerun_per_frame(
    page: Page, server: str, bundled: Dataset
) -> None:
    sent = count_page_requests(page)
    page.goto(f"{server}/?date=2019-12-27")
    container = wait_for_map(page, date(2019, 12, 27))
    wait_idle(page)
    before = len(sent)
    control(page, "play").click()
    expect(control(page, "play")).to_contain_text("Pause")
    day: date | None = date(2019, 12, 27)
    while day is not None and day < date(2020, 1, 1):
        day = bundled.timeline.adjacent_date(day, +1)
        if day is not None:
            expect(container).to_have_attribute("data-day", day.isoformat(), timeout=15_000)
    assert len(sent) == before, "playback asked the server for a rerun while it ran"
    expect(control(page, "play")).to_contain_text("Play", timeout=10_000)
    expect(page).to_have_url(re.compile(r"date=2020-01-03"))
    assert len(sent) > before, "the page never heard where playback stopped"
