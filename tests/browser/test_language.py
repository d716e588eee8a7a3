"""Arabic and Persian in Chromium: right to left, the catalogues' words, Babel's dates, the
translated data beside its source, the switch and the share link."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from geo.dataset import Dataset
from geo.language import Language
from geo.translations import load_event_texts, translation_of
from tests.browser.helpers import wait_for_map, wait_idle
from tests.browser.test_story import STORY

DATA = Path(__file__).resolve().parents[2] / "data"
TEXTS = load_event_texts(DATA / "locations.geojson")
DAY = date(2019, 12, 27)
EVENT = "k1-rocket-attack"
DESKTOP = ViewportSize(width=1400, height=950)


def test_arabic_reads_right_to_left_with_translated_data_and_its_source(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?lang=ar&date={DAY.isoformat()}&event={EVENT}")
    container = wait_for_map(page, DAY)
    wait_idle(page)
    arabic = Language("ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(container.locator(".fp-heading-date")).to_have_text(arabic.day(DAY))
    expect(container.locator(".fp-legend-title")).to_have_text(arabic.t("mapui.legend"))
    expect(container.locator(".fp-play")).to_have_text("▶ " + arabic.t("mapui.play"))

    event = bundled.event(EVENT)
    assert event is not None
    translated = translation_of(TEXTS, EVENT, "ar")
    expect(page.locator(".fp-detail .fp-title")).to_have_text(translated["title"])
    expect(page.locator(".fp-detail .fp-notes")).to_have_text(translated["notes"])
    original = page.locator(".fp-detail details.fp-original")
    expect(original.locator(".fp-original-notes")).to_be_hidden()
    original.locator("summary").click()
    expect(original.locator(".fp-original-title")).to_have_text(event.title)
    expect(original.locator(".fp-original-notes")).to_have_attribute("lang", "en")

    for part in ('[data-testid="stMain"]', '[data-testid="stSidebarUserContent"]'):
        direction = page.locator(part).evaluate("el => getComputedStyle(el).direction")
        assert direction == "rtl", part
    detail = page.locator(".fp-detail .fp-title").bounding_box()
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last.bounding_box()
    assert detail is not None and frame is not None
    assert detail["x"] < frame["x"], "the detail panel does not come after the map, leftward"
    expect(page).to_have_url(re.compile(r"lang=ar"))
    page.screenshot(path=shots / "arabic.png")


def test_persian_writes_its_own_digits_on_the_map_and_in_the_story(
    page: Page, server: str, shots: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    step = STORY.main_steps[1]
    page.goto(f"{server}/?lang=fa&story={step.number}")
    container = wait_for_map(page, step.date)
    wait_idle(page)
    persian = Language("fa")
    expect(container.locator(".fp-heading-date")).to_have_text(persian.day(step.date))
    persian_number = re.compile("^[" + persian.digits + "٬]+ ")
    expect(container.locator(".fp-heading-counts")).to_have_text(persian_number)
    card = page.locator(f'.fp-story[data-story-step="{step.number}"]')
    expect(card.locator(".fp-story-caption")).to_have_text(step.text("caption", "fa"))
    expect(card.locator(".fp-story-title")).to_have_text(step.text("title", "fa"))
    expect(card.locator(".fp-quote")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name=persian.t("story.next"), exact=True)).to_be_visible()
    page.screenshot(path=shots / "persian-story.png")


def test_the_switch_changes_the_language_and_the_share_link_carries_it(
    page: Page, server: str
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?date={DAY.isoformat()}")
    container = wait_for_map(page, DAY)
    wait_idle(page)
    expect(container.locator(".fp-heading-date")).to_have_text("Fri 27 Dec 2019")
    assert "lang=" not in page.url
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="فارسی").click()
    expect(page).to_have_url(re.compile(r"lang=fa"))
    container = wait_for_map(page, DAY)
    expect(container.locator(".fp-heading-date")).to_have_text(Language("fa").day(DAY))
    wait_idle(page)
    share = page.locator("details.fp-share")
    share.locator("summary").click()
    expect(share.locator("summary")).to_have_text(Language("fa").t("share.title"))
    expect(share.locator("input")).to_have_value(re.compile(r"lang=fa"))
    code = share.locator("textarea")
    expect(code).to_have_value(re.compile(r"lang=fa"))
    expect(code).to_have_value(re.compile(r"embed=true"))


def test_the_browser_language_is_the_default_and_stays_out_of_the_address(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(locale="ar-IQ", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{server}/?date={DAY.isoformat()}")
        container = wait_for_map(page, DAY)
        wait_idle(page)
        expect(container.locator(".fp-heading-date")).to_have_text(Language("ar").day(DAY))
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        direction = page.locator('[data-testid="stMain"]').evaluate(
            "el => getComputedStyle(el).direction"
        )
        assert direction == "rtl"
        assert "lang=" not in page.url
    finally:
        context.close()
