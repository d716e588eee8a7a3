"""A crowded map in Chromium: clusters with counts at a low zoom, markers at a high one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

from bench.synthetic import generate_events, write_csv
from geo.payload import AGGREGATE_ABOVE
from harness.server import DashboardServer
from tests.browser.access import axe_violations
from tests.browser.helpers import control, map_container, map_frame, wait_for_map, wait_idle

SIZE: Final = 20_000
# Every 33rd event happens at one place, as in an export that puts a town's events on its centre:
# more than the threshold, so even the closest view of it is crowded.
STACK_EVERY: Final = 33
STACK_LON, STACK_LAT = 42.5, 31.5
STACKED: Final = len(range(0, SIZE, STACK_EVERY))
LAST_DAY: Final = "2024-12-31"
# The synthetic region (lon 35-60, lat 25-40) whole in the map.
REGION: Final = f"lat=32.5&lon=47.5&zoom=4&date={LAST_DAY}"

# What the last frame drew, in the map container's pixels (clusters.js's drawnClusters).
DRAWN_JS: Final = "() => window.flashpoint.aggregation.drawnClusters()"


@pytest.fixture(scope="module")
def crowded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events, lines = generate_events(SIZE)
    stack = np.arange(0, SIZE, STACK_EVERY)
    events.loc[stack, ["longitude", "latitude"]] = [STACK_LON, STACK_LAT]
    events.loc[stack, ["country", "location"]] = ["Iraq", "Stack site"]
    kept = {row: line for row, line in lines.items() if row % STACK_EVERY}
    path = tmp_path_factory.mktemp("crowded") / "crowded.csv"
    write_csv(events, kept, path)
    return path


@pytest.fixture(scope="module")
def crowded(crowded_file: Path) -> Iterator[str]:
    with DashboardServer(crowded_file) as dashboard:
        yield dashboard.url


def open_crowded(page: Page, url: str, query: str = REGION) -> Locator:
    page.set_viewport_size({"width": 1400, "height": 950})
    page.goto(f"{url}/?{query}")
    container = wait_for_map(page)
    expect(container).to_have_attribute("data-cluster-index", "ready", timeout=60_000)
    expect(container).to_have_attribute("data-clusters", re.compile(r"^[1-9]\d*$"))
    return container


def drawn(container: Locator) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = container.evaluate(DRAWN_JS)
    return items


def set_view(container: Locator, lat: float, lon: float, zoom: int) -> None:
    container.evaluate(
        "(el, v) => window.flashpoint.map.setView([v[0], v[1]], v[2], {animate: false})",
        [lat, lon, zoom],
    )


def test_a_crowded_view_draws_clusters_and_a_close_view_markers(
    page: Page, crowded: str, shots: Path
) -> None:
    container = open_crowded(page, crowded)
    expect(container).to_have_attribute("data-visible", str(SIZE))
    assert int(str(container.get_attribute("data-in-view"))) > AGGREGATE_ABOVE
    items = drawn(container)
    # Every visible event is counted once, in a circle or as a lone marker.
    assert sum(item["count"] for item in items) == SIZE
    circles = [item for item in items if item["event"] < 0]
    assert len(circles) == int(str(container.get_attribute("data-clusters")))
    assert max(item["count"] for item in circles) > 500
    legend = map_frame(page).locator(".fp-legend-cluster")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Circle with a number: that many events here")
    page.screenshot(path=shots / "clusters-region.png", full_page=True)

    # While an index is built, a grid of the screen stands in, drawn and clicked the same way.
    interim = container.evaluate(
        "() => { const a = window.flashpoint.aggregation; a.items = null; window.flashpoint.draw();"
        " return a.drawnClusters(); }"
    )
    assert interim and all(item["interim"] for item in interim)
    assert sum(item["count"] for item in interim) == SIZE
    click_at(page, container, max(interim, key=lambda item: item["count"]))
    expect(container).to_have_attribute("data-cluster-zoom", "6")

    set_view(container, 33.2, 44.2, 13)
    expect(container).to_have_attribute("data-cluster-zoom", "13")
    expect(container).to_have_attribute("data-clusters", "0")
    assert 0 < int(str(container.get_attribute("data-in-view"))) <= AGGREGATE_ABOVE
    page.screenshot(path=shots / "clusters-zoomed-in.png", full_page=True)


def test_clusters_follow_the_date_without_a_new_index(page: Page, crowded: str) -> None:
    container = open_crowded(page, crowded)
    before = sum(item["count"] for item in drawn(container))
    for _ in range(3):
        control(page, "prev").click()
    expect(container).not_to_have_attribute("data-day", LAST_DAY)
    visible = int(str(container.get_attribute("data-visible")))
    after = sum(item["count"] for item in drawn(container))
    assert after == visible < before == SIZE
    # The last 30 days only: the counts take off what ended before the window opens.
    windowed = container.evaluate(
        "() => { const fp = window.flashpoint; fp.mode = 'window'; fp.windowDays = 30; fp.draw();"
        " return [fp.counts().shown, fp.aggregation.drawnClusters()]; }"
    )
    assert 0 < windowed[0] < visible
    assert sum(item["count"] for item in windowed[1]) == windowed[0]
    container.evaluate("() => { window.flashpoint.mode = 'cumulative'; window.flashpoint.draw(); }")
    control(page, "slider").focus()
    control(page, "slider").press("Home")
    expect(container).to_have_attribute("data-day", "2024-01-01")
    expect(container).to_have_attribute("data-clusters", "0")
    assert int(str(container.get_attribute("data-in-view"))) <= AGGREGATE_ABOVE
    assert container.evaluate("() => window.flashpoint.aggregation.builds") == 1


def click_at(page: Page, container: Locator, item: dict[str, Any]) -> None:
    box = container.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + item["x"], box["y"] + item["y"])


def test_clicking_a_cluster_zooms_to_where_it_splits(page: Page, crowded: str) -> None:
    container = open_crowded(page, crowded)
    wait_idle(page)
    items = [c for c in drawn(container) if c["event"] < 0 and c["expand"] <= 18]
    target = max(items, key=lambda c: c["count"])
    click_at(page, container, target)
    expect(container).to_have_attribute("data-cluster-zoom", str(target["expand"]))
    expect(page).to_have_url(re.compile(rf"zoom={target['expand']}"))


def test_a_same_place_cluster_lists_its_events_and_choosing_one_selects_it(
    page: Page, crowded: str, shots: Path
) -> None:
    container = open_crowded(
        page, crowded, f"lat={STACK_LAT}&lon={STACK_LON}&zoom=15&date={LAST_DAY}"
    )
    wait_idle(page)
    stacks = [c for c in drawn(container) if c["event"] < 0 and c["expand"] > 18]
    assert [c["count"] for c in stacks] == [STACKED]
    click_at(page, container, stacks[0])
    dialog = map_frame(page).get_by_role("dialog", name=f"{STACKED} events at this place")
    expect(dialog).to_be_visible()
    rows = dialog.locator(".fp-cluster-list-row")
    expect(rows).to_have_count(100)
    expect(dialog).to_contain_text(f"The 100 latest of {STACKED} are listed")
    expect(rows.first).to_be_focused()
    expect(rows.first).to_contain_text("Tue 31 Dec 2024")
    page.screenshot(path=shots / "clusters-list.png", full_page=True)
    assert axe_violations(page) == []
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_be_focused()
    chosen = int(str(rows.nth(1).get_attribute("data-row")))
    page.keyboard.press("Enter")
    expect(container).to_have_attribute("data-selected", str(chosen))
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    panel = page.locator(".fp-detail[data-event-id]")
    expect(panel).to_be_visible(timeout=20_000)
    expect(panel).to_contain_text("Stack site")
    expect(page).to_have_url(re.compile(r"event="))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_the_bundled_events_are_never_clustered(page: Page, server: str) -> None:
    page.goto(server)
    container = wait_for_map(page)
    expect(container).to_have_attribute("data-cluster-index", "off")
    for day in ("2019-12-27", "2020-01-03"):
        container.evaluate("(el, d) => window.flashpoint.setDay(Date.parse(d) / 864e5, true)", day)
        expect(container).to_have_attribute("data-day", day)
        expect(container).to_have_attribute("data-clusters", "0")
    expect(map_container(page).locator(".fp-legend-cluster")).to_be_hidden()
