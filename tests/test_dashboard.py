"""The dashboard through Streamlit's AppTest: loads, steps, restores views, explains bad links."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import Dataset

App = Callable[..., AppTest]
BUNDLED_IDS = [
    f["properties"]["id"]
    for f in json.loads((Path(__file__).parent.parent / "data" / "locations.geojson").read_text())[
        "features"
    ]
]


def map_payload(at: AppTest) -> dict[str, Any]:
    """The step payload the map received in the last run."""
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    script = args["feature_group"]
    start = script.index("window.flashpoint.update(") + len("window.flashpoint.update(")
    payload, _ = json.JSONDecoder().raw_decode(script, start)
    return dict(payload)


def shown_ids(at: AppTest, bundled: Dataset) -> set[str]:
    """Ids of the events drawn on the map."""
    rows = map_payload(at)["rows"]
    return {str(bundled.events["id"].iat[r]) for r in rows}


def heading(at: AppTest) -> str:
    """The date heading above the map."""
    return next(m.value for m in at.markdown if m.value.startswith("## "))


def detail_ids(at: AppTest) -> list[str]:
    """Events shown in the detail panel."""
    return [
        h.proto.body.split('data-event-id="')[1].split('"')[0]
        for h in at.html
        if 'class="fp-detail"' in h.proto.body
    ]


def expected_ids(
    bundled: Dataset,
    day: date,
    mode: str = "cumulative",
    window: int = 7,
    types: list[str] | None = None,
) -> set[str]:
    mask = bundled.filter_mask(types)
    visible = bundled.visible(day, mode, window, mask)  # type: ignore[arg-type]
    return set(bundled.events.loc[visible, "id"])


def test_default_load_opens_on_the_crisis(app: App, bundled: Dataset) -> None:
    at = app().run()
    assert not at.exception
    assert heading(at) == "## Fri 3 Jan 2020"
    assert shown_ids(at, bundled) == expected_ids(bundled, date(2020, 1, 3))
    assert at.query_params["date"] == "2020-01-03"


def test_marker_count_follows_the_slider(app: App, bundled: Dataset) -> None:
    at = app().run()
    counts = []
    for day in (date(2019, 12, 27), date(2019, 12, 29), date(2020, 1, 1)):
        at.slider(key="date").set_value(day).run()
        assert not at.exception
        assert shown_ids(at, bundled) == expected_ids(bundled, day)
        counts.append(len(map_payload(at)["rows"]))
    assert counts[0] < counts[1] < counts[2]


def test_step_buttons_move_between_event_dates(app: App, bundled: Dataset) -> None:
    at = app(date="2019-12-27").run()
    at.button(key="next").click().run()
    assert heading(at) == "## Sun 29 Dec 2019"
    at.button(key="prev").click().run()
    assert heading(at) == "## Fri 27 Dec 2019"


@pytest.mark.parametrize(
    ("params", "day", "mode", "window", "types"),
    [
        ({"date": "2019-12-31"}, date(2019, 12, 31), "cumulative", 7, None),
        (
            {"date": "2020-01-01", "mode": "window", "window": "2"},
            date(2020, 1, 1),
            "window",
            2,
            None,
        ),
        (
            {"date": "2019-12-30", "types": "Explosions/Remote violence"},
            date(2019, 12, 30),
            "cumulative",
            7,
            ["Explosions/Remote violence"],
        ),
        ({"date": "2016-01-01"}, date(2016, 1, 1), "cumulative", 7, None),
    ],
)
def test_query_parameters_restore_the_view(
    app: App,
    bundled: Dataset,
    params: dict[str, str],
    day: date,
    mode: str,
    window: int,
    types: list[str] | None,
) -> None:
    at = app(**params).run()
    assert not at.exception
    assert at.session_state["date"] == day
    assert at.session_state["mode"] == mode
    assert shown_ids(at, bundled) == expected_ids(bundled, day, mode, window, types)
    for key, value in params.items():
        assert at.query_params[key] == value


def test_event_parameter_selects_and_shows_details(app: App, bundled: Dataset) -> None:
    at = app(date="2019-12-27", event="k1-rocket-attack").run()
    assert detail_ids(at) == ["k1-rocket-attack"]
    panel = next(h.proto.body for h in at.html if "fp-detail" in h.proto.body)
    assert "Rocket attack on K-1" in panel
    assert "Sources differ" in panel
    assert map_payload(at)["sel"] == bundled.row_of_id["k1-rocket-attack"]


def test_event_alone_moves_to_its_date(app: App) -> None:
    at = app(event="us-embassy-storming").run()
    assert heading(at) == "## Tue 31 Dec 2019"
    assert detail_ids(at) == ["us-embassy-storming"]


@pytest.mark.parametrize("event_id", BUNDLED_IDS)
def test_every_event_renders_its_details(app: App, event_id: str) -> None:
    at = app(event=event_id).run()
    assert not at.exception
    assert detail_ids(at) == [event_id]


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"date": "yesterday"}, "expected YYYY-MM-DD"),
        ({"date": "2019-02-30"}, "expected YYYY-MM-DD"),
        ({"date": "1999-01-01"}, "the data covers"),
        ({"event": "no-such-event"}, "no event has that id"),
        ({"event": "../../etc/passwd"}, "no event has that id"),
        ({"types": "Bogus"}, "unknown event types"),
        ({"mode": "sideways"}, "use cumulative or window"),
        ({"window": "-3"}, "expected 1 to 3650"),
        ({"window": "many"}, "expected a whole number"),
        ({"zoom": "99"}, "expected 1 to 18"),
        ({"lat": "95", "lon": "44"}, "not a place on the map"),
        ({"basemap": "file:///etc/passwd"}, "use one of"),
    ],
)
def test_malformed_parameters_give_a_notice(app: App, params: dict[str, str], notice: str) -> None:
    at = app(**params).run()
    assert not at.exception
    assert not at.error
    toasts = [t.value for t in at.toast]
    assert any(notice in t for t in toasts), toasts
    assert heading(at) == "## Fri 3 Jan 2020"
