"""Points given as coordinates load exactly as points parsed by GEOS: same events, same
problems in the same order, same columns and shapes, same map columns."""

from __future__ import annotations

import gc
import io
import json
import struct
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from geo.dataset import Dataset
from geo.geometry import Places, collector_paused
from geo.validation import LoadResult, load_events_from_bytes

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Coordinates a file may hold: inside Iraq, the same swapped, the globe's edges and just past
# them, signed zeros, huge, infinite and missing values.
COORDINATES = st.one_of(
    st.sampled_from([44.4, 33.3, 0.0, -0.0, 180.0, -180.0, 90.0, -90.0, 180.000001, -90.5]),
    st.sampled_from([1e300, 200.0, float("nan"), float("inf"), float("-inf")]),
    st.floats(-200, 200, allow_nan=False),
)
KINDS = st.sampled_from(["point", "point", "point", "big", "z", "line", "area", "none", "empty"])
ROWS = st.lists(
    st.tuples(
        KINDS,
        COORDINATES,
        COORDINATES,
        st.integers(1, 4),  # day of January 2020: the rows are put in date order
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),  # ids, some repeated
        st.sampled_from(["Iraq", "Syria", "Atlantis", ""]),
    ),
    min_size=1,
    max_size=25,
)
Row = tuple[str, float, float, int, str, str]


def point_wkb(x: float, y: float, little: bool = True) -> bytes:
    """A 2D point's WKB, in either byte order."""
    order = "<" if little else ">"
    return bytes([1 if little else 0]) + struct.pack(f"{order}Idd", 1, x, y)


def wkb_of(kind: str, x: float, y: float, plain: bool) -> bytes | None:
    """The row's geometry as WKB; a point big-endian unless `plain` (so GEOS parses it)."""
    if kind in ("point", "big"):
        return point_wkb(x, y, little=plain and kind == "point")
    if kind == "z":
        return shapely.to_wkb(Point(x, y, 7.5), flavor="iso")
    if kind in ("line", "area"):  # GEOS makes shapes of finite vertices only
        x, y = (float(v) if np.isfinite(v) else 1.0 for v in (x, y))
        ring = [(x, y), (44.0, 33.0), (45.0, 34.0)]
        return (LineString(ring[:2]) if kind == "line" else Polygon(ring)).wkb
    if kind == "empty":
        return shapely.to_wkb(Point())
    return None


def geoparquet(rows: list[Row], plain: bool) -> bytes:
    """A GeoParquet file of the rows, its points read from their bytes (`plain`) or by GEOS."""
    table = pa.table(
        {
            "id": [r[4] for r in rows],
            "event_date": [f"2020-01-0{r[3]}" for r in rows],
            "country": [r[5] for r in rows],
            "event_type": ["Battles"] * len(rows),
            "geometry": pa.array([wkb_of(r[0], r[1], r[2], plain) for r in rows], pa.binary()),
        }
    )
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {}}}
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def assert_same_load(fast: LoadResult, slow: LoadResult) -> None:
    """Two loads of the same records give the same events, problems and map columns."""
    assert [(p.where, p.field, p.message, p.dropped, p.note) for p in fast.problems] == [
        (p.where, p.field, p.message, p.dropped, p.note) for p in slow.problems
    ]
    assert list(fast.events.columns) == list(slow.events.columns)
    assert fast.events.dtypes.equals(slow.events.dtypes)
    pd.testing.assert_frame_equal(
        pd.DataFrame(fast.events.drop(columns="geometry")),
        pd.DataFrame(slow.events.drop(columns="geometry")),
    )
    ours, theirs = (np.asarray(r.events.geometry.to_numpy(), dtype=object) for r in (fast, slow))
    assert len(ours) == len(theirs)
    assert all(shapely.equals_identical(ours, theirs))
    assert shapely.has_z(ours).tolist() == shapely.has_z(theirs).tolist()
    if len(fast.events):
        maps = [Dataset.from_result(r, "x").map_data for r in (fast, slow)]
        for name in ("x", "y", "t", "day", "end", "titles"):
            assert getattr(maps[0], name).tolist() == getattr(maps[1], name).tolist(), name
        assert maps[0].lines == maps[1].lines


@FUZZ
@given(ROWS)
def test_points_read_from_their_bytes_load_as_points_parsed_by_geos(rows: list[Row]) -> None:
    fast = load_events_from_bytes(geoparquet(rows, plain=True), "events.parquet")
    slow = load_events_from_bytes(geoparquet(rows, plain=False), "events.parquet")
    assert_same_load(fast, slow)


def csv_of(rows: list[Row], located: Callable[[float, float], str]) -> bytes:
    """A CSV of the rows' points, each placed by `located` (its cells after the country)."""
    lines = [f"{r[4]},2020-01-0{r[3]},{r[5]},Battles,{located(r[1], r[2])}" for r in rows]
    return "\n".join(lines).encode()


@FUZZ
@given(ROWS)
def test_a_csvs_coordinates_load_as_the_same_points_written_as_wkt(rows: list[Row]) -> None:
    # A CSV's numbers are read without a sign on zero (what GEOS keeps from WKT).
    finite = [(r[0], r[1] + 0.0, r[2] + 0.0, *r[3:]) for r in rows if np.isfinite(r[1] + r[2])]
    if not finite:
        return
    by_columns = b"id,event_date,country,event_type,longitude,latitude\n" + csv_of(
        finite, lambda x, y: f"{x!r},{y!r}"
    )
    by_wkt = b"id,event_date,country,event_type,geometry\n" + csv_of(
        finite, lambda x, y: f"POINT ({x!r} {y!r})"
    )
    assert_same_load(
        load_events_from_bytes(by_columns, "events.csv"),
        load_events_from_bytes(by_wkt, "events.csv"),
    )


def test_a_csvs_bad_coordinates_and_wkt_shapes_keep_their_place() -> None:
    data = (
        b"id,event_date,latitude,longitude,geometry_wkt\n"
        b"a,2020-01-02,33.3,44.4,\n"
        b"b,2020-01-01,north,44.4,\n"
        b'c,2020-01-01,33.3,44.4,"LINESTRING (44 33, 45 34)"\n'
        b"d,2020-01-03,95,44.4,\n"
    )
    result = load_events_from_bytes(data, "events.csv")
    assert result.events["id"].tolist() == ["c", "a"]
    assert [g.wkt for g in result.events.geometry] == [
        "LINESTRING (44 33, 45 34)",
        "POINT (44.4 33.3)",
    ]
    assert [(p.where, p.message) for p in result.problems] == [
        ("row 3 (id 'b')", "latitude='north', longitude='44.4' are not numbers"),
        (
            "row 5 (id 'd')",
            "coordinates out of range (longitude must be -180..180, latitude -90..90; "
            "got x 44.4..44.4, y 95..95)",
        ),
    ]


def test_places_make_the_plain_points_in_the_order_asked_for() -> None:
    line = LineString([(0, 0), (1, 1)])
    places = Places(
        shapes=np.array([None, line, None, None], dtype=object),
        xy=np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 4.0], [np.nan, np.nan]]),
        plain=np.array([True, False, True, False]),
    )
    assert [None if g is None else g.wkt for g in places.shapes_in(np.array([2, 1, 0]))] == [
        "POINT (3 4)",
        "LINESTRING (0 0, 1 1)",
        "POINT (1 2)",
    ]
    every = places.shapes_in(None)
    assert [None if g is None else g.wkt for g in every] == [
        "POINT (1 2)",
        "LINESTRING (0 0, 1 1)",
        "POINT (3 4)",
        None,
    ]
    assert places.shapes[0] is None  # the places themselves are left as they were


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_and_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
        with pytest.raises(ValueError), collector_paused():
            raise ValueError
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()
