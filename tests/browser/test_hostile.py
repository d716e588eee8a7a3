"""Hostile links and uploads in Chromium: Markdown, images and HTML from outside stay text.

Every payload points at evil.example. Each test records every request the page (and the
map's frame) makes to that host, and fails on any; it also fails on any link or image in
any frame that points there. The payloads go through the address (notices), an upload's
file name and column names (the report and the error), a dataset's focus label, its actor
and country values (filter menus), and its story's titles and captions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from playwright.sync_api import Page, Request, Route, expect

from harness.server import DashboardServer
from tests.browser.helpers import map_frame, wait_for_map, wait_idle


def to_attacker(url: str) -> bool:
    """Whether a request goes to the attacker's host (the address may only mention it)."""
    return (urlparse(url).hostname or "").endswith("evil.example")


LINK = "[Session expired - sign in](https://evil.example/login)"
IMAGE = "![x](https://evil.example/x.png)"
HTML = '<img src="https://evil.example/h.png">'
BARE = "https://evil.example/bare www.evil.example"
JOINER = "\u2060"  # what ui.text.plain puts inside "https://" so that it is not linked
SHORT_LINK = "[Sign in](https:evil.example)"
PAYLOADS = [LINK, IMAGE, HTML, BARE]


@pytest.fixture
def attacker(page: Page) -> Iterator[list[str]]:
    """Every request to the attacker's host, which is aborted (it must never be asked)."""
    seen: list[str] = []

    def record(route: Route, request: Request) -> None:
        seen.append(request.url)
        route.abort()

    page.context.route(to_attacker, record)
    yield seen
    page.context.unroute(to_attacker)


def assert_no_attacker(page: Page, seen: list[str]) -> None:
    """No link or image in any frame points at the attacker, and no request went there."""
    settled(page)
    for frame in page.frames:
        if frame.is_detached():  # an old map, replaced while the new dataset was drawn
            continue
        for selector in (
            'a[href*="evil.example"]',
            'img[src*="evil.example"]',
            "a[href^='https:evil']",
        ):
            assert frame.locator(selector).count() == 0, (frame.url, selector)
    assert seen == []


def settled(page: Page) -> None:
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=60_000)


def test_notices_from_the_address_are_text(page: Page, server: str, attacker: list[str]) -> None:
    query = urlencode({"event": LINK, "date": IMAGE, "types": HTML, "basemap": BARE})
    page.goto(f"{server}/?{query}")
    toasts = page.locator('[data-testid="stToast"]')
    expect(toasts).to_have_count(4, timeout=60_000)
    # Read the toasts while they are up (they fade after a few seconds).
    text = " ".join(toasts.all_inner_texts()).replace(JOINER, "")
    assert toasts.locator("a, img").count() == 0
    for payload in PAYLOADS:
        assert payload in text, (payload, text)
    wait_for_map(page)
    assert_no_attacker(page, attacker)


def test_an_upload_name_and_its_column_names_are_text(
    page: Page, server: str, attacker: list[str], tmp_path: Path
) -> None:
    page.goto(server)
    wait_for_map(page)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    good = b"lat,lon,date,name\n33.3,44.4,2021-03-01,March\n"
    uploader.set_input_files({"name": f"{SHORT_LINK}.csv", "mimeType": "text/csv", "buffer": good})
    expect(page.get_by_text(f"{SHORT_LINK}.csv: 1 events")).to_be_visible(timeout=30_000)
    wait_for_map(page)
    assert_no_attacker(page, attacker)

    page.locator(".st-key-clear_upload button").click()
    expect(page.get_by_text("locations.geojson: 26 events")).to_be_visible(timeout=30_000)
    wait_for_map(page)
    wait_idle(page)
    header = ",".join('"' + p.replace('"', '""') + '"' for p in PAYLOADS)
    bad = f"{header}\n1,2,3,4\n".encode()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "columns.csv", "mimeType": "text/csv", "buffer": bad}
    )
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("no column found", timeout=30_000)
    shown = error.inner_text().replace(JOINER, "")
    for payload in PAYLOADS:
        assert payload.lower() in shown, (payload, shown)
    assert_no_attacker(page, attacker)


def hostile_dataset(folder: Path) -> Path:
    """Events whose actors, countries and story speak Markdown, with a Markdown focus label."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [44 + i, 33]},
            "properties": {
                "id": f"e{i}",
                "title": payload,
                "event_date": f"2021-01-0{i + 1}",
                "event_type": "Protests",
                "actor1": payload,
                "country": payload,
            },
        }
        for i, payload in enumerate(PAYLOADS)
    ]
    doc = {
        "type": "FeatureCollection",
        "flashpoint": {
            "focus": {"start": "2021-01-02", "end": "2021-01-04", "label": SHORT_LINK},
            "story": "story.json",
        },
        "features": features,
    }
    story = {
        "title": LINK,
        "steps": [
            {
                "title": payload,
                "date": f"2021-01-0{i + 1}",
                "events": [f"e{i}"],
                "quote_event": f"e{i}",
                "caption": f"{payload} {HTML}",
            }
            for i, payload in enumerate(PAYLOADS)
        ],
    }
    (folder / "story.json").write_text(json.dumps(story), encoding="utf-8")
    path = folder / "hostile.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def markdown_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = hostile_dataset(tmp_path_factory.mktemp("markdown"))
    with DashboardServer(path) as dashboard:
        yield dashboard.url


def test_focus_label_filters_and_story_are_text(
    page: Page, markdown_server: str, attacker: list[str], shots: Path
) -> None:
    page.goto(markdown_server)
    wait_for_map(page)
    wait_idle(page)
    # The focus label is a button of the map's time control, set as text.
    expect(map_frame(page).get_by_text(SHORT_LINK, exact=True)).to_be_visible()
    assert_no_attacker(page, attacker)

    for label in ("Actor (all when empty)", "Country (all when empty)"):
        field = page.get_by_label(label)
        field.click()
        field.press("ArrowDown")  # opens the menu whether the click opened it or focused it
        # A multiselect's options are plain text in Streamlit: shown as given, never escaped.
        menu = page.locator('[role="listbox"]')
        for payload in PAYLOADS:
            expect(menu).to_contain_text(f"{payload} (1)")
        assert_no_attacker(page, attacker)
        page.screenshot(path=shots / f"hostile-{label.split()[0].lower()}-menu.png")
        page.keyboard.press("Escape")
        expect(menu).to_have_count(0)

    page.locator(".st-key-story_start button").click()
    card = page.locator(".fp-story")
    expect(card).to_be_visible(timeout=30_000)
    expect(card.locator(".fp-story-caption")).to_have_text(f"{PAYLOADS[0]} {HTML}")
    expect(card.locator(".fp-story-count")).to_contain_text(LINK)
    for _ in PAYLOADS[1:]:
        page.locator(".st-key-story_next button").click()
        settled(page)
    expect(card.locator(".fp-story-title")).to_have_text(PAYLOADS[-1])
    assert_no_attacker(page, attacker)
