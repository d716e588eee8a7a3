"""Property-based tests: whatever the bytes, only DatasetError escapes, and the CLI says 0, 1 or 2.

Hypothesis runs a bounded number of examples from a fixed seed (`derandomize=True`) and keeps
no example database, so CI is fast, repeatable and writes nothing.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, main
from geo.validation import DatasetError, LoadResult, load_events_from_bytes
from tests.hostile_corpus import shapefile_parts, zipped

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMES = st.sampled_from(
    [
        "a.geojson",
        "a.json",
        "a.csv",
        "a.tsv",
        "a.txt",
        "a.xlsx",
        "a.gpkg",
        "a.zip",
        "a.shp",
        "upload",
    ]
)
SIGNATURES = st.sampled_from(
    [b"", b"SQLite format 3\x00", b"PK\x03\x04", b"{", b"[", b"\xef\xbb\xbf"]
)


def load_or_refuse(data: bytes, name: str) -> LoadResult | None:
    """Load; a DatasetError is an answer, any other exception fails the test."""
    try:
        result = load_events_from_bytes(data, name)
    except DatasetError as exc:
        assert str(exc), "a refusal must say why"
        assert "Traceback" not in str(exc) and "vsimem" not in str(exc)
        return None
    assert len(result.events) + result.dropped <= max(result.records, 1)
    return result


@FUZZ
@given(head=SIGNATURES, body=st.binary(max_size=2_000), name=NAMES)
def test_random_bytes(head: bytes, body: bytes, name: str) -> None:
    load_or_refuse(head + body, name)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
GEOMETRY_TYPES = st.sampled_from(
    [
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
        "Bogus",
        None,
    ]
)
PROPERTY_NAMES = st.sampled_from(
    [
        "id",
        "title",
        "event_date",
        "date",
        "end_date",
        "event_type",
        "type",
        "fatalities",
        "injured",
        "uncertainty_m",
        "time_precision",
        "geo_precision",
        "event_time",
        "country",
        "actor1",
        "source_urls",
        "notes",
        "x",
    ]
)


@st.composite
def features(draw: st.DrawFn) -> Any:
    """A feature that is almost right: known names, wrong shapes and values."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    geometry: Any = {"type": draw(GEOMETRY_TYPES), "coordinates": draw(JSON_VALUES)}
    if geometry["type"] == "GeometryCollection":
        geometry = {"type": "GeometryCollection", "geometries": [draw(JSON_VALUES)]}
    return {
        "type": draw(st.sampled_from(["Feature", "feature", None])),
        "geometry": draw(st.sampled_from([geometry, None, draw(JSON_VALUES)])),
        "properties": draw(st.dictionaries(PROPERTY_NAMES, JSON_VALUES, max_size=8)),
    }


@FUZZ
@given(
    items=st.lists(features(), max_size=8),
    extra=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=3),
)
def test_structured_but_wrong_geojson(items: list[Any], extra: dict[str, Any]) -> None:
    doc = {**extra, "type": "FeatureCollection", "features": items}
    load_or_refuse(json.dumps(doc, allow_nan=True).encode(), "a.geojson")


CELLS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "2020-01-03",
            "2020-02-30",
            "27 December 2019",
            "1583859600",
            "33.3",
            "-12",
            "1e999",
            "nan",
            "'=1",
            "=SUM(A1)",
            "POINT (44 33)",
            "LINESTRING (44 33, 45 34)",
            "GEOMETRYCOLLECTION (POINT (1 2))",
            "9" * 60,
        ]
    ),
)
COLUMNS = st.lists(
    st.sampled_from(
        [
            "lat",
            "lon",
            "date",
            "event_date",
            "latitude",
            "longitude",
            "timestamp",
            "type",
            "name",
            "id",
            "geometry_wkt",
            "fatalities",
            "end_date",
            "event_time",
            "country",
            "actor1",
        ]
    ),
    min_size=1,
    max_size=8,
    unique=True,
)


@FUZZ
@given(columns=COLUMNS, data=st.data())
def test_structured_but_wrong_csv(columns: list[str], data: st.DataObject) -> None:
    import csv

    rows = data.draw(
        st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), max_size=8)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    load_or_refuse(buffer.getvalue().encode("utf-8", "surrogatepass"), "a.csv")


WORKBOOK_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 1, 1)),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=20),
    CELLS.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # openpyxl cannot write them
)


@settings(FUZZ, max_examples=60)
@given(columns=COLUMNS, data=st.data(), date1904=st.booleans())
def test_structured_but_wrong_workbooks(
    columns: list[str], data: st.DataObject, date1904: bool
) -> None:
    rows = data.draw(
        st.lists(st.lists(WORKBOOK_CELLS, min_size=len(columns), max_size=len(columns)), max_size=8)
    )
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    for row in [columns, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    load_or_refuse(out.getvalue(), "a.xlsx")


@FUZZ
@given(
    keep=st.sets(
        st.sampled_from(["events.shp", "events.shx", "events.dbf", "events.prj", "events.cpg"])
    ),
    junk=st.dictionaries(
        st.sampled_from(["events.shp", "events.dbf", "x.txt", "a/b.dbf"]),
        st.binary(max_size=64),
        max_size=2,
    ),
)
def test_broken_zipped_shapefiles(keep: set[str], junk: dict[str, bytes]) -> None:
    parts = {name: body for name, body in shapefile_parts().items() if name in keep}
    load_or_refuse(zipped({**parts, **junk}), "a.zip")


@settings(FUZZ, max_examples=60)
@given(
    head=SIGNATURES,
    body=st.binary(max_size=500),
    suffix=st.sampled_from([".geojson", ".csv", ".xlsx", ".gpkg", ".zip"]),
)
def test_the_cli_exits_0_1_or_2(
    tmp_path_factory: Any, head: bytes, body: bytes, suffix: str
) -> None:
    path = Path(tmp_path_factory.mktemp("fuzz")) / f"input{suffix}"
    path.write_bytes(head + body)
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path)], out=out, err=err)
    assert code in (EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE)
    if code == EXIT_UNREADABLE:
        assert err.getvalue().startswith("error: ")
