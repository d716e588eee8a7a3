"""Turn the bytes of a GeoJSON, ACLED or generic CSV, Excel workbook, Parquet, GeoPackage or
Shapefile into a raw table.

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

from geo.arrowmemory import use_jemalloc
from geo.arrowtext import numbers_in, stripped_text
from geo.columns import (
    DATE_COLUMNS,
    GEOMETRY_COLUMNS,
    LAT_COLUMNS,
    LON_COLUMNS,
    WKT_COLUMN,
    ColumnMap,
    ColumnsError,
    FileColumns,
    apply_columns,
    columns_used,
    file_columns,
)
from geo.csvparse import parse_csv
from geo.gdal_guard import lock_down
from geo.geojson import read_geojson
from geo.geometry import geometries_from_text
from geo.limits import DIGITS, FIELDS, RECORDS, UPLOAD, VERTICES, Limit, SourceLimits
from geo.messages import MISSING, Note, message
from geo.model import FIELDS as EVENT_FIELDS
from geo.parquet import is_parquet, read_parquet_table, wkb_geometries
from geo.prescan import wkt_problem
from geo.table import (
    ALIASES,
    BOM,
    DatasetError,
    Located,
    RawTable,
    decode_text,
    labels_of,
    rename_columns,
)
from geo.vector import VectorError, read_geopackage, read_zipped_shapefile
from geo.workbook import OLE_HEADER, OLE_REFUSAL, REFUSED_SUFFIXES, WORKBOOK_SUFFIXES, read_sheet

# Before any file is opened: GDAL keeps two drivers and reaches no network (geo.gdal_guard),
# and Arrow keeps the memory a load frees for the next (geo.arrowmemory).
lock_down()
use_jemalloc()


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
    {
        *EVENT_FIELDS,
        *ALIASES,
        *DATE_COLUMNS,
        *LAT_COLUMNS,
        *LON_COLUMNS,
        WKT_COLUMN,
        *WKT_ALIASES,
        *GEOMETRY_COLUMNS,
    }
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
    if suffix in WORKBOOK_SUFFIXES:
        return "xlsx"
    if suffix == ".gpkg" or data[:16].startswith(b"SQLite format 3"):
        return "gpkg"
    if suffix in (".zip", ".shp"):
        return "shapefile"
    head = data[:64].lstrip(BOM).lstrip()
    if head[:1] in (b"{", b"["):
        return "geojson"
    return "csv"


def read_raw(
    data: bytes,
    name: str,
    columns: ColumnMap | None = None,
    *,
    sheet: str | None = None,
    limits: SourceLimits = UPLOAD,
) -> RawTable:
    """Read the bytes of one incident file into a raw table, or raise DatasetError.

    `columns` names the file's columns for our fields; chosen columns win over found ones.
    `sheet` names the sheet of an Excel workbook to read (else its first); `limits` are an
    upload's unless the operator's own file is read.
    """
    if not data.strip():
        raise DatasetError(f"{name} is empty")
    suffix = Path(name).suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise DatasetError(f"{name} {REFUSED_SUFFIXES[suffix]}")
    if data.startswith(OLE_HEADER):
        raise DatasetError(f"{name} {OLE_REFUSAL}")
    kind = sniff_kind(data, name)
    if sheet is not None and kind != "xlsx":
        raise DatasetError(f"{name}: a sheet was named, but this is not an Excel workbook (.xlsx)")
    if kind == "xlsx":
        return read_xlsx(data, name, sheet, columns)
    if kind == "csv":
        return read_csv(data, name, columns, limits.records)
    if kind == "parquet":
        return read_parquet(data, name, columns, limits)
    if kind == "geojson":
        raw = read_geojson(data, name, columns, limits.records)
    else:
        raw = read_vector_file(data, name, kind, columns, limits)
    if columns is not None and columns.locates and raw.columns is not None:
        raw.geometry, raw.geometry_errors, raw.points = _located(
            raw.frame, columns, name, raw.columns
        )
    return raw


def _located(frame: pd.DataFrame, columns: ColumnMap, name: str, found: FileColumns) -> Located:
    """Where events are, from the chosen columns (which win over a feature's own geometry)."""
    shape_column = columns.get("geometry")
    if shape_column is not None:
        geometry, errors = geometries_from_text(frame.pop("geometry"), shape_column)
        _refuse_unlocated(geometry, errors, shape_column, name, found)
        return Located(geometry, errors)
    as_text = {
        key: frame.pop(field).map(_cell_text)
        for key, field in (("lat", "latitude"), ("lon", "longitude"))
    }
    return _points(
        as_text["lat"].rename(columns.get("lat")), as_text["lon"].rename(columns.get("lon"))
    )


def _cell_text(value: object) -> str:
    """A cell of any type as the text a CSV would hold ("" when empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _refuse_unlocated(
    geometry: list[BaseGeometry | None],
    errors: list[Note],
    column: str,
    name: str,
    found: FileColumns,
) -> None:
    """A chosen geometry column that places no event at all is the wrong column."""
    if geometry and all(g is None for g in geometry):
        first = next(
            (str(e) for e in errors if e and not str(e).endswith(": missing")), "it is empty"
        )
        raise ColumnsError(
            f"{name}: the column {column[:60]!r} chosen as geometry holds no WKT or GeoJSON "
            f"geometry ({first})",
            found,
        )


def _first_present(columns: Iterable[str], candidates: Sequence[str]) -> str | None:
    present = set(columns)
    return next((c for c in candidates if c in present), None)


def read_csv(
    data: bytes, name: str, columns: ColumnMap | None = None, records: Limit = RECORDS
) -> RawTable:
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
    if _maybe_neutralised(body):
        frame = frame.apply(restore_formula)
    return _table_of_text(frame, name, None, range(2, len(frame) + 2), columns)


def read_xlsx(
    data: bytes, name: str, sheet: str | None, columns: ColumnMap | None = None
) -> RawTable:
    """Read one sheet of an Excel workbook: its first filled row is the header."""
    chosen_date = columns.get("date") if columns is not None else None
    chosen = {chosen_date.strip().lower()} if chosen_date else set()
    date_names = frozenset(DATE_COLUMNS) | {"end_date"} | chosen
    found = read_sheet(data, name, sheet, date_names)
    kind = f"Excel workbook, sheet {found.title!r}"
    return _table_of_text(found.frame, name, kind, found.rows, columns)


def _table_of_text(
    frame: pd.DataFrame,
    name: str,
    kind: str | None,
    rows: Sequence[int] | int,
    columns: ColumnMap | None,
    located: Located | None = None,
) -> RawTable:
    """A raw table from columns of text (or a Parquet file's typed columns): where and when
    from the found or chosen columns, or where from `located` (a GeoParquet geometry)."""
    found = file_columns(frame)
    frame = apply_columns(frame, columns, name, found)
    original = [str(c).strip().lower() for c in frame.columns]
    frame.columns = pd.Index(original)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if kind is None:
        kind = "ACLED CSV" if {c.strip().lower() for c in found.names} >= ACLED_MARKERS else "CSV"
    if located is not None:  # a GeoParquet file's own geometry
        date_col = _location_and_date_columns(original, name, found, need_location=False)[3]
    else:
        lat_col, lon_col, shape_col, date_col = _location_and_date_columns(original, name, found)
        located_by = (lat_col, lon_col, shape_col)
        located = _csv_geometry(frame, located_by, columns, name, found)
        frame = frame.drop(columns=[c for c in (lat_col, lon_col) if c and c in frame.columns])
    if date_col == "timestamp":
        frame[date_col] = _epoch_seconds_as_iso(frame[date_col])
    if date_col != "event_date":
        frame = frame.rename(columns={date_col: "event_date"})
    frame = rename_columns(frame)
    geometry, errors, points = located
    raw = RawTable(frame, geometry, list(errors), labels_of(frame, "row ", rows), [], kind)
    raw.columns, raw.used, raw.points = found, columns_used(found, columns), points
    return raw


def read_parquet(
    data: bytes, name: str, columns: ColumnMap | None = None, limits: SourceLimits = UPLOAD
) -> RawTable:
    """Read a GeoParquet file (WKB geometry) or a plain Parquet file with coordinate columns."""
    chosen = {c.strip().lower() for _, c in columns.pairs} if columns is not None else set()
    try:
        return _read_parquet(data, name, columns, limits, chosen)
    except ColumnsError:
        if columns is not None:
            raise
    # Where and when are not among the columns we read by name: read them all, so the
    # message (and the dashboard's column chooser) lists the file's own columns with examples.
    return _read_parquet(data, name, columns, limits, None)


def _read_parquet(
    data: bytes,
    name: str,
    columns: ColumnMap | None,
    limits: SourceLimits,
    chosen: set[str] | None,
) -> RawTable:
    """Read the used (and chosen) columns of a Parquet file, or all of them (`chosen` None)."""
    frame, wkb, kind = read_parquet_table(
        data,
        name,
        limits,
        (lambda c: True)
        if chosen is None
        else (lambda c: is_used(c) or str(c).strip().lower() in chosen),
    )
    if wkb is not None and not (columns is not None and columns.locates):
        located = wkb_geometries(wkb, VERTICES.value)
        return _table_of_text(frame, name, kind, 1, columns, located)
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    has_points = any(c in lowered for c in (*LAT_COLUMNS, *LON_COLUMNS))
    if not has_points and WKT_COLUMN in lowered and not set(GEOMETRY_COLUMNS) & set(lowered):
        frame = frame.rename(columns={lowered[WKT_COLUMN]: "wkt"})  # our export's shapes
    for column in frame.columns:
        if str(column).strip().lower() in (WKT_COLUMN, *GEOMETRY_COLUMNS):
            text = frame[column]
            frame[column] = text.where(text.notna(), "").astype(str)
    return _table_of_text(frame, name, kind, 1, columns)


def _csv_geometry(
    frame: pd.DataFrame,
    located_by: tuple[str | None, str | None, str | None],
    columns: ColumnMap | None,
    name: str,
    found: FileColumns,
) -> Located:
    """Each row's geometry from its coordinates or its shape column (popped from `frame`).

    Messages name the columns as the file does, chosen ones included.
    """
    lat_col, lon_col, shape_col = located_by
    chosen = columns.get if columns is not None else (lambda key: None)
    if shape_col is not None:
        shape_name = chosen("geometry") or shape_col
        geometry, errors = geometries_from_text(frame.pop(shape_col), shape_name)
        if chosen("geometry"):
            _refuse_unlocated(geometry, errors, shape_name, name, found)
        return Located(geometry, errors)
    assert lat_col is not None and lon_col is not None
    located = _points(
        frame[lat_col].rename(chosen("lat") or lat_col),
        frame[lon_col].rename(chosen("lon") or lon_col),
    )
    if WKT_COLUMN in frame.columns:
        _apply_wkt(frame.pop(WKT_COLUMN), located)
    return located


def _location_and_date_columns(
    columns: list[str], name: str, found: FileColumns, need_location: bool = True
) -> tuple[str | None, str | None, str | None, str]:
    """The latitude, longitude (or geometry) and date columns, or an error naming what was
    looked for."""
    lat_col = _first_present(columns, LAT_COLUMNS)
    lon_col = _first_present(columns, LON_COLUMNS)
    date_col = _first_present(columns, DATE_COLUMNS)
    shape_col = None
    if lat_col is None or lon_col is None:
        shape_col = _first_present(columns, GEOMETRY_COLUMNS)
    missing = []
    if need_location and shape_col is None and lat_col is None:
        missing.append("latitude (one of: " + ", ".join(LAT_COLUMNS) + ")")
    if need_location and shape_col is None and lon_col is None:
        missing.append("longitude (one of: " + ", ".join(LON_COLUMNS) + ")")
    if date_col is None:
        missing.append("date (one of: " + ", ".join(DATE_COLUMNS) + ")")
    if missing or date_col is None:
        raise ColumnsError(
            f"{name}: no column found for "
            + "; ".join(missing)
            + f". Columns in the file: {', '.join(columns[:40]) or '(none)'}",
            found,
        )
    if shape_col is not None:
        return None, None, shape_col, date_col
    return lat_col, lon_col, None, date_col


def _points(lat_values: pd.Series, lon_values: pd.Series) -> Located:
    """A point per row from its latitude and longitude (text or numbers), or why there is none.

    The points are given as coordinates: their shapes are made once they are checked and in
    order (geo.geometry.Places).
    """
    lat_col, lon_col = str(lat_values.name), str(lon_values.name)
    lat_text, lon_text = _coordinate_text(lat_values), _coordinate_text(lon_values)
    too_long = _too_many_digits(lat_text) | _too_many_digits(lon_text)
    lat, lon = (
        numbers_in(text.where(~too_long, "") if too_long.any() else text).to_numpy(dtype=float)
        for text in (lat_text, lon_text)
    )
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    points = np.column_stack([lon, lat])
    points[bad] = np.nan
    geometry: list[BaseGeometry | None] = [None] * len(lat_values)
    errors: list[Note] = [""] * len(lat_values)
    for i in np.flatnonzero(bad).tolist():
        errors[i] = (
            message(
                "problem.digits",
                "{lat_col} or {lon_col} has too many digits; the limit is {limit} digits "
                "(digits in one number)",
                lat_col=lat_col,
                lon_col=lon_col,
                limit=DIGITS.value,
            )
            if too_long.iat[i]
            else message(
                "problem.not_numbers",
                "{lat_col}={lat}, {lon_col}={lon} are not numbers",
                lat_col=lat_col,
                lon_col=lon_col,
                lat=repr(str(lat_text.iat[i])[:40]),
                lon=repr(str(lon_text.iat[i])[:40]),
            )
        )
    return Located(geometry, errors, points)


def _coordinate_text(values: pd.Series) -> pd.Series:
    """Coordinates as given: numbers stay numbers (a Parquet column), text is stripped."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    return stripped_text(values)


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


def _apply_wkt(values: pd.Series, located: Located) -> None:
    """A filled `geometry_wkt` cell (our CSV export of a line or an area) replaces the point."""
    geometry, errors, points = located
    text = values.str.strip()
    rows = np.flatnonzero((text != "").to_numpy(dtype=bool))
    if len(rows) == 0:
        return
    if points is not None:
        points[rows] = np.nan
    # The GEOS parser recurses into nested parentheses: a deep enough nest kills the process.
    refused = {i: wkt_problem(str(text.iat[i])) for i in rows.tolist()}
    rows = np.asarray([i for i, why in refused.items() if not why], dtype=np.int64)
    for i, why in refused.items():
        if why:
            geometry[i], errors[i] = (
                None,
                message("problem.wkt_refused", "{column}: {why}", column=WKT_COLUMN, why=why),
            )
    if len(rows) == 0:
        return
    parsed = shapely.from_wkt(text.iloc[rows].to_numpy(dtype=object), on_invalid="ignore")
    for i, geom in zip(rows.tolist(), np.asarray(parsed, dtype=object).tolist(), strict=True):
        geometry[i] = geom
        errors[i] = (
            ""
            if geom is not None
            else message(
                "problem.not_wkt",
                "{column} {value} is not WKT",
                column=WKT_COLUMN,
                value=repr(str(text.iat[i])[:60]),
            )
        )


def _epoch_seconds_as_iso(values: pd.Series) -> pd.Series:
    """Write whole numbers of seconds since 1970 (a `timestamp` column) as ISO date-times."""
    epoch = values.str.fullmatch(r"\s*\d{9,10}\s*")
    if not epoch.any():
        return values
    seconds = pd.to_numeric(values.where(epoch), errors="coerce")
    stamps = pd.to_datetime(seconds, unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    return values.where(~epoch, stamps)


def read_vector_file(
    data: bytes,
    name: str,
    kind: str,
    columns: ColumnMap | None = None,
    limits: SourceLimits = UPLOAD,
) -> RawTable:
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
    errors: list[Note] = [MISSING if g is None else "" for g in geometry]
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    found = file_columns(frame)
    frame = rename_columns(apply_columns(frame, columns, name, found))
    raw = RawTable(frame, geometry, errors, labels_of(frame, "feature #", 1), [], label)
    raw.columns, raw.used = found, columns_used(found, columns, f"(the {label}'s geometry)")
    return raw
