"""Story mode in Chromium: one button starts the tour; each step flies, highlights and links."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from geo.dataset import Dataset
from geo.story import Story, load_story
from tests.browser.helpers import map_container, wait_for_map


def shipped_story() -> Story:
    """The story that comes with the bundled dataset."""
    story, problems = load_story(Path(__file__).resolve().parents[2] / "data" / "story.json")
    assert story is not None, problems
    return story


STORY = shipped_story()


def map_shows(page: Page, bundled: Dataset, event_ids: tuple[str, ...]) -> None:
    """Wait until the map's view contains every event of a step (the fly has landed)."""
    points = []
    for event_id in event_ids:
        event = bundled.event(event_id)
        assert event is not None
        lon, lat = event.geometry.coords[-1][:2]
        points.append([lat, lon])
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function(
        """points => window.flashpoint &&
            points.every(p => window.flashpoint.map.getBounds().contains(p))""",
        arg=points,
        timeout=20_000,
    )


def test_story_steps_fly_highlight_and_link(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.goto(server)
    wait_for_map(page)
    page.locator(".st-key-story_start button:visible").click()
    first = STORY.main_steps[0]
    card = page.locator(f'.fp-story[data-story-step="{first.number}"]')
    expect(card).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(rf"story={first.number}\b"))

    k1 = next(s for s in STORY.main_steps if "k1-rocket-attack" in s.events)
    for step in STORY.main_steps[1:]:
        page.locator(".st-key-story_next button:visible").click()
        expect(page.locator(f'.fp-story[data-story-step="{step.number}"]')).to_be_visible()
        if step == k1:
            break
    container = map_container(page)
    expect(page.locator(f'.fp-story[data-story-step="{k1.number}"]')).to_be_visible()
    expect(container).to_have_attribute("data-day", k1.date.isoformat())
    expect(page).to_have_url(re.compile(rf"story={k1.number}\b"))
    map_shows(page, bundled, k1.events)
    focused = container.evaluate("() => Array.from(window.flashpoint.highlight)")
    assert sorted(focused) == sorted(bundled.row_of_id[e] for e in k1.events)
    page.screenshot(path=shots / "story-step.png")


def test_story_link_opens_on_its_step(page: Page, server: str, bundled: Dataset) -> None:
    step = STORY.main_steps[-2]
    page.goto(f"{server}/?story={step.number}")
    expect(page.locator(f'.fp-story[data-story-step="{step.number}"]')).to_be_visible(
        timeout=30_000
    )
    wait_for_map(page, step.date)
    map_shows(page, bundled, step.events)
