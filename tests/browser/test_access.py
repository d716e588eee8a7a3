"""Accessibility in Chromium: axe-core finds nothing moderate or worse, the keyboard walks the
main path with focus always in sight, motion follows the reader's setting, the list names itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from geo.dataset import Dataset
from tests.browser.access import axe_violations, focused, map_document
from tests.browser.helpers import map_container, wait_for_map, wait_idle
from tests.browser.test_story import STORY

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1400, height=950)
MAX_TABS = 90

STATES = [
    pytest.param(DESKTOP, "?date=2020-01-03", ".fp-heading", id="default-view"),
    pytest.param(DESKTOP, "?date=2019-12-27&event=k1-rocket-attack", ".fp-detail", id="event"),
    pytest.param(DESKTOP, f"?story={STORY.main_steps[2].number}", ".fp-story", id="story"),
    pytest.param(PHONE, "?date=2019-12-31", ".fp-heading", id="phone"),
    pytest.param(DESKTOP, "?lang=ar&date=2019-12-27&event=k1-rocket-attack", ".fp-detail", id="ar"),
    pytest.param(PHONE, "?lang=fa&date=2019-12-31", ".fp-heading", id="fa-phone"),
]


@pytest.mark.parametrize(("viewport", "query", "shown"), STATES)
def test_axe_finds_no_moderate_or_worse_violation(
    page: Page,
    server: str,
    shots: Path,
    request: pytest.FixtureRequest,
    viewport: ViewportSize,
    query: str,
    shown: str,
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{server}/{query}")
    wait_for_map(page)
    wait_idle(page)
    target = page.locator(shown) if shown != ".fp-heading" else map_container(page).locator(shown)
    expect(target.first).to_be_visible()
    violations = axe_violations(page)
    page.screenshot(path=shots / f"axe-{request.node.callspec.id}.png")
    assert violations == [], "\n".join(
        f"{v['where']}: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in violations
    )


def tab_until(page: Page, wanted: Callable[[dict[str, Any]], bool], seen: list[Any]) -> None:
    """Press Tab until the focus satisfies `wanted`; every stop on the way must show focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        where = focused(page)
        if where["tag"] != "BODY":
            seen.append(where)
            assert where["outline"] >= 2, f"focus is not visible on {where}"
        if wanted(where):
            return
    raise AssertionError(f"Tab never reached the element; it went through {seen[-12:]}")


def in_map(cls: str) -> Callable[[dict[str, Any]], bool]:
    """The map's control of this class has the focus."""
    return lambda where: bool(where["frames"]) and cls in where["cls"].split()


def test_keyboard_alone_walks_dates_list_and_story(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page, date(2019, 12, 31))
    wait_idle(page)
    days = sorted({d.isoformat() for d in bundled.events["event_date"].dt.date})
    after = [d for d in days if d > "2019-12-31"]
    seen: list[Any] = []

    tab_until(page, in_map("fp-next"), seen)
    page.keyboard.press("Enter")
    expect(container).to_have_attribute("data-day", after[0])
    page.keyboard.press("Enter")
    expect(container).to_have_attribute("data-day", after[1])
    tab_until(page, in_map("fp-slider"), seen)
    page.keyboard.press("ArrowLeft")
    before = (date.fromisoformat(after[1]) - timedelta(days=1)).isoformat()
    expect(container).to_have_attribute("data-day", before)
    expect(page).to_have_url(re.compile(rf"date={before}"))
    wait_idle(page)

    # The event list: the grid takes arrow keys, Shift+Space chooses the row under the cursor.
    tab_until(page, lambda where: where["tag"] == "CANVAS" and not where["frames"], seen)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Space")
    expect(page).to_have_url(re.compile(r"[?&]event=[^&]+"), timeout=10_000)
    chosen = re.search(r"[?&]event=([^&]+)", page.url)
    assert chosen is not None
    event = bundled.event(chosen.group(1))
    assert event is not None
    expect(page.locator(".fp-detail .fp-title")).to_have_text(event.title)

    tab_until(page, lambda where: where["name"].endswith("Tell me the story"), seen)
    page.keyboard.press("Enter")
    first, second = STORY.main_steps[0], STORY.main_steps[1]
    expect(page.locator(f'.fp-story[data-story-step="{first.number}"]')).to_be_visible()
    tab_until(page, lambda where: where["name"].endswith("Next"), seen)
    page.keyboard.press("Enter")
    expect(page.locator(f'.fp-story[data-story-step="{second.number}"]')).to_be_visible()
    expect(container).to_have_attribute("data-day", second.date.isoformat())
    page.screenshot(path=shots / "keyboard-story.png")
    assert any(where["frames"] for where in seen) and any(not w["frames"] for w in seen)


def test_reduced_motion_jumps_where_it_would_fly(page: Page, server: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page)
    wait_idle(page)
    expect(container).to_have_attribute("data-motion", "reduced")
    frame = map_document(page)
    frame.evaluate(
        """() => {
            const map = window.flashpoint.map;
            window.__moves = [];
            for (const name of ["flyToBounds", "flyTo", "fitBounds"]) {
                const original = map[name].bind(map);
                map[name] = (...args) => { window.__moves.push(name); return original(...args); };
            }
        }"""
    )
    page.locator(".st-key-story_start button:visible").click()
    first = STORY.main_steps[0]
    expect(page.locator(f'.fp-story[data-story-step="{first.number}"]')).to_be_visible()
    frame.wait_for_function("() => window.__moves.length > 0")
    assert frame.evaluate("() => window.__moves") == ["fitBounds"]
    transition = frame.evaluate(
        "() => getComputedStyle(document.querySelector('.leaflet-map-pane')).transitionDuration"
    )
    assert transition in ("0s", ""), transition


def test_the_map_and_the_list_name_each_other_for_screen_readers(page: Page, server: str) -> None:
    page.goto(f"{server}/?date=2019-12-31")
    container = wait_for_map(page)
    expect(container).to_have_attribute("role", "main")
    expect(container).to_have_attribute("aria-label", re.compile(r"event list .* as text"))
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last
    expect(frame).to_have_attribute("aria-label", "Map of the events")
    expect(page.get_by_text(re.compile(r"^The map as text: its events as a list"))).to_be_visible()
