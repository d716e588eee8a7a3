"""The timeline chart as Vega-Lite: the day selection, the category colours, the rule, the range."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import pytest

from geo.charts import (
    DAY_PLACEHOLDER,
    DAY_SELECTION,
    build_timeline_chart,
    build_timeline_spec,
    timeline_spec_at,
)
from geo.model import CATEGORIES
from geo.timeline import counts_per_day

START, END = date(2019, 12, 27), date(2020, 1, 3)
COUNTS = pd.DataFrame(
    {
        "day": pd.to_datetime(
            ["2019-12-20", "2019-12-27", "2019-12-27", "2019-12-31", "2020-01-03", "2020-01-04"]
        ),
        "event_type": ["Battles", "Battles", "Riots", "Other", "Protests", "Riots"],
        "count": [9, 2, 3, 1, 4, 5],
    }
)


def spec(counts: pd.DataFrame = COUNTS, at: date = date(2019, 12, 31)) -> dict[str, Any]:
    return build_timeline_chart(counts, at, START, END).to_dict()


def layer_data(chart: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """The rows a layer draws (Altair moves inline data to the top-level datasets)."""
    rows: list[dict[str, Any]] = chart["datasets"][chart["layer"][index]["data"]["name"]]
    return rows


def test_bars_carry_the_day_selection() -> None:
    chart = spec()
    bars = chart["layer"][0]
    assert bars["mark"]["type"] == "bar"
    [param] = chart["params"]
    assert param["name"] == DAY_SELECTION
    assert param["select"] == {"type": "point", "fields": ["day"], "on": "click", "clear": False}
    assert param["views"] == [bars["name"]]


def test_colours_come_from_the_category_vocabulary() -> None:
    color = spec()["layer"][0]["encoding"]["color"]
    assert color["field"] == "event_type"
    assert color["scale"]["domain"] == [c.name for c in CATEGORIES]
    assert color["scale"]["range"] == [c.color for c in CATEGORIES]
    assert color["legend"] is None


@pytest.mark.parametrize("at", [START, date(2019, 12, 31), END, date(2020, 1, 2)])
def test_rule_marks_the_current_day(at: date) -> None:
    chart = spec(at=at)
    rule = chart["layer"][1]
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"]["field"] == "day"
    assert layer_data(chart, 1) == [{"day": at.isoformat()}]


def bar(day: str, event_type: str, count: int, label: str, following: str) -> dict[str, Any]:
    return {"day": day, "event_type": event_type, "count": count, "label": label, "next": following}


def test_only_days_between_start_and_end_are_drawn() -> None:
    assert layer_data(spec(), 0) == [
        bar("2019-12-27", "Battles", 2, "Fri 27 Dec 2019", "2019-12-28"),
        bar("2019-12-27", "Riots", 3, "Fri 27 Dec 2019", "2019-12-28"),
        bar("2019-12-31", "Other", 1, "Tue 31 Dec 2019", "2020-01-01"),
        bar("2020-01-03", "Protests", 4, "Fri 03 Jan 2020", "2020-01-04"),
    ]


def test_days_do_not_depend_on_the_browsers_time_zone() -> None:
    """Dates reach the browser as text, are placed in UTC and shown as written here."""
    chart = spec()
    encoding = chart["layer"][0]["encoding"]
    assert encoding["x"]["field"] == "day" and "timeUnit" not in encoding["x"]
    assert encoding["x2"] == {"field": "next"}
    assert encoding["tooltip"][0] == {"field": "label", "title": "Day", "type": "nominal"}
    assert all(layer["encoding"]["x"]["scale"]["type"] == "utc" for layer in chart["layer"])


def test_both_layers_share_an_axis_that_covers_the_last_day() -> None:
    chart = spec()
    domains = [layer["encoding"]["x"]["scale"]["domain"] for layer in chart["layer"]]
    assert domains == [["2019-12-27", "2020-01-04"]] * 2
    assert chart["layer"][0]["encoding"]["y"] == {
        "aggregate": "sum",
        "field": "count",
        "title": "Events",
        "type": "quantitative",
    }


def test_input_counts_are_left_unchanged() -> None:
    before = COUNTS.copy()
    spec()
    pd.testing.assert_frame_equal(COUNTS, before)


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param(counts_per_day(pd.DataFrame(columns=["event_date", "event_type"])), id="none"),
        pytest.param(COUNTS.iloc[:1], id="none-in-range"),
    ],
)
def test_chart_without_events_in_range(counts: pd.DataFrame) -> None:
    chart = spec(counts)
    assert chart["datasets"].get(chart["layer"][0]["data"]["name"], []) == []
    assert layer_data(chart, 1) == [{"day": "2019-12-31"}]


def test_counts_per_day_feeds_the_chart() -> None:
    events = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2019-12-27", "2019-12-27", "2019-12-28", "2020-02-01"]),
            "event_type": ["Battles", "Battles", "Riots", "Riots"],
        }
    )
    assert layer_data(spec(counts_per_day(events)), 0) == [
        bar("2019-12-27", "Battles", 2, "Fri 27 Dec 2019", "2019-12-28"),
        bar("2019-12-28", "Riots", 1, "Sat 28 Dec 2019", "2019-12-29"),
    ]


@pytest.mark.parametrize("at", [START, date(2019, 12, 30), END])
def test_prebuilt_spec_with_the_day_filled_in_equals_a_fresh_build(at: date) -> None:
    text = build_timeline_spec(COUNTS, START, END)
    filled = timeline_spec_at(text, at)
    fresh = spec(at=at)
    assert DAY_PLACEHOLDER not in json.dumps(filled)
    assert [layer["mark"] for layer in filled["layer"]] == [
        layer["mark"] for layer in fresh["layer"]
    ]
    assert layer_data(filled, 0) == layer_data(fresh, 0)
    assert layer_data(filled, 1) == [{"day": at.isoformat()}]
