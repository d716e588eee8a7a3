"""Loading and validation: each kind of bad record is reported, named, and kept or left out."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.validation import DatasetError, LoadResult, Problem, load_events, load_events_from_bytes

POINT: dict[str, Any] = {"type": "Point", "coordinates": [44.36, 33.31]}


def feature(props: dict[str, Any], geometry: Any = POINT, **extra: Any) -> dict[str, Any]:
    """A GeoJSON Feature with the given properties."""
    return {"type": "Feature", "properties": props, "geometry": geometry, **extra}


def collection(*features: Any) -> bytes:
    """A FeatureCollection as the bytes of a file."""
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def good(fid: str, day: str = "2020-01-05", **props: Any) -> dict[str, Any]:
    """A valid feature."""
    return feature({"id": fid, "event_date": day, "event_type": "Battles", **props})


def load(data: bytes, name: str = "events.geojson") -> LoadResult:
    return load_events_from_bytes(data, name)


def ids_of(result: LoadResult) -> list[str]:
    return [str(v) for v in result.events["id"]]


# ---- files that cannot be read at all -----------------------------------------------------

UNREADABLE = [
    pytest.param(b"this is not json", "is not valid JSON", id="not-json"),
    pytest.param(b'{"type": "FeatureCollection", "features": [', "looks truncated", id="truncated"),
    pytest.param(
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"n": "ab',
        "looks truncated",
        id="truncated-inside-a-string",
    ),
    pytest.param(json.dumps(good("a")).encode(), "single Feature", id="bare-feature"),
    pytest.param(json.dumps([good("a")]).encode(), "found 'list'", id="list"),
    pytest.param(json.dumps(POINT).encode(), "found 'Point'", id="geometry"),
    pytest.param(b'{"type": "FeatureCollection"}', "no 'features' list", id="no-features"),
    pytest.param(b'{"type": "FeatureCollection", "features": {}}', "no 'features'", id="dict"),
    pytest.param(b"", "is empty", id="empty"),
    pytest.param(b"  \n\t ", "is empty", id="whitespace"),
    pytest.param(b"[" * 100_000, "nested 100,000 levels deep; the limit is 32 levels", id="deep"),
    pytest.param('{"n": "Sanaʿa"}'.encode("utf-16"), "not UTF-8", id="utf-16"),
    pytest.param(
        '{"type": "FeatureCollection", "note": "café"}'.encode("latin-1"),
        "not UTF-8 text (byte 0xe9",
        id="latin-1",
    ),
]


@pytest.mark.parametrize(("data", "message"), UNREADABLE)
def test_unreadable_files_raise_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(DatasetError) as info:
        load(data)
    assert message in str(info.value)
    assert "events.geojson" in str(info.value)


# ---- one bad feature between two good ones ------------------------------------------------

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
HOLE_OUT_OF_RANGE = {
    "type": "Polygon",
    "coordinates": [
        [[40, 30], [50, 30], [50, 40], [40, 40], [40, 30]],
        [[41, 31], [42, 31], [42, 95], [41, 31]],
    ],
}

# (properties of the bad feature, its geometry, field reported, part of the message, left out?)
BAD_FEATURES = [
    pytest.param({}, None, "geometry", "missing", True, id="no-geometry"),
    pytest.param({}, "POINT (1 2)", "geometry", "not a GeoJSON geometry", True, id="wkt"),
    pytest.param({}, BOWTIE, "geometry", "Self-intersection", True, id="self-intersecting"),
    pytest.param(
        {},
        {"type": "LineString", "coordinates": [[44, 33]]},
        "geometry",
        "malformed LineString",
        True,
        id="line-one-point",
    ),
    pytest.param(
        {},
        {"type": "Point", "coordinates": ["a", "b"]},
        "geometry",
        "coordinates must be numbers (found 'a')",
        True,
        id="text-coordinates",
    ),
    pytest.param(
        {},
        {"type": "Point", "coordinates": [True, False]},
        "geometry",
        "coordinates must be numbers (found 'True')",
        True,
        id="boolean-coordinates",
    ),
    pytest.param(
        {},
        {"type": "LineString", "coordinates": [[44, 33], [45, None]]},
        "geometry",
        "coordinates must be numbers (found 'null')",
        True,
        id="null-coordinate",
    ),
    pytest.param(
        {},
        {"type": "Point", "coordinates": [200, 33]},
        "geometry",
        "out of range",
        True,
        id="longitude-200",
    ),
    pytest.param(
        {},
        {"type": "Point", "coordinates": [44, -95]},
        "geometry",
        "out of range",
        True,
        id="latitude-minus-95",
    ),
    pytest.param({}, HOLE_OUT_OF_RANGE, "geometry", "y 30..95", True, id="hole-out-of-range"),
    pytest.param(
        {},
        {"type": "GeometryCollection", "geometries": [POINT]},
        "geometry",
        "GeometryCollection geometries are not supported",
        True,
        id="geometry-collection",
    ),
    pytest.param(
        {}, {"type": "Point", "coordinates": []}, "geometry", "empty geometry", True, id="empty"
    ),
    pytest.param(
        {"event_date": "yesterday"}, POINT, "event_date", "is not a date", True, id="words"
    ),
    pytest.param(
        {"event_date": "2019-02-30"}, POINT, "event_date", "not a real calendar", True, id="feb-30"
    ),
    pytest.param(
        {"event_date": "2019-13-01"},
        POINT,
        "event_date",
        "not a real calendar",
        True,
        id="month-13",
    ),
    pytest.param({"event_date": ""}, POINT, "event_date", "missing", True, id="blank-date"),
    pytest.param(
        {"event_date": "03/04/19"}, POINT, "event_date", "two-digit year", True, id="short-year"
    ),
    pytest.param({"event_date": "13/13/2019"}, POINT, "event_date", "not a real", True, id="13/13"),
    pytest.param({"event_date": "2019-00"}, POINT, "event_date", "not a real", True, id="month-0"),
    pytest.param(
        {"event_date": "1850-01-01"}, POINT, "event_date", "outside 1900-2100", True, id="1850"
    ),
    pytest.param(
        {"end_date": "2020-01-04"},
        POINT,
        "end_date",
        "ends 2020-01-04 before",
        True,
        id="end<start",
    ),
    pytest.param({"end_date": "soon"}, POINT, "end_date", "is not a date", True, id="bad-end"),
    pytest.param(
        {"fatalities": -3}, POINT, "fatalities", "'-3' is not a whole number", False, id="negative"
    ),
    pytest.param(
        {"fatalities": "many"}, POINT, "fatalities", "'many' is not", False, id="fatalities-text"
    ),
    pytest.param({"injured": 2.5}, POINT, "injured", "'2.5' is not", False, id="fractional"),
    pytest.param(
        {"geo_precision": 7}, POINT, "geo_precision", "from 1 to 3", False, id="precision-7"
    ),
    pytest.param(
        {"time_precision": 0}, POINT, "time_precision", "from 1 to 4", False, id="precision-0"
    ),
    pytest.param(
        {"uncertainty_m": -10}, POINT, "uncertainty_m", "0 or more", False, id="negative-metres"
    ),
    pytest.param({"event_time": "25:00"}, POINT, "event_time", "not a time", False, id="25:00"),
    pytest.param(
        {"country": "Iraq"},
        {"type": "Point", "coordinates": [33.31, 44.36]},
        "geometry",
        "latitude and longitude look swapped",
        False,
        id="swapped",
    ),
]


@pytest.mark.parametrize(("props", "geometry", "field", "message", "dropped"), BAD_FEATURES)
def test_bad_feature_is_reported_and_the_good_ones_load(
    props: dict[str, Any], geometry: Any, field: str, message: str, dropped: bool
) -> None:
    bad = feature({"id": "bad", "event_date": "2020-01-05", **props}, geometry)
    result = load(collection(good("late", "2020-01-09"), bad, good("early", "2020-01-01")))

    assert result.records == 3
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.where, problem.field, problem.dropped) == (
        "feature #2 (id 'bad')",
        field,
        dropped,
    )
    assert message in problem.message
    assert ids_of(result) == (["early", "late"] if dropped else ["early", "bad", "late"])
    assert result.dropped == int(dropped)


KEPT_EMPTY = [
    pytest.param("fatalities", -1, id="negative-fatalities"),
    pytest.param("fatalities", "3 or 4", id="fatalities-words"),
    pytest.param("fatalities", 10_000_001, id="fatalities-too-many"),
    pytest.param("injured", -2, id="negative-injured"),
    pytest.param("injured", 1.5, id="fractional-injured"),
    pytest.param("uncertainty_m", -5, id="negative-uncertainty"),
    pytest.param("uncertainty_m", "far", id="uncertainty-words"),
    pytest.param("time_precision", 5, id="time-precision-5"),
    pytest.param("geo_precision", -1, id="geo-precision-negative"),
]


@pytest.mark.parametrize(("field", "value"), KEPT_EMPTY)
def test_bad_numbers_are_kept_empty(field: str, value: Any) -> None:
    result = load(collection(good("a", **{field: value})))

    assert [(p.field, p.dropped) for p in result.problems] == [(field, False)]
    assert pd.isna(result.events.at[0, field])


GOOD_NUMBERS = [
    pytest.param("fatalities", 0, 0, id="zero"),
    pytest.param("fatalities", "12", 12, id="text"),
    pytest.param("fatalities", 3.0, 3, id="whole-float"),
    pytest.param("injured", None, None, id="null"),
    pytest.param("uncertainty_m", 250.5, 250.5, id="metres"),
    pytest.param("geo_precision", 2, 2, id="precision"),
]


@pytest.mark.parametrize(("field", "value", "expected"), GOOD_NUMBERS)
def test_good_numbers_are_kept(field: str, value: Any, expected: Any) -> None:
    result = load(collection(good("a", **{field: value})))

    assert result.problems == []
    kept = result.events.at[0, field]
    assert (None if pd.isna(kept) else kept) == expected


# ---- event types --------------------------------------------------------------------------

# (event_type given, sub_event_type given) -> (event_type kept, sub_event_type kept)
TYPES = [
    pytest.param("Battles", "", "Battles", "", id="category"),
    pytest.param("PROTESTS", "", "Protests", "", id="category-any-case"),
    pytest.param(
        "Air/drone strike",
        "",
        "Explosions/Remote violence",
        "Air/drone strike",
        id="sub-type-as-type",
    ),
    pytest.param("peaceful protest", "", "Protests", "Peaceful protest", id="sub-type-any-case"),
    pytest.param("Armed clash", "Skirmish", "Battles", "Skirmish", id="sub-type-kept"),
    pytest.param("Flood", "", "Flood", "", id="own-kept-as-it-is"),
    pytest.param("  Car   bomb ", "x", "Car bomb", "x", id="own-spacing-tidied"),
    pytest.param("Other", "", "Other", "", id="other-is-a-files-own"),
    pytest.param("", "", "", "", id="blank-is-no-category"),
]


@pytest.mark.parametrize(("given", "given_sub", "event_type", "sub_event_type"), TYPES)
def test_event_type_maps_onto_acled_categories(
    given: str, given_sub: str, event_type: str, sub_event_type: str
) -> None:
    result = load(collection(good("a", event_type=given, sub_event_type=given_sub)))

    row = result.events.iloc[0]
    assert (row["event_type"], row["sub_event_type"]) == (event_type, sub_event_type)
    assert result.problems == []  # a vocabulary of its own is not a problem


# ---- naming the record --------------------------------------------------------------------

LABELS = [
    pytest.param({"id": "IRQ1"}, {}, "feature #2 (id 'IRQ1')", id="property-id"),
    pytest.param({"event_id_cnty": "SYR9"}, {}, "feature #2 (id 'SYR9')", id="acled-id"),
    pytest.param({}, {"id": "f-7"}, "feature #2 (id 'f-7')", id="feature-id"),
    pytest.param({"id": 0}, {}, "feature #2 (id '0')", id="id-zero"),
    pytest.param({}, {}, "feature #2", id="no-id"),
]


@pytest.mark.parametrize(("props", "extra", "where"), LABELS)
def test_problem_names_the_feature_and_field(
    props: dict[str, Any], extra: dict[str, Any], where: str
) -> None:
    bad = feature({"event_date": "someday", **props}, POINT, **extra)
    result = load(collection(good("first"), bad))

    assert [(p.where, p.field) for p in result.problems] == [(where, "event_date")]


def test_items_that_are_not_features_are_reported_by_index() -> None:
    result = load(collection(good("a"), 42, {"type": "Point"}))

    geometry = [(p.where, p.message) for p in result.problems if p.field == "geometry"]
    assert geometry == [
        ("feature #2", "the item is not a GeoJSON Feature"),
        ("feature #3", "the item is not a GeoJSON Feature"),
    ]
    assert ids_of(result) == ["a"]


def test_problem_reads_as_one_line() -> None:
    problem = Problem("row 4 (id 'x')", "fatalities", "'-1' is not a whole number", False)

    assert str(problem) == "row 4 (id 'x'): fatalities: '-1' is not a whole number (kept)"


# ---- ids ----------------------------------------------------------------------------------


def test_duplicate_ids_keep_the_first_and_report_the_rest() -> None:
    result = load(
        collection(good("a", "2020-01-03"), good("b"), good("a", "2020-01-01"), good("a"))
    )

    assert ids_of(result) == ["a", "b"]
    assert [(p.where, p.field, p.dropped) for p in result.problems] == [
        ("feature #3 (id 'a')", "id", True),
        ("feature #4 (id 'a')", "id", True),
    ]
    assert all("first used by feature #1 (id 'a')" in p.message for p in result.problems)
    # The first "a" (3 January) is the one kept, not the earlier-dated duplicate.
    assert result.events["event_date"].tolist() == [
        pd.Timestamp("2020-01-03"),
        pd.Timestamp("2020-01-05"),
    ]


def test_missing_ids_are_generated_without_clashing() -> None:
    result = load(collection(feature({"event_date": "2020-01-01"}), good("row-1", "2020-01-02")))

    assert sorted(ids_of(result)) == ["row-1", "row-1-x"]
    assert result.problems == []


def test_numeric_ids_keep_their_spelling() -> None:
    result = load(collection(good(7), feature({"event_date": "2020-01-05"})))  # type: ignore[arg-type]

    assert sorted(ids_of(result)) == ["7", "row-2"]


# ---- dates and order ----------------------------------------------------------------------


def test_good_features_are_kept_sorted_by_date_then_id() -> None:
    result = load(
        collection(
            good("c", "2020-02-01"), good("b", "2019-12-31"), good("a", "2020-02-01"), good("d")
        )
    )

    assert result.problems == []
    assert ids_of(result) == ["b", "d", "a", "c"]
    assert result.events["event_date"].is_monotonic_increasing


def test_each_record_keeps_its_own_place_when_records_are_sorted() -> None:
    def at(fid: str, day: str, x: float) -> dict[str, Any]:
        props = {"id": fid, "event_date": day, "event_type": "Battles", "location": fid}
        return feature(props, {"type": "Point", "coordinates": [x, 1.0]})

    result = load(
        collection(at("c", "2020-02-01", 3), at("x", "never", 9), at("b", "2019-12-31", 2))
    )

    events = result.events
    assert ids_of(result) == ["b", "c"]
    assert events["location"].tolist() == ["b", "c"]
    assert [g.x for g in events.geometry] == [2.0, 3.0]
    assert events.index.tolist() == [0, 1]


def test_a_dropped_record_leaves_no_gap_among_the_sorted_ones() -> None:
    result = load(
        collection(
            good("z", "2019-12-30"),
            good("y", "2019-12-31"),
            good("bad", "not a date"),
            good("x", "2019-12-31"),
        )
    )

    assert ids_of(result) == ["z", "x", "y"]
    assert result.events.index.tolist() == [0, 1, 2]
    assert result.events.geometry.notna().all()


# (value of event_date) -> (day, event_time)
DATE_FORMS = [
    pytest.param("2019-12-27", date(2019, 12, 27), "", id="iso"),
    pytest.param("27 December 2019", date(2019, 12, 27), "", id="acled-long"),
    pytest.param("27 Dec 2019", date(2019, 12, 27), "", id="acled-short"),
    pytest.param("December 27, 2019", date(2019, 12, 27), "", id="us-long"),
    pytest.param("2019-12-27T10:05:00", date(2019, 12, 27), "10:05", id="iso-time"),
    pytest.param("2019-12-27T00:00:00", date(2019, 12, 27), "", id="midnight-is-no-time"),
    pytest.param("2019-12-27T00:01", date(2019, 12, 27), "00:01", id="just-after-midnight"),
    pytest.param("2019-12-27 7:30", date(2019, 12, 27), "07:30", id="single-digit-hour"),
    pytest.param("2019-12-27T01:00:00+03:00", date(2019, 12, 27), "01:00", id="offset"),
    pytest.param("2019-12-26T23:30:00Z", date(2019, 12, 26), "23:30", id="utc"),
    pytest.param("2019-12-26T23:30-0500", date(2019, 12, 26), "23:30", id="offset-no-colon"),
]


def test_dates_in_many_forms_and_mixed_offsets_load_together() -> None:
    # One file holding every form, mixed UTC offsets included, must parse as a whole.
    forms = [p.values for p in DATE_FORMS]
    result = load(collection(*(good(f"e{i}", str(v[0])) for i, v in enumerate(forms))))

    assert result.problems == []
    by_id = result.events.set_index("id")
    for i, (_, day, time) in enumerate(forms):
        assert by_id.at[f"e{i}", "event_date"].date() == day
        assert by_id.at[f"e{i}", "event_time"] == time


def test_explicit_event_time_wins_over_the_time_in_the_date() -> None:
    result = load(collection(good("a", "2019-12-27T10:05", event_time="9:15")))

    assert result.events.at[0, "event_time"] == "09:15"


def test_multi_day_event_keeps_its_end_date() -> None:
    result = load(collection(good("a", "2019-12-31", end_date="2020-01-01")))

    assert result.problems == []
    assert result.events.at[0, "end_date"] == pd.Timestamp("2020-01-01")


# ---- a file with problems still loads -----------------------------------------------------


def test_file_with_many_kinds_of_problem_keeps_every_good_event() -> None:
    data = collection(
        good("ok-3", "2020-03-01"),
        feature({"id": "no-date"}),
        good("ok-1", "2020-01-01", fatalities=-5),
        feature({"id": "bad-geom", "event_date": "2020-01-02"}, None),
        good("ok-2", "2020-02-01", event_type="Earthquake"),
        good("ok-1", "2020-04-01"),
    )
    result = load(data)

    assert ids_of(result) == ["ok-1", "ok-2", "ok-3"]
    assert result.events.at[0, "fatalities"] is pd.NA
    assert result.events.at[1, "event_type"] == "Earthquake"
    assert [(p.where, p.field, p.dropped) for p in result.problems] == [
        ("feature #2 (id 'no-date')", "event_date", True),
        ("feature #3 (id 'ok-1')", "fatalities", False),
        ("feature #4 (id 'bad-geom')", "geometry", True),
        ("feature #6 (id 'ok-1')", "id", True),
    ]
    assert (result.records, result.dropped) == (6, 3)


def test_spellings_of_one_own_type_are_one_category_spelled_as_most_often() -> None:
    given = ["IED", "ied", " IED ", "Ied", "SAF", "saf", "other"]
    result = load(collection(*(good(f"e{i}", event_type=t) for i, t in enumerate(given))))
    assert sorted(result.events["event_type"]) == ["IED"] * 4 + ["SAF", "SAF", "other"]
    assert result.problems == []


def test_empty_collection_loads_with_no_events() -> None:
    result = load(collection())

    assert (len(result.events), result.records, result.problems) == (0, 0, [])
    assert "event_date" in result.events.columns


# ---- the swapped-coordinates check --------------------------------------------------------

# (country, longitude, latitude) -> swapped warning?
SWAPPED = [
    pytest.param("Iraq", 44.36, 33.31, False, id="iraq-right"),
    pytest.param("Iraq", 33.31, 44.36, True, id="iraq-swapped"),
    pytest.param("iraq", 33.31, 44.36, True, id="any-case"),
    pytest.param("United States", -77.05, 38.9, False, id="usa-right"),
    pytest.param("United States", 38.9, -77.05, True, id="usa-swapped"),
    pytest.param("Yemen", 44.2, 15.35, False, id="yemen-right"),
    pytest.param("Yemen", 15.35, 44.2, True, id="yemen-swapped"),
    pytest.param("Iraq", 36.3, 33.5, False, id="outside-but-not-swapped"),
    pytest.param("Narnia", 33.31, 44.36, False, id="unknown-country"),
    pytest.param("", 33.31, 44.36, False, id="no-country"),
]


@pytest.mark.parametrize(("country", "lon", "lat", "warned"), SWAPPED)
def test_swapped_coordinates_are_reported_and_kept(
    country: str, lon: float, lat: float, warned: bool
) -> None:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    result = load(
        collection(feature({"id": "a", "event_date": "2020-01-01", "country": country}, geometry))
    )

    assert ids_of(result) == ["a"]
    expected = [("geometry", False)] if warned else []
    assert [(p.field, p.dropped) for p in result.problems] == expected


def test_swapped_check_ignores_lines() -> None:
    line = {"type": "LineString", "coordinates": [[33.3, 44.3], [33.4, 44.4]]}
    result = load(
        collection(feature({"id": "a", "event_date": "2020-01-01", "country": "Iraq"}, line))
    )

    assert result.problems == []


# ---- from a path --------------------------------------------------------------------------


def test_load_events_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "events.geojson"
    path.write_bytes(collection(good("a"), feature({"id": "b"})))
    result = load_events(path)

    assert (ids_of(result), result.kind, result.dropped) == (["a"], "GeoJSON", 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda p: p / "missing.geojson", "cannot open", id="missing"),
        pytest.param(lambda p: p, "is not a file", id="directory"),
    ],
)
def test_load_events_explains_paths_it_cannot_read(tmp_path: Path, make: Any, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_events(make(tmp_path))
