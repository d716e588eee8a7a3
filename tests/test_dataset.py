"""A loaded dataset: its indexes, filters, counts, events by id, and the settings it declares."""

from __future__ import annotations

import dataclasses
import gc
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geo.dataset import Dataset, Focus, focus_from_meta, story_name_from_meta
from geo.timeline import Mode
from geo.validation import load_events, load_events_from_bytes

BAGHDAD: dict[str, Any] = {"type": "Point", "coordinates": [44.36, 33.31]}
TEHRAN_TO_BAGHDAD: dict[str, Any] = {
    "type": "LineString",
    "coordinates": [[51.39, 35.69], [44.36, 33.31]],
}
EXPLOSIONS = "Explosions/Remote violence"

# id, date, type, actor1, actor2, country, geometry, extra properties.
ROWS: list[tuple[str, str, str, str, str, str, dict[str, Any], dict[str, Any]]] = [
    ("e", "2020-01-03", "Strategic developments", "US forces", "", "Iran", TEHRAN_TO_BAGHDAD, {}),
    ("a", "2019-12-27", EXPLOSIONS, "Kataib Hezbollah", "US forces", "Iraq", BAGHDAD, {}),
    ("b", "2019-12-29", EXPLOSIONS, "US forces", "Kataib Hezbollah", "Iraq", BAGHDAD, {}),
    ("c", "2019-12-31", "Protests", "Protesters", "", "Iraq", BAGHDAD, {"end_date": "2020-01-01"}),
    (
        "d",
        "2020-01-01",
        "Riots",
        "Rioters",
        "US forces",
        "Syria",
        {"type": "Point", "coordinates": [38.99, 34.55]},
        {"uncertainty_m": 2000, "title": "Riot in Palmyra", "source_urls": ["https://a.example"]},
    ),
]


def geojson(meta: dict[str, Any] | None = None) -> bytes:
    """The rows, plus one record without a date, as a GeoJSON file."""
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "id": fid,
                "event_date": day,
                "event_type": kind,
                "actor1": actor1,
                "actor2": actor2,
                "country": country,
                **extra,
            },
        }
        for fid, day, kind, actor1, actor2, country, geometry, extra in ROWS
    ]
    features.append({"type": "Feature", "geometry": BAGHDAD, "properties": {"id": "undated"}})
    doc = {"type": "FeatureCollection", **(meta or {}), "features": features}
    return json.dumps(doc).encode()


def make_dataset(meta: dict[str, Any] | None = None) -> Dataset:
    return Dataset.from_result(load_events_from_bytes(geojson(meta), "events.geojson"), "events")


DATASET = make_dataset({"flashpoint": {"story": "story.json"}})


def ids(mask: np.ndarray) -> str:
    return "".join(DATASET.events["id"][mask])


def test_from_result_indexes_the_good_events() -> None:
    assert len(DATASET) == 5
    assert DATASET.records == 6
    assert [p.where for p in DATASET.problems] == ["feature #6 (id 'undated')"]
    assert DATASET.problems[0].dropped
    assert DATASET.kind == "GeoJSON"
    assert ids(np.ones(5, dtype=bool)) == "abcde"
    assert DATASET.row_of_id == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    assert len(DATASET.timeline) == 5
    assert (DATASET.timeline.first, DATASET.timeline.last) == (date(2019, 12, 27), date(2020, 1, 3))
    assert len(DATASET.map_data.x) == 5
    assert list(DATASET.map_data.lines) == [4]
    assert DATASET.event_types == [EXPLOSIONS, "Protests", "Riots", "Strategic developments"]
    assert DATASET.story_name == "story.json"
    assert DATASET.focus is None
    assert DATASET.folder is None


FILTERS: list[Any] = [
    pytest.param(None, (), (), "abcde", id="no-filter"),
    pytest.param([], (), (), "", id="no-types"),
    pytest.param(["Protests", "Riots"], (), (), "cd", id="types"),
    pytest.param(["Battles"], (), (), "", id="absent-type"),
    pytest.param(None, ["Kataib Hezbollah"], (), "ab", id="actor-in-either-column"),
    pytest.param(None, ["Rioters", "Kataib Hezbollah"], (), "abd", id="actors"),
    pytest.param(None, ["US forces"], (), "abde", id="actor-first-or-second"),
    pytest.param(None, ["nobody"], (), "", id="unknown-actor"),
    pytest.param(None, (), ["Syria", "Iran"], "de", id="countries"),
    pytest.param([EXPLOSIONS, "Riots"], ["US forces"], (), "abd", id="types-and-actor"),
    pytest.param(None, ["US forces"], ["Iraq"], "ab", id="actor-and-country"),
    pytest.param(["Riots"], ["US forces"], ["Iraq"], "", id="all-three-disjoint"),
]


@pytest.mark.parametrize(("types", "actors", "countries", "expected"), FILTERS)
def test_filter_mask(
    types: list[str] | None, actors: list[str], countries: list[str], expected: str
) -> None:
    mask = DATASET.filter_mask(types, actors, countries)
    assert mask.dtype == bool
    assert ids(mask) == expected


COUNTS: list[Any] = [
    pytest.param(
        "actor", {"US forces": 4, "Kataib Hezbollah": 2, "Protesters": 1, "Rioters": 1}, id="actor"
    ),
    pytest.param("country", {"Iraq": 3, "Syria": 1, "Iran": 1}, id="country"),
    pytest.param(
        "event_type",
        {EXPLOSIONS: 2, "Protests": 1, "Riots": 1, "Strategic developments": 1},
        id="type",
    ),
    pytest.param("admin1", {}, id="all-blank"),
]


@pytest.mark.parametrize(("column", "expected"), COUNTS)
def test_counts(column: str, expected: dict[str, int]) -> None:
    counts = DATASET.counts(column)
    assert counts.to_dict() == expected
    assert list(counts) == sorted(counts, reverse=True)


VISIBLE: list[Any] = [
    pytest.param(date(2019, 12, 26), "cumulative", 7, None, "", id="before-any"),
    pytest.param(date(2019, 12, 31), "cumulative", 7, None, "abc", id="cumulative"),
    pytest.param(date(2020, 1, 1), "window", 1, None, "cd", id="multi-day-event-in-window"),
    pytest.param(date(2020, 1, 3), "window", 3, None, "cde", id="window"),
    pytest.param(date(2020, 1, 3), "cumulative", 7, [EXPLOSIONS], "ab", id="filtered"),
    pytest.param(date(2020, 1, 3), "window", 3, [EXPLOSIONS], "", id="filtered-window"),
]


@pytest.mark.parametrize(("at", "mode", "window", "types", "expected"), VISIBLE)
def test_visible(at: date, mode: Mode, window: int, types: list[str] | None, expected: str) -> None:
    visible = DATASET.visible(at, mode, window, DATASET.filter_mask(types))
    assert visible.dtype == bool
    assert ids(visible) == expected


def test_event_by_id() -> None:
    event = DATASET.event("d")
    assert event is not None
    assert (event.id, event.title, event.event_type) == ("d", "Riot in Palmyra", "Riots")
    assert (event.event_date, event.end_date) == (date(2020, 1, 1), None)
    assert (event.actor1, event.actor2, event.country) == ("Rioters", "US forces", "Syria")
    assert event.uncertainty_m == 2000.0
    assert event.source_urls == ("https://a.example",)
    assert event.fatalities is None
    assert DATASET.event("nope") is None
    assert DATASET.event("") is None


@pytest.mark.parametrize("row", range(5))
def test_event_at_each_row(row: int) -> None:
    event = DATASET.event_at(row)
    assert event.id == "abcde"[row]
    assert DATASET.event(event.id) == event
    assert event.is_movement is (event.id == "e")
    assert event.end_date == (date(2020, 1, 1) if event.id == "c" else None)


# ---- settings a file declares ----------------------------------------------------------------


def settings(**members: Any) -> dict[str, Any]:
    return {"flashpoint": members}


CRISIS = Focus(date(2019, 12, 29), date(2019, 12, 31), "Crisis")
FOCUS: list[Any] = [
    pytest.param({}, None, id="no-settings"),
    pytest.param({"flashpoint": "x"}, None, id="settings-not-an-object"),
    pytest.param(settings(focus="2019-12-29"), None, id="focus-not-an-object"),
    pytest.param(
        settings(focus={"start": "2019-12-29", "end": "2019-12-31", "label": "Crisis"}),
        CRISIS,
        id="valid",
    ),
    pytest.param(
        settings(focus={"start": "2019-12-29", "end": "2019-12-29"}),
        Focus(date(2019, 12, 29), date(2019, 12, 29), "Focus"),
        id="one-day-default-label",
    ),
    pytest.param(
        settings(focus={"start": "2019-12-29", "end": "2019-12-31", "label": "x" * 99}),
        Focus(date(2019, 12, 29), date(2019, 12, 31), "x" * 40),
        id="long-label-cut",
    ),
    pytest.param(settings(focus={"start": "2019-12-31", "end": "2019-12-29"}), None, id="reversed"),
    pytest.param(settings(focus={"start": "2019-13-01", "end": "2019-12-31"}), None, id="month-13"),
    pytest.param(settings(focus={"start": "2019-12-29"}), None, id="no-end"),
    pytest.param(settings(focus={"start": 2019, "end": "2019-12-31"}), None, id="number"),
    pytest.param(settings(focus={"start": None, "end": None}), None, id="nulls"),
    pytest.param(settings(focus={"start": ["2019-12-29"], "end": "2019-12-31"}), None, id="list"),
]


@pytest.mark.parametrize(("meta", "expected"), FOCUS)
def test_focus_from_meta(meta: dict[str, Any], expected: Focus | None) -> None:
    assert focus_from_meta(meta) == expected


CLIPPED: list[Any] = [
    pytest.param("2019-12-29", "2019-12-31", CRISIS, id="inside"),
    pytest.param(
        "2019-01-01",
        "2021-01-01",
        Focus(date(2019, 12, 27), date(2020, 1, 3), "Crisis"),
        id="clipped-to-the-data",
    ),
    pytest.param("2020-01-03", "2020-02-01", Focus(date(2020, 1, 3), date(2020, 1, 3), "Crisis")),
    pytest.param("2021-01-01", "2021-02-01", None, id="after-the-data"),
    pytest.param("2019-01-01", "2019-12-26", None, id="before-the-data"),
]


@pytest.mark.parametrize(("start", "end", "expected"), CLIPPED)
def test_from_result_clips_the_focus_to_the_data(
    start: str, end: str, expected: Focus | None
) -> None:
    meta = settings(focus={"start": start, "end": end, "label": "Crisis"})
    assert make_dataset(meta).focus == expected


STORY_NAMES: list[Any] = [
    pytest.param("story.json", "story.json", id="story"),
    pytest.param("Crisis_2020-v2.json", "Crisis_2020-v2.json", id="letters-digits-marks"),
    pytest.param("../x.json", None, id="parent"),
    pytest.param("/etc/passwd", None, id="absolute"),
    pytest.param("/tmp/story.json", None, id="absolute-json"),
    pytest.param("a/b.json", None, id="sub-folder"),
    pytest.param("a\\b.json", None, id="backslash"),
    pytest.param("C:story.json", None, id="drive"),
    pytest.param(".story.json", None, id="hidden"),
    pytest.param("story.txt", None, id="not-json"),
    pytest.param("story.json\n", None, id="trailing-newline"),
    pytest.param("story.json.exe", None, id="double-extension"),
    pytest.param("x" * 100 + ".json", "x" * 100 + ".json", id="longest"),
    pytest.param("x" * 101 + ".json", None, id="too-long"),
    pytest.param("قصة.json", None, id="non-ascii"),
    pytest.param(7, None, id="number"),
    pytest.param(None, None, id="null"),
    pytest.param(["story.json"], None, id="list"),
]


@pytest.mark.parametrize(("name", "expected"), STORY_NAMES)
def test_story_name_from_meta(name: Any, expected: str | None) -> None:
    assert story_name_from_meta(settings(story=name)) == expected


def test_every_dataset_of_a_process_has_its_own_serial() -> None:
    """Caches key on it: unlike id(), a serial is never reused by a later dataset."""
    result = load_events(Path(__file__).resolve().parent.parent / "data" / "locations.geojson")
    serials = []
    for _ in range(5):
        dataset = Dataset.from_result(result, "same.geojson")
        serials.append(dataset.serial)
        serials.append(dataclasses.replace(dataset, name="other").serial)
        del dataset
        gc.collect()
    assert len(set(serials)) == len(serials)
