"""The event record and ACLED's vocabulary: missing values, distinct looks."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.claims import Claim
from geo.model import (
    CATEGORIES,
    CATEGORY_BY_NAME,
    EVENT_TYPES,
    FIELDS,
    SHAPES,
    Event,
)

POINT = Point(44.36, 33.31)
REQUIRED: dict[str, Any] = {"id": "e1", "event_date": pd.Timestamp("2020-01-03"), "geometry": POINT}
OPTIONAL_TEXT = (
    "title",
    "event_time",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "notes",
    "source",
    "source_quote",
    "group",
    "discrepancy",
)
OPTIONAL_NUMBERS = ("time_precision", "geo_precision", "fatalities", "injured", "uncertainty_m")
ACLED = list(CATEGORIES)


# ---- Event.from_row --------------------------------------------------------------------------

MISSING = [
    pytest.param(None, id="None"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(np.float64("nan"), id="numpy-nan"),
    pytest.param(pd.NaT, id="NaT"),
    pytest.param(np.datetime64("NaT"), id="numpy-NaT"),
    pytest.param(pd.NA, id="pd.NA"),
]


def assert_all_optional_empty(event: Event) -> None:
    for name in OPTIONAL_TEXT:
        assert getattr(event, name) == "", name
    for name in OPTIONAL_NUMBERS:
        assert getattr(event, name) is None, name
    assert event.end_date is None
    assert event.source_urls == ()
    assert event.event_type == ""  # no category: shown as "(no category)"


@pytest.mark.parametrize("missing", MISSING)
def test_from_row_missing_values_become_empty(missing: Any) -> None:
    names = (*OPTIONAL_TEXT, *OPTIONAL_NUMBERS, "end_date", "event_type", "source_urls")
    event = Event.from_row(REQUIRED | dict.fromkeys(names, missing))
    assert_all_optional_empty(event)
    assert (event.id, event.event_date) == ("e1", date(2020, 1, 3))


def test_from_row_absent_optional_fields_become_empty() -> None:
    assert_all_optional_empty(Event.from_row(REQUIRED))


def test_from_row_reads_every_field() -> None:
    row = REQUIRED | {
        "title": "Rocket attack",
        "end_date": pd.Timestamp("2020-01-04"),
        "event_time": "21:30",
        "time_precision": np.int64(1),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Kataib Hezbollah",
        "actor2": "US forces",
        "location": "Kirkuk",
        "admin1": "Kirkuk",
        "country": "Iraq",
        "geo_precision": 2.0,
        "uncertainty_m": np.int64(500),
        "fatalities": np.float64(1.0),
        "injured": 4,
        "notes": "notes",
        "source": "Reuters",
        "source_quote": "quote",
        "source_urls": ["https://example.org/a", "https://example.org/b"],
        "group": "g",
        "discrepancy": "d",
    }
    event = Event.from_row(row)
    assert event.end_date == date(2020, 1, 4)
    assert (event.time_precision, event.geo_precision) == (1, 2)
    assert (event.fatalities, event.injured) == (1, 4)
    assert event.uncertainty_m == 500.0
    assert isinstance(event.fatalities, int)
    assert isinstance(event.uncertainty_m, float)
    assert event.source_urls == ("https://example.org/a", "https://example.org/b")
    assert (event.actor1, event.actor2, event.event_time) == (
        "Kataib Hezbollah",
        "US forces",
        "21:30",
    )
    assert event.geometry is POINT
    assert event.claims == ()


def test_from_row_reads_the_claims() -> None:
    claim = Claim("killed", 25, "Reuters", "https://example.org/r", scope="group")
    event = Event.from_row(REQUIRED | {"claims": (claim,), "fatalities": None})
    assert event.claims == (claim,)
    assert event.fatalities is None
    assert "claims" in FIELDS


@pytest.mark.parametrize("value", [None, float("nan"), "[]", ("not a claim",)])
def test_from_row_ignores_anything_but_claims(value: Any) -> None:
    assert Event.from_row(REQUIRED | {"claims": value}).claims == ()


DATES = [
    pytest.param(pd.Timestamp("2020-01-03 23:59"), date(2020, 1, 3), id="timestamp-with-time"),
    pytest.param(datetime(2020, 1, 3, 8, 0), date(2020, 1, 3), id="datetime"),
    pytest.param(date(2020, 1, 3), date(2020, 1, 3), id="date"),
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_from_row_end_date_values(value: Any, expected: date | None) -> None:
    end = Event.from_row(REQUIRED | {"end_date": value}).end_date
    assert end == expected
    assert end is None or type(end) is date


@pytest.mark.parametrize("value", [None, pd.NaT, float("nan"), pd.NA])
def test_from_row_without_event_date_raises(value: Any) -> None:
    with pytest.raises(ValueError, match="'e1' has no event_date"):
        Event.from_row(REQUIRED | {"event_date": value})


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        pytest.param(("https://a.example",), ("https://a.example",), id="tuple"),
        pytest.param([1, "b"], ("1", "b"), id="list-of-mixed"),
        pytest.param("https://a.example", (), id="bare-string"),
        pytest.param([], (), id="empty"),
    ],
)
def test_from_row_source_urls(urls: Any, expected: tuple[str, ...]) -> None:
    assert Event.from_row(REQUIRED | {"source_urls": urls}).source_urls == expected


@pytest.mark.parametrize(
    ("geometry", "movement"),
    [
        pytest.param(POINT, False, id="point"),
        pytest.param(LineString([(44, 33), (45, 34)]), True, id="line"),
        pytest.param(MultiLineString([[(44, 33), (45, 34)], [(45, 34), (46, 35)]]), True, id="ml"),
        pytest.param(Polygon([(44, 33), (45, 33), (45, 34)]), False, id="polygon"),
    ],
)
def test_is_movement(geometry: BaseGeometry, movement: bool) -> None:
    assert Event.from_row(REQUIRED | {"geometry": geometry}).is_movement is movement


# ---- the vocabulary --------------------------------------------------------------------------


def test_event_types_are_the_six_acled_types() -> None:
    assert EVENT_TYPES == (
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    )


def test_every_acled_type_has_its_own_shape_from_shapes() -> None:
    shapes = [c.shape for c in ACLED]
    assert sorted(shapes) == sorted(SHAPES)
    assert len(set(shapes)) == len(ACLED)


def test_every_category_has_its_own_colour() -> None:
    colors = [c.color.lower() for c in CATEGORIES]
    assert len(set(colors)) == len(CATEGORIES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)


def test_sub_types_belong_to_one_category_each() -> None:
    sub_types = [s for c in CATEGORIES for s in c.sub_types]
    assert len(sub_types) == len(set(sub_types))
    assert "Armed clash" in CATEGORY_BY_NAME["Battles"].sub_types


def test_fields_are_listed_once() -> None:
    assert len(FIELDS) == len(set(FIELDS))
    assert {"id", "event_date", "end_date", "uncertainty_m", "source_urls"} <= set(FIELDS)
