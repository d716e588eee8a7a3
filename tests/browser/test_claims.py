"""Disputed casualty figures in Chromium: the detail panel lists each claim and its source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from geo.dataset import Dataset
from tests.browser.helpers import wait_for_map

STRIKES = [
    "us-strike-kh-iraq-1",
    "us-strike-kh-iraq-2",
    "us-strike-kh-iraq-3",
    "us-strike-kh-syria-1",
    "us-strike-kh-syria-2",
]


@pytest.mark.parametrize("event_id", STRIKES)
def test_strike_panel_shows_group_claims_and_an_unknown_site_toll(
    page: Page, server: str, bundled: Dataset, shots: Path, event_id: str
) -> None:
    strike = bundled.event(event_id)
    assert strike is not None and strike.claims
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(f"{server}/?date=2019-12-29&event={event_id}")
    wait_for_map(page, date(2019, 12, 29))
    panel = page.locator(f'.fp-detail[data-event-id="{event_id}"]')
    expect(panel).to_be_visible(timeout=30_000)
    figures = panel.locator(".fp-figures")
    expect(figures).to_contain_text("Killed unknown for this site")
    expect(figures).to_contain_text("Injured unknown for this site")
    items = panel.locator(".fp-claims li")
    expect(items).to_have_count(len(strike.claims))
    for item, claim in zip(items.all(), strike.claims, strict=True):
        expect(item).to_contain_text(f"{claim.value}")
        expect(item).to_contain_text(f"according to {claim.source}")
        expect(item.locator("a")).to_have_attribute("href", claim.url)
    claims = panel.locator(".fp-claims")
    expect(claims).to_contain_text("for all events of group us-strikes-2019-12-29 together")
    expect(claims).to_contain_text("Killed 25 (group total), according to Reuters")
    expect(claims).to_contain_text("Killed 24 (group total)")
    page.screenshot(path=shots / f"claims-{event_id}.png", full_page=True)
    panel.screenshot(path=shots / f"claims-panel-{event_id}.png")


def test_embassy_storming_panel_shows_the_pmf_claim_of_62_injured(
    page: Page, server: str, bundled: Dataset, shots: Path
) -> None:
    storming = bundled.event("us-embassy-storming")
    assert storming is not None
    (claim,) = storming.claims
    page.goto(f"{server}/?date=2019-12-31&event=us-embassy-storming")
    wait_for_map(page, date(2019, 12, 31))
    panel = page.locator('.fp-detail[data-event-id="us-embassy-storming"]')
    expect(panel).to_be_visible(timeout=30_000)
    expect(panel.locator(".fp-figures")).to_have_text("Killed 0   Injured 62")
    item = panel.locator(".fp-claims li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(
        "Injured 62, according to Popular Mobilization Forces, via NBC News"
    )
    expect(item).to_contain_text("NBC News could not independently verify the claim")
    expect(item.locator("a")).to_have_attribute("href", claim.url)
    page.screenshot(path=shots / "claims-us-embassy-storming.png", full_page=True)
    panel.screenshot(path=shots / "claims-panel-us-embassy-storming.png")
