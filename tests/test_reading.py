"""Reading each supported format: ACLED exports, generic CSV, GeoJSON, GeoPackage, Shapefile."""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo.reading import ACLED_EXPORT_COLUMNS, read_raw, sniff_kind
from geo.table import DatasetError
from geo.validation import LoadResult, load_events_from_bytes

ACLED_HEADER = list(ACLED_EXPORT_COLUMNS)

# Two ACLED records; `timestamp` (upload time) is months after the event on purpose.
ACLED_RECORDS: list[dict[str, Any]] = [
    {
        "event_id_cnty": "IRQ40001",
        "event_date": date(2019, 12, 27),
        "year": 2019,
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Kata'ib Hezbollah",
        "assoc_actor_1": "",
        "inter1": 3,
        "actor2": "Military Forces of the United States (2017-2021)",
        "assoc_actor_2": "",
        "inter2": 8,
        "interaction": 38,
        "civilian_targeting": "",
        "iso": 368,
        "region": "Middle East",
        "country": "Iraq",
        "admin1": "Kirkuk",
        "admin2": "Kirkuk",
        "admin3": "Kirkuk",
        "location": "K-1 Air Base",
        "latitude": 35.5184,
        "longitude": 44.2835,
        "geo_precision": 1,
        "source": "Reuters; New York Times",
        "source_scale": "International",
        "notes": 'On 27 December 2019, some 30 rockets hit the K-1 base; "one contractor" killed.',
        "fatalities": 1,
        "tags": "",
        "timestamp": 1583859600,
    },
    {
        "event_id_cnty": "IRQ40002",
        "event_date": date(2019, 12, 31),
        "year": 2019,
        "time_precision": 1,
        "disorder_type": "Demonstrations",
        "event_type": "Riots",
        "sub_event_type": "Violent demonstration",
        "actor1": "Rioters (Iraq)",
        "assoc_actor_1": "PMF: Popular Mobilization Forces",
        "inter1": 5,
        "actor2": "",
        "assoc_actor_2": "",
        "inter2": 0,
        "interaction": 50,
        "civilian_targeting": "",
        "iso": 368,
        "region": "Middle East",
        "country": "Iraq",
        "admin1": "Baghdad",
        "admin2": "Al Resafa",
        "admin3": "Markaz Al Resafa",
        "location": "Baghdad - Green Zone",
        "latitude": 33.3045,
        "longitude": 44.3987,
        "geo_precision": 1,
        "source": "Al Jazeera",
        "source_scale": "International",
        "notes": "Protesters stormed the embassy compound, setting fire to a reception area.",
        "fatalities": 0,
        "tags": "crowd size=thousands",
        "timestamp": 1618317000,
    },
]


def acled_csv(upper: bool, date_format: str) -> bytes:
    """An ACLED export: all 31 columns, in either header case and date style."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.upper() if upper else c for c in ACLED_HEADER])
    for record in ACLED_RECORDS:
        row = dict(record, event_date=record["event_date"].strftime(date_format))
        writer.writerow([row[c] for c in ACLED_HEADER])
    return buffer.getvalue().encode()


def load(data: bytes, name: str) -> LoadResult:
    return load_events_from_bytes(data, name)


@pytest.mark.parametrize(
    ("upper", "date_format"),
    [
        pytest.param(False, "%Y-%m-%d", id="current-export"),
        pytest.param(True, "%d %B %Y", id="older-upper-case-export"),
        pytest.param(False, "%d %B %Y", id="long-dates-lower-case"),
        pytest.param(True, "%Y-%m-%d", id="iso-dates-upper-case"),
    ],
)
def test_acled_export_with_all_31_columns(upper: bool, date_format: str) -> None:
    assert len(ACLED_HEADER) == 31
    result = load(acled_csv(upper, date_format), "acled-export.csv")

    assert (result.kind, result.records, result.problems) == ("ACLED CSV", 2, [])
    first, second = (result.events.iloc[i] for i in range(2))
    assert first["id"] == "IRQ40001"
    # event_date is the event's day, never `timestamp` (the upload time, months later).
    assert [d.date() for d in result.events["event_date"]] == [
        date(2019, 12, 27),
        date(2019, 12, 31),
    ]
    assert first["event_type"] == "Explosions/Remote violence"
    assert first["sub_event_type"] == "Shelling/artillery/missile attack"
    assert (first["actor1"], first["actor2"]) == (
        "Kata'ib Hezbollah",
        "Military Forces of the United States (2017-2021)",
    )
    assert (first["location"], first["admin1"], first["country"]) == (
        "K-1 Air Base",
        "Kirkuk",
        "Iraq",
    )
    assert (first.geometry.x, first.geometry.y) == (44.2835, 35.5184)
    assert (first["time_precision"], first["geo_precision"], first["fatalities"]) == (1, 1, 1)
    assert first["source"] == "Reuters; New York Times"
    assert '"one contractor" killed' in first["notes"]
    assert (second["event_type"], second["fatalities"], second["event_time"]) == ("Riots", 0, "")


def test_acled_timestamp_is_not_the_date_even_when_event_date_is_bad() -> None:
    data = acled_csv(False, "%Y-%m-%d").replace(b"2019-12-27", b"2019-12-32")
    result = load(data, "acled.csv")

    assert [p.field for p in result.problems] == ["event_date"]
    assert list(result.events["id"]) == ["IRQ40002"]


# ---- generic CSV: aliases -----------------------------------------------------------------

LAT_ALIASES = ["lat", "latitude", "y", "Latitude", "LAT"]
LON_ALIASES = ["lon", "lng", "long", "longitude", "x", "Lng"]
DATE_ALIASES = ["date", "event_date", "datetime", "timestamp", "Date", "start_date"]
ALIAS_CASES = (
    [pytest.param(lat, "lon", "date", id=f"lat={lat}") for lat in LAT_ALIASES]
    + [pytest.param("lat", lon, "date", id=f"lon={lon}") for lon in LON_ALIASES]
    + [pytest.param("lat", "lon", day, id=f"date={day}") for day in DATE_ALIASES]
)


@pytest.mark.parametrize(("lat", "lon", "day"), ALIAS_CASES)
def test_generic_csv_coordinate_and_date_aliases(lat: str, lon: str, day: str) -> None:
    data = f"id,{lat},{lon},{day},type\nq1,33.31,44.36,2020-01-03,Battles\n".encode()
    result = load(data, "points.csv")

    assert (result.kind, result.problems) == ("CSV", [])
    row = result.events.iloc[0]
    assert (row.geometry.x, row.geometry.y) == (44.36, 33.31)
    assert row["event_date"].date() == date(2020, 1, 3)


TIMESTAMPS = [
    pytest.param("2020-01-03T08:15:00", date(2020, 1, 3), "08:15", id="iso"),
    pytest.param("1578039300", date(2020, 1, 3), "08:15", id="epoch-seconds"),
    pytest.param("2020-01-03", date(2020, 1, 3), "", id="day"),
]


@pytest.mark.parametrize(("value", "day", "time"), TIMESTAMPS)
def test_generic_csv_timestamp_column(value: str, day: date, time: str) -> None:
    result = load(f"lat,lon,timestamp\n33.3,44.3,{value}\n".encode(), "stamps.csv")

    assert result.problems == []
    assert (result.events.at[0, "event_date"].date(), result.events.at[0, "event_time"]) == (
        day,
        time,
    )


# (header of the type column(s), values) -> event_type, sub_event_type
TYPE_COLUMNS = [
    pytest.param("type", "Battles", "Battles", "", id="type"),
    pytest.param("category", "Riots", "Riots", "", id="category"),
    pytest.param("Category", "riots", "Riots", "", id="category-capitalised"),
    pytest.param(
        "category", "Air/drone strike", "Explosions/Remote violence", "Air/drone strike", id="sub"
    ),
    pytest.param("type,category", "Protests,Riots", "Protests", "", id="type-wins"),
    pytest.param("event_type,type", "Battles,Riots", "Battles", "", id="ours-wins"),
]


@pytest.mark.parametrize(("header", "values", "event_type", "sub_event_type"), TYPE_COLUMNS)
def test_type_or_category_column_becomes_the_event_type(
    header: str, values: str, event_type: str, sub_event_type: str
) -> None:
    data = f"lat,lon,date,{header}\n33.3,44.3,2020-01-01,{values}\n".encode()
    result = load(data, "typed.csv")

    row = result.events.iloc[0]
    assert (row["event_type"], row["sub_event_type"]) == (event_type, sub_event_type)


NOT_FOUND = [
    pytest.param(
        "id,date,place\n1,2020-01-01,Basra\n",
        ["latitude (one of: latitude, lat, y)", "longitude (one of: longitude, lon, lng, long, x)"],
        id="no-coordinates",
    ),
    pytest.param(
        "lat,date\n1,2020-01-01\n",
        ["longitude (one of: longitude, lon, lng, long, x)"],
        id="no-longitude",
    ),
    pytest.param(
        "lat,lon,when\n1,2,2020-01-01\n",
        ["date (one of: event_date, date, start_date, datetime, timestamp)"],
        id="no-date",
    ),
]


@pytest.mark.parametrize(("text", "named"), NOT_FOUND)
def test_missing_columns_are_named(text: str, named: list[str]) -> None:
    with pytest.raises(DatasetError) as info:
        load(text.encode(), "nocoords.csv")

    message = str(info.value)
    assert all(part in message for part in named)
    assert "Columns in the file:" in message


CSV_UNREADABLE = [
    pytest.param(b"id,lat,lon,date\n1,33,44,2020-01-01,extra,fields\n", "more fields", id="wide"),
    pytest.param(
        b"id,lat,lon,date\n1,33,44,2020-01-01\n2,33,44,2020-01-01,x,y\n", "Expected 4", id="ragged"
    ),
    pytest.param(b'id,lat,lon,date,notes\n1,33,44,2020-01-01,"open\n', "EOF inside", id="quote"),
    pytest.param("lat,lon,date,place\n1,2,2020-01-01,Sanaʿa\n".encode("utf-16"), "UTF-8", id="u16"),
]


@pytest.mark.parametrize(("data", "message"), CSV_UNREADABLE)
def test_unreadable_csv(data: bytes, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load(data, "broken.csv")


def test_csv_with_bom_and_padding_loads() -> None:
    data = b"\xef\xbb\xbfid , lat , lon ,date\nA1, 33.3 , 44.3 , 2020-01-01 \n"
    result = load(data, "bom.csv")

    assert (list(result.events["id"]), result.problems) == (["A1"], [])


def test_csv_header_only_loads_no_events() -> None:
    result = load(",".join(ACLED_HEADER).encode() + b"\n", "empty-export.csv")

    assert (result.kind, result.records, len(result.events)) == ("ACLED CSV", 0, 0)


def test_csv_rows_are_named_by_line_and_id() -> None:
    data = b"id,lat,lon,date\nok,33,44,2020-01-01\nbad,north,44,2020-01-01\n,33,44,never\n"
    result = load(data, "rows.csv")

    assert [(p.where, p.field) for p in result.problems] == [
        ("row 3 (id 'bad')", "geometry"),
        ("row 4", "event_date"),
    ]
    assert "lat='north'" in result.problems[0].message


def test_csv_geometry_wkt_column_carries_lines() -> None:
    data = (
        b"id,lat,lon,date,geometry_wkt\n"
        b'm1,33.3,44.3,2020-01-01,"LINESTRING (44.3 33.3, 44.9 33.8)"\n'
        b"p1,33.3,44.3,2020-01-01,\n"
        b"x1,33.3,44.3,2020-01-01,LINESTRING oops\n"
    )
    result = load(data, "moves.csv")

    assert [g.wkt for g in result.events.geometry] == [
        "LINESTRING (44.3 33.3, 44.9 33.8)",
        "POINT (44.3 33.3)",
    ]
    assert [(p.where, p.field) for p in result.problems] == [("row 4 (id 'x1')", "geometry")]


# ---- GeoJSON property names ---------------------------------------------------------------

POINT_JSON = {"type": "Point", "coordinates": [44.3987, 33.3045]}

PROPERTY_ALIASES = [
    pytest.param("name", "title", "Embassy attack", id="name"),
    pytest.param("headline", "title", "Embassy attack", id="headline"),
    pytest.param("description", "notes", "Crowd entered the compound.", id="description"),
    pytest.param("summary", "notes", "Crowd entered the compound.", id="summary"),
    pytest.param("type", "event_type", "Riots", id="type"),
    pytest.param("place", "location", "Baghdad", id="place"),
    pytest.param("killed", "fatalities", 2, id="killed"),
    pytest.param("wounded", "injured", 5, id="wounded"),
    pytest.param("event_id_cnty", "id", "IRQ1", id="acled-id"),
]


@pytest.mark.parametrize(("theirs", "ours", "value"), PROPERTY_ALIASES)
def test_geojson_common_property_names(theirs: str, ours: str, value: Any) -> None:
    props = {"date": "2019-12-31", theirs: value}
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": POINT_JSON}],
    }
    result = load(json.dumps(fc).encode(), "events.geojson")

    assert result.problems == []
    assert result.events.at[0, ours] == value
    assert result.events.at[0, "event_date"].date() == date(2019, 12, 31)


def test_geojson_our_names_win_over_aliases() -> None:
    props = {"date": "2019-01-01", "event_date": "2019-12-31", "name": "x", "title": "ours"}
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": POINT_JSON}],
    }
    result = load(json.dumps(fc).encode(), "events.geojson")

    assert result.events.at[0, "title"] == "ours"
    assert result.events.at[0, "event_date"].date() == date(2019, 12, 31)


def test_geojson_source_urls_as_list_or_text() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "a", "date": "2020-01-01", "source_urls": ["https://a", ""]},
                "geometry": POINT_JSON,
            },
            {
                "type": "Feature",
                "properties": {"id": "b", "date": "2020-01-01", "url": "https://b; https://c"},
                "geometry": POINT_JSON,
            },
        ],
    }
    result = load(json.dumps(fc).encode(), "events.geojson")

    assert list(result.events["source_urls"]) == [("https://a",), ("https://b", "https://c")]


# ---- GeoPackage and Shapefile -------------------------------------------------------------


def sample_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["g2", "g1"],
            "event_date": pd.to_datetime(["2020-01-02", "2020-01-01"]),
            "event_type": ["Battles", "air/drone strike"],
            "fatalities": [3, 0],
            "location": ["Kirkuk", "Baghdad"],
        },
        geometry=[Point(44.28, 35.52), LineString([(44.4, 33.3), (44.9, 33.9)])],
        crs="EPSG:4326",
    )


def gpkg_bytes(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GPKG", layer="events")
    return buffer.getvalue()


def zipped_shapefile_bytes(frame: gpd.GeoDataFrame, folder: Path) -> bytes:
    with warnings.catch_warnings():
        # A DBF has no date-time type: GDAL writes one as text and says so.
        warnings.simplefilter("ignore", RuntimeWarning)
        frame.to_file(folder / "events.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return buffer.getvalue()


# (bytes from a temporary folder, file name, kind, ids expected in date order)
VECTOR_FILES: list[Any] = [
    pytest.param(
        lambda tmp: gpkg_bytes(sample_frame()), "events.gpkg", "GeoPackage", ["g1", "g2"], id="gpkg"
    ),
    pytest.param(
        lambda tmp: gpkg_bytes(sample_frame().to_crs(3857)),
        "events.gpkg",
        "GeoPackage",
        ["g1", "g2"],
        id="gpkg-web-mercator",
    ),
    # A Shapefile holds one geometry type: the point only.
    pytest.param(
        lambda tmp: zipped_shapefile_bytes(sample_frame().iloc[:1], tmp),
        "events.zip",
        "Shapefile",
        ["g2"],
        id="zipped-shapefile-datetime-as-text",
    ),
    pytest.param(
        lambda tmp: zipped_shapefile_bytes(
            sample_frame().iloc[:1].assign(event_date=[date(2020, 1, 2)]), tmp
        ),
        "events.zip",
        "Shapefile",
        ["g2"],
        id="zipped-shapefile-date-field",
    ),
]


@pytest.mark.parametrize(("make", "name", "kind", "ids"), VECTOR_FILES)
def test_vector_files_load_from_memory(
    make: Callable[[Path], bytes], name: str, kind: str, ids: list[str], tmp_path: Path
) -> None:
    result = load(make(tmp_path), name)

    assert (result.kind, result.problems) == (kind, [])
    assert list(result.events["id"]) == ids
    expected = sample_frame().set_index("id").geometry
    for fid, got in zip(result.events["id"], result.events.geometry, strict=True):
        assert got.equals_exact(expected[fid], tolerance=1e-6)
    # A date column read as a date-time must not invent a time of day.
    assert set(result.events["event_time"]) == {""}
    by_id = result.events.set_index("id")
    assert by_id.at["g2", "event_date"].date() == date(2020, 1, 2)
    assert by_id.at["g2", "fatalities"] == 3
    if "g1" in by_id.index:
        assert by_id.at["g1", "event_type"] == "Explosions/Remote violence"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(b"SQLite format 3\x00rubbish", "a.gpkg", "as a GeoPackage", id="gpkg"),
        pytest.param(b"PK\x03\x04rubbish", "a.zip", "as a Shapefile", id="zip"),
    ],
)
def test_broken_vector_files(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message) as info:
        load(data, name)
    assert "vsimem" not in str(info.value)
    assert name in str(info.value)


# ---- format sniffing ----------------------------------------------------------------------

SNIFF = [
    pytest.param(b"{}", "a.geojson", "geojson", id="geojson"),
    pytest.param(b"{}", "a.JSON", "geojson", id="json-upper"),
    pytest.param(b"a,b", "a.csv", "csv", id="csv"),
    pytest.param(b"a\tb", "a.tsv", "csv", id="tsv"),
    pytest.param(b"SQLite format 3\x00", "upload", "gpkg", id="sqlite-magic"),
    pytest.param(b"", "a.gpkg", "gpkg", id="gpkg"),
    pytest.param(b"", "a.zip", "shapefile", id="zip"),
    pytest.param(b'\xef\xbb\xbf  {"type"', "upload", "geojson", id="bom-brace"),
    pytest.param(b"  [", "upload", "geojson", id="bracket"),
    pytest.param(b"lat,lon", "upload", "csv", id="fallback"),
]


@pytest.mark.parametrize(("head", "name", "kind"), SNIFF)
def test_sniff_kind(head: bytes, name: str, kind: str) -> None:
    assert sniff_kind(head, name) == kind


def test_read_raw_refuses_empty_input() -> None:
    with pytest.raises(DatasetError, match="is empty"):
        read_raw(b"\n\n", "blank.csv")
