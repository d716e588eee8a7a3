"""The boundary between Python and the browser: each side reads exactly what the other sends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from geo.dataset import Dataset
from geo.limits import FILTER_OPTIONS
from geo.payload import (
    BridgeEvent,
    EventColumns,
    MapConfig,
    PickReport,
    Trigger,
    ViewReport,
    ViewState,
    legend_counts,
    without_counts,
)
from geo.validation import load_events_from_bytes

WEB = Path(__file__).resolve().parent.parent / "geo" / "web"
# The map's code: the events layer and time control, and the clusters of a crowded view.
MAP_JS = "".join(
    (WEB / name).read_text(encoding="utf-8")
    for name in (
        "flashpoint.js",
        "counts.js",
        "cluster-worker.js",
        "clusters.js",
        "cluster-list.js",
    )
)
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
    sent = set(shape.__required_keys__ | shape.__optional_keys__)
    assert read - sent == set(), "the browser reads keys Python never sends"
    assert sent - read == set(), "Python sends keys the browser never reads"


def test_the_contract_sees_a_key_that_is_not_sent() -> None:
    assert read_keys("var a = p.x + p.flyZoom;", "p") - set(EventColumns.__annotations__) == {
        "flyZoom"
    }


def object_keys(source: str, call: str) -> set[str]:
    """Keys of the object literal passed in a call such as `tell("pick", {...})`."""
    match = re.search(re.escape(call) + r"\s*\{([^}]*)\}", source)
    assert match is not None, f"{call} not found"
    return set(re.findall(r"(\w+)\s*:", match.group(1)))


REPORTS = [
    pytest.param(PickReport, object_keys(MAP_JS, 'tell("pick", '), id="pick"),
    pytest.param(ViewReport, object_keys(MAP_JS, 'tell("view", '), id="view"),
    pytest.param(Trigger, object_keys(BRIDGE_JS, "this.send(name, "), id="trigger"),
]


@pytest.mark.parametrize(("shape", "sent"), REPORTS)
def test_python_reads_what_the_browser_sends(shape: Any, sent: set[str]) -> None:
    assert sent == set(shape.__required_keys__ | shape.__optional_keys__)


VIEW = {"lat": 33.31234567, "lon": 44.4, "zoom": 7}
EVENTS = [
    pytest.param({"value": "2020-01-03", "view": VIEW}, "2020-01-03", (33.3123, 44.4, 7), id="ok"),
    pytest.param({"value": "2020-01-03", "view": None}, "2020-01-03", None, id="no-view"),
    pytest.param({"value": 1, "view": {"lat": 95, "lon": 0, "zoom": 3}}, 1, None, id="off-map"),
    pytest.param({"value": 1, "view": {"lat": "1", "lon": 0, "zoom": 3}}, 1, None, id="text"),
    pytest.param({"value": 1, "view": {"lat": 1, "lon": 2, "zoom": True}}, 1, None, id="bool"),
]


@pytest.mark.parametrize(("raw", "value", "view"), EVENTS)
def test_a_trigger_is_checked_once_at_the_boundary(raw: Any, value: Any, view: Any) -> None:
    event = BridgeEvent.parse(raw)
    assert event is not None
    assert (event.value, event.view) == (value, view)


@pytest.mark.parametrize("raw", [None, "2020-01-03", [], {"view": VIEW}])
def test_what_is_not_a_trigger_is_nothing(raw: Any) -> None:
    assert BridgeEvent.parse(raw) is None


PICKS = [
    pytest.param({"row": 3, "dataset": "d"}, 3, id="ok"),
    pytest.param({"row": 3, "dataset": "other"}, None, id="other-dataset"),
    pytest.param({"row": 10, "dataset": "d"}, None, id="past-the-end"),
    pytest.param({"row": -1, "dataset": "d"}, None, id="negative"),
    pytest.param({"row": True, "dataset": "d"}, None, id="bool"),
    pytest.param({"row": "3", "dataset": "d"}, None, id="text"),
]


@pytest.mark.parametrize(("value", "row"), PICKS)
def test_a_pick_names_a_row_of_this_dataset(value: Any, row: int | None) -> None:
    event = BridgeEvent.parse({"value": value, "view": None})
    assert event is not None
    assert event.pick("d", 10) == row


def test_the_legend_counts_ride_with_the_events_so_a_new_version_keeps_the_base_map() -> None:
    types = [f"t{i:05}" for i in range(FILTER_OPTIONS.value + 12)]
    rows = "".join(f"{t},33.3,44.4,2020-01-0{1 + i % 2}\n" for i, t in enumerate(types))
    text = "type,lat,lon,date\n" + rows + "t00000,33.3,44.4,2020-01-02\n"
    dataset = Dataset.from_result(load_events_from_bytes(text.encode(), "a.csv"), "a.csv")
    config = dataset.map_config("token")
    styles = config["categories"]
    group = styles[-1]

    counts = legend_counts(config)
    assert counts[0] == 2  # the largest category first
    assert sum(s["count"] for s in styles) == len(types) + 1
    # A group's count, then its members' (the last one says how many more there are).
    at = len(styles) - 1
    assert counts[at] == group["count"]
    assert counts[at + 1 :] == [m["count"] for m in group["members"]]
    base = without_counts(config)
    assert legend_counts(base) == [0] * len(counts)
    assert [s["name"] for s in base["categories"]] == [s["name"] for s in styles]
    assert config["categories"][0]["count"] == 2, "the configuration itself is left as it was"
