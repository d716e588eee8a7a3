"""`python -m geo load-db`: a file's good events into a throwaway PostGIS, the rest reported."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psycopg

from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, main
from geo.database import DatabaseSource, read_rows, read_version
from geo.validation import load_events, validate
from harness.postgis import ThrowawayPostgis

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "locations.geojson"
PROBLEMS_CSV = (
    "id,event_date,latitude,longitude,event_type,fatalities,notes\n"
    "a,2020-01-01,33.3,44.4,Battles,3,first\n"
    "b,2020-13-45,33.3,44.4,Battles,,a date that does not exist\n"
    "c,2020-01-02,33.4,44.5,Protests,lots,a count that is not a number\n"
)


def load(*args: str) -> tuple[int, str, str]:
    """Run the command in this process; exit code, output, errors."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["load-db", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def count(postgis: ThrowawayPostgis, table: str) -> int:
    """Rows in a table."""
    return int(postgis.psql("flashpoint", f"SELECT count(*) FROM {table}"))


def test_a_good_file_loads_and_reads_back_as_the_same_events(postgis: ThrowawayPostgis) -> None:
    code, out, err = load(str(BUNDLED), postgis.url(), "--table", "good")
    assert (code, err) == (EXIT_OK, "")
    assert "26 new, 0 updated" in out
    assert count(postgis, "good") == 26
    source = DatabaseSource.from_url(postgis.url(reader=True) + "?table=good")
    with psycopg.connect(source.conninfo) as conn:
        from_db = validate(read_rows(conn, source))
    from_file = load_events(BUNDLED)
    assert from_db.problems == []
    pd.testing.assert_frame_equal(
        from_db.events.drop(columns="geometry"), from_file.events.drop(columns="geometry")
    )
    assert from_db.events.geometry.equals(from_file.events.geometry)


def test_loading_twice_changes_nothing(postgis: ThrowawayPostgis) -> None:
    load(str(BUNDLED), postgis.url(), "--table", "twice")
    before = postgis.psql(
        "flashpoint", "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM twice t"
    )
    code, out, _ = load(str(BUNDLED), postgis.url(), "--table", "twice")
    after = postgis.psql(
        "flashpoint", "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM twice t"
    )
    assert code == EXIT_OK
    assert "0 new, 26 updated" in out
    assert (count(postgis, "twice"), after) == (26, before)


def test_a_file_with_problems_loads_its_good_events(
    postgis: ThrowawayPostgis, tmp_path: Path
) -> None:
    path = tmp_path / "some-bad.csv"
    path.write_text(PROBLEMS_CSV, encoding="utf-8")
    code, out, _ = load(str(path), postgis.url(), "--table", "partial")
    assert code == EXIT_PROBLEMS
    assert "2020-13-45" in out and "left out" in out and "'lots'" in out
    assert "2 new, 0 updated" in out
    rows = postgis.psql("flashpoint", "SELECT id, fatalities FROM partial ORDER BY id")
    assert rows.split() == ["a|3", "c|"]


def test_schema_indexes_and_change_trigger_are_created(postgis: ThrowawayPostgis) -> None:
    load(str(BUNDLED), postgis.url(), "--table", "schema_check")
    indexes = postgis.psql(
        "flashpoint", "SELECT indexdef FROM pg_indexes WHERE tablename = 'schema_check'"
    )
    assert "USING gist (geom)" in indexes and "USING btree (event_date)" in indexes
    not_null = postgis.psql(
        "flashpoint",
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'schema_check' AND is_nullable = 'NO' ORDER BY column_name",
    )
    assert not_null.split() == ["event_date", "geom", "id"]
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        before = read_version(conn, "schema_check")
        conn.execute("DELETE FROM schema_check WHERE id = 'k1-rocket-attack'")
        assert read_version(conn, "schema_check") == (before or 0) + 1


def test_unreadable_file_or_bad_table_name_loads_nothing(
    postgis: ThrowawayPostgis, tmp_path: Path
) -> None:
    missing = tmp_path / "nothing.csv"
    code, _, err = load(str(missing), postgis.url(), "--table", "never")
    assert code == EXIT_UNREADABLE and "nothing.csv" in err
    code, _, err = load(str(BUNDLED), postgis.url(), "--table", 'x"; DROP TABLE good; --')
    assert code == EXIT_UNREADABLE and "not a table name" in err
    assert postgis.psql("flashpoint", "SELECT to_regclass('never') IS NULL") == "t\n"
    assert count(postgis, "good") == 26


def test_credentials_never_appear_in_errors(postgis: ThrowawayPostgis) -> None:
    wrong = postgis.url().replace(postgis.password, "s3cret-wrong-pass")
    unreachable = f"postgresql://alice:hunter2-pass@127.0.0.1:{postgis.port + 1}/flashpoint"
    for url, secrets in (
        (wrong, ["s3cret-wrong-pass", "postgres:"]),
        (unreachable, ["hunter2", "alice"]),
    ):
        code, out, err = load(str(BUNDLED), url, "--table", "denied")
        assert code == EXIT_UNREADABLE
        assert "cannot be reached, or it refused the login" in err
        assert not any(secret in out + err for secret in secrets)


def test_read_only_role_cannot_load(postgis: ThrowawayPostgis) -> None:
    load(str(BUNDLED), postgis.url(), "--table", "guarded")
    code, _, err = load(str(BUNDLED), postgis.url(reader=True), "--table", "guarded")
    assert code == EXIT_UNREADABLE
    assert "nothing was loaded" in err and postgis.reader_password not in err


def test_load_db_in_a_real_process(postgis: ThrowawayPostgis) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geo", "load-db", str(BUNDLED), postgis.url(), "--table", "cli"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert count(postgis, "cli") == 26


def test_a_table_made_elsewhere_with_only_the_required_columns(postgis: ThrowawayPostgis) -> None:
    postgis.psql(
        "flashpoint",
        "CREATE TABLE minimal (id text PRIMARY KEY, event_date date NOT NULL, "
        "geom geometry(Geometry, 4326) NOT NULL, editor text)",
    )
    code, out, _ = load(str(BUNDLED), postgis.url(), "--table", "minimal")
    assert code == EXIT_OK and "26 new" in out
    source = DatabaseSource.from_url(postgis.url(reader=True) + "?table=minimal")
    with psycopg.connect(source.conninfo) as conn:
        events = validate(read_rows(conn, source)).events
        assert read_version(conn, "minimal") is not None
    assert len(events) == 26 and set(events["event_type"]) == {""}


def test_columns_name_a_file_s_own_headers(postgis: ThrowawayPostgis, tmp_path: Path) -> None:
    path = tmp_path / "own-names.csv"
    path.write_text("ref,when,y_coord,x_coord\nq1,2020-01-05,33.3,44.4\n", encoding="utf-8")
    code, _, err = load(str(path), postgis.url(), "--table", "own_names")
    assert code == EXIT_UNREADABLE and "own-names.csv" in err
    columns = "id=ref,date=when,lat=y_coord,lon=x_coord"
    code, out, _ = load(str(path), postgis.url(), "--table", "own_names", "--columns", columns)
    assert code == EXIT_OK and "1 new" in out
    assert postgis.psql("flashpoint", "SELECT id, event_date FROM own_names") == "q1|2020-01-05\n"
