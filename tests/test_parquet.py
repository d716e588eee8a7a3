"""Parquet and GeoParquet: read into the same table as a CSV, checked against the footer first."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from streamlit.testing.v1 import AppTest

from geo.cli import EXIT_OK, EXIT_UNREADABLE, main
from geo.limits import FIELDS, OPERATOR, RECORDS, UNCOMPRESSED_BYTES, UPLOAD, VERTICES
from geo.parquet import wkb_geometries
from geo.reading import read_raw
from geo.table import Located
from geo.validation import DatasetError, LoadResult, load_events, load_events_from_bytes
from tests.test_dashboard import map_columns
from ui.text import plain

App = Callable[..., AppTest]

EVENTS = pd.DataFrame(
    {
        "event_id_cnty": ["IRQ1", "IRQ2", "SYR3"],
        "event_date": pd.to_datetime(["2020-01-03", "2019-12-27", "2020-01-08"]),
        "event_type": ["Explosions/Remote violence", "Explosions/Remote violence", "Airstrike"],
        "actor1": ["Military Forces of the United States", "Kataib Hezbollah", ""],
        "location": ["Baghdad International Airport", "K-1 Air Base", "Al Bukamal"],
        "country": ["Iraq", "Iraq", "Syria"],
        "fatalities": [10, 0, 25],
        "notes": ["Drone strike on a convoy.", "Rockets hit the base.", "Strikes on positions."],
    }
)
GEOMETRY = [Point(44.23, 33.26), Point(44.28, 35.51), LineString([(40.9, 34.4), (41.0, 34.5)])]


def to_bytes(table: pa.Table | pd.DataFrame, **options: Any) -> bytes:
    """A Parquet file's bytes, written by pyarrow (or by geopandas for a GeoDataFrame)."""
    sink = io.BytesIO()
    if isinstance(table, gpd.GeoDataFrame):
        table.to_parquet(sink, index=False, **options)
    else:
        frame = table if isinstance(table, pa.Table) else pa.Table.from_pandas(table)
        pq.write_table(frame, sink, **options)
    return sink.getvalue()


def geoparquet() -> bytes:
    return to_bytes(gpd.GeoDataFrame(EVENTS, geometry=GEOMETRY, crs="EPSG:4326"))


def load(data: bytes, name: str = "events.parquet") -> LoadResult:
    return load_events_from_bytes(data, name)


def refused(data: bytes, name: str = "events.parquet") -> str:
    with pytest.raises(DatasetError) as info:
        load(data, name)
    return str(info.value)


def test_geoparquet_reads_like_any_other_file() -> None:
    result = load(geoparquet())
    events = result.events
    assert (result.kind, result.records, len(events)) == ("GeoParquet", 3, 3)
    assert events["id"].tolist() == ["IRQ2", "IRQ1", "SYR3"]  # in date order
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-12-27",
        "2020-01-03",
        "2020-01-08",
    ]
    assert events.geometry.geom_type.tolist() == ["Point", "Point", "LineString"]
    assert events["fatalities"].tolist() == [0, 10, 25]
    assert events["location"].iat[0] == "K-1 Air Base"
    # The same validation as a CSV: a type of the file's own is kept as it is, not a problem.
    assert result.problems == []
    assert events["event_type"].tolist()[-1] == "Airstrike"


def test_plain_parquet_takes_coordinates_from_columns() -> None:
    frame = EVENTS.assign(latitude=[33.26, 35.51, 34.4], longitude=[44.23, 44.28, 40.9])
    result = load(to_bytes(frame))
    assert result.kind == "Parquet"
    assert shapely.get_coordinates(result.events.geometry.to_numpy()).tolist() == [
        [44.28, 35.51],
        [44.23, 33.26],
        [40.9, 34.4],
    ]


def test_plain_parquet_takes_geometry_from_wkt_or_wkb_columns() -> None:
    as_text = EVENTS.assign(wkt=[g.wkt for g in GEOMETRY])
    as_bytes = EVENTS.assign(geometry=[g.wkb for g in GEOMETRY])
    for data in (to_bytes(as_text), to_bytes(as_bytes)):
        result = load(data)
        assert result.events.geometry.geom_type.tolist() == ["Point", "Point", "LineString"]
        assert not [p for p in result.problems if p.field == "geometry"]


def test_text_dates_and_text_numbers_are_checked_as_in_a_csv() -> None:
    frame = EVENTS.assign(
        event_date=["2020-01-03", "27/12/2019", "2020-01-08"],
        fatalities=["10", "many", "25"],
        lat=[33.26, 35.51, 34.4],
        lon=[44.23, 44.28, 40.9],
    )
    result = load(to_bytes(frame))
    messages = {(p.field, p.message) for p in result.problems}
    # A slashed date whose first part is over 12 can only be day-first.
    assert sorted(result.events["event_date"].dt.strftime("%Y-%m-%d")) == [
        "2019-12-27",
        "2020-01-03",
        "2020-01-08",
    ]
    assert ("fatalities", "'many' is not a whole number from 0 to 10000000; left empty") in messages


def test_an_empty_typed_end_date_is_no_problem_an_empty_start_is() -> None:
    frame = EVENTS.assign(
        event_date=pd.to_datetime(pd.Series(["2020-01-03", None, "2020-01-08"])),
        end_date=pd.to_datetime(pd.Series([None, "2020-01-01", "2020-01-09"])),
    )
    result = load(to_bytes(gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs="EPSG:4326")))
    assert result.events["id"].tolist() == ["IRQ1", "SYR3"]
    assert result.events["end_date"].isna().tolist() == [True, False]
    problems = [(p.field, p.message, p.dropped) for p in result.problems]
    assert problems == [("event_date", "missing", True)]
    assert result.problems[0].note is not None and result.problems[0].note.key == "problem.missing"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"PAR0" + b"\0" * 64 + b"PAR1", "is not a Parquet file", id="bad-head"),
        pytest.param(b"PAR1" + b"\0" * 64 + b"PAR0", "looks truncated", id="bad-tail"),
        pytest.param(
            b"PAR1" + b"\0" * 64 + b"\xff\xff\xff\x7fPAR1", "looks truncated", id="footer"
        ),
        pytest.param(b"PAR1" + b"\0" * 64 + b"\x10\0\0\0PAR1", "damaged Parquet", id="garbage"),
    ],
)
def test_a_file_that_is_not_whole_parquet_is_refused(data: bytes, message: str) -> None:
    assert message in refused(data)


def test_a_truncated_file_is_refused() -> None:
    data = geoparquet()
    assert "looks truncated" in refused(data[: len(data) // 2])
    assert "is not a Parquet file" in refused(data[len(data) // 2 :])


def test_rows_and_columns_are_counted_from_the_footer_before_any_data_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many_rows = to_bytes(pa.table({"a": np.zeros(RECORDS.value + 1, dtype=np.int8)}))
    many_columns = to_bytes(pa.table({f"c{i}": [1] for i in range(FIELDS.value + 1)}))

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("data was read")

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", no_reading)
    assert refused(many_rows).endswith(
        f"{RECORDS.value + 1:,} rows; the limit is {RECORDS.value:,} records "
        f"(features or rows in one file)"
    )
    assert f"{FIELDS.value + 1:,} columns; the limit is {FIELDS.value:,} fields" in refused(
        many_columns
    )


def test_data_that_unpacks_past_the_limit_is_refused_before_it_is_read() -> None:
    data = to_bytes(pa.table({"notes": ["x" * 1000] * 2000}), compression="zstd")
    assert len(data) < 20_000
    small = replace(UPLOAD, uncompressed_bytes=replace(UNCOMPRESSED_BYTES, value=100_000))
    with pytest.raises(DatasetError, match="the limit is 100,000 bytes"):
        read_raw(data, "notes.parquet", limits=small)


@pytest.mark.parametrize(
    ("column", "shown"),
    [
        pytest.param(pa.array([{"x": 1}, {"x": 2}, {"x": 3}]), "struct<x: int64>", id="struct"),
        pytest.param(pa.array([["a"], [], ["b", "c"]]), "list<element: string>", id="list"),
        pytest.param(pa.array([b"\x00", b"\x01", b"\x02"]), "binary", id="bytes"),
    ],
)
def test_columns_that_cannot_be_shown_are_refused_by_name(column: pa.Array, shown: str) -> None:
    table = pa.Table.from_pandas(EVENTS.assign(lat=1.0, lon=2.0)).append_column("extra", column)
    message = refused(to_bytes(table))
    assert "nested values or raw bytes, which cannot be shown: 'extra' (" + shown in message


def test_geoparquet_outside_wgs84_or_not_wkb_is_refused() -> None:
    projected = gpd.GeoDataFrame(EVENTS, geometry=GEOMETRY, crs="EPSG:4326").to_crs(3857)
    assert "reproject it to EPSG:4326" in refused(to_bytes(projected))
    table = pq.read_table(io.BytesIO(geoparquet()))
    geo = json.loads(table.schema.metadata[b"geo"])
    geo["columns"]["geometry"]["encoding"] = "point"
    native = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    assert "only WKB geometry is read" in refused(to_bytes(native))
    geo["columns"]["geometry"]["encoding"] = "WKB"
    deep = {b"geo": b"[" * 40 + b"]" * 40}
    assert "the limit is 32 levels" in refused(to_bytes(table.replace_schema_metadata(deep)))


def test_bad_geometries_are_reported_per_record_and_never_parsed() -> None:
    # Past the limit by its size alone (16 bytes a vertex): refused before GEOS sees it.
    huge = LineString([(40 + i / 1e5, 34.0) for i in range(VERTICES.value * 3 // 2)])
    just_over = LineString([(40 + i / 1e5, 34.0) for i in range(VERTICES.value + 1)])
    collection = shapely.GeometryCollection([Point(44, 33)])
    frame = pd.concat([EVENTS, EVENTS.iloc[:1]], ignore_index=True)
    frame["event_id_cnty"] = ["a", "b", "c", "d"]
    frame = frame.assign(geometry=[huge.wkb, collection.wkb, b"\x01\x02", just_over.wkb])
    result = load(to_bytes(frame))
    assert len(result.events) == 0
    assert [p.message for p in result.problems if p.field == "geometry"] == [
        f"{len(huge.wkb):,} bytes of WKB, too many vertices; the limit is 20,000 vertices "
        "(points in one geometry)",
        "GeometryCollection geometries are not supported",
        "the geometry is not valid WKB",
        "20,001 vertices; the limit is 20,000 vertices (points in one geometry)",
    ]


def test_points_read_from_their_bytes_equal_what_geos_parses() -> None:
    plain = [Point(44.123456789012345, -33.5), Point(-0.0, 1e-300), Point(180, 90)]
    others = [
        shapely.to_wkb(Point(44, 33), byte_order=0),  # big-endian
        shapely.to_wkb(Point(44, 33, 5)),  # with a height
        shapely.to_wkb(shapely.set_srid(Point(44, 33), 4326), include_srid=True),  # EWKB
        shapely.to_wkb(Point()),  # empty: NaN coordinates
        b"\x01\x01\x00\x00\x00" + np.array([np.inf, 1.0]).tobytes(),  # infinite
        LineString([(40, 34), (41, 35)]).wkb,
    ]
    values = [p.wkb for p in plain] + others + [None]
    # Two chunks, as a file of two row groups gives.
    column = pa.chunked_array(
        [pa.array(values[:4], pa.binary()), pa.array(values[4:], pa.binary())]
    )
    located = wkb_geometries(column, VERTICES.value)
    geometry, errors = shapes_of(located), located.errors
    # The plain points are read from their bytes, the others parsed by GEOS.
    assert located.points is not None
    assert (~np.isnan(located.points[:, 0])).tolist() == [True] * 3 + [False] * 7
    assert located.geometry[:3] == [None] * 3
    for value, got, error in zip(values[:-1], geometry, errors, strict=False):
        want = shapely.from_wkb(value, on_invalid="ignore")
        if want is None:
            assert (got, error) == (None, "the geometry is not valid WKB")
        else:
            assert got is not None and error == ""
            assert shapely.equals_identical(got, want), (got, want)
            assert shapely.has_z(got) == shapely.has_z(want)
    assert [shapely.get_coordinates(g).tolist() for g in geometry[:3]] == [
        shapely.get_coordinates(p).tolist() for p in plain
    ]
    assert (geometry[-1], errors[-1]) == (None, "missing")
    # The type is read in either byte order: a big-endian collection is refused unparsed.
    big = shapely.to_wkb(shapely.GeometryCollection([Point(44, 33)]), byte_order=0)
    z = shapely.to_wkb(LineString([(40, 34, 1), (41, 35, 2)]), byte_order=0, flavor="iso")
    geometry, errors, points = wkb_geometries(
        pa.chunked_array([pa.array([big, z])]), VERTICES.value
    )
    assert points is None and errors[0] == "GeometryCollection geometries are not supported"
    assert geometry[0] is None and errors[1] == ""
    assert geometry[1] is not None and shapely.has_z(geometry[1])


def shapes_of(located: Located) -> list[BaseGeometry | None]:
    """Each row's shape, the plain points made from their coordinates."""
    points = located.points
    return [
        Point(*points[i]) if points is not None and not np.isnan(points[i, 0]) else shape
        for i, shape in enumerate(located.geometry)
    ]


@pytest.fixture(scope="module")
def past_upload_limit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Parquet file of one more row than an upload may hold (a few hundred kilobytes)."""
    n = RECORDS.value + 1
    table = pa.table(
        {
            "date": pa.array(np.full(n, 18_000, dtype=np.int32), pa.date32()),
            "lat": np.full(n, 33.3),
            "lon": np.full(n, 44.4),
        }
    )
    path = tmp_path_factory.mktemp("operator") / "big.parquet"
    pq.write_table(table, path)
    return path


def test_the_operator_may_load_more_records_than_an_upload(past_upload_limit: Path) -> None:
    with pytest.raises(DatasetError, match="the limit is 500,000 records"):
        load_events(past_upload_limit)
    result = load_events(past_upload_limit, limits=OPERATOR)
    assert len(result.events) == RECORDS.value + 1
    assert OPERATOR.records.value > RECORDS.value


def test_validate_holds_a_file_to_the_operators_limits_unless_asked(
    past_upload_limit: Path,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(past_upload_limit)], out=out, err=err) == EXIT_OK
    assert "Parquet, 500001 records" in out.getvalue()
    code = main(["validate", str(past_upload_limit), "--as-upload"], out=out, err=err)
    assert code == EXIT_UNREADABLE
    assert "500,001 rows; the limit is 500,000 records" in err.getvalue()


def test_validate_reads_geoparquet(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(geoparquet())
    out, err = io.StringIO(), io.StringIO()
    main(["validate", str(path)], out=out, err=err)
    assert "events.parquet: GeoParquet, 3 records" in out.getvalue()
    assert "events shown: 3; left out: 0" in out.getvalue()


def test_the_file_name_does_not_decide_the_format() -> None:
    assert load(geoparquet(), "upload").kind == "GeoParquet"


def test_the_dashboard_shows_a_geoparquet_file_given_with_data(app: App, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(geoparquet())
    at = app(data_file=path).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 3
    assert any(plain("events.parquet") + ": 3 events" in e.label for e in at.expander)


def test_the_dashboard_takes_a_parquet_upload_and_explains_a_bad_one(app: App) -> None:
    at = app().run()
    at.file_uploader[0].set_value(("mine.parquet", geoparquet(), "application/octet-stream"))
    at.run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 3
    at.file_uploader[0].set_value(("bad.parquet", b"PAR1 not really", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("bad.parquet is not a complete Parquet file" in e.value for e in at.error)


def test_a_footer_that_points_at_another_file_is_refused_unopened(tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(EVENTS.assign(lat=1.0, lon=2.0)), tmp_path / "data.parquet")
    metadata = pq.read_metadata(tmp_path / "data.parquet")
    metadata.set_file_path("data.parquet")  # the column chunks now live in that file
    sink = io.BytesIO()
    metadata.write_metadata_file(sink)
    assert "stored in another file; only self-contained Parquet files are read" in refused(
        sink.getvalue()
    )
