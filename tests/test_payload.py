"""The boundary between Python and the browser: each side reads exactly what the other sends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from geo.payload import EventColumns, MapConfig, ViewState

WEB = Path(__file__).resolve().parent.parent / "geo" / "web"
MAP_JS = (WEB / "flashpoint.js").read_text(encoding="utf-8")
BRIDGE_JS = (WEB / "bridge.js").read_text(encoding="utf-8")


def read_keys(source: str, *names: str) -> set[str]:
    """Properties the script reads from the objects it calls by these names."""
    pattern = r"\b(?:" + "|".join(names) + r")\.([A-Za-z_]\w*)"
    return set(re.findall(pattern, source))


CONTRACTS = [
    pytest.param(EventColumns, read_keys(MAP_JS, "p"), id="event-columns"),
    pytest.param(MapConfig, read_keys(MAP_JS, "config", "cfg"), id="map-config"),
    pytest.param(
        ViewState,
        read_keys(MAP_JS, "s") | read_keys(BRIDGE_JS, "data", "state"),
        id="view-state",
    ),
]


@pytest.mark.parametrize(("shape", "read"), CONTRACTS)
def test_the_browser_reads_every_key_python_sends_and_no_other(shape: Any, read: set[str]) -> None:
    sent = set(shape.__annotations__)
    assert read - sent == set(), "the browser reads keys Python never sends"
    assert sent - read == set(), "Python sends keys the browser never reads"


def test_the_contract_sees_a_key_that_is_not_sent() -> None:
    assert read_keys("var a = p.x + p.flyZoom;", "p") - set(EventColumns.__annotations__) == {
        "flyZoom"
    }
