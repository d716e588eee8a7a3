"""`python -m geo load-db FILE URL`: validate a file and load its good events into PostGIS.

The file goes through the same reader, limits and checks as everywhere (`load_events`). The
table, its indexes and its change marker are created when missing; the good events are
copied in (COPY) and merged by id in one transaction: an id already in the table is updated
with the file's record (upsert), so loading the same file twice changes nothing, and loading
a newer export updates what changed. Nothing is ever deleted by a load.
"""

from __future__ import annotations

from typing import Any, Final, TextIO

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.types.json import Jsonb

from geo.claims import claims_to_json
from geo.columns import ColumnSpecError, parse_columns
from geo.database import (
    COLUMN_TYPES,
    GEOMETRY,
    DatabaseSource,
    check_table_name,
    connect,
    ensure_schema,
    plain_error,
    table_columns,
)
from geo.table import DatasetError
from geo.validation import LoadResult, load_events

STAGE: Final = "flashpoint_load"


def load_into(
    conn: psycopg.Connection[Any], table: str, events: gpd.GeoDataFrame
) -> tuple[int, int]:
    """Merge validated events into the table in the current transaction; (new, updated)."""
    ensure_schema(conn, table)
    present = table_columns(conn, DatabaseSource("", table, ""))
    columns = [*present, GEOMETRY]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
            sql.Identifier(STAGE), sql.Identifier(table)
        )
    )
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(STAGE), names)
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        copy.set_types([*(COLUMN_TYPES[c] for c in present), "text"])
        for row in event_rows(events, present):
            copy.write_row(row)
    updates = sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in columns
        if c != "id"
    )
    merged = conn.execute(
        sql.SQL(
            "INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "
            "ON CONFLICT (id) DO UPDATE SET {updates} RETURNING (xmax = 0)"
        ).format(
            table=sql.Identifier(table), names=names, stage=sql.Identifier(STAGE), updates=updates
        )
    ).fetchall()
    inserted = sum(1 for row in merged if row[0])
    return inserted, len(merged) - inserted


def event_rows(events: gpd.GeoDataFrame, columns: list[str]) -> Any:
    """Each event as the values of the columns, then its geometry as hex EWKB (SRID 4326)."""
    geometry = shapely.to_wkb(
        shapely.set_srid(events.geometry.to_numpy(), 4326), hex=True, include_srid=True
    )
    frame = events[columns]
    for values, geom in zip(frame.itertuples(index=False, name=None), geometry, strict=True):
        yield [_cell(column, value) for column, value in zip(columns, values, strict=True)] + [geom]


def _cell(column: str, value: Any) -> Any:
    """A validated value as the database stores it: empty text and missing numbers as NULL."""
    if column == "claims":
        return Jsonb(claims_to_json(value)) if value else None
    if column == "source_urls":
        return list(value) if value else None
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, str):
        return value or None
    if isinstance(value, float) and value != value:
        return None
    return value


def load_db_command(
    path: str, url: str, table: str | None, out: TextIO, err: TextIO, columns: str | None = None
) -> int:
    """Validate the file, load its good events, report the rest; exit code as `validate`."""
    from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, summarise

    try:
        mapping = None if columns is None else parse_columns(columns)
    except ColumnSpecError as exc:
        print(f"error: --columns: {exc}", file=err)
        return EXIT_UNREADABLE
    try:
        source = DatabaseSource.from_url(url)
        if table is not None:
            source = DatabaseSource(source.conninfo, check_table_name(table), source.database)
        result: LoadResult = load_events(path, mapping)
    except DatasetError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_UNREADABLE
    summarise(result, path, out)
    try:
        with connect(source) as conn, conn.transaction():
            inserted, updated = load_into(conn, source.table, result.events)
    except DatasetError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_UNREADABLE
    except psycopg.Error as exc:
        print(f"error: nothing was loaded: {plain_error(exc, source)}", file=err)
        return EXIT_UNREADABLE
    print(
        f"loaded {inserted + updated} events into the {source.label}: "
        f"{inserted} new, {updated} updated",
        file=out,
    )
    return EXIT_PROBLEMS if result.problems else EXIT_OK
