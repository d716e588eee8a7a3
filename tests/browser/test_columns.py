"""Choosing a file's columns in Chromium: the chooser appears, the choice maps the events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import map_container, wait_for_map

RENAMED = (
    "when,y_coord,x_coord,kind,headline\n"
    "2021-03-01,33.3,44.4,Airstrike,Strike near Baghdad\n"
    "2021-03-02,36.2,43.9,SOF,Raid near Erbil\n"
    "2021-03-05,30.5,47.8,Airstrike,Strike near Basra\n"
)


def choose(page: Page, label: str, column: str) -> None:
    """Pick a column in one of the chooser's menus."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=column, exact=True).click()


def test_a_file_with_other_column_names_is_mapped_after_choosing_them(
    page: Page, server: str, tmp_path: Path, shots: Path
) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(RENAMED, encoding="utf-8")
    page.goto(server)
    wait_for_map(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
    chooser = page.locator(".st-key-column_chooser")
    expect(chooser).to_be_visible(timeout=30_000)
    # The table is drawn on a canvas; its cells are in the page for screen readers.
    expect(chooser.get_by_text("Airstrike · SOF")).to_be_attached()
    page.screenshot(path=str(shots / "column-chooser.png"), full_page=True)

    choose(page, "Date", "when")
    choose(page, "Latitude", "y_coord")
    choose(page, "Longitude", "x_coord")
    choose(page, "Category", "kind")
    page.locator(".st-key-columns_apply button").click()

    expect(page.get_by_text("renamed.csv: 3 events")).to_be_visible(timeout=30_000)
    expect(chooser).to_have_count(0)
    wait_for_map(page, date(2021, 3, 5))
    expect(map_container(page)).to_have_attribute("data-visible", "3")
