"""The PostGIS source: its address, the window it reads, and messages without credentials."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

import geo.database
from geo.cli import main
from geo.database import (
    UNREACHABLE,
    DatabaseSource,
    is_database_url,
    open_pool,
    plain_error,
    read_rows,
    version_from_pool,
)
from geo.table import DatasetError
from geo.validation import load_events, validate
from harness.postgis import ThrowawayPostgis
from harness.server import free_port

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "locations.geojson"
URL = "postgresql://ana:pa55word@db.example:5433/news"


@pytest.mark.parametrize(
    ("url", "env", "table", "conninfo"),
    [
        (URL, {}, "events", URL),
        (URL, {"FLASHPOINT_TABLE": "iraq"}, "iraq", URL),
        (URL + "?table=syria&sslmode=require", {"FLASHPOINT_TABLE": "iraq"}, "syria",
         URL + "?sslmode=require"),
        (URL + "?since=2020-01-01&bbox=40,30,50,40", {}, "events", URL),
    ],
)  # fmt: skip
def test_the_address_names_table_and_connection(
    url: str, env: dict[str, str], table: str, conninfo: str
) -> None:
    source = DatabaseSource.from_url(url, env)
    assert (source.table, source.conninfo, source.database) == (table, conninfo, "news")
    assert "pa55word" not in source.label and "ana" not in source.label


def test_the_window_is_read_from_the_address() -> None:
    source = DatabaseSource.from_url(URL + "?since=2020-01-01&bbox=40,30,50,40.5", {})
    assert (source.since, source.bbox) == (date(2020, 1, 1), (40.0, 30.0, 50.0, 40.5))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?table=Events", "not a table name"),
        ("?table=a;drop", "not a table name"),
        ("?table=" + "x" * 64, "not a table name"),
        ("?since=yesterday", "not a date"),
        ("?bbox=1,2,3", "is not WEST,SOUTH,EAST,NORTH"),
        ("?bbox=50,30,40,40", "not a box"),
    ],
)
def test_bad_table_names_and_windows_are_refused(query: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        DatabaseSource.from_url(URL + query, {})


def test_which_values_name_a_database() -> None:
    assert is_database_url(URL) and is_database_url(" postgres://x/y")
    assert not is_database_url("data/postgresql.csv")


@pytest.mark.parametrize(
    "exc",
    [
        psycopg.OperationalError(
            f'connection to server at "db.example" failed for user "ana" {URL}'
        ),
        psycopg.errors.InsufficientPrivilege("permission denied for table events, role ana"),
        psycopg.DatabaseError(f"something about {URL}"),
        RuntimeError("pa55word"),
    ],
)
def test_messages_never_carry_credentials(exc: BaseException) -> None:
    text = plain_error(exc, DatabaseSource.from_url(URL, {}))
    assert not any(secret in text for secret in ("ana", "pa55word", "db.example", "5433"))


@pytest.fixture(scope="module")
def windowed(postgis: ThrowawayPostgis) -> str:
    """The bundled events in a table; the read-only address of it."""
    out = io.StringIO()
    assert main(["load-db", str(BUNDLED), postgis.url(), "--table", "windowed"], out=out) == 0
    return postgis.url(reader=True) + "?table=windowed"


def read(url: str, limit: int = 500_000) -> tuple[list[str], str]:
    """The ids read through an address, in order, and the table's kind."""
    source = DatabaseSource.from_url(url, {})
    with psycopg.connect(source.conninfo) as conn:
        raw = read_rows(conn, source, limit)
    return validate(raw).events["id"].tolist(), raw.kind


def test_a_window_larger_than_a_process_holds_reads_the_newest(windowed: str) -> None:
    every = load_events(BUNDLED).events["id"].tolist()
    ids, kind = read(windowed, limit=10)
    assert ids == every[-10:]
    assert "the newest 10 of 26 events" in kind


def test_the_date_range_and_box_are_pushed_down(windowed: str) -> None:
    events = load_events(BUNDLED).events
    ids, _ = read(windowed + "&since=2020-01-01&bbox=43.5,32.5,45,34")
    b = events.geometry.bounds  # `&&` compares bounding boxes: a line counts where its box meets
    overlaps = (b.minx <= 45) & (b.maxx >= 43.5) & (b.miny <= 34) & (b.maxy >= 32.5)
    inside = (events["event_date"] >= "2020-01-01") & overlaps
    assert ids == events.loc[inside, "id"].tolist()
    assert 0 < len(ids) < len(events)


@pytest.fixture(scope="module")
def narrow(postgis: ThrowawayPostgis) -> Iterator[Callable[[], str]]:
    """A table made by plain SQL (no trigger of ours) and a pool of a role that may only SELECT
    it (not even the change marker, which another table's load-db has made); its version."""
    assert (
        main(["load-db", str(BUNDLED), postgis.url(), "--table", "marked"], out=io.StringIO()) == 0
    )
    postgis.psql(
        "flashpoint",
        "CREATE TABLE handmade (id text PRIMARY KEY, event_date date NOT NULL, "
        "geom geometry(Geometry, 4326) NOT NULL, title text);"
        "INSERT INTO handmade VALUES ('a', '2020-01-01', 'POINT(44 33)', 'first'), "
        "('b', '2020-01-02', 'POINT(45 33)', 'second');"
        "CREATE ROLE narrow LOGIN PASSWORD 'narrow-pass';"
        "REVOKE SELECT ON flashpoint_changes FROM narrow;"
        "GRANT SELECT ON handmade TO narrow",
    )
    url = f"postgresql://narrow:narrow-pass@127.0.0.1:{postgis.port}/flashpoint?table=handmade"
    source = DatabaseSource.from_url(url, {})
    with (
        psycopg.connect(source.conninfo) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT * FROM flashpoint_changes")
    pool = open_pool(source)
    yield lambda: version_from_pool(pool, source)
    pool.close()


@pytest.mark.parametrize(
    ("change", "changes_version"),
    [
        ("INSERT INTO handmade VALUES ('c', '2020-01-03', 'POINT(46 33)', 'third')", True),
        ("UPDATE handmade SET title = 'edited' WHERE id = 'a'", True),
        ("DELETE FROM handmade WHERE id = 'b'", True),
        # A delete and an insert together keep the count: the new row's transaction id tells.
        ("BEGIN; DELETE FROM handmade WHERE id = 'a';"
         "INSERT INTO handmade VALUES ('d', '2020-01-04', 'POINT(44 34)', 'fourth'); COMMIT", True),
        ("UPDATE handmade SET title = title WHERE false", False),
        ("VACUUM FREEZE handmade", False),
        ("VACUUM FULL handmade", False),
        ("CLUSTER handmade USING handmade_pkey", False),
    ],
    ids=["insert", "update", "delete", "delete+insert", "no-op", "freeze", "full", "cluster"],
)  # fmt: skip
def test_a_table_without_our_trigger_is_followed_through_a_select_only_role(
    narrow: Callable[[], str], postgis: ThrowawayPostgis, change: str, changes_version: bool
) -> None:
    before = narrow()
    assert before.startswith("s")
    postgis.psql("flashpoint", change)
    assert (narrow() != before) is changes_version


def test_a_table_with_our_trigger_is_followed_by_its_counter(postgis: ThrowawayPostgis) -> None:
    assert (
        main(["load-db", str(BUNDLED), postgis.url(), "--table", "counted"], out=io.StringIO()) == 0
    )
    source = DatabaseSource.from_url(postgis.url(reader=True) + "?table=counted", {})
    with open_pool(source) as pool:
        before = version_from_pool(pool, source)
        postgis.psql("flashpoint", "DELETE FROM counted WHERE id = 'k1-rocket-attack'")
        after = version_from_pool(pool, source)
        assert before.startswith("c") and after == f"c{int(before[1:]) + 1}"
        # Made again by hand: the marker's row outlives the old table, the trigger does not.
        postgis.psql(
            "flashpoint",
            "DROP TABLE counted; CREATE TABLE counted (id text PRIMARY KEY, "
            "event_date date NOT NULL, geom geometry(Geometry, 4326) NOT NULL)",
        )
        postgis.psql("flashpoint", "GRANT SELECT ON counted TO reader")
        empty = version_from_pool(pool, source)
        postgis.psql("flashpoint", "INSERT INTO counted VALUES ('x', '2020-01-01', 'POINT(1 2)')")
        assert empty.startswith("s") and version_from_pool(pool, source) != empty


def test_a_dead_database_is_unreachable_and_a_missing_table_unknown(
    postgis: ThrowawayPostgis,
) -> None:
    dead = DatabaseSource.from_url(f"postgresql://reader:x@127.0.0.1:{free_port()}/flashpoint", {})
    missing = DatabaseSource.from_url(postgis.url(reader=True) + "?table=nowhere", {})
    with open_pool(dead) as pool:
        assert version_from_pool(pool, dead) == UNREACHABLE
    with open_pool(missing) as pool:
        assert version_from_pool(pool, missing) == ""


def test_a_costly_signature_is_reported_once(
    narrow: Callable[[], str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(geo.database, "SLOW_SIGNATURE_S", 0.0)
    monkeypatch.setattr(geo.database, "_WARNED", set())
    narrow()
    narrow()
    warned = [r.getMessage() for r in caplog.records if "reads the whole table" in r.getMessage()]
    assert len(warned) == 1 and "'handmade'" in warned[0] and "load-db" in warned[0]
