"""The load script's viewers run the page's live check as a real page's timer does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import loadtest.scenario
from harness.server import DashboardServer
from loadtest.client import Viewer
from loadtest.scenario import Record, follow_live

CSV = "id,event_date,latitude,longitude,event_type,title\n" + "".join(
    f"f{i},2021-03-0{i},33.{i},44.{i},Protests,March {i}\n" for i in range(1, 4)
)


async def until(check: Callable[[], bool], timeout: float = 20) -> None:
    """Wait (yielding to the timer) until `check()` is true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the timeout"
        await asyncio.sleep(0.05)


def test_a_viewer_s_timer_runs_the_live_check_and_sees_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtest.scenario, "FOLLOW_EVERY_S", 0.1)
    path = tmp_path / "growing.csv"
    path.write_text(CSV, encoding="utf-8")

    async def scenario(url: str) -> Record:
        viewer = await Viewer.open(url, "date=2021-03-03")
        record = Record("light")
        try:
            record.add(await viewer.run(fragment=False))
            assert len(viewer.map_rows) == 3 and viewer.auto_fragments
            ticking = asyncio.create_task(follow_live(viewer, record))
            await until(lambda: len(record.ticks) >= 3)
            with path.open("a", encoding="utf-8") as handle:
                handle.write("f4,2021-03-02,33.5,44.5,Riots,Added later\n")
            await until(lambda: len(viewer.map_rows) == 4)
            ticking.cancel()
        finally:
            await viewer.close()
        return record

    # On a thread of its own: Playwright's sync API may hold this thread's event loop.
    with DashboardServer(path) as dashboard, ThreadPoolExecutor(1) as pool:
        record = pool.submit(asyncio.run, scenario(dashboard.url)).result()
    assert not record.errors
    assert len(record.runs) == 1 + len(record.ticks)  # the ticks count as the viewer's runs
