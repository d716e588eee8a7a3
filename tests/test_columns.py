"""Column mappings: the spec's syntax, hostile specs, applying a mapping to a file, the echo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.columns import (
    MAX_SPEC_CHARS,
    TARGETS,
    ColumnMap,
    ColumnsError,
    ColumnSpecError,
    parse_columns,
)
from geo.validation import DatasetError, load_events_from_bytes

RENAMED = (
    "when,y_coord,x_coord,kind,headline,who\n"
    "2021-03-01,33.3,44.4,Airstrike,Strike near Baghdad,Coalition\n"
    "2021-03-02,36.2,43.9,SOF,Raid near Erbil,Coalition\n"
    "2021-03-05,30.5,47.8,Airstrike,Strike near Basra,Coalition\n"
)
RENAMED_SPEC = "date=when,lat=y_coord,lon=x_coord,type=kind,title=headline,actors=who"


@pytest.mark.parametrize(
    ("spec", "pairs"),
    [
        ("date=when", [("date", "when")]),
        (
            "date=when,lat=y_coord,lon=x_coord,type=kind",
            [("date", "when"), ("lat", "y_coord"), ("lon", "x_coord"), ("type", "kind")],
        ),
        (" date = when , title = Head line ", [("date", "when"), ("title", "Head line")]),
        ('date="Event date"', [("date", "Event date")]),
        ('title="Headline, short"', [("title", "Headline, short")]),
        ('notes="a=b"', [("description", "a=b")]),
        ('title="the ""why"" column"', [("title", 'the "why" column')]),
        ('title=" padded "', [("title", " padded ")]),
        ("DATE=when,Latitude=y,LONGITUDE=x", [("date", "when"), ("lat", "y"), ("lon", "x")]),
        ("geometry=shape,category=kind", [("geometry", "shape"), ("type", "kind")]),
        (
            "description=summary,actor1=a,actor2=b",
            [("description", "summary"), ("actors", "a"), ("actor2", "b")],
        ),
        (
            "id=uid,fatalities=dead,source=src,location=town,country=land",
            [
                ("id", "uid"),
                ("fatalities", "dead"),
                ("source", "src"),
                ("location", "town"),
                ("country", "land"),
            ],
        ),
        ("title=تاريخ الحدث", [("title", "تاريخ الحدث")]),
    ],
)
def test_a_spec_parses_to_its_pairs_and_writes_back_to_itself(
    spec: str, pairs: list[tuple[str, str]]
) -> None:
    mapping = parse_columns(spec)
    assert list(mapping.pairs) == pairs
    assert parse_columns(mapping.spec()) == mapping


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "the column mapping is empty"),
        ("   ", "the column mapping is empty"),
        ("date=when,,lat=y", "part 2 of the column mapping is empty"),
        ("date=when,", "part 2 of the column mapping is empty"),
        (",date=when", "part 1 of the column mapping is empty"),
        ("when", "part 1 ('when') has no '='"),
        ("date=when,lat", "part 2 ('lat') has no '='"),
        ("=when", "part 1: unknown target ''"),
        ("dat=when", "part 1: unknown target 'dat'; targets: date, lat, lon, geometry"),
        ("<script>=x", "unknown target '<script>'"),
        ("date=", "part 1: date= names no column"),
        ('date=""', "part 1: date= names no column"),
        ("date=when,date=then", "date is chosen twice (parts 1 and 2)"),
        ("date=when,event_date=then", "date is chosen twice (parts 1 and 2)"),
        ("lat=y", "lat and lon are chosen together: lon is missing"),
        ("lon=x", "lat and lon are chosen together: lat is missing"),
        ("lat=y,lon=y", "lat and lon both name the column 'y'"),
        ("geometry=wkt,lat=y,lon=x", "choose either a geometry column or lat and lon"),
        ('date="when', "a quoted column name has no closing quote"),
        ('date="when"x', "'x' follows a quoted column name"),
        ("date=a=b", "holds '=' or '\"'; write it in double quotes"),
        ('date=a"b', "holds '=' or '\"'"),
        ("date=" + "w" * 301, "the column name is 301 characters long; the limit is 300"),
        ("date=w," * 400, f"characters long; the limit is {MAX_SPEC_CHARS:,} characters"),
    ],
)
def test_a_hostile_spec_is_refused_with_a_message(spec: str, message: str) -> None:
    with pytest.raises(ColumnSpecError) as caught:
        parse_columns(spec)
    assert message in str(caught.value)
    assert isinstance(caught.value, DatasetError)


def test_choices_from_menus_leave_out_blanks_and_are_checked_like_a_spec() -> None:
    mapping = ColumnMap.from_choices({"date": "when", "lat": "y", "lon": "x", "title": ""})
    assert mapping.pairs == (("date", "when"), ("lat", "y"), ("lon", "x"))
    with pytest.raises(ColumnSpecError, match="not both"):
        ColumnMap.from_choices({"geometry": "shape", "lat": "y", "lon": "x"})
    with pytest.raises(ColumnSpecError, match="chooses no column"):
        ColumnMap.from_choices({"date": ""})


def test_a_renamed_csv_loads_with_its_mapping_and_the_report_names_the_columns() -> None:
    result = load_events_from_bytes(RENAMED.encode(), "renamed.csv", parse_columns(RENAMED_SPEC))
    events = result.events
    assert len(events) == 3
    assert events["title"].tolist() == [
        "Strike near Baghdad",
        "Raid near Erbil",
        "Strike near Basra",
    ]
    assert events["actor1"].tolist() == ["Coalition"] * 3
    assert [(p.x, p.y) for p in events.geometry] == [(44.4, 33.3), (43.9, 36.2), (47.8, 30.5)]
    assert [str(u) for u in result.used if u.chosen] == [
        "date ← when",
        "latitude ← y_coord",
        "longitude ← x_coord",
        "category ← kind",
        "title ← headline",
        "actors ← who",
    ]
    assert result.columns is not None
    assert result.columns.names == ("when", "y_coord", "x_coord", "kind", "headline", "who")
    assert result.columns.examples[3] == ("Airstrike", "SOF")


def test_without_its_mapping_the_renamed_csv_names_what_was_looked_for() -> None:
    with pytest.raises(ColumnsError) as caught:
        load_events_from_bytes(RENAMED.encode(), "renamed.csv")
    assert "no column found for latitude" in str(caught.value)
    assert caught.value.columns is not None
    assert caught.value.columns.names[:2] == ("when", "y_coord")


def test_chosen_columns_win_over_the_columns_found_by_name() -> None:
    text = (
        "date,when,lat,lon,y_coord,x_coord,type,kind,geometry_wkt\n"
        "1999-01-01,2021-03-01,1,1,33.3,44.4,Protests,Airstrike,\n"
        '1999-01-02,2021-03-02,1,1,33.3,44.4,Protests,Airstrike,"LINESTRING (44 33, 45 34)"\n'
    )
    result = load_events_from_bytes(
        text.encode(), "both.csv", parse_columns("date=when,lat=y_coord,lon=x_coord,type=kind")
    )
    point, line = result.events.to_dict("records")
    assert str(point["event_date"].date()) == "2021-03-01"
    # The chosen category, not the `type` column found by its name.
    assert point["event_type"] != "Protests"
    assert "Airstrike" in (point["event_type"], point["sub_event_type"])
    assert point["geometry"].equals(shapely.Point(44.4, 33.3))
    # The export's own lines and areas still replace the point they were written beside.
    assert line["geometry"].geom_type == "LineString"


def test_a_column_is_found_ignoring_case_and_spaces_but_a_missing_one_is_named() -> None:
    text = "Event Date,Y,X\n2021-03-01,33.3,44.4\n"
    result = load_events_from_bytes(text.encode(), "c.csv", parse_columns("date=event date"))
    assert len(result.events) == 1
    with pytest.raises(ColumnsError) as caught:
        load_events_from_bytes(text.encode(), "c.csv", parse_columns("date=wehn"))
    message = str(caught.value)
    assert "c.csv has no column 'wehn' (chosen for date)" in message
    assert "its columns: 'Event Date', 'Y', 'X'" in message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("date=when,lat=kind,lon=x_coord", "'kind' chosen as latitude holds no numbers"),
        ("date=when,lat=x_coord,lon=y_coord,title=kind", None),
        ("date=kind,lat=y_coord,lon=x_coord", "'kind' chosen as date holds no dates"),
        ("date=when,lat=y_coord,lon=headline", "chosen as longitude holds no numbers"),
    ],
)
def test_a_chosen_column_that_cannot_be_what_it_is_chosen_for_is_refused(
    spec: str, message: str | None
) -> None:
    if message is None:  # swapped but plausible numbers: loaded, each row checked as usual
        assert len(load_events_from_bytes(RENAMED.encode(), "r.csv", parse_columns(spec)).events)
        return
    with pytest.raises(ColumnsError) as caught:
        load_events_from_bytes(RENAMED.encode(), "r.csv", parse_columns(spec))
    assert message in str(caught.value)
    assert caught.value.columns is not None


def test_latitudes_out_of_range_are_refused_as_a_column() -> None:
    text = "when,a,b\n2021-03-01,120,44\n2021-03-02,130,45\n"
    with pytest.raises(ColumnsError, match="holds no latitudes from -90 to 90"):
        load_events_from_bytes(text.encode(), "r.csv", parse_columns("date=when,lat=a,lon=b"))


def test_a_wkt_column_gives_points_lines_and_areas() -> None:
    text = (
        "when,shape,label\n"
        "2021-03-01,POINT (44.4 33.3),a point\n"
        '2021-03-02,"LINESTRING (44 33, 45 34)",a line\n'
        '2021-03-03,"POLYGON ((44 33, 45 33, 45 34, 44 33))",an area\n'
        "2021-03-04,not a shape,bad\n"
        '2021-03-05,"{""type"": ""Point"", ""coordinates"": [43.1, 36.3]}",geojson text\n'
    )
    result = load_events_from_bytes(
        text.encode(), "shapes.csv", parse_columns("date=when,geometry=shape,title=label")
    )
    shown = dict(zip(result.events["title"], result.events.geometry, strict=True))
    assert shown["a point"].equals(shapely.Point(44.4, 33.3))
    assert shown["a line"].geom_type == "LineString"
    assert shown["an area"].geom_type == "Polygon"
    assert shown["geojson text"].equals(shapely.Point(43.1, 36.3))
    [problem] = result.problems
    assert problem.where == "row 5" and problem.dropped
    assert "shape: 'not a shape' is neither WKT nor a GeoJSON geometry" in problem.message
    assert [str(u) for u in result.used if u.chosen][1] == "geometry ← shape"


def test_a_column_of_text_chosen_as_geometry_is_refused() -> None:
    with pytest.raises(ColumnsError, match="'kind' chosen as geometry holds no WKT"):
        load_events_from_bytes(RENAMED.encode(), "r.csv", parse_columns("date=when,geometry=kind"))


def test_a_csv_with_a_geometry_column_and_no_coordinates_is_found_by_name() -> None:
    text = 'date,WKT\n2021-03-01,"LINESTRING (44 33, 45 34)"\n'
    result = load_events_from_bytes(text.encode(), "g.csv")
    assert result.events.geometry.iloc[0].geom_type == "LineString"
    assert [str(u) for u in result.used] == ["date ← date", "geometry ← WKT"]


def test_a_hostile_geometry_cell_is_measured_before_it_is_parsed() -> None:
    deep = "[" * 5000 + "]" * 5000
    nested = "GEOMETRYCOLLECTION (" * 200 + ")" * 200
    text = (
        "when,shape\n"
        f'2021-03-01,"{{""type"": ""Point"", ""coordinates"": {deep}}}"\n'
        f"2021-03-02,{nested}\n"
        "2021-03-03,POINT (44 33)\n"
    )
    result = load_events_from_bytes(
        text.encode(), "h.csv", parse_columns("date=when,geometry=shape")
    )
    assert len(result.events) == 1
    messages = [p.message for p in result.problems]
    assert any("the limit is 32 levels" in m for m in messages[:1])
    assert any("the limit is 32 levels" in m for m in messages[1:])


def feature_collection(properties: list[dict[str, object]]) -> bytes:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}, "properties": p}
        for p in properties
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_a_geojson_files_properties_can_be_chosen_and_win_over_its_geometry() -> None:
    data = feature_collection(
        [
            {"when": "2021-03-01", "la": 33.3, "lo": 44.4, "what": "Airstrike"},
            {"when": "2021-03-02", "la": "36.2", "lo": "43.9", "what": "SOF"},
        ]
    )
    without = load_events_from_bytes(data, "p.geojson")
    assert len(without.events) == 0  # no date found: every feature left out
    result = load_events_from_bytes(
        data, "p.geojson", parse_columns("date=when,lat=la,lon=lo,type=what")
    )
    assert [(p.x, p.y) for p in result.events.geometry] == [(44.4, 33.3), (43.9, 36.2)]
    assert [str(u) for u in result.used if u.chosen][:3] == [
        "date ← when",
        "latitude ← la",
        "longitude ← lo",
    ]
    shaped = load_events_from_bytes(
        feature_collection(
            [
                {
                    "when": "2021-03-01",
                    "shape": {"type": "LineString", "coordinates": [[1, 1], [2, 2]]},
                }
            ]
        ),
        "s.geojson",
        parse_columns("date=when,geometry=shape"),
    )
    assert shaped.events.geometry.iloc[0].geom_type == "LineString"


def test_the_echo_names_the_columns_found_when_nothing_is_chosen() -> None:
    text = "event_date,latitude,longitude,category,name,description\n2021-03-01,33,44,Riots,a,b\n"
    result = load_events_from_bytes(text.encode(), "f.csv")
    assert [(str(u), u.chosen) for u in result.used] == [
        ("date ← event_date", False),
        ("latitude ← latitude", False),
        ("longitude ← longitude", False),
        ("category ← category", False),
        ("title ← name", False),
        ("description ← description", False),
    ]


def test_the_readme_names_every_target() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Any columns.**") : readme.index("**Long loads.**")]
    missing = [t.key for t in TARGETS if f"`{t.key}`" not in section]
    assert missing == [], "README's *Any columns* leaves out these targets"


SPEC_TEXT = st.text(
    alphabet=st.sampled_from('date=lat,lon"geometry title x y\\ \t\n\x00é'), max_size=80
)
COLUMN_NAMES = st.text(min_size=1, max_size=40)
FUZZ = settings(derandomize=True, database=None, deadline=None)


@settings(FUZZ, max_examples=300)
@given(SPEC_TEXT | st.text(max_size=80))
def test_any_text_is_a_mapping_or_a_message(spec: str) -> None:
    try:
        mapping = parse_columns(spec)
    except ColumnSpecError as exc:
        assert str(exc)
    else:
        assert parse_columns(mapping.spec()) == mapping


@settings(FUZZ, max_examples=200)
@given(st.lists(COLUMN_NAMES, min_size=1, max_size=len(TARGETS), unique=True))
def test_any_column_names_are_written_so_they_read_back(names: list[str]) -> None:
    keys = [t.key for t in TARGETS if t.key not in ("lat", "lon")][: len(names)]
    mapping = ColumnMap(tuple(zip(keys, names, strict=False)))
    assert parse_columns(mapping.spec()).pairs == mapping.pairs
