"""Read a GeoJSON FeatureCollection (or a list of features) into a raw table, within limits."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.columns import ColumnMap, apply_columns, columns_used, file_columns
from geo.limits import DIGITS, FIELDS, NESTING, RECORDS, VERTICES, Limit
from geo.messages import (
    MISSING,
    NOT_FINITE,
    Note,
    message,
    too_many_vertices,
    unsupported_geometry,
)
from geo.prescan import TooManyDigitsError, json_depth, loads_bounded
from geo.table import DatasetError, RawProblem, RawTable, decode_text, rename_columns

OWN_GEOMETRY = "(each feature's geometry)"


def _json_error_context(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def read_geojson(
    data: bytes, name: str, columns: ColumnMap | None = None, records: Limit = RECORDS
) -> RawTable:
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
    if len(features) > records.value:
        raise DatasetError(f"{name}: " + records.exceeded(f"{len(features):,} features"))
    table = _features_to_table(features, name, columns)
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


def _coordinates_problem(coords: Any) -> Note:
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
                    return too_many_vertices(None)
            stack.extend(reversed(item))
        elif type(item) not in (int, float):
            bad = item if item is not None else "null"
            return message(
                "problem.not_numbers_found",
                "coordinates must be numbers (found {value})",
                value=repr(str(bad)[:40]),
            )
        elif not math.isfinite(float(item)):
            return NOT_FINITE
    return ""


def geometry_of(geom: Any) -> tuple[BaseGeometry | None, Note]:
    """A GeoJSON geometry object as a shape, or why it cannot be one."""
    if geom is None:
        return None, MISSING
    if not isinstance(geom, dict) or "type" not in geom:
        return None, message("problem.not_geometry", "not a GeoJSON geometry object")
    if geom.get("type") == "GeometryCollection":
        return None, unsupported_geometry("GeometryCollection")
    problem = _coordinates_problem(geom["coordinates"]) if "coordinates" in geom else ""
    if problem:
        return None, problem
    try:
        parsed = shape(geom)
    except Exception as exc:  # shapely raises many types for malformed coordinates
        return None, message(
            "problem.malformed_geometry",
            "malformed {kind} geometry ({error})",
            kind=str(geom.get("type"))[:40],
            error=f"{type(exc).__name__}: {exc}"[:240],
        )
    return parsed, ""


def _features_to_table(
    features: Sequence[Any], name: str, columns: ColumnMap | None = None
) -> RawTable:
    labels: list[str] = []
    records: list[dict[str, Any]] = []
    geometry: list[BaseGeometry | None] = [None] * len(features)
    errors: list[Note] = [""] * len(features)
    problems: list[RawProblem] = []
    point_index: list[int] = []
    point_xy: list[tuple[float, float]] = []
    keys: set[str] = set()
    for index, feature in enumerate(features):
        labels.append(_feature_label(index, feature))
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append({})
            errors[index] = message("problem.not_feature", "the item is not a GeoJSON Feature")
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
            geometry[index], errors[index] = geometry_of(geom)
    if point_xy:
        points = np.asarray(shapely.points(np.asarray(point_xy, dtype=float)), dtype=object)
        for index, point in zip(point_index, points.tolist(), strict=True):
            geometry[index] = point
    # dtype=object keeps each property as JSON gave it: inference would turn an integer id
    # column with a gap into floats, and id 1 into "1.0".
    frame = pd.DataFrame(records, index=range(len(records)), dtype=object)
    found = file_columns(frame)
    frame = rename_columns(apply_columns(frame, columns, name, found))
    table = RawTable(frame, geometry, errors, labels, problems, "GeoJSON")
    table.columns, table.used = found, columns_used(found, columns, OWN_GEOMETRY)
    return table
