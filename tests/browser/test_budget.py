"""What a date change costs the wire, at 10,000 events: a few kilobytes, never the map again."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bench.synthetic import make_set
from harness.server import DashboardServer
from tests.browser.helpers import control, wait_for_map, wait_idle

BUDGET_BYTES = 20_000


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, date]]:
    data = make_set(10_000, tmp_path_factory.mktemp("budget"))
    with DashboardServer(data.csv) as dashboard:
        yield dashboard.url, data.event_dates[len(data.event_dates) // 2]


def test_a_date_change_sends_a_few_kilobytes_and_not_the_map(
    page: Page, big_server: tuple[str, date]
) -> None:
    url, start = big_server
    page.goto(f"{url}/?date={start.isoformat()}")
    container = wait_for_map(page, start)
    expect(container).to_have_attribute("data-events", "10000")
    wait_idle(page)
    frames: list[bytes] = []

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        data = response["payloadData"]
        frames.append(base64.b64decode(data) if response["opcode"] == 2 else data.encode())

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived", received)
    slider = control(page, "slider")
    slider.focus()
    sizes = []
    for k in range(1, 4):
        frames.clear()
        slider.press("ArrowRight")
        day = start + timedelta(days=k)
        expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
        wait_idle(page)
        sizes.append(sum(len(f) for f in frames))
        assert not any(b"setEvents" in f for f in frames), "the map's events were sent again"
    assert all(0 < size <= BUDGET_BYTES for size in sizes), sizes
