"""A PostgreSQL/PostGIS table of events: its address, schema, change marker and rows.

The table holds the event properties of `geo.model.FIELDS` as columns and the place as
`geom geometry(Geometry, 4326)`; only `id`, `event_date` and `geom` are required.

Changes are followed on any table a role may read. Where `load-db` made the table, a statement
trigger counts every change in `flashpoint_changes`, which readers poll with one tiny query.
Any other table (made by hand, read by a role that may create nothing) is followed by its
change signature: `count(*)` and the sum and maximum of `xmin`, the id of the transaction that
wrote each row version. An insert or delete changes the count; an update writes a new row
version whose `xmin` is another transaction's, so the sum changes (it could stay only by an
exact arithmetic coincidence between rows written out of order). VACUUM, FREEZE, VACUUM FULL
and CLUSTER keep every row's `xmin` (PostgreSQL ≥ 9.4 marks frozen rows, it no longer
overwrites their `xmin`), so upkeep causes no reload. The signature reads the whole table
(0.15 s for a million rows of 200 MB here), so `geo.live.VersionWatcher` asks for it less
often the longer it takes. `pg_stat_user_tables`' counters would cost nothing but were
rejected: a writer's counts reached them only 10 s after its UPDATE (PostgreSQL 15 flushes an
idle backend's statistics that late), and a hot standby never sees the primary's.

Rows are read into the same raw table a file becomes, so `geo.validation` checks
them by the same rules. Nothing here ever puts the address's user, password or host into a
message: psycopg's own error text is never passed on (it can name them).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from geo.limits import OPERATOR, RECORDS
from geo.messages import Note, message
from geo.model import DATE_FIELDS, FLOAT_FIELDS, INT_FIELDS, LIST_FIELDS, TEXT_FIELDS
from geo.table import DatasetError, RawTable, labels_of
from geo.validation import LoadResult, validate

SCHEMES: Final = ("postgresql://", "postgres://")
DEFAULT_TABLE: Final = "events"
TABLE_PARAM: Final = "table"
SINCE_PARAM: Final = "since"
BBOX_PARAM: Final = "bbox"
HOLD_PARAM: Final = "hold"
OUR_PARAMS: Final = frozenset({TABLE_PARAM, SINCE_PARAM, BBOX_PARAM, HOLD_PARAM})
TABLE_ENV: Final = "FLASHPOINT_TABLE"
CHANGES_TABLE: Final = "flashpoint_changes"
GEOMETRY: Final = "geom"
REQUIRED: Final = ("id", "event_date", GEOMETRY)
UNREACHABLE: Final = "unreachable"
POOL_SIZE: Final = 4
POOL_TIMEOUT_S: Final = 5
RECONNECT_S: Final = 6.0
SLOW_SIGNATURE_S: Final = 0.25  # polled at least every 5 s, this is 5 % of a database core
_WARNED: set[str] = set()
NO_GEOMETRY: Final = message("problem.no_geometry", "the row has no geometry")
_IDENTIFIER: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# The columns, their SQL types, in the order `load-db` writes them.
COLUMN_TYPES: Final[dict[str, str]] = {
    **{name: "text" for name in TEXT_FIELDS},
    **{name: "date" for name in DATE_FIELDS},
    **{name: "integer" for name in INT_FIELDS},
    **{name: "double precision" for name in FLOAT_FIELDS},
    **{name: "text[]" for name in LIST_FIELDS},
    "claims": "jsonb",
}


def is_database_url(value: str) -> bool:
    """Whether a --data / FLASHPOINT_DATA value names a database rather than a file."""
    return value.strip().lower().startswith(SCHEMES)


def check_table_name(name: str) -> str:
    """A table name we accept: lower-case letters, digits and _ (no schema, no quoting games)."""
    if not _IDENTIFIER.match(name):
        raise DatasetError(
            f"{name[:64]!r} is not a table name Flashpoint reads "
            "(lower-case letters, digits and _, starting with a letter; up to 63 characters)"
        )
    return name


@dataclass(frozen=True, slots=True)
class DatabaseSource:
    """Where the events are: a connection address (secret) and a table name (not secret)."""

    conninfo: str
    table: str
    database: str
    since: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    hold: int = RECORDS.value

    @classmethod
    def from_url(cls, url: str, env: Mapping[str, str] | None = None) -> DatabaseSource:
        """Parse `postgresql://...[?table=NAME][&since=YYYY-MM-DD][&bbox=W,S,E,N][&hold=N]`;
        FLASHPOINT_TABLE names the table otherwise."""
        env = os.environ if env is None else env
        parts = urlsplit(url.strip())
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {key: value for key, value in query if key in OUR_PARAMS}
        rest = urlencode([(key, value) for key, value in query if key not in OUR_PARAMS])
        return cls(
            conninfo=urlunsplit(parts._replace(query=rest)),
            table=check_table_name(ours.get(TABLE_PARAM, env.get(TABLE_ENV, DEFAULT_TABLE))),
            database=parts.path.lstrip("/") or env.get("PGDATABASE", ""),
            since=_since(ours.get(SINCE_PARAM)),
            bbox=_bbox(ours.get(BBOX_PARAM)),
            hold=_hold(ours.get(HOLD_PARAM)),
        )

    @property
    def label(self) -> str:
        """How the source is named on the page and in messages: table and database only."""
        where = f" in database {self.database!r}" if self.database else ""
        return f"table {self.table!r}{where}"

    def secrets(self) -> list[str]:
        """The parts of the address that must never be shown (user, password, host)."""
        parts = urlsplit(self.conninfo)
        found = [parts.username, parts.password, parts.hostname, self.conninfo]
        found += [os.environ.get(name) for name in ("PGUSER", "PGPASSWORD", "PGHOST")]
        return [value for value in found if value]


def _since(value: str | None) -> date | None:
    """The first day read from the table (`since=YYYY-MM-DD`), if given."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DatasetError(f"since={value[:20]!r} is not a date (YYYY-MM-DD)") from None


def _hold(value: str | None) -> int:
    """How many events a process holds from the table (`hold=N`); past it, each reader's dates
    and view are read from the database (`geo.pushdown`)."""
    if value is None:
        return RECORDS.value
    most = OPERATOR.records.value
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise DatasetError(f"hold={value[:20]!r} is not a number of events from 1 to {most:,}")
    return int(value)


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """The box read from the table (`bbox=WEST,SOUTH,EAST,NORTH` in degrees), if given."""
    if value is None:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise DatasetError(f"bbox={value[:60]!r} is not WEST,SOUTH,EAST,NORTH") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise DatasetError(f"bbox={value[:60]!r} is not a box within -180..180, -90..90")
    return west, south, east, north


def plain_error(exc: BaseException, source: DatabaseSource) -> str:
    """A message for people about a database failure, without any credential in it."""
    state = getattr(exc, "sqlstate", None) or ""
    if isinstance(exc, psycopg.errors.UndefinedTable):
        text = f"the {source.label} does not exist (python -m geo load-db creates it)"
    elif isinstance(exc, psycopg.errors.InsufficientPrivilege):
        text = f"the database role may not read the {source.label} (GRANT SELECT on it)"
    elif isinstance(exc, psycopg.errors.UndefinedColumn):
        text = f"the {source.label} lacks a required column ({', '.join(REQUIRED)})"
    elif isinstance(exc, psycopg.OperationalError) or state.startswith("28"):
        text = "the database cannot be reached, or it refused the login"
    elif isinstance(exc, psycopg.Error):
        text = f"the database refused the request (SQLSTATE {state or 'unknown'})"
    else:
        text = f"the database request failed ({type(exc).__name__})"
    for secret in source.secrets():
        text = text.replace(secret, "…")
    return text


def connect(source: DatabaseSource, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """One connection (the command line's); a failure raises DatasetError with a plain message."""
    try:
        return psycopg.connect(source.conninfo, autocommit=autocommit, connect_timeout=10)
    except psycopg.Error as exc:
        raise DatasetError(plain_error(exc, source)) from None


def ensure_schema(conn: psycopg.Connection[Any], table: str) -> None:
    """Create the table, its indexes, the change marker and its trigger where missing."""
    name = sql.Identifier(table)
    columns = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(column),
            sql.SQL(kind),
            sql.SQL(
                " PRIMARY KEY" if column == "id" else " NOT NULL" if column in REQUIRED else ""
            ),
        )
        for column, kind in COLUMN_TYPES.items()
    ]
    columns.append(sql.SQL("{} geometry(Geometry, 4326) NOT NULL").format(sql.Identifier(GEOMETRY)))
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(name, sql.SQL(", ").join(columns))
    )
    for suffix, method, column in (
        ("event_date", "btree", "event_date"),
        ("geom", "gist", GEOMETRY),
    ):
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING {} ({})").format(
                sql.Identifier(f"{table}_{suffix}_idx"),
                name,
                sql.SQL(method),
                sql.Identifier(column),
            )
        )
    ensure_change_marker(conn, table)


def ensure_change_marker(conn: psycopg.Connection[Any], table: str) -> None:
    """The change counter and the statement trigger that bumps it on every write to `table`.

    The trigger function runs with its owner's rights, so writers need no grant on the marker.
    """
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (table_name text PRIMARY KEY, "
            "version bigint NOT NULL DEFAULT 0, changed_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(CHANGES_TABLE))
    )
    conn.execute(
        sql.SQL(
            "CREATE OR REPLACE FUNCTION flashpoint_mark_change() RETURNS trigger "
            "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ BEGIN "
            "INSERT INTO {changes} (table_name, version, changed_at) "
            "VALUES (TG_TABLE_NAME, 1, now()) "
            "ON CONFLICT (table_name) DO UPDATE SET version = {changes}.version + 1, "
            "changed_at = now(); RETURN NULL; END $$"
        ).format(changes=sql.Identifier(CHANGES_TABLE))
    )
    trigger = sql.Identifier(f"{table}_flashpoint_changes")
    conn.execute(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(trigger, sql.Identifier(table)))
    conn.execute(
        sql.SQL(
            "CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
            "FOR EACH STATEMENT EXECUTE FUNCTION flashpoint_mark_change()"
        ).format(trigger, sql.Identifier(table))
    )
    conn.execute(
        sql.SQL("INSERT INTO {} (table_name) VALUES (%s) ON CONFLICT DO NOTHING").format(
            sql.Identifier(CHANGES_TABLE)
        ),
        (table,),
    )


def read_version(conn: psycopg.Connection[Any], table: str) -> int | None:
    """The table's change counter (None where no enabled trigger of ours marks its changes).

    A marker row outlives a dropped table, so the trigger on the table itself is checked too.
    """
    row = conn.execute(
        sql.SQL(
            "SELECT version FROM {} WHERE table_name = %s AND EXISTS (SELECT 1 FROM pg_trigger "
            "WHERE tgrelid = to_regclass(%s) AND tgname = %s AND tgenabled <> 'D')"
        ).format(sql.Identifier(CHANGES_TABLE)),
        (table, table, f"{table}_flashpoint_changes"),
    ).fetchone()
    return None if row is None else int(row[0])


def read_signature(conn: psycopg.Connection[Any], table: str) -> str:
    """A change signature of any table a role may read: its row count and the sum and maximum
    of its rows' transaction ids (an insert, update or delete changes them; VACUUM does not)."""
    row = conn.execute(
        sql.SQL(
            "SELECT count(*), coalesce(sum(xmin::text::bigint), 0), "
            "coalesce(max(xmin::text::bigint), 0) FROM {}"
        ).format(sql.Identifier(table))
    ).fetchone()
    count, total, newest = row if row is not None else (0, 0, 0)
    return f"s{count}.{total}.{newest}"


def table_columns(conn: psycopg.Connection[Any], source: DatabaseSource) -> list[str]:
    """Which of our columns the table has (it may lack the optional ones)."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        (source.table,),
    ).fetchall()
    present = {str(row[0]) for row in rows}
    if not present:
        raise DatasetError(f"the {source.label} does not exist (python -m geo load-db creates it)")
    missing = [column for column in REQUIRED if column not in present]
    if missing:
        raise DatasetError(f"the {source.label} lacks the required column(s) {', '.join(missing)}")
    return [column for column in COLUMN_TYPES if column in present]


def window_of(source: DatabaseSource) -> tuple[sql.Composable, list[Any]]:
    """The WHERE clause of the source's date range and box (the indexes answer both)."""
    terms: list[sql.Composable] = [sql.SQL("TRUE")]
    params: list[Any] = []
    if source.since is not None:
        terms.append(sql.SQL("event_date >= %s"))
        params.append(source.since)
    if source.bbox is not None:
        terms.append(
            sql.SQL("{} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)").format(sql.Identifier(GEOMETRY))
        )
        params.extend(source.bbox)
    return sql.SQL(" AND ").join(terms), params


def read_rows(
    conn: psycopg.Connection[Any], source: DatabaseSource, limit: int | None = None
) -> RawTable:
    """The rows in the source's window as the raw table a file becomes.

    A process holds at most `limit` events: from a larger window the newest are read (the
    date index finds them) and the table's kind says how many of how many, from which day.
    """
    limit = source.hold if limit is None else limit
    where, params = window_of(source)
    raw, found, first = read_newest(conn, source, where, params, limit)
    if found > limit and first is not None:
        raw.kind += (
            f" (the newest {limit:,} of {found:,} events, from {first:%Y-%m-%d}; "
            f"a process holds at most {limit:,})"
        )
    return raw


def read_newest(
    conn: psycopg.Connection[Any],
    source: DatabaseSource,
    where: sql.Composable,
    params: list[Any],
    limit: int,
) -> tuple[RawTable, int, date | None]:
    """The newest `limit` rows that meet a condition, in date order, how many meet it, and
    the first day read (the date index finds the newest)."""
    columns = table_columns(conn, source)
    table = sql.Identifier(source.table)
    query = sql.SQL(
        "SELECT * FROM (SELECT {}, ST_AsBinary({}) FROM {} WHERE {} "
        "ORDER BY event_date DESC, id DESC LIMIT %s) AS newest ORDER BY event_date, id"
    ).format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.Identifier(GEOMETRY),
        table,
        where,
    )
    rows = conn.execute(query, [*params, limit]).fetchall()
    found = len(rows)
    if found >= limit:  # only rows cut short need counting (a count costs a pass over them)
        total = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, where), params
        )
        found = max(int((total.fetchone() or (0,))[0]), found)
    first = rows[0][columns.index("event_date")] if rows else None
    return rows_to_raw(columns, rows, source.label), found, first


def rows_to_raw(columns: list[str], rows: list[tuple[Any, ...]], label: str) -> RawTable:
    """Rows (our columns, then the geometry as WKB) as a raw table, values as a file gives them."""
    frame = pd.DataFrame.from_records(
        [row[:-1] for row in rows], columns=columns, nrows=len(rows), coerce_float=False
    ).astype(object)
    for column in DATE_FIELDS:
        if column in frame.columns:
            frame[column] = [None if v is None else v.isoformat() for v in frame[column]]
    wkb = np.empty(len(rows), dtype=object)
    wkb[:] = [None if row[-1] is None else bytes(row[-1]) for row in rows]
    geometry = list(shapely.from_wkb(wkb)) if len(rows) else []
    errors: list[Note] = [NO_GEOMETRY if g is None else "" for g in geometry]
    return RawTable(
        frame=frame,
        geometry=geometry,
        geometry_errors=errors,
        labels=labels_of(frame, "row ", range(1, len(frame) + 1)),
        problems=[],
        kind=f"PostGIS {label}",
    )


class _Scrubbed(logging.Filter):
    """psycopg_pool logs why a connection failed in libpq's words, which name user and host."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            record.msg, record.args = "a pooled database connection failed (details withheld)", ()
        return True


logging.getLogger("psycopg.pool").addFilter(_Scrubbed())


def open_pool(source: DatabaseSource, max_size: int = POOL_SIZE) -> ConnectionPool:
    """The pool of connections a process's sessions share (opened lazily, read-only use)."""
    return ConnectionPool(
        source.conninfo,
        min_size=1,
        max_size=max_size,
        timeout=POOL_TIMEOUT_S,
        # Give up a failing reconnection soon: the next request starts a fresh one at once,
        # so the page recovers within seconds of the database coming back, not after a
        # back-off grown over a long outage.
        reconnect_timeout=RECONNECT_S,
        kwargs={"connect_timeout": POOL_TIMEOUT_S, "autocommit": True},
        open=True,
        name="flashpoint",
    )


def load_from_pool(pool: ConnectionPool, source: DatabaseSource) -> LoadResult:
    """Read and validate the table's rows; a failure raises DatasetError with a plain message."""
    try:
        with pool.connection() as conn:
            raw = read_rows(conn, source)
    except (psycopg.Error, PoolTimeout) as exc:
        raise DatasetError(plain_error(exc, source)) from None
    return validate(raw)


def _note_slow_signature(table: str, took: float) -> None:
    """Tell the operator, once per table, that its change signature is costly to poll."""
    if took > SLOW_SIGNATURE_S and table not in _WARNED:
        _WARNED.add(table)
        logging.getLogger(__name__).warning(
            "following changes of table %r reads the whole table (%.2f s each time); "
            "python -m geo load-db adds a trigger that makes it one tiny query",
            table,
            took,
        )


def version_from_pool(pool: ConnectionPool, source: DatabaseSource) -> str:
    """The table's version: "c" and our trigger's counter, else "s" and its change signature;
    "" where neither can be read, UNREACHABLE when no connection can be had."""
    try:
        with pool.connection() as conn:
            try:
                counter = read_version(conn, source.table)
            except psycopg.errors.UndefinedTable:
                counter = None  # no change marker in this database
            except psycopg.errors.InsufficientPrivilege:
                counter = None  # a role that may read the table but not the marker
            if counter is not None:
                return f"c{counter}"
            started = time.monotonic()
            signature = read_signature(conn, source.table)
            _note_slow_signature(source.table, time.monotonic() - started)
            return signature
    except (psycopg.OperationalError, PoolTimeout):
        return UNREACHABLE
    except psycopg.Error:
        return ""
