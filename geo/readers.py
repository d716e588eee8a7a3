"""Turn the bytes of a GeoJSON, ACLED CSV, generic CSV, GeoPackage or Shapefile into a raw table.

A raw table holds every record in source order with our column names, its geometry (or
None) and a label that names it for the validation report. Nothing is validated here
beyond what is needed to find the records at all: that is `geo.io`'s job.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.gdal_guard import lock_down
from geo.limits import DIGITS, FIELDS, NESTING, RECORDS, VERTICES
from geo.prescan import TooManyDigitsError, json_depth, loads_bounded, wkt_problem
from geo.vector import VectorError, read_geopackage, read_zipped_shapefile

# Before any file is opened: GDAL keeps two drivers and reaches no network (geo.gdal_guard).
lock_down()


class DatasetError(Exception):
    """The file cannot be read as incident data at all (nothing in it can be shown)."""


@dataclass(frozen=True, slots=True)
class RawProblem:
    """A record that could not even be turned into a row (e.g. a feature that is not an object)."""

    label: str
    field: str
    message: str


@dataclass(slots=True)
class RawTable:
    """Records in source order: our column names, geometries, labels and early problems."""

    frame: pd.DataFrame
    geometry: list[BaseGeometry | None]
    geometry_errors: list[str]
    labels: list[str]
    problems: list[RawProblem]
    kind: str
    meta: dict[str, Any] = field(default_factory=dict)


# Other names for our fields, as used by ACLED exports and common GeoJSON/CSV producers.
ALIASES: Final[dict[str, str]] = {
    "event_id_cnty": "id",
    "event_id": "id",
    "uid": "id",
    "name": "title",
    "headline": "title",
    "date": "event_date",
    "start_date": "event_date",
    "datetime": "event_date",
    "time": "event_time",
    "type": "event_type",
    "category": "event_type",
    "subtype": "sub_event_type",
    "sub_type": "sub_event_type",
    "description": "notes",
    "summary": "notes",
    "deaths": "fatalities",
    "killed": "fatalities",
    "wounded": "injured",
    "place": "location",
    "url": "source_urls",
    "link": "source_urls",
}
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

_BOM = b"\xef\xbb\xbf"
# A cell our CSV export neutralised: apostrophes, then what a spreadsheet runs as a formula.
_NEUTRALISED = r"^'+[=+\-@\t\r]"
_MAYBE_NEUTRALISED = re.compile(r"(?:^|[,\n\"])'+[=+\-@\t\r]")


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), or explain that the file is in another encoding."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def sniff_kind(data: bytes, name: str) -> str:
    """Guess the format from the file name, then from the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".gpkg" or data[:16].startswith(b"SQLite format 3"):
        return "gpkg"
    if suffix in (".zip", ".shp"):
        return "shapefile"
    head = data[:64].lstrip(_BOM).lstrip()
    if head[:1] in (b"{", b"["):
        return "geojson"
    return "csv"


def read_raw(data: bytes, name: str) -> RawTable:
    """Read the bytes of one incident file into a raw table, or raise DatasetError."""
    if not data.strip():
        raise DatasetError(f"{name} is empty")
    kind = sniff_kind(data, name)
    if kind == "geojson":
        return read_geojson(data, name)
    if kind == "csv":
        return read_csv(data, name)
    return read_vector_file(data, name, kind)


def _json_error_context(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def read_geojson(data: bytes, name: str) -> RawTable:
    """Read a GeoJSON FeatureCollection; anything else at the top level is refused."""
    text = decode_text(data, name)
    depth = json_depth(data)
    if depth > NESTING.value:
        raise DatasetError(f"{name}: " + NESTING.exceeded(f"it is nested {depth:,} levels deep"))
    try:
        doc = loads_bounded(text, data)
    except json.JSONDecodeError as exc:
        where = _json_error_context(text, exc.pos)
        # An unterminated string is reported where it starts, but only the end of input ends it.
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        hint = " — the file looks truncated" if truncated else ""
        raise DatasetError(f"{name} is not valid JSON: {exc.msg} at {where}{hint}") from None
    except TooManyDigitsError as exc:
        raise DatasetError(f"{name}: " + DIGITS.exceeded(str(exc))) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise DatasetError(f"{name}: the FeatureCollection has no 'features' list")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        raise DatasetError(
            f"{name} holds a single Feature, not a FeatureCollection; "
            'wrap it as {"type": "FeatureCollection", "features": [...]}'
        )
    else:
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise DatasetError(
            f"{name} is not a GeoJSON FeatureCollection (found {found!r} at the top level)"
        )
    if len(features) > RECORDS.value:
        raise DatasetError(f"{name}: " + RECORDS.exceeded(f"{len(features):,} features"))
    table = _features_to_table(features, name)
    # Foreign members (RFC 7946 section 6.1) carry dataset settings such as the focus period.
    table.meta = {k: v for k, v in doc.items() if k not in ("type", "features", "bbox")}
    return table


def _feature_label(index: int, feature: Any) -> str:
    fid: Any = None
    if isinstance(feature, dict):
        props = feature.get("properties")
        if isinstance(props, dict):
            fid = props.get("id")
            fid = props.get("event_id_cnty") if fid in (None, "") else fid
        fid = feature.get("id") if fid in (None, "") else fid
    label = f"feature #{index + 1}"
    return f"{label} (id {str(fid)[:80]!r})" if fid not in (None, "") else label


def _point_or_none(geom: Any) -> tuple[float, float] | None:
    """Fast path for the common case: a Point with two finite numbers."""
    if not isinstance(geom, dict) or geom.get("type") != "Point":
        return None
    coords = geom.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    x, y = coords[0], coords[1]
    if type(x) not in (int, float) or type(y) not in (int, float):
        return None
    return float(x), float(y)


def _coordinates_problem(coords: Any) -> str:
    """Why a coordinates array cannot become a geometry, or "" (checked before shapely runs).

    shapely would quietly read `true` as 1 and `"44"` as 44.0; GeoJSON coordinates are numbers,
    and a geometry may have at most `vertices` positions.
    """
    stack, positions = [coords], 0
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if item and type(item[0]) in (int, float):
                positions += 1
                if positions > VERTICES.value:
                    return VERTICES.exceeded(f"more than {VERTICES.value:,} vertices")
            stack.extend(reversed(item))
        elif type(item) not in (int, float):
            bad = item if item is not None else "null"
            return f"coordinates must be numbers (found {str(bad)[:40]!r})"
        elif not math.isfinite(float(item)):
            return "coordinates are not finite numbers"
    return ""


def _geometry_of(geom: Any) -> tuple[BaseGeometry | None, str]:
    if geom is None:
        return None, "missing"
    if not isinstance(geom, dict) or "type" not in geom:
        return None, "not a GeoJSON geometry object"
    if geom.get("type") == "GeometryCollection":
        return None, "GeometryCollection geometries are not supported"
    problem = _coordinates_problem(geom["coordinates"]) if "coordinates" in geom else ""
    if problem:
        return None, problem
    try:
        parsed = shape(geom)
    except Exception as exc:  # shapely raises many types for malformed coordinates
        return None, f"malformed {geom.get('type')} geometry ({type(exc).__name__}: {exc})"[:300]
    return parsed, ""


def _features_to_table(features: Sequence[Any], name: str) -> RawTable:
    labels: list[str] = []
    records: list[dict[str, Any]] = []
    geometry: list[BaseGeometry | None] = [None] * len(features)
    errors: list[str] = [""] * len(features)
    problems: list[RawProblem] = []
    point_index: list[int] = []
    point_xy: list[tuple[float, float]] = []
    keys: set[str] = set()
    for index, feature in enumerate(features):
        labels.append(_feature_label(index, feature))
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append({})
            errors[index] = "the item is not a GeoJSON Feature"
            continue
        props = feature.get("properties")
        record = dict(props) if isinstance(props, dict) else {}
        keys.update(record)
        if len(keys) > FIELDS.value:
            raise DatasetError(f"{name}: " + FIELDS.exceeded(f"{len(keys):,} or more properties"))
        if "id" not in record and feature.get("id") is not None:
            record["id"] = feature["id"]
        records.append(record)
        geom = feature.get("geometry")
        xy = _point_or_none(geom)
        if xy is not None:
            point_index.append(index)
            point_xy.append(xy)
        else:
            geometry[index], errors[index] = _geometry_of(geom)
    if point_xy:
        points = np.asarray(shapely.points(np.asarray(point_xy, dtype=float)), dtype=object)
        for index, point in zip(point_index, points.tolist(), strict=True):
            geometry[index] = point
    # dtype=object keeps each property as JSON gave it: inference would turn an integer id
    # column with a gap into floats, and id 1 into "1.0".
    frame = _rename(pd.DataFrame(records, index=range(len(records)), dtype=object))
    return RawTable(frame, geometry, errors, labels, problems, "GeoJSON")


def _rename(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case column names and map known aliases onto ours, never overwriting a value.

    The first alias listed in ALIASES for a field becomes the column; a record that lacks a
    value there (a GeoJSON feature written with another property name than its neighbours)
    takes it from the next alias.
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for alias, ours in ALIASES.items():
        if alias not in frame.columns:
            continue
        if ours in frame.columns:
            frame[ours] = frame[ours].where(frame[ours].notna(), frame[alias])
        else:
            frame = frame.rename(columns={alias: ours})
    return frame


def _first_present(columns: Iterable[str], candidates: Sequence[str]) -> str | None:
    present = set(columns)
    return next((c for c in candidates if c in present), None)


def read_csv(data: bytes, name: str) -> RawTable:
    """Read an ACLED export or a generic CSV with a date column and coordinate columns."""
    text = decode_text(data, name)
    sniffed = Path(name).suffix.lower() in (".tsv", ".txt")
    _check_header_width(text, name)
    try:
        with warnings.catch_warnings():
            # A first row longer than the header: pandas warns (index_col=False) instead of
            # silently turning the extra leading fields into an index and shifting every column.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                index_col=False,
                sep=None if sniffed else ",",
                engine="python" if sniffed else "c",
                nrows=RECORDS.value + 1,
            )
    except pd.errors.ParserWarning:
        raise DatasetError(
            f"{name} is not a readable CSV file: row 2 has more fields than the header"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise DatasetError(f"{name} is not a readable CSV file: {str(exc).strip()}") from None
    if len(frame) > RECORDS.value:
        raise DatasetError(f"{name}: " + RECORDS.exceeded(f"more than {RECORDS.value:,} rows"))
    original = [str(c).strip().lower() for c in frame.columns]
    frame.columns = pd.Index(original)
    if _MAYBE_NEUTRALISED.search(text):
        frame = frame.apply(restore_formula)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    kind = "ACLED CSV" if set(original) >= ACLED_MARKERS else "CSV"
    lat_col = _first_present(original, LAT_COLUMNS)
    lon_col = _first_present(original, LON_COLUMNS)
    date_col = _first_present(original, DATE_COLUMNS)
    missing = []
    if lat_col is None:
        missing.append("latitude (one of: " + ", ".join(LAT_COLUMNS) + ")")
    if lon_col is None:
        missing.append("longitude (one of: " + ", ".join(LON_COLUMNS) + ")")
    if date_col is None:
        missing.append("date (one of: " + ", ".join(DATE_COLUMNS) + ")")
    if missing:
        raise DatasetError(
            f"{name}: no column found for "
            + "; ".join(missing)
            + f". Columns in the file: {', '.join(original[:40]) or '(none)'}"
        )
    assert lat_col is not None and lon_col is not None and date_col is not None
    lat_text, lon_text = frame[lat_col].str.strip(), frame[lon_col].str.strip()
    too_long = (lat_text.str.count(r"\d") > DIGITS.value) | (
        lon_text.str.count(r"\d") > DIGITS.value
    )
    lat = pd.to_numeric(lat_text.where(~too_long), errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(lon_text.where(~too_long), errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    points = np.asarray(shapely.points(np.where(bad, 0.0, lon), np.where(bad, 0.0, lat)))
    geometry: list[BaseGeometry | None] = points.tolist()
    errors = [""] * len(frame)
    for i in np.flatnonzero(bad).tolist():
        geometry[i] = None
        errors[i] = (
            DIGITS.exceeded(f"{lat_col} or {lon_col} has too many digits")
            if too_long.iat[i]
            else f"{lat_col}={str(lat_text.iat[i])[:40]!r}, "
            f"{lon_col}={str(lon_text.iat[i])[:40]!r} are not numbers"
        )
    if WKT_COLUMN in frame.columns:
        _apply_wkt(frame.pop(WKT_COLUMN), geometry, errors)
    if date_col == "timestamp":
        frame[date_col] = _epoch_seconds_as_iso(frame[date_col])
    if date_col != "event_date":
        frame = frame.rename(columns={date_col: "event_date"})
    frame = frame.drop(columns=[c for c in (lat_col, lon_col) if c in frame.columns])
    frame = _rename(frame)
    return RawTable(frame, geometry, errors, _labels(frame, "row ", 2), [], kind)


def restore_formula(values: pd.Series) -> pd.Series:
    """Undo `geo.export.neutralise_formula`: one apostrophe off each cell it put one on."""
    quoted = values.str.contains(_NEUTRALISED, regex=True)
    return values.where(~quoted, values.str.slice(1)) if quoted.any() else values


def _check_header_width(text: str, name: str) -> None:
    """Refuse a header with more columns than the `fields` limit before pandas builds them."""
    header = next(csv.reader(io.StringIO(text[: 1 << 20])), [])
    if len(header) > FIELDS.value:
        raise DatasetError(f"{name}: " + FIELDS.exceeded(f"the header has {len(header):,} columns"))


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


def _labels(frame: pd.DataFrame, prefix: str, first: int) -> list[str]:
    """Name each record for the report by its position (row or feature number) and its id."""
    if "id" not in frame.columns:
        return [f"{prefix}{i + first}" for i in range(len(frame))]
    ids = frame["id"].where(frame["id"].notna(), "").astype(str).tolist()
    return [
        f"{prefix}{i + first} (id {v[:80]!r})" if v else f"{prefix}{i + first}"
        for i, v in enumerate(ids)
    ]


def _epoch_seconds_as_iso(values: pd.Series) -> pd.Series:
    """Write whole numbers of seconds since 1970 (a `timestamp` column) as ISO date-times."""
    epoch = values.str.fullmatch(r"\s*\d{9,10}\s*")
    if not epoch.any():
        return values
    seconds = pd.to_numeric(values.where(epoch), errors="coerce")
    stamps = pd.to_datetime(seconds, unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    return values.where(~epoch, stamps)


def read_vector_file(data: bytes, name: str, kind: str) -> RawTable:
    """Read a GeoPackage or a zipped Shapefile (checked, then opened from memory)."""
    label = "GeoPackage" if kind == "gpkg" else "Shapefile"
    try:
        gdf = read_geopackage(data, name) if kind == "gpkg" else read_zipped_shapefile(data, name)
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
    frame = _rename(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    return RawTable(frame, geometry, errors, _labels(frame, "feature #", 1), [], label)
