"""A file's own categories in Chromium: the map's legend and the sidebar's type filter name
them with their counts; the categories past the palette open from one legend entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from geo.categories import OKABE_ITO
from harness.server import DashboardServer
from tests.browser.access import axe_violations
from tests.browser.helpers import control, map_frame, wait_for_map, wait_idle
from tests.category_files import write_csv

# Ten categories of a file's own: seven keep a colour, the three smallest share one entry.
OWN = (
    ("Airstrike", 186),
    ("SOF", 114),
    ("IED", 60),
    ("SAF", 40),
    ("Rocket", 30),
    ("Mortar", 20),
    ("UAV", 15),
    ("Raid", 10),
    ("Sniper", 6),
    ("Arson", 3),
)
COLOURED, GROUPED = OWN[:7], OWN[7:]
DESKTOP = ViewportSize(width=1400, height=950)
# The distinct opaque colours painted on a canvas, as #rrggbb.
CHART_COLOURS = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] < 200) continue;
    seen.add("#" + [0, 1, 2].map(k => data[i + k].toString(16).padStart(2, "0")).join(""));
  }
  return [...seen];
}"""
# Events per category in the chart, summed over its bars.
CHART_COUNTS = """() => {
  const chart = window.flashpoint.histogram;
  const sums = new Array(chart.ncat).fill(0);
  chart.counts.forEach((n, i) => { sums[i % chart.ncat] += n; });
  return sums;
}"""


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = write_csv(tmp_path_factory.mktemp("own"), "strikes.csv", OWN)
    with DashboardServer(path) as dashboard:
        yield dashboard.url


def test_own_categories_in_the_legend_and_the_type_filter(
    page: Page, own_server: str, shots: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(own_server)
    container = wait_for_map(page)
    wait_idle(page)
    expect(container).to_have_attribute("data-events", str(sum(n for _, n in OWN)))

    legend = container.locator(".fp-legend")
    rows = legend.locator(":scope > .fp-legend-row:not(.fp-legend-note)")
    expect(rows.locator(".fp-legend-name")).to_have_text([name for name, _ in COLOURED])
    expect(rows.locator(".fp-legend-count")).to_have_text([str(n) for _, n in COLOURED])

    group = legend.locator(".fp-legend-group")
    summary = group.locator("summary")
    expect(summary.locator(".fp-legend-name")).to_have_text("Other categories (3)")
    expect(summary.locator(".fp-legend-count")).to_have_text(str(sum(n for _, n in GROUPED)))
    members = group.locator(":scope > div.fp-legend-row")
    expect(members.first).to_be_hidden()
    summary.click()
    expect(members.locator(".fp-legend-name")).to_have_text([name for name, _ in GROUPED])
    expect(members.locator(".fp-legend-count")).to_have_text([str(n) for _, n in GROUPED])
    expect(members.first).to_be_visible()
    assert axe_violations(page) == []

    # The timeline chart stacks each day's events by category, the grouped ones as one, in
    # the categories' colours (the smallest stacks are a pixel high: the largest are checked).
    stacked = map_frame(page).locator("body").evaluate(CHART_COUNTS)
    assert stacked == [n for _, n in COLOURED] + [sum(n for _, n in GROUPED)]
    drawn = control(page, "histogram").evaluate(CHART_COLOURS)
    assert set(OKABE_ITO[:4]) <= set(drawn)

    # The type filter lists every category, the grouped ones too, each with its count.
    types = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Event type"
    )
    chips = types.locator("[data-tag]")
    expect(chips).to_have_text([f"{name} ({n})" for name, n in OWN])
    page.screenshot(path=shots / "own-categories.png")
    chips.filter(has_text="Arson (3)").get_by_role("button").click()
    expect(container).to_have_attribute("data-events", str(sum(n for _, n in OWN) - 3))
