"""The dashboard on a PostGIS table (AppTest): the same dataset as the file, live changes,
and database failures told plainly, never with a credential in them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

import geo.live
from geo.cli import main
from harness.postgis import ThrowawayPostgis
from tests.test_dashboard import map_columns
from ui.text import plain

App = Callable[..., AppTest]
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "locations.geojson"
NEW_ROW = (
    "INSERT INTO {table} (id, event_date, event_type, title, location, geom) VALUES "
    "('live-1', '2020-01-02', 'Protests', 'A protest added while reading', 'Basra', "
    "ST_SetSRID(ST_MakePoint(47.8, 30.5), 4326))"
)


def load_table(postgis: ThrowawayPostgis, table: str) -> str:
    """Load the bundled file into a table; the read-only role's address of it."""
    assert main(["load-db", str(BUNDLED), postgis.url(), "--table", table], out=io.StringIO()) == 0
    return f"{postgis.url(reader=True)}?table={table}"


def with_url(app: App, monkeypatch: pytest.MonkeyPatch, url: str, **params: str) -> AppTest:
    """An AppTest reading a database address from FLASHPOINT_DATA."""
    at = app(**params)
    monkeypatch.setenv("FLASHPOINT_DATA", url)
    return at


def test_the_table_shows_the_same_dataset_as_the_file(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis
) -> None:
    from_file = map_columns(app().run())
    at = with_url(app, monkeypatch, load_table(postgis, "dash_same"), event="k1-rocket-attack")
    at.run()
    assert not at.exception
    from_table = map_columns(at)
    # Each names its own dataset (a click is read against it); the events are the same.
    assert from_table.pop("dataset") == at.session_state.dataset_token
    assert from_file.pop("dataset") != at.session_state.dataset_token
    assert from_table == from_file
    assert any(plain("dash_same") + ": 26 events" in e.label for e in at.expander)
    assert any('data-event-id="k1-rocket-attack"' in h.proto.body for h in at.html)


def test_a_change_in_the_table_keeps_date_selection_and_filters(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis
) -> None:
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    url = load_table(postgis, "dash_live")
    at = with_url(app, monkeypatch, url, date="2020-01-03", event="k1-rocket-attack")
    at.run()
    date, rev = at.session_state.date, at.session_state.date_rev
    with psycopg.connect(postgis.url(), autocommit=True) as conn:
        conn.execute(NEW_ROW.format(table="dash_live"))
    at.run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 27
    row = next(i for i, t in enumerate(map_columns(at)["title"]) if t.startswith("A protest added"))
    assert map_columns(at)["new"] == [map_columns(at)["row"][row]]
    assert (at.session_state.date, at.session_state.date_rev) == (date, rev)
    assert at.session_state.event == "k1-rocket-attack"
    assert any(plain("dash_live") + ": 27 events" in e.label for e in at.expander)
    assert [t.proto.body for t in at.toast] == [plain("The data changed: 27 events now")]


@pytest.mark.parametrize(
    ("make_url", "message"),
    [
        (
            lambda pg: pg.url(reader=True).replace(pg.reader_password, "wrong-pass-123"),
            "the database cannot be reached, or it refused the login",
        ),
        (
            lambda pg: f"postgresql://mallory:topsecret-456@127.0.0.1:{pg.port + 1}/flashpoint",
            "the database cannot be reached, or it refused the login",
        ),
        (
            lambda pg: pg.url(reader=True) + "?table=no_such_table",
            "the table 'no_such_table' in database 'flashpoint' does not exist",
        ),
        (
            lambda pg: pg.url(reader=True) + "?table=Robert');DROP",
            "is not a table name Flashpoint reads",
        ),
    ],
    ids=["wrong-password", "unreachable", "no-table", "bad-table-name"],
)
def test_database_failures_are_plain_and_keep_credentials_secret(
    app: App,
    monkeypatch: pytest.MonkeyPatch,
    postgis: ThrowawayPostgis,
    make_url: Callable[[ThrowawayPostgis], str],
    message: str,
) -> None:
    url = make_url(postgis)
    at = with_url(app, monkeypatch, url).run(timeout=60)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and plain(message) in errors[0]
    shown = " ".join(str(element) for element in at.main) + " ".join(
        str(element) for element in at.sidebar
    )
    for secret in ("wrong-pass-123", "mallory", "topsecret-456", postgis.reader_password, "reader"):
        assert secret not in shown


def test_a_table_made_by_hand_is_followed_through_a_read_only_role(
    app: App, monkeypatch: pytest.MonkeyPatch, postgis: ThrowawayPostgis
) -> None:
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    load_table(postgis, "dash_source")
    # A copy made by plain SQL carries no trigger of ours; the reader may only SELECT it.
    postgis.psql("flashpoint", "CREATE TABLE dash_handmade AS SELECT * FROM dash_source")
    url = f"{postgis.url(reader=True)}?table=dash_handmade"
    at = with_url(app, monkeypatch, url, date="2020-01-03", event="k1-rocket-attack")
    at.run()
    assert len(map_columns(at)["row"]) == 26
    for change, count, title in [
        (NEW_ROW.format(table="dash_handmade"), 27, "A protest added while reading"),
        ("UPDATE dash_handmade SET title = 'Retitled' WHERE id = 'live-1'", 27, "Retitled"),
        ("DELETE FROM dash_handmade WHERE id = 'live-1'", 26, None),
    ]:
        postgis.psql("flashpoint", change)
        at.run()
        assert not at.exception
        titles = map_columns(at)["title"]
        assert len(titles) == count and (title is None or title in titles)
        assert at.session_state.event == "k1-rocket-attack"


@pytest.fixture
def own_cluster() -> Iterator[ThrowawayPostgis]:
    """A cluster of the test's own, to stop and start."""
    with ThrowawayPostgis() as cluster:
        yield cluster


def notices(at: AppTest) -> list[str]:
    """The warnings and errors the page shows."""
    return [w.value for w in at.warning] + [e.value for e in at.error]


def test_an_outage_keeps_the_last_good_data_and_recovers_by_itself(
    app: App, monkeypatch: pytest.MonkeyPatch, own_cluster: ThrowawayPostgis
) -> None:
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    url = load_table(own_cluster, "outage_page")
    at = with_url(app, monkeypatch, url, date="2020-01-03", event="k1-rocket-attack")
    at.run()
    assert len(map_columns(at)["row"]) == 26 and notices(at) == []
    stale = re.compile(r"The database cannot be reached; showing the data as of \d\d:\d\d UTC\. ")
    own_cluster.pause()
    at.run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 26
    assert len(notices(at)) == 1 and stale.match(notices(at)[0])
    assert at.session_state.event == "k1-rocket-attack"
    # A page opened during the outage gets the last good data too, told in its language.
    persian = with_url(app, monkeypatch, url, lang="fa").run()
    assert len(map_columns(persian)["row"]) == 26
    (notice,) = notices(persian)
    persian_time = "[\u06f0-\u06f9]{2}:[\u06f0-\u06f9]{2} UTC"  # Persian digits
    assert re.match(f"به پایگاه داده دسترسی نیست؛ .* {persian_time}", notice)
    own_cluster.resume()
    at.run()
    assert notices(at) == [] and len(map_columns(at)["row"]) == 26
    # A read that fails (the role lost its grant) while the table changes: the same.
    own_cluster.psql("flashpoint", "REVOKE SELECT ON outage_page FROM reader")
    own_cluster.psql("flashpoint", NEW_ROW.format(table="outage_page"))
    at.run()
    assert len(map_columns(at)["row"]) == 26
    assert len(notices(at)) == 1 and stale.match(notices(at)[0])
    own_cluster.psql("flashpoint", "GRANT SELECT ON outage_page TO reader")
    at.run()  # a failed load is tried again once per RETRY_S, not on every run
    assert len(notices(at)) == 1 and len(map_columns(at)["row"]) == 26
    monkeypatch.setattr(geo.live, "RETRY_S", 0.0)
    at.run()
    assert notices(at) == [] and len(map_columns(at)["row"]) == 27
