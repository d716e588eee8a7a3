"""Titles made for records without one, kept out of exports."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from geo.dataset import Dataset
from geo.export import to_acled_csv_bytes, to_geojson_bytes
from geo.titles import MADE, made_title, make_titles, shorten
from geo.validation import load_events_from_bytes

LONG_NOTES = (
    "On 14 June 2022, members of the teachers' union demonstrated in front of the provincial "
    "legislature to demand a wage increase."
)
TITLES = [
    pytest.param(
        ("Peaceful protest", "Protests", ("Comodoro Rivadavia", "Chubut", "Argentina"), ""),
        "Peaceful protest in Comodoro Rivadavia",
        id="acled",
    ),
    pytest.param(
        ("Peaceful protest", "Protests", ("", "Chubut", "Argentina"), ""),
        "Peaceful protest in Chubut",
        id="acled-no-location",
    ),
    pytest.param(("", "Riots", ("", "", "Chile"), "x"), "Riots in Chile", id="type-and-country"),
    pytest.param(("", "Other", ("", "", ""), "Short note."), "Short note.", id="notes"),
    pytest.param(
        ("", "Other", ("", "", ""), LONG_NOTES),
        "On 14 June 2022, members of the teachers' union demonstrated in front of the…",
        id="long-notes",
    ),
    pytest.param(("", "Battles", ("", "", ""), ""), "Battles", id="type-only"),
    pytest.param(("", "", ("", "", ""), ""), "Event", id="nothing"),
]


@pytest.mark.parametrize(("parts", "expected"), TITLES)
def test_made_title(parts: tuple[str, str, tuple[str, ...], str], expected: str) -> None:
    sub, kind, places, notes = parts
    title = made_title(sub_event_type=sub, event_type=kind, places=places, notes=notes)
    assert title == expected
    assert len(title) <= 80


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a  b\nc", 80, "a b c"),
        ("word " * 30, 20, "word word word…"),
        ("x" * 100, 10, "xxxxxxxxx…"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_only_empty_titles_are_made_and_marked() -> None:
    events = pd.DataFrame(
        {
            "title": ["Given", "", "   ", None],
            "sub_event_type": ["", "Armed clash", "", ""],
            "event_type": ["Battles", "Battles", "Riots", "Protests"],
            "location": ["A", "Tumbes", "", ""],
            "admin1": ["", "", "Lima", ""],
            "country": ["", "", "", ""],
            "notes": ["", "", "", "Crowd at the port."],
        }
    )
    before = events.copy()
    made = make_titles(events)
    assert made["title"].tolist() == [
        "Given",
        "Armed clash in Tumbes",
        "Riots in Lima",
        "Crowd at the port.",
    ]
    assert made[MADE].tolist() == [False, True, True, True]
    pd.testing.assert_frame_equal(events, before)


ACLED_CSV = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp\n"
    "ARG1,2022-06-14,2022,1,Demonstrations,Protests,Peaceful protest,Protesters (Argentina),"
    ",6,,,0,60,,32,South America,Argentina,Chubut,Escalante,,Comodoro Rivadavia,-45.8647,"
    "-67.4808,1,El Patagonico,Subnational,Teachers demonstrated.,0,,1655300000\n"
)


def test_a_dataset_shows_made_titles_and_exports_keep_the_empty_field() -> None:
    dataset = Dataset.from_result(load_events_from_bytes(ACLED_CSV.encode(), "a.csv"), "a.csv")
    assert dataset.events["title"].tolist() == ["Peaceful protest in Comodoro Rivadavia"]
    assert dataset.map_data.titles.tolist() == ["Peaceful protest in Comodoro Rivadavia"]
    event = dataset.event_at(0)
    assert event.title == "Peaceful protest in Comodoro Rivadavia" and event.title_made
    [row] = csv.DictReader(io.StringIO(to_acled_csv_bytes(dataset.events).decode()))
    assert row["title"] == ""
    assert row["sub_event_type"] == "Peaceful protest"
    [feature] = json.loads(to_geojson_bytes(dataset.events))["features"]
    assert feature["properties"]["title"] is None
    assert MADE not in feature["properties"]
