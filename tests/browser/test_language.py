"""Arabic and Persian in Chromium: right to left, the catalogues' words, Babel's dates (the
Solar Hijri calendar for Persian, Iraqi month names for Arabic), the translated data beside its
source, the switch and the share link, Streamlit's uploader and the map's credits."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect

from geo.dataset import Dataset
from geo.language import Language
from geo.translations import load_event_texts, translation_of
from geo.validation import MAX_FILE_BYTES
from tests.browser.helpers import map_container, wait_for_map, wait_idle
from tests.browser.test_story import STORY
from ui.data import UPLOAD_TYPES

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
    expect(container.locator(".fp-heading-date")).to_have_text(persian.day_in_full(step.date))
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
    expect(container.locator(".fp-heading-date")).to_have_text(Language("fa").day_in_full(DAY))
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


HEADINGS = [
    # 3 January 2020 is 13 Dey 1398 in the Solar Hijri calendar.
    ("fa", "جمعه ۱۳ دی ۱۳۹۸ (۳ ژانویه ۲۰۲۰)", "جمعه ۱۳ دی ۱۳۹۸"),
    # Iraqi papers write كانون الثاني for January.
    ("ar", "الجمعة 3 كانون الثاني 2020", "الجمعة 3 كانون الثاني 2020"),
]


@pytest.mark.parametrize(("code", "heading", "short"), HEADINGS)
def test_the_maps_dates_are_in_the_readers_calendar(
    page: Page, server: str, shots: Path, code: str, heading: str, short: str
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(
        f"{server}/?lang={code}&date=2020-01-03&event=baghdad-airport-strike-soleimani-muhandis"
    )
    container = wait_for_map(page, date(2020, 1, 3))
    wait_idle(page)
    expect(container.locator(".fp-heading-date")).to_have_text(heading)
    expect(container.locator(".fp-slider")).to_have_attribute("aria-valuetext", short)
    expect(page.locator(".fp-detail")).to_contain_text(heading)
    page.screenshot(path=shots / f"dates-{code}.png")


# What Streamlit's uploader writes of its own, and what each language shows in its place.
UPLOADER_PARTS = {
    "uploader.browse": '[data-testid="stFileUploaderDropzone"] '
    '[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p',
    "uploader.limit": '[data-testid="stFileUploaderDropzoneInstructions"] span',
}
AFTER = """el => { const s = getComputedStyle(el, "::after");
    return [s.content, s.direction, getComputedStyle(el).fontSize]; }"""


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_the_uploaders_own_words_are_in_the_readers_language(
    page: Page, server: str, shots: Path, code: str
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?lang={code}")
    wait_for_map(page)
    wait_idle(page)
    language = Language(code)
    values = {"megabytes": MAX_FILE_BYTES // 1_000_000, "types": ", ".join(UPLOAD_TYPES).upper()}
    for key, selector in UPLOADER_PARTS.items():
        part = page.locator(selector)
        expect(part).to_be_visible()
        content, direction, size = part.evaluate(AFTER)
        # Streamlit's English is there but takes no room; the catalogue's text is drawn instead.
        assert json.loads(content) == language.t(key, **values)
        assert (direction, size) == ("rtl", "0px")
        box = part.bounding_box()
        assert box is not None and box["width"] > 20
    expect(page.get_by_role("button", name=language.t("uploader.browse"))).to_be_visible()
    page.locator('[data-testid="stSidebar"]').screenshot(path=shots / f"uploader-{code}.png")

    drag = page.evaluate_handle(
        "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.csv')); return d; }"
    )
    page.dispatch_event(
        '[data-testid="stFileUploaderDropzone"]', "dragenter", {"dataTransfer": drag}
    )
    overlay = page.locator('[data-testid="stFileUploaderDropzone"] > div > span:only-child')
    expect(overlay).to_have_text("Drag and drop a file here")  # in the page, at no size
    content, _, size = overlay.evaluate(AFTER)
    assert (json.loads(content), size) == (language.t("uploader.drop"), "0px")
    page.dispatch_event(
        '[data-testid="stFileUploaderDropzone"]', "dragleave", {"dataTransfer": drag}
    )

    # What a screen reader reads: Streamlit's English names, replaced from the page's bridge.
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    expect(upload).to_have_attribute("aria-label", language.t("uploader.input"))
    mine: FilePayload = {
        "name": "mine.csv",
        "mimeType": "text/csv",
        "buffer": b"date,lat,lon\n2020-01-03,33,44\n",
    }
    upload.set_input_files(files=[mine])
    remove = page.locator('[data-testid="stFileChipDeleteBtn"] button')
    expect(remove).to_have_attribute("aria-label", language.t("uploader.remove", name="mine.csv"))
    add = page.locator('[data-testid="stFileUploader"] [data-testid="stBaseButton-borderlessIcon"]')
    expect(add).to_have_attribute("aria-label", language.t("uploader.add"))


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_the_maps_credits_are_in_the_readers_language_with_the_sources_names(
    page: Page, server: str, code: str
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/?lang={code}&date=2020-01-03")
    wait_for_map(page)
    credit = map_container(page).locator(".leaflet-control-attribution")
    language = Language(code)
    expect(credit).to_contain_text(
        f"{language.t('mapui.attribution_land')}: Natural Earth · "
        f"{language.t('mapui.attribution_places')}: GeoNames (CC BY 4.0)"
    )
    expect(credit).not_to_contain_text("Land, borders")
    expect(credit).to_have_attribute("dir", "rtl")
    box = credit.bounding_box()
    assert box is not None and box["width"] > 100
