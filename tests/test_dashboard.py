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
from geo.detail import format_day
from geo.timeline import day_number

App = Callable[..., AppTest]
BUNDLED_IDS = [
    f["properties"]["id"]
    for f in json.loads((Path(__file__).parent.parent / "data" / "locations.geojson").read_text())[
        "features"
    ]
]


def map_columns(at: AppTest) -> dict[str, Any]:
    """The event columns the map received: the dataset under its filters, whatever the date."""
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    script = args["feature_group"]
    start = script.index("window.flashpoint.setEvents(") + len("window.flashpoint.setEvents(")
    columns, _ = json.JSONDecoder().raw_decode(script, start)
    return dict(columns)


def view_state(at: AppTest) -> dict[str, Any]:
    """The view state the bridge handed the map in the last run."""
    (bridge,) = [e for e in at.get("bidi_component") if e.key == "bridge"]
    return dict(json.loads(bridge.proto.json))


def shown_ids(at: AppTest, bundled: Dataset) -> set[str]:
    """Ids of the events the map shows at the page's date: what the browser applies."""
    columns, state = map_columns(at), view_state(at)
    day, window = state["day"], state["window"]
    return {
        str(bundled.events["id"].iat[row])
        for row, start, end in zip(columns["row"], columns["start"], columns["end"], strict=True)
        if start <= day and (state["mode"] == "cumulative" or end >= day - (window - 1))
    }


def listed(at: AppTest) -> int:
    """How many events the event list says are shown."""
    title = next(m.value for m in at.markdown if m.value.startswith("### Events shown"))
    return int(title.split("(")[1].rstrip(")").replace(",", ""))


def heading(at: AppTest) -> str:
    """The date the page shows, in words, as the map's heading says it."""
    return format_day(at.session_state["date"])


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
    assert heading(at) == "Fri 3 Jan 2020"
    assert view_state(at)["day"] == day_number(date(2020, 1, 3))
    assert shown_ids(at, bundled) == expected_ids(bundled, date(2020, 1, 3))
    assert at.query_params["date"] == "2020-01-03"


def test_the_map_gets_every_event_once_and_the_panels_follow_the_date(
    app: App, bundled: Dataset
) -> None:
    at = app().run()
    columns = map_columns(at)
    assert sorted(columns["row"]) == list(range(len(bundled)))
    counts = []
    for day in (date(2019, 12, 27), date(2019, 12, 29), date(2020, 1, 1)):
        at.session_state["date"] = day
        at.run()
        assert not at.exception
        assert map_columns(at) == columns
        assert listed(at) == len(expected_ids(bundled, day))
        assert at.query_params["date"] == day.isoformat()
        counts.append(listed(at))
    assert counts[0] < counts[1] < counts[2]


def test_a_date_the_browser_settled_on_is_not_sent_back_as_a_move(app: App) -> None:
    at = app().run()
    rev = view_state(at)["rev"]
    at.session_state["date"] = date(2019, 12, 29)
    at.run()
    assert view_state(at)["rev"] == rev


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
    assert view_state(at)["sel"] == bundled.row_of_id["k1-rocket-attack"]


def test_event_alone_moves_to_its_date(app: App) -> None:
    at = app(event="us-embassy-storming").run()
    assert heading(at) == "Tue 31 Dec 2019"
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
        ({"window": "-3"}, "expected 1 to 3,650"),
        ({"window": "many"}, "expected a whole number"),
        ({"zoom": "99"}, "expected 1 to 18"),
        ({"lat": "95", "lon": "44"}, "not a place on the map"),
        ({"basemap": "file:///etc/passwd"}, "use one of"),
        ({"lang": "[Sign in](https://evil.example)<b>x</b>"}, "use one of en, ar, fa"),
    ],
)
def test_malformed_parameters_give_a_notice(app: App, params: dict[str, str], notice: str) -> None:
    at = app(**params).run()
    assert not at.exception
    assert not at.error
    toasts = [t.value for t in at.toast]
    assert any(notice in t for t in toasts), toasts
    assert heading(at) == "Fri 3 Jan 2020"
