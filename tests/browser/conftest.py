"""Browser fixtures: Debian's Chromium driven by Playwright, and a live dashboard server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.chromium import CHROMIUM_ARGS, chromium_path
from harness.server import DashboardServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-output" / "screenshots"
CHROMIUM = str(chromium_path())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder runs in a real browser."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium; a missing browser fails the run, it is never skipped."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (`make browser`) — "
            "browser tests must run, not be skipped",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The dashboard on the bundled data."""
    with DashboardServer() as dashboard:
        yield dashboard.url


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots of each tested state are kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
