"""Hostile inputs: how each is made, and what `python -m geo validate` must answer.

Small files are committed in tests/corpus/ (a test checks they are what these builders make);
big ones (a zip bomb, two million zeros, a 30 MB title, a million vertices) are built here
when a test or `tools/peak_rss.py` needs them, so the repository stays small.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point

from tests.hostile_workbooks import (
    events_xlsx,
    workbook_bomb,
    workbook_entities,
    workbook_far_row,
    workbook_many_parts,
    workbook_with_macros,
)

CORPUS: Final = Path(__file__).resolve().parent / "corpus"
EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2
STAMP: Final = (2020, 1, 3, 0, 0, 0)


def vrt(source: str) -> bytes:
    """An OGR VRT whose layer reads another data source: a file or an address."""
    layer = source.rsplit("/", 1)[-1].split(".")[0]
    return (
        "<OGRVRTDataSource><OGRVRTLayer name='events'>"
        f"<SrcDataSource>{source}</SrcDataSource><SrcLayer>{layer}</SrcLayer>"
        "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>\n"
    ).encode()


def zipped(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A zip with these members (and symbolic links, as Info-ZIP stores them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            # A fixed date: the committed files are byte for byte what this makes.
            archive.writestr(zipfile.ZipInfo(name, date_time=STAMP), body, zipfile.ZIP_DEFLATED)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.create_system = 3
            info.external_attr = (0o120777 << 16) | 0
            archive.writestr(info, target)
    return out.getvalue()


def shapefile_parts() -> dict[str, bytes]:
    """The parts of a valid one-point Shapefile."""
    frame = gpd.GeoDataFrame(
        {"id": ["S1"], "event_date": ["2020-01-03"], "event_type": ["Protests"]},
        geometry=[Point(44.4, 33.3)],
        crs="EPSG:4326",
    )
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        frame.to_file(Path(folder) / "events.shp")
        return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def geopackage_without_geometry() -> bytes:
    """A GeoPackage whose only layer is a plain table."""
    buffer = io.BytesIO()
    table = pd.DataFrame({"id": ["A"], "event_date": ["2020-01-03"]})
    pyogrio.write_dataframe(table, buffer, driver="GPKG", layer="table")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A 300 KB zip whose .dbf unpacks to 300 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("events.dbf", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
        archive.writestr("events.shp", b"\x00\x00\x27\x0a" + b"\0" * 96)
    return out.getvalue()


def deep_wkt_csv(depth: int = 50_000) -> bytes:
    """A CSV whose geometry_wkt cell nests GEOMETRYCOLLECTIONs `depth` deep (~1 MB)."""
    wkt = "GEOMETRYCOLLECTION (" * depth + "POINT (44 33)" + ")" * depth
    return f'lat,lon,date,geometry_wkt\n33,44,2020-01-03,"{wkt}"\n'.encode()


def zeros_in_features(count: int = 2_000_000) -> bytes:
    """A 4 MB FeatureCollection whose features are two million zeros."""
    return b'{"type": "FeatureCollection", "features": [' + b"0," * (count - 1) + b"0]}"


def huge_title_csv(chars: int = 30_000_000) -> bytes:
    """One event whose title is 30 million characters long."""
    return b"lat,lon,date,title\n33,44,2020-01-03," + b"x" * chars + b"\n"


def million_vertex_line(vertices: int = 1_000_000) -> bytes:
    """One LineString of a million vertices (~20 MB of GeoJSON)."""
    coords = ",".join(f"[{44 + i * 1e-6:.6f},33]" for i in range(vertices))
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"id":"L","event_date":"2020-01-03"},"geometry":{"type":"LineString",'
        f'"coordinates":[{coords}]}}}}]}}'
    ).encode()


def many_columns_csv(columns: int = 100_000) -> bytes:
    """A header of 100,000 columns over one row."""
    names = ",".join(f"c{i}" for i in range(columns))
    return f"lat,lon,date,{names}\n33,44,2020-01-03{',' * columns}\n".encode()


def many_properties_geojson(keys: int = 20_000) -> bytes:
    """One feature with 20,000 properties."""
    props = {f"p{i}": i for i in range(keys)}
    feature = {"type": "Feature", "properties": props, "geometry": None}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def many_tiny_rows_csv(rows: int = 300_000) -> bytes:
    """About 5 MB of the shortest valid rows: the most events per byte a CSV can hold."""
    body = "".join(f"{33 + i % 7},{44 + i % 5},2020-01-{1 + i % 28:02d}\n" for i in range(rows))
    return ("lat,lon,date\n" + body).encode()


def bare_features_geojson(count: int = 260_000) -> bytes:
    """About 5 MB of the shortest features there are: the most records per byte in GeoJSON."""
    return (
        b'{"type":"FeatureCollection","features":['
        + b",".join([b'{"type":"Feature"}'] * count)
        + b"]}"
    )


def long_digits_geojson(digits: int) -> bytes:
    """A point whose longitude is an integer of `digits` digits."""
    feature = (
        '{"type":"Feature","properties":{"id":"D","event_date":"2020-01-03"},'
        '"geometry":{"type":"Point","coordinates":[' + "4" * digits + ",33]}}"
    )
    return ('{"type":"FeatureCollection","features":[' + feature + "]}").encode()


@dataclass(frozen=True)
class Case:
    """A hostile input, whether it is committed, and the CLI's answer to it."""

    name: str
    build: Callable[[], bytes]
    code: int
    message: str
    committed: bool = True


PASSWD_VRT = vrt("/etc/passwd")
CASES: Final[list[Case]] = [
    Case("vrt-passwd.gpkg", lambda: PASSWD_VRT, EXIT_UNREADABLE, "is not a GeoPackage"),
    Case(
        "vrt-vsicurl.gpkg",
        lambda: vrt("CSV:/vsicurl/http://127.0.0.1:9/x.csv"),
        EXIT_UNREADABLE,
        "is not a GeoPackage",
    ),
    Case(
        "vrt-member.zip",
        lambda: zipped({"events.vrt": PASSWD_VRT}),
        EXIT_UNREADABLE,
        "'events.vrt' is not part of a Shapefile",
    ),
    Case(
        "vrt-as-shp.zip",
        lambda: zipped({"events.shp": PASSWD_VRT, "events.dbf": b"\x03"}),
        EXIT_UNREADABLE,
        "'events.shp' is not a Shapefile (.shp)",
    ),
    Case(
        "zip-link.zip",
        lambda: zipped({"events.dbf": b"\x03"}, links={"events.shp": "/etc/passwd"}),
        EXIT_UNREADABLE,
        "'events.shp' is a link, not a file",
    ),
    Case(
        "zip-nested.zip",
        lambda: zipped({"inner.zip": zipped({"events.vrt": PASSWD_VRT})}),
        EXIT_UNREADABLE,
        "'inner.zip' is an archive inside the archive",
    ),
    Case(
        "zip-traversal.zip",
        lambda: zipped({"../../events.shp": b"\x00\x00\x27\x0a", "events.dbf": b"\x03"}),
        EXIT_UNREADABLE,
        "is in a folder",
    ),
    Case(
        "zip-extra-member.zip",
        lambda: zipped({**shapefile_parts(), "readme.html": b"<script>x</script>"}),
        EXIT_UNREADABLE,
        "'readme.html' is not part of a Shapefile",
        committed=False,
    ),
    Case(
        "zip-dbf-only.zip",
        lambda: zipped({"events.dbf": shapefile_parts()["events.dbf"]}),
        EXIT_UNREADABLE,
        "must hold exactly one Shapefile",
        committed=False,
    ),
    Case(
        "zip-bomb.zip",
        zip_bomb,
        EXIT_UNREADABLE,
        "it unpacks to 314,572,900 bytes; the limit is 200,000,000 bytes",
        committed=False,
    ),
    Case(
        "shapefile.zip",
        lambda: zipped(shapefile_parts()),
        EXIT_OK,
        "events shown: 1; left out: 0",
        committed=False,
    ),
    Case(
        "gpkg-no-geometry.gpkg",
        geopackage_without_geometry,
        EXIT_UNREADABLE,
        "no layer of this GeoPackage has geometry",
        committed=False,
    ),
    Case(
        "sqlite-garbage.gpkg",
        lambda: b"SQLite format 3\x00" + b"\xff" * 200,
        EXIT_UNREADABLE,
        "could not be read as a GeoPackage; it may be damaged or in another format",
    ),
    Case(
        "deep-wkt.csv",
        deep_wkt_csv,
        EXIT_PROBLEMS,
        "geometry_wkt: parentheses nested 50,001 deep; the limit is 32 levels",
        committed=False,
    ),
    Case(
        "zeros-in-features.geojson",
        zeros_in_features,
        EXIT_UNREADABLE,
        "2,000,000 features; the limit is 500,000 records",
        committed=False,
    ),
    Case(
        "huge-title.csv",
        huge_title_csv,
        EXIT_PROBLEMS,
        "title: 30,000,000 characters; cut to 10,000; the limit is 10,000 characters",
        committed=False,
    ),
    Case(
        "million-vertices.geojson",
        million_vertex_line,
        EXIT_PROBLEMS,
        "more than 20,000 vertices; the limit is 20,000 vertices",
        committed=False,
    ),
    Case(
        "many-columns.csv",
        many_columns_csv,
        EXIT_UNREADABLE,
        "the header has 100,003 columns; the limit is 500 fields",
        committed=False,
    ),
    Case(
        "many-properties.geojson",
        many_properties_geojson,
        EXIT_UNREADABLE,
        "the limit is 500 fields",
        committed=False,
    ),
    Case(
        "many-tiny-rows.csv",
        many_tiny_rows_csv,
        EXIT_OK,
        "events shown: 300000; left out: 0",
        committed=False,
    ),
    Case(
        "bare-features.geojson",
        bare_features_geojson,
        EXIT_PROBLEMS,
        "events shown: 0; left out: 260000",
        committed=False,
    ),
    Case(
        "digits-400.geojson",
        lambda: long_digits_geojson(400),
        EXIT_UNREADABLE,
        "it holds a number of 400 digits; the limit is 40 digits",
    ),
    Case(
        "digits-5000.geojson",
        lambda: long_digits_geojson(5_000),
        EXIT_UNREADABLE,
        "it holds a number of 5,000 digits; the limit is 40 digits",
    ),
    Case(
        "digits-400.csv",
        lambda: b"lat,lon,date\n" + b"3" * 400 + b",44,2020-01-03\n33,44,2020-01-04\n",
        EXIT_PROBLEMS,
        "lat or lon has too many digits; the limit is 40 digits",
    ),
    Case(
        "markdown-column.csv",
        lambda: b'"[Session expired](https://evil.example/login)",b\n1,2\n',
        EXIT_UNREADABLE,
        "Columns in the file: [session expired](https://evil.example/login), b",
    ),
    Case(
        "workbook.xlsx",
        events_xlsx,
        EXIT_OK,
        "Excel workbook, sheet 'Events', 3 records",
        committed=False,
    ),
    Case(
        "workbook-bomb.xlsx",
        workbook_bomb,
        EXIT_UNREADABLE,
        "bytes; the limit is 200,000,000 bytes",
        committed=False,
    ),
    Case(
        "workbook-many-parts.xlsx",
        workbook_many_parts,
        EXIT_UNREADABLE,
        "it holds 5,009 parts; the limit is 1,000 parts",
        committed=False,
    ),
    Case(
        "workbook-macros.xlsx",
        workbook_with_macros,
        EXIT_UNREADABLE,
        "is a macro-enabled workbook, which is not read",
        committed=False,
    ),
    Case(
        "workbook-far-row.xlsx",
        workbook_far_row,
        EXIT_UNREADABLE,
        "the sheet has rows past Excel's last (1,048,576)",
        committed=False,
    ),
    Case(
        "workbook-entities.xlsx",
        workbook_entities,
        EXIT_UNREADABLE,
        "could not be read as an Excel workbook; it may be damaged",
        committed=False,
    ),
]
BY_NAME: Final = {case.name: case for case in CASES}


def materialise(case: Case, folder: Path) -> Path:
    """The case as a file: the committed one, or one built into `folder`."""
    if case.committed:
        return CORPUS / case.name
    path = folder / case.name
    if not path.exists():
        path.write_bytes(case.build())
    return path


def write_committed() -> None:
    """Write the small cases into tests/corpus/ (run once when a builder changes)."""
    for case in CASES:
        if case.committed:
            (CORPUS / case.name).write_bytes(case.build())


if __name__ == "__main__":
    write_committed()
