"""Read Parquet and GeoParquet, after checking the file's footer against the limits.

A Parquet file must start and end with `PAR1`; its footer says how many rows and columns it
holds and how large its data is once decompressed, so those are checked before a single
value is read, and the data is read one row group at a time so a footer that lies about its
sizes is caught after one group at most. Columns that hold nested values (structs, lists,
maps) or raw bytes cannot be shown and are refused by name. Geometry comes from a GeoParquet
`geo` footer (WKB in WGS84), else from a binary column named like a geometry (WKB), else
from a WKT column or latitude/longitude columns as in a CSV. The footer never makes the
reader open another file or address: a column stored outside the file is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.limits import FIELDS, NESTING, UPLOAD, VERTICES, SourceLimits
from geo.prescan import json_depth, loads_bounded
from geo.table import DatasetError, Located

MAGIC: Final = b"PAR1"
GEO_KEY: Final = b"geo"
# Binary columns taken as WKB geometry when a file has no `geo` footer.
WKB_COLUMNS: Final = ("geometry", "geom", "wkb", "wkb_geometry", "the_geom")
# Coordinate reference systems that are WGS84 longitude/latitude as GeoParquet means it.
WGS84_IDS: Final = frozenset({("EPSG", "4326"), ("OGC", "CRS84"), ("OGC", "CRS84H")})
# WKB geometry type codes (ISO and EWKB variants reduced to 1..7): 7 is a collection.
SIMPLE_WKB_TYPES: Final = frozenset(range(1, 7))


def is_parquet(data: bytes) -> bool:
    """Whether the bytes start and end as a Parquet file does."""
    return len(data) >= 12 and data[:4] == MAGIC and data[-4:] == MAGIC


def read_parquet_table(
    data: bytes,
    name: str,
    limits: SourceLimits = UPLOAD,
    used: Callable[[str], bool] = lambda column: True,
) -> tuple[pd.DataFrame, pa.ChunkedArray | None, str]:
    """The `used` columns (geometry apart), the WKB of each row (or None) and the file's kind.

    Columns that are not used are never decompressed, but they are checked all the same.
    """
    if data[:4] == MAGIC and not is_parquet(data):
        raise DatasetError(f"{name} is not a complete Parquet file: it looks truncated")
    if not is_parquet(data):
        raise DatasetError(f"{name} is not a Parquet file (it must start and end with PAR1)")
    footer = int.from_bytes(data[-8:-4], "little")
    if footer + 12 > len(data):
        raise DatasetError(f"{name} is not a complete Parquet file: it looks truncated")
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        metadata, schema = parquet.metadata, parquet.schema_arrow
    except (pa.ArrowException, OSError, ValueError):
        raise DatasetError(f"{name} is a damaged Parquet file: its footer cannot be read") from None
    _check_footer(metadata, schema, name, limits)
    geo = _geo_metadata(schema.metadata or {}, name)
    geometry_column, skip = _geometry_column(schema, geo, name)
    columns = [f.name for f in schema if f.name not in skip]
    _refuse_unshowable(schema, columns, geometry_column, name)
    wanted = [c for c in columns if c == geometry_column or used(c)]
    table = _read_groups(parquet, wanted, limits, name)
    wkb = None
    if geometry_column is not None:
        wkb = table.column(geometry_column)
        table = table.drop_columns([geometry_column])
    kind = "GeoParquet" if geo is not None else "Parquet"
    return _to_frame(table), wkb, kind


def _check_footer(metadata: Any, schema: pa.Schema, name: str, limits: SourceLimits) -> None:
    """Rows, columns, decompressed size and where the data lives, all from the footer."""
    if metadata.num_rows > limits.records.value:
        raise DatasetError(f"{name}: " + limits.records.exceeded(f"{metadata.num_rows:,} rows"))
    columns = max(len(schema), metadata.num_columns)
    if columns > FIELDS.value:
        raise DatasetError(f"{name}: " + FIELDS.exceeded(f"it has {columns:,} columns"))
    total = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        total += max(row_group.total_byte_size, 0)
        for column in range(row_group.num_columns):
            if row_group.column(column).file_path:
                raise DatasetError(
                    f"{name}: a column's data is stored in another file; "
                    "only self-contained Parquet files are read"
                )
    if total > limits.uncompressed_bytes.value:
        raise DatasetError(
            f"{name}: " + limits.uncompressed_bytes.exceeded(f"its data unpacks to {total:,} bytes")
        )


def _geo_metadata(metadata: dict[bytes, bytes], name: str) -> dict[str, Any] | None:
    """The GeoParquet `geo` footer entry, checked before it is parsed; None when absent."""
    raw = metadata.get(GEO_KEY)
    if raw is None:
        return None
    if json_depth(raw) > NESTING.value:
        raise DatasetError(f"{name}: " + NESTING.exceeded("its GeoParquet metadata nests deeper"))
    try:
        geo = loads_bounded(raw.decode("utf-8"), raw)
    except (UnicodeDecodeError, ValueError):
        raise DatasetError(f"{name}: its GeoParquet metadata is not valid JSON") from None
    if not isinstance(geo, dict) or not isinstance(geo.get("columns"), dict):
        raise DatasetError(f"{name}: its GeoParquet metadata names no geometry columns")
    return geo


def _geometry_column(
    schema: pa.Schema, geo: dict[str, Any] | None, name: str
) -> tuple[str | None, set[str]]:
    """The geometry column to read, and the columns not to read (other geometries, bboxes)."""
    if geo is None:
        binary = [
            f.name
            for f in schema
            if f.name.lower() in WKB_COLUMNS
            and (pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type))
        ]
        return (binary[0] if binary else None), set()
    columns: dict[str, Any] = geo["columns"]
    primary = geo.get("primary_column")
    if not isinstance(primary, str) or primary not in columns or primary not in schema.names:
        raise DatasetError(f"{name}: its GeoParquet metadata names no geometry column in the file")
    spec = columns[primary] if isinstance(columns[primary], dict) else {}
    encoding = str(spec.get("encoding", "WKB"))
    if encoding.upper() != "WKB":
        raise DatasetError(
            f"{name}: the geometry is stored as {encoding[:40]!r}; only WKB geometry is read "
            "(geopandas writes it by default)"
        )
    if not _is_wgs84(spec.get("crs", None)):
        raise DatasetError(
            f"{name}: the geometry is not in WGS84 longitude/latitude; "
            "reproject it to EPSG:4326 before loading"
        )
    skip = {c for c in columns if c != primary}
    for other in columns.values():
        covering = other.get("covering") if isinstance(other, dict) else None
        bbox = covering.get("bbox") if isinstance(covering, dict) else None
        if isinstance(bbox, dict):
            skip |= {str(v[0]) for v in bbox.values() if isinstance(v, list) and v}
    return primary, skip


def _is_wgs84(crs: Any) -> bool:
    """GeoParquet's default CRS (absent) or one whose id is WGS84 longitude/latitude."""
    if crs is None:
        return True
    if not isinstance(crs, dict):
        return False
    ident = crs.get("id")
    if not isinstance(ident, dict):
        return False
    return (str(ident.get("authority")), str(ident.get("code"))) in WGS84_IDS


def _refuse_unshowable(
    schema: pa.Schema, columns: list[str], geometry: str | None, name: str
) -> None:
    """Nested and raw-bytes columns have nothing a person can read: the file is refused."""
    bad = []
    for field in schema:
        if field.name not in columns or field.name == geometry:
            continue
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            bad.append(f"{field.name[:40]!r} ({str(kind)[:40]})")
    if bad:
        raise DatasetError(
            f"{name}: these columns hold nested values or raw bytes, which cannot be shown: "
            + ", ".join(bad[:10])
            + ("…" if len(bad) > 10 else "")
            + "; write them as text or numbers"
        )


def _read_groups(
    parquet: pq.ParquetFile, columns: list[str], limits: SourceLimits, name: str
) -> pa.Table:
    """Read row group by row group, stopping as soon as the data outgrows the limits."""
    groups, rows, size = [], 0, 0
    try:
        for group in range(parquet.metadata.num_row_groups):
            table = parquet.read_row_group(group, columns=columns, use_threads=True)
            rows, size = rows + table.num_rows, size + table.nbytes
            if rows > limits.records.value:
                raise DatasetError(f"{name}: " + limits.records.exceeded(f"over {rows:,} rows"))
            if size > limits.uncompressed_bytes.value:
                found = f"its data unpacks to over {size:,} bytes"
                raise DatasetError(f"{name}: " + limits.uncompressed_bytes.exceeded(found))
            groups.append(table)
        if not groups:
            return parquet.schema_arrow.empty_table().select(columns)
        return pa.concat_tables(groups)
    except (pa.ArrowException, OSError, ValueError):
        raise DatasetError(f"{name} is a damaged Parquet file: its data cannot be read") from None


def _to_frame(table: pa.Table) -> pd.DataFrame:
    """A data frame of the table, categorical (dictionary) columns as their plain values."""
    decoded = [
        column.cast(field.type.value_type) if pa.types.is_dictionary(field.type) else column
        for field, column in zip(table.schema, table.columns, strict=True)
    ]
    plain = pa.table(decoded, names=table.column_names)
    frame: pd.DataFrame = plain.to_pandas(
        ignore_metadata=True, date_as_object=False, self_destruct=True
    )
    return frame


def wkb_geometries(column: pa.ChunkedArray, vertices: int) -> Located:
    """Parse each row's WKB, refusing collections and oversized values before parsing them.

    Plain points are not parsed at all: their coordinates are read from the bytes and the
    shapes are made once the records are checked and in order (`Located.points`).
    """
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    lengths, types = _wkb_headers(array)
    n = len(lengths)
    # A WKB of n vertices takes at least 16 bytes for each: only longer ones may pass the limit.
    usable = np.isin(types, list(SIMPLE_WKB_TYPES)) & (lengths <= 16 * vertices + 4096)
    geometry = np.full(n, None, dtype=object)
    points = _plain_points(array, lengths)
    parse = usable.copy()  # by GEOS: all usable but the plain points
    if points is not None:
        parse &= np.isnan(points[:, 0])
    idx = np.flatnonzero(parse)
    if len(idx):
        values = array.take(pa.array(idx)).to_numpy(zero_copy_only=False)
        geometry[idx] = shapely.from_wkb(np.asarray(values, dtype=object), on_invalid="ignore")
    errors = np.full(n, "", dtype=object)
    errors[idx[np.asarray(shapely.is_missing(geometry[idx]), dtype=bool)]] = (
        "the geometry is not valid WKB"
    )
    nulls = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    for i in np.flatnonzero(~usable).tolist():
        if nulls[i]:
            errors[i] = "missing"
        elif types[i] == 7:
            errors[i] = "GeometryCollection geometries are not supported"
        elif types[i] in SIMPLE_WKB_TYPES:
            errors[i] = VERTICES.exceeded(f"{lengths[i]:,} bytes of WKB, too many vertices")
        else:
            errors[i] = "the geometry is not valid WKB"
    return Located(geometry.tolist(), errors.tolist(), points)


def _buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (n + 1) and data bytes of a binary array, in place."""
    n = len(array)
    _, offsets_buffer, data_buffer = array.buffers()
    width = np.int64 if pa.types.is_large_binary(array.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[array.offset : array.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    return offsets, data


def _plain_points(array: pa.Array, lengths: np.ndarray) -> np.ndarray | None:
    """The x and y of each row whose WKB is a little-endian 2D point with finite coordinates
    (21 bytes: order, type 1, x, y), read from the bytes in place; NaN in the other rows;
    None if there are none.

    A million points read this way take a tenth of the time GEOS takes to parse them; any
    other WKB (empty points, Z, SRID, big-endian, shapes) is parsed by GEOS.
    """
    rows = np.flatnonzero(lengths == 21)
    if len(rows) == 0:
        return None
    offsets, data = _buffers(array)
    head = _windows(data, 21)[offsets[:-1][rows]]
    # Column by column: numpy's reductions along a row of a few bytes are slow.
    plain = (head[:, 0] == 1) & (head[:, 1] == 1) & ((head[:, 2] | head[:, 3] | head[:, 4]) == 0)
    coords: np.ndarray = head[:, 5:].copy().view("<f8")
    plain &= np.isfinite(coords[:, 0]) & np.isfinite(coords[:, 1])
    if len(rows) == len(lengths) and plain.all():  # the usual file: nothing but points
        return coords
    if not plain.any():
        return None
    points = np.full((len(lengths), 2), np.nan)
    points[rows[plain]] = coords[plain]
    return points


def _windows(data: np.ndarray, width: int) -> np.ndarray:
    """Every run of `width` bytes of the data, by where it starts (a view: nothing is copied)."""
    if len(data) < width:
        data = np.zeros(width, dtype=np.uint8)
    return np.lib.stride_tricks.sliding_window_view(data, width)


def _wkb_headers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each WKB's length and geometry type (1..7; 0 when it has no header), read in place."""
    n = len(array)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    offsets, data = _buffers(array)
    lengths = np.diff(offsets).astype(np.int64)
    lengths[~np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = 0
    types = np.zeros(n, dtype=np.int64)
    headed = np.flatnonzero(lengths >= 5)
    starts = offsets[:-1][headed].astype(np.int64)
    head = _windows(data, 5)[starts]
    code_bytes = np.ascontiguousarray(head[:, 1:5])
    little = code_bytes.view("<u4").ravel().astype(np.int64)
    big = code_bytes.view(">u4").ravel().astype(np.int64)
    code = np.where(head[:, 0] == 1, little, big)
    # ISO adds 1000s for Z and M, EWKB sets high flag bits: both reduce to the base type.
    types[headed] = (code & 0xFFFF) % 1000
    return lengths, types
