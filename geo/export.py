"""Write the events table back out: an RFC 7946 GeoJSON FeatureCollection or an ACLED-style CSV.

Both files load again through `geo.validation.load_events_from_bytes` with the same ids, dates,
types and coordinates. The CSV is meant to be opened in spreadsheets too, so text cells that
a spreadsheet would run as a formula are neutralised, reversibly: one apostrophe goes in
front of a cell that is, after any apostrophes it already starts with, a formula; our CSV
reader takes exactly one off such a cell (`geo.reading.restore_formula`), so `-12` is
written `'-12` and reads back as `-12`, and `'=1` is written `''=1` and reads back as `'=1`.

Casualty claims (`geo.claims`) travel beside ACLED's single `fatalities` column, which holds
the most conservative claimed figure: in GeoJSON as the `claims` property (a list of
objects), in the CSV as the `claims` column (the same list as JSON text).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely

from geo.claims import Claim, claims_to_json, claims_to_text
from geo.model import CLAIMS_FIELD, DATE_FIELDS, FIELDS, FLOAT_FIELDS, INT_FIELDS, LIST_FIELDS
from geo.titles import MADE, original_titles

# ACLED's column names for ours, in ACLED's order, then the columns ACLED has no name for.
ACLED_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("event_id_cnty", "id"),
    ("event_date", "event_date"),
    ("time_precision", "time_precision"),
    ("event_type", "event_type"),
    ("sub_event_type", "sub_event_type"),
    ("actor1", "actor1"),
    ("actor2", "actor2"),
    ("location", "location"),
    ("admin1", "admin1"),
    ("country", "country"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("geo_precision", "geo_precision"),
    ("source", "source"),
    ("notes", "notes"),
    ("fatalities", "fatalities"),
)
EXTRA_COLUMNS: Final[tuple[str, ...]] = (
    "title",
    "end_date",
    "event_time",
    "injured",
    "uncertainty_m",
    "source_quote",
    "source_urls",
    "group",
    "discrepancy",
    CLAIMS_FIELD,
    "geometry_wkt",
)
CSV_COLUMNS: Final[tuple[str, ...]] = tuple(name for name, _ in ACLED_COLUMNS) + EXTRA_COLUMNS
NUMERIC_COLUMNS: Final[frozenset[str]] = frozenset(
    {"latitude", "longitude", *INT_FIELDS, *FLOAT_FIELDS}
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def to_geojson_bytes(events: pd.DataFrame) -> bytes:
    """The events as an RFC 7946 FeatureCollection (UTF-8), with our property names."""
    events = as_recorded(events)
    columns = {name: _json_values(events, name) for name in FIELDS}
    geometries = np.asarray(shapely.to_geojson(_geometries(events)), dtype=object)
    features = []
    for i, geometry in enumerate(geometries.tolist()):
        properties = {name: values[i] for name, values in columns.items()}
        feature = {"type": "Feature", "id": properties["id"], "properties": properties}
        text = json.dumps(feature, ensure_ascii=False, allow_nan=False)
        # shapely writes the geometry's JSON at full precision: splice it in, no re-parsing.
        features.append(f'{text[:-1]}, "geometry": {geometry or "null"}}}')
    body = "\n" + ",\n".join(features) + "\n" if features else ""
    return ('{"type": "FeatureCollection", "features": [' + body + "]}\n").encode("utf-8")


def to_acled_csv_bytes(events: pd.DataFrame) -> bytes:
    """The events as a CSV with ACLED's column names first, then ours (UTF-8)."""
    events = as_recorded(events)
    geometries = _geometries(events)
    is_point = np.asarray(shapely.get_type_id(geometries) == 0, dtype=bool)
    anchors = np.asarray(geometries, dtype=object).copy()
    if (~is_point).any():
        anchors[~is_point] = shapely.point_on_surface(geometries[~is_point])
    cells: dict[str, list[str]] = {}
    for acled_name, ours in ACLED_COLUMNS:
        if acled_name == "latitude":
            cells[acled_name] = _coordinate_cells(shapely.get_y(anchors))
        elif acled_name == "longitude":
            cells[acled_name] = _coordinate_cells(shapely.get_x(anchors))
        else:
            cells[acled_name] = _csv_values(events, ours)
    for name in EXTRA_COLUMNS[:-1]:
        cells[name] = _csv_values(events, name)
    wkt = shapely.to_wkt(geometries, rounding_precision=-1)
    cells["geometry_wkt"] = [
        "" if point or text is None else str(text)
        for point, text in zip(is_point, wkt.tolist(), strict=True)
    ]
    for name in CSV_COLUMNS:
        if name not in NUMERIC_COLUMNS:
            cells[name] = [neutralise_formula(value) for value in cells[name]]
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer then quotes a cell holding a lone "\r" as well as "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(zip(*(cells[name] for name in CSV_COLUMNS), strict=True))
    return buffer.getvalue().encode("utf-8")


def as_recorded(events: pd.DataFrame) -> pd.DataFrame:
    """The events with the titles their records gave (empty where the dashboard made one)."""
    if MADE not in events.columns:
        return events
    return events.assign(title=original_titles(events))


def neutralise_formula(text: str) -> str:
    """Prefix a quote to a cell a spreadsheet would evaluate as a formula (or one so quoted)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_PREFIXES) else text


def _geometries(events: pd.DataFrame) -> np.ndarray:
    geometries = np.empty(len(events), dtype=object)
    geometries[:] = list(events["geometry"]) if "geometry" in events.columns else None
    return geometries


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _column(events: pd.DataFrame, name: str) -> list[Any]:
    if name not in events.columns:
        return [None] * len(events)
    return events[name].astype(object).tolist()


def _json_values(events: pd.DataFrame, name: str) -> list[Any]:
    """One JSON-ready value per event: ISO dates, plain numbers, lists, null when missing."""
    values = _column(events, name)
    if name in DATE_FIELDS:
        return [None if _is_missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]
    if name in INT_FIELDS:
        return [None if _is_missing(v) else int(v) for v in values]
    if name in FLOAT_FIELDS:
        return [None if _is_missing(v) or not math.isfinite(float(v)) else float(v) for v in values]
    if name in LIST_FIELDS:
        return [list(_urls(v)) for v in values]
    if name == CLAIMS_FIELD:
        return [claims_to_json(_claims(v)) for v in values]
    return [None if _is_missing(v) or v == "" else str(v) for v in values]


def _csv_values(events: pd.DataFrame, name: str) -> list[str]:
    """One cell per event: the JSON value written as text, empty when missing."""
    if name in LIST_FIELDS:
        return [" ".join(_urls(v)) for v in _column(events, name)]
    if name == CLAIMS_FIELD:
        return [claims_to_text(_claims(v)) for v in _column(events, name)]
    return [_cell(v) for v in _json_values(events, name)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _coordinate_cells(values: Iterable[float]) -> list[str]:
    return ["" if math.isnan(v) else repr(float(v)) for v in values]


def _claims(value: Any) -> tuple[Claim, ...]:
    return tuple(c for c in value if isinstance(c, Claim)) if isinstance(value, tuple) else ()


def _urls(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(str(v) for v in value if str(v).strip())
    if isinstance(value, str):
        return tuple(value.split())
    return ()
