"""Turn the bytes of a GeoJSON, CSV, Parquet, GeoPackage or Shapefile file into a raw table.

A raw table holds every record in source order with our column names, its geometry (or
None) and a label that names it for the validation report. Nothing is validated here
beyond what is needed to find the records at all: that is `geo.validation`'s job.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.csvparse import parse_csv
from geo.gdal_guard import lock_down
from geo.geojson import read_geojson
from geo.limits import DIGITS, FIELDS, RECORDS, UPLOAD, VERTICES, Limit, SourceLimits
from geo.model import FIELDS as EVENT_FIELDS
from geo.parquet import is_parquet, read_parquet_table, wkb_geometries
from geo.prescan import wkt_problem
from geo.table import (
    ALIASES,
    BOM,
    DatasetError,
    RawTable,
    decode_text,
    labels_of,
    rename_columns,
)
from geo.vector import VectorError, read_geopackage, read_zipped_shapefile

# Before any file is opened: GDAL keeps two drivers and reaches no network (geo.gdal_guard).
lock_down()


# Date columns in order of preference; ACLED's `timestamp` is its upload time, so it comes last.
DATE_COLUMNS: Final[tuple[str, ...]] = (
    "event_date",
    "date",
    "start_date",
    "datetime",
    "timestamp",
)
LAT_COLUMNS: Final[tuple[str, ...]] = ("latitude", "lat", "y")
LON_COLUMNS: Final[tuple[str, ...]] = ("longitude", "lon", "lng", "long", "x")
# Our CSV export writes lines and areas here as WKT, beside their representative point.
WKT_COLUMN: Final = "geometry_wkt"
# Other names a WKT column goes by in a Parquet file without GeoParquet metadata.
WKT_ALIASES: Final = ("wkt", "geometry", "geom")
PARQUET_SUFFIXES: Final = (".parquet", ".geoparquet", ".parq", ".pq")
# The 31 columns of an ACLED export, in ACLED's order.
ACLED_EXPORT_COLUMNS: Final[tuple[str, ...]] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
ACLED_MARKERS: Final[frozenset[str]] = frozenset(
    {"event_id_cnty", "event_date", "event_type", "latitude", "longitude"}
)
# The columns validation looks at (ours, their other names, coordinates, dates, geometry).
# The rest of a Parquet file (ACLED's `inter1`, `iso`, `tags`, …) is never shown, so never
# decompressed. (A CSV is parsed whole: pandas checks every row's width only then.)
USED_COLUMNS: Final[frozenset[str]] = frozenset(
    {*EVENT_FIELDS, *ALIASES, *DATE_COLUMNS, *LAT_COLUMNS, *LON_COLUMNS, WKT_COLUMN, *WKT_ALIASES}
)


def is_used(column: str) -> bool:
    """Whether validation reads a column of this name (as a file's header writes it)."""
    return str(column).strip().lower() in USED_COLUMNS


# A cell our CSV export neutralised: apostrophes, then what a spreadsheet runs as a formula.
_NEUTRALISED = r"^'+[=+\-@\t\r]"
_APOSTROPHE_FORMULA = re.compile(rb"'+[=+\-@\t\r]")
# Every guarded cell holds one of these pairs. Starting with a literal, this pattern is
# searched at memchr speed (0.1 s for 430 MB; the one above takes 3.5 s over the same bytes).
_GUARD_PAIR = re.compile(rb"'[=+\-@\t\r]")


def _maybe_neutralised(data: bytes) -> bool:
    """Whether any cell may start with the export's formula guard (an apostrophe)."""
    if _GUARD_PAIR.search(data) is None:
        return False
    for match in _APOSTROPHE_FORMULA.finditer(data):
        start = match.start()
        if start == 0 or data[start - 1 : start] in (b",", b"\n", b'"'):
            return True
    return False


def sniff_kind(data: bytes, name: str) -> str:
    """Guess the format from the file name, then from the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in PARQUET_SUFFIXES or is_parquet(data):
        return "parquet"
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".gpkg" or data[:16].startswith(b"SQLite format 3"):
        return "gpkg"
    if suffix in (".zip", ".shp"):
        return "shapefile"
    head = data[:64].lstrip(BOM).lstrip()
    if head[:1] in (b"{", b"["):
        return "geojson"
    return "csv"


def read_raw(data: bytes, name: str, limits: SourceLimits = UPLOAD) -> RawTable:
    """Read the bytes of one incident file into a raw table, or raise DatasetError."""
    if not data.strip():
        raise DatasetError(f"{name} is empty")
    kind = sniff_kind(data, name)
    if kind == "geojson":
        return read_geojson(data, name, limits.records)
    if kind == "csv":
        return read_csv(data, name, limits.records)
    if kind == "parquet":
        return read_parquet(data, name, limits)
    return read_vector_file(data, name, kind, limits)


def _first_present(columns: Iterable[str], candidates: Sequence[str]) -> str | None:
    present = set(columns)
    return next((c for c in candidates if c in present), None)


def read_csv(data: bytes, name: str, records: Limit = RECORDS) -> RawTable:
    """Read an ACLED export or a generic CSV with a date column and coordinate columns."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    sniffed = Path(name).suffix.lower() in (".tsv", ".txt")
    if not body.isascii():
        decode_text(data, name)  # refuses anything but UTF-8, naming the byte and its offset
    header = _check_header_width(body, name)
    # Only a .tsv or .txt needs its separator guessed, and so its text decoded up front.
    text = decode_text(data, name) if sniffed else None
    try:
        frame = parse_csv(body, header, name, records, text)
    except DatasetError as exc:
        if str(exc).startswith(f"{name}: "):
            raise
        raise DatasetError(f"{name} is not a readable CSV file: {exc}") from None
    frame.columns = pd.Index([str(c).strip().lower() for c in frame.columns])
    if _maybe_neutralised(body):
        frame = frame.apply(restore_formula)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    listed = [c.strip().lower() for c in header]
    kind = "ACLED CSV" if set(listed) >= ACLED_MARKERS else "CSV"
    return _located_table(frame, name, kind, "row ", 2, listed=listed)


def read_parquet(data: bytes, name: str, limits: SourceLimits = UPLOAD) -> RawTable:
    """Read a GeoParquet file (WKB geometry) or a plain Parquet file with coordinate columns."""
    frame, wkb, kind = read_parquet_table(data, name, limits, is_used)
    frame.columns = pd.Index([str(c).strip().lower() for c in frame.columns])
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if wkb is not None:
        located = wkb_geometries(wkb, VERTICES.value)
        return _located_table(frame, name, kind, "row ", 1, located)
    alias = next((c for c in WKT_ALIASES if c in frame.columns), None)
    if WKT_COLUMN not in frame.columns and alias is not None:
        frame = frame.rename(columns={alias: WKT_COLUMN})
    if WKT_COLUMN in frame.columns:
        wkt = frame[WKT_COLUMN]
        frame[WKT_COLUMN] = wkt.where(wkt.notna(), "").astype(str)
    return _located_table(frame, name, kind, "row ", 1)


def _located_table(
    frame: pd.DataFrame,
    name: str,
    kind: str,
    prefix: str,
    first: int,
    located: tuple[list[BaseGeometry | None], list[str]] | None = None,
    listed: list[str] | None = None,
) -> RawTable:
    """Geometry from the coordinate (or WKT) columns unless given; the date column as ours.

    `listed` is every column of the file, for the message when a needed one is missing.
    """
    columns = [str(c) for c in frame.columns]
    if located is not None:
        geometry, errors = located
        date_col = _coordinate_and_date_columns(columns, name, False, listed)[2]
    else:
        lat_col, lon_col, date_col = _coordinate_and_date_columns(
            columns, name, WKT_COLUMN not in frame.columns, listed
        )
        if lat_col and lon_col:
            geometry, errors = _points(frame[lat_col], frame[lon_col])
        else:
            geometry, errors = [None] * len(frame), ["missing"] * len(frame)
        if WKT_COLUMN in frame.columns:
            _apply_wkt(frame.pop(WKT_COLUMN), geometry, errors)
        frame = frame.drop(columns=[c for c in (lat_col, lon_col) if c and c in frame.columns])
    if date_col == "timestamp":
        frame[date_col] = _epoch_seconds_as_iso(frame[date_col])
    if date_col != "event_date":
        frame = frame.rename(columns={date_col: "event_date"})
    frame = rename_columns(frame)
    return RawTable(frame, geometry, errors, labels_of(frame, prefix, first), [], kind)


def _coordinate_and_date_columns(
    columns: list[str], name: str, need_coordinates: bool = True, listed: list[str] | None = None
) -> tuple[str | None, str | None, str]:
    """The latitude, longitude and date columns, or an error naming what was looked for."""
    lat_col = _first_present(columns, LAT_COLUMNS)
    lon_col = _first_present(columns, LON_COLUMNS)
    date_col = _first_present(columns, DATE_COLUMNS)
    missing = []
    if lat_col is None and need_coordinates:
        missing.append("latitude (one of: " + ", ".join(LAT_COLUMNS) + ")")
    if lon_col is None and need_coordinates:
        missing.append("longitude (one of: " + ", ".join(LON_COLUMNS) + ")")
    if date_col is None:
        missing.append("date (one of: " + ", ".join(DATE_COLUMNS) + ")")
    if missing or date_col is None:
        raise DatasetError(
            f"{name}: no column found for "
            + "; ".join(missing)
            + f". Columns in the file: {', '.join((listed or columns)[:40]) or '(none)'}"
        )
    return lat_col, lon_col, date_col


def _points(
    lat_values: pd.Series, lon_values: pd.Series
) -> tuple[list[BaseGeometry | None], list[str]]:
    """A point per row from its latitude and longitude (text or numbers), or why there is none."""
    lat_col, lon_col = str(lat_values.name), str(lon_values.name)
    lat_text, lon_text = _coordinate_text(lat_values), _coordinate_text(lon_values)
    too_long = _too_many_digits(lat_text) | _too_many_digits(lon_text)
    lat = pd.to_numeric(lat_text.where(~too_long), errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(lon_text.where(~too_long), errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    points = np.asarray(shapely.points(np.where(bad, 0.0, lon), np.where(bad, 0.0, lat)))
    points[bad] = None
    geometry: list[BaseGeometry | None] = points.tolist()
    errors = [""] * len(lat_values)
    for i in np.flatnonzero(bad).tolist():
        errors[i] = (
            DIGITS.exceeded(f"{lat_col} or {lon_col} has too many digits")
            if too_long.iat[i]
            else f"{lat_col}={str(lat_text.iat[i])[:40]!r}, "
            f"{lon_col}={str(lon_text.iat[i])[:40]!r} are not numbers"
        )
    return geometry, errors


def _coordinate_text(values: pd.Series) -> pd.Series:
    """Coordinates as given: numbers stay numbers (a Parquet column), text is stripped."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    return values.where(values.notna(), "").astype(str).str.strip()


def _too_many_digits(values: pd.Series) -> pd.Series:
    """Text with more digits than the `digits` limit (only long text is counted)."""
    if not pd.api.types.is_string_dtype(values):
        return pd.Series(False, index=values.index)
    long = values.str.len() > DIGITS.value
    if not long.any():
        return long
    return long & (values.where(long, "").str.count(r"\d") > DIGITS.value)


def restore_formula(values: pd.Series) -> pd.Series:
    """Undo `geo.export.neutralise_formula`: one apostrophe off each cell it put one on."""
    quoted = values.str.contains(_NEUTRALISED, regex=True)
    return values.where(~quoted, values.str.slice(1)) if quoted.any() else values


def _check_header_width(data: bytes, name: str) -> list[str]:
    """The header's column names; a header wider than the `fields` limit is refused."""
    text = data[: 1 << 20].decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(text)), [])
    if len(header) > FIELDS.value:
        raise DatasetError(f"{name}: " + FIELDS.exceeded(f"the header has {len(header):,} columns"))
    return header


def _apply_wkt(values: pd.Series, geometry: list[BaseGeometry | None], errors: list[str]) -> None:
    """A filled `geometry_wkt` cell (our CSV export of a line or an area) replaces the point."""
    text = values.str.strip()
    rows = np.flatnonzero((text != "").to_numpy(dtype=bool))
    if len(rows) == 0:
        return
    # The GEOS parser recurses into nested parentheses: a deep enough nest kills the process.
    refused = {i: wkt_problem(str(text.iat[i])) for i in rows.tolist()}
    rows = np.asarray([i for i, why in refused.items() if not why], dtype=np.int64)
    for i, why in refused.items():
        if why:
            geometry[i], errors[i] = None, f"{WKT_COLUMN}: {why}"
    if len(rows) == 0:
        return
    parsed = shapely.from_wkt(text.iloc[rows].to_numpy(dtype=object), on_invalid="ignore")
    for i, geom in zip(rows.tolist(), np.asarray(parsed, dtype=object).tolist(), strict=True):
        geometry[i] = geom
        errors[i] = "" if geom is not None else f"{WKT_COLUMN} {str(text.iat[i])[:60]!r} is not WKT"


def _epoch_seconds_as_iso(values: pd.Series) -> pd.Series:
    """Write whole numbers of seconds since 1970 (a `timestamp` column) as ISO date-times."""
    epoch = values.str.fullmatch(r"\s*\d{9,10}\s*")
    if not epoch.any():
        return values
    seconds = pd.to_numeric(values.where(epoch), errors="coerce")
    stamps = pd.to_datetime(seconds, unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    return values.where(~epoch, stamps)


def read_vector_file(data: bytes, name: str, kind: str, limits: SourceLimits = UPLOAD) -> RawTable:
    """Read a GeoPackage or a zipped Shapefile (checked, then opened from memory)."""
    label = "GeoPackage" if kind == "gpkg" else "Shapefile"
    reader = read_geopackage if kind == "gpkg" else read_zipped_shapefile
    try:
        gdf = reader(data, name, limits)
    except VectorError as exc:
        raise DatasetError(str(exc)) from None
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs(4326)
        except Exception:  # pyproj raises several types; its text is for developers
            raise DatasetError(
                f"{name}: the {label}'s coordinates cannot be reprojected to WGS84"
            ) from None
    geometry: list[BaseGeometry | None] = [
        None if g is None or (isinstance(g, float) and math.isnan(g)) else g for g in gdf.geometry
    ]
    errors = ["missing" if g is None else "" for g in geometry]
    frame = rename_columns(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    return RawTable(frame, geometry, errors, labels_of(frame, "feature #", 1), [], label)
