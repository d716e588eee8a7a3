"""Own data in Chromium: --data, uploads, downloads of what is shown, and hostile text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Dialog, Page, expect

from geo.validation import load_events, load_events_from_bytes
from harness.server import DashboardServer
from tests.browser.helpers import map_container, marker_point, wait_for_map, wait_idle

HOSTILE_TEXTS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '"><svg onload="window.__pwned = 3">',
    "'); window.__pwned = 4; ('",
    "</script><script>window.__pwned = 5</script>",
    "[click me](javascript:window.__pwned=6) ![x](http://127.0.0.1:9/x.png)",
    "{{7*7}} ${window.__pwned = 7} `backticks`",
]


def hostile_feature(i: int, text: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [40 + i, 30 + i * 0.7]},
        "properties": {
            "id": f"evil-{i}",
            "title": text,
            "event_date": f"2021-01-0{1 + i % 3}",
            "event_type": "Protests",
            "actor1": text,
            "actor2": text,
            "location": text,
            "admin1": text,
            "country": text,
            "notes": text,
            "source": text,
            "source_quote": text,
            "source_urls": ["javascript:window.__pwned=8", "https://example.org/a?b=<c>"],
            "discrepancy": text,
            "sub_event_type": text,
        },
    }


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    features = [hostile_feature(i, t) for i, t in enumerate(HOSTILE_TEXTS)]
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [48, 35]},
            "properties": {
                "id": 'x"><img src=x onerror="window.__pwned=9">',
                "title": "id with markup",
                "event_date": "2021-01-03",
                "event_type": "<b>bold type</b>",
            },
        }
    )
    path = tmp_path_factory.mktemp("hostile") / "hostile.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture(scope="module")
def hostile_server(hostile_file: Path) -> Iterator[str]:
    with DashboardServer(hostile_file) as dashboard:
        yield dashboard.url


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert page.evaluate("() => window.__pwned") is None
    assert map_container(page).evaluate("() => window.__pwned") is None


def test_hostile_text_is_shown_literally_and_never_runs(
    page: Page, hostile_server: str, hostile_file: Path, shots: Path
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    events = load_events(hostile_file).events
    for event_id, text in zip(events["id"], events["title"], strict=True):
        page.goto(f"{hostile_server}/?date=2021-01-03&event={quote(event_id, safe='')}")
        wait_for_map(page, date(2021, 1, 3))
        panel = page.locator(".fp-detail")
        expect(panel).to_be_visible()
        assert panel.get_attribute("data-event-id") == event_id
        expect(panel.locator(".fp-title")).to_have_text(text)
        if text in HOSTILE_TEXTS:
            assert panel.inner_text().count(text) >= 5, "text fields should appear literally"
            links = panel.locator("a")
            assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
                "https://example.org/a?b=<c>"
            ]
        assert_nothing_ran(page, dialogs)

    container = map_container(page)
    container.scroll_into_view_if_needed()
    expect(container).to_have_attribute("data-idle", "1")
    wait_idle(page)
    row = int(events.index[events["title"] == HOSTILE_TEXTS[0]][0])
    x, y = marker_point(page, row)
    box = container.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = container.locator(".fp-tooltip")
    expect(tooltip).to_contain_text(HOSTILE_TEXTS[0])
    expect(container.locator(".fp-legend")).to_contain_text("Protests")
    page.screenshot(path=shots / "hostile.png")
    assert_nothing_ran(page, dialogs)


GENERIC_CSV = (
    "lat,lon,date,category,name\n"
    "33.3,44.4,2021-03-01,Protests,March in Baghdad\n"
    "36.2,43.9,2021-03-02,Air/drone strike,Strike near Erbil\n"
    "30.5,47.8,2021-03-05,Riots,Unrest in Basra\n"
    '31.0,46.0,2021-03-05,Riots,=HYPERLINK("http://x")\n'
)


@pytest.fixture(scope="module")
def csv_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("csv") / "events.csv"
    path.write_text(GENERIC_CSV, encoding="utf-8")
    with DashboardServer(path) as dashboard:
        yield dashboard.url


def test_data_given_with_the_data_flag_is_mapped(page: Page, csv_server: str) -> None:
    page.goto(f"{csv_server}/?date=2021-03-02")
    wait_for_map(page, date(2021, 3, 2))
    expect(map_container(page)).to_have_attribute("data-visible", "2")
    expect(page.get_by_text("events.csv: 4 events")).to_be_visible()


def test_downloads_hold_exactly_the_events_shown(
    page: Page, csv_server: str, tmp_path: Path
) -> None:
    page.goto(f"{csv_server}/?date=2021-03-02")
    wait_for_map(page, date(2021, 3, 2))
    with page.expect_download() as geojson_download:
        page.locator(".st-key-download_geojson button:visible").click()
    geojson = tmp_path / "shown.geojson"
    geojson_download.value.save_as(geojson)
    titles = {f["properties"]["title"] for f in json.loads(geojson.read_text())["features"]}
    assert titles == {"March in Baghdad", "Strike near Erbil"}

    page.goto(f"{csv_server}/?date=2021-03-05&types=Riots")
    wait_for_map(page, date(2021, 3, 5))
    with page.expect_download() as csv_download:
        page.locator(".st-key-download_csv button:visible").click()
    path = tmp_path / "shown.csv"
    csv_download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("event_id_cnty,event_date,")
    assert "'=HYPERLINK" in text, "formula cells must be neutralised"
    reloaded = load_events_from_bytes(path.read_bytes(), "shown.csv").events
    assert set(reloaded["title"]) == {"Unrest in Basra", '=HYPERLINK("http://x")'}


def test_uploaded_file_is_mapped(page: Page, server: str, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(GENERIC_CSV, encoding="utf-8")
    page.goto(server)
    wait_for_map(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
    expect(page.get_by_text("upload.csv: 4 events")).to_be_visible(timeout=30_000)
    wait_for_map(page, date(2021, 3, 5))
    expect(map_container(page)).to_have_attribute("data-visible", "4")
    page.locator(".st-key-clear_upload button").click()
    expect(page.get_by_text("locations.geojson: 26 events")).to_be_visible(timeout=30_000)
