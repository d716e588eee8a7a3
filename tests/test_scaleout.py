"""Scale-out: nginx in front of two dashboard replicas on one PostGIS table, each viewer pinned
to one of them; a row inserted once reaches the viewers of both.

Real processes throughout: two `streamlit run dashboard.py` replicas on free loopback ports and
Debian's nginx (unprivileged, everything under tmp) with deploy/nginx's config. Viewers are the
load test's lightweight clients: a page load over HTTP, then a websocket session that runs the
script and changes the date as the page does, all through the proxy. The replica behind each
request is read from nginx's access log (`upstream=`) and cross-checked with each replica's own
session count.
"""

from __future__ import annotations

import asyncio
import io
import time
import urllib.request
from collections import defaultdict
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from geo.cli import main
from harness.postgis import ThrowawayPostgis
from harness.server import DashboardServer, free_port
from loadtest.client import Viewer
from loadtest.metrics import read_metrics
from loadtest.nginx import (
    RENDERED,
    LogLine,
    NginxProxy,
    nginx_path,
    read_access_log,
    render_site,
    wait_for_log,
)
from loadtest.scenario import Plan, expect_day, make_plan
from ui.live import FOLLOW_EVERY_S

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "locations.geojson"
ROUTE_COOKIE = "flashpoint_route"
STREAM = "GET /_stcore/stream"
REQUESTS_PER_VISIT = 3  # the page, /_stcore/host-config, the websocket (health is not logged)
BATCH = 4
MAX_SESSIONS = 24
TABLE = "replicated"
LIVE_S = 10.0
NEW_ROW = (
    f"INSERT INTO {TABLE} (id, event_date, event_type, title, geom) VALUES "
    "('inserted-once', '2020-01-02', 'Protests', 'Inserted once', "
    "ST_SetSRID(ST_MakePoint(44.4, 33.3), 4326))"
)


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in a worker thread.

    Playwright's sync API keeps an event loop running in this thread for the whole session
    when browser tests ran first, and asyncio.run() refuses to start inside it.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The load test's scenario on the bundled data (scrub days, share links)."""
    return make_plan(BUNDLED)


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, postgis: ThrowawayPostgis
) -> Iterator[list[DashboardServer]]:
    """Two dashboard replicas, started side by side, reading the bundled events from one
    PostGIS table as the read-only role."""
    loaded = main(["load-db", str(BUNDLED), postgis.url(), "--table", TABLE], out=io.StringIO())
    assert loaded == 0
    table = f"{postgis.url(reader=True)}?table={TABLE}"
    logs = tmp_path_factory.mktemp("replicas")
    servers = [DashboardServer(table, log_path=logs / f"{name}.log") for name in ("a", "b")]
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(DashboardServer.start, servers))
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def nginx() -> Path:
    """Debian's nginx (or FLASHPOINT_NGINX); its absence fails the test, it is not skipped."""
    binary = nginx_path()
    if not binary.exists():
        pytest.fail(f"nginx is missing at {binary}: the scale-out test needs it (make test)")
    return binary


@pytest.fixture(scope="module")
def proxy(
    nginx: Path, tmp_path_factory: pytest.TempPathFactory, replicas: list[DashboardServer]
) -> Iterator[NginxProxy]:
    """nginx with the deploy config in front of the replicas."""
    front = NginxProxy(
        tmp_path_factory.mktemp("nginx"),
        free_port(),
        [f"127.0.0.1:{server.port}" for server in replicas],
    )
    with front:
        yield front


def address(server: DashboardServer) -> str:
    """A replica as nginx names it in `upstream=`."""
    return f"127.0.0.1:{server.port}"


def connects(server: DashboardServer) -> int:
    """Websocket sessions the replica itself has seen open."""
    return int(read_metrics(server.url).get('session_events_total{type="connect"}', 0))


async def visit(url: str, plan: Plan) -> str:
    """One viewer through the proxy: page, websocket session, one date change; its route."""
    jar = CookieJar()
    viewer = await Viewer.open(url, plan.query, jar=jar)
    try:
        await viewer.run(fragment=False)
        expect_day(viewer, plan.days[0])
        viewer.set_date(plan.days[1])
        changed = await viewer.run()
        assert changed.fragment, "a date change reran the whole page, not the side panel"
        expect_day(viewer, plan.days[1])
    finally:
        await viewer.close()
    routes = [c.value for c in jar if c.name == ROUTE_COOKIE and c.value]
    assert len(routes) == 1, f"expected one routing cookie, got {[c.name for c in jar]}"
    return routes[0]


async def visit_together(url: str, plan: Plan, count: int) -> list[str]:
    """`count` viewers at once; their routes."""
    return list(await asyncio.gather(*(visit(url, plan) for _ in range(count))))


def by_route(lines: list[LogLine]) -> dict[str, set[str]]:
    """Which replicas served each routing key."""
    upstreams: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        upstreams[line.route].add(line.served_by)
    return upstreams


def test_checked_in_config_is_the_template_rendered() -> None:
    assert RENDERED.read_text(encoding="utf-8") == render_site()


def test_first_response_sets_the_routing_cookie_once(proxy: NginxProxy) -> None:
    with urllib.request.urlopen(proxy.url + "/", timeout=10) as first:
        cookie = first.headers.get("Set-Cookie", "")
    assert cookie.startswith(f"{ROUTE_COOKIE}="), cookie
    route = cookie.split(";", 1)[0]
    request = urllib.request.Request(proxy.url + "/", headers={"Cookie": route})
    with urllib.request.urlopen(request, timeout=10) as again:
        assert again.headers.get("Set-Cookie") is None


def test_sessions_spread_over_replicas_and_stick_to_one(
    proxy: NginxProxy, replicas: list[DashboardServer], plan: Plan
) -> None:
    logged = len(read_access_log(proxy.access_log))
    before = {address(s): connects(s) for s in replicas}
    seen = {address(s): 0 for s in replicas}
    routes: list[str] = []
    # Routes are random, so keep adding viewers until both replicas have at least two;
    # 24 viewers all landing on one replica has a chance of 2 in 2**24.
    while min(seen.values()) < 2 and len(routes) < MAX_SESSIONS:
        routes += run_async(visit_together(proxy.url, plan, BATCH))
        lines = wait_for_log(proxy.access_log, logged + REQUESTS_PER_VISIT * len(routes))
        streams = [line for line in lines[logged:] if line.request.startswith(STREAM)]
        seen = {a: sum(line.served_by == a for line in streams) for a in seen}

    served = by_route(lines[logged:])
    for route in routes:
        kinds = [line.request.split("?")[0] for line in lines if line.route == route]
        assert STREAM + " HTTP/1.1" in kinds, f"{route}: no websocket through the proxy"
        assert len(served[route]) == 1, f"{route} was served by {served[route]}"
    assert all(n >= 2 for n in seen.values()), f"sessions per replica: {seen}"
    # Each replica's own count agrees with the proxy's log of where the websockets went.
    after = {address(s): connects(s) for s in replicas}
    assert {a: after[a] - before[a] for a in after} == seen


def route_to(proxy: NginxProxy, plan: Plan, server: DashboardServer) -> str:
    """A routing key that nginx sends to `server`, found by visiting until one lands there."""
    for _ in range(MAX_SESSIONS // BATCH):
        logged = len(read_access_log(proxy.access_log))
        routes = run_async(visit_together(proxy.url, plan, BATCH))
        lines = wait_for_log(proxy.access_log, logged + REQUESTS_PER_VISIT * len(routes))
        for line in lines[logged:]:
            if line.route in routes and line.served_by == address(server):
                return line.route
    pytest.fail(f"no route reached {address(server)} in {MAX_SESSIONS} visits")


def pinned_jar(route: str) -> CookieJar:
    """A cookie jar holding a routing cookie, as a returning viewer's browser does."""
    jar = CookieJar()
    jar.set_cookie(
        Cookie(
            0, ROUTE_COOKIE, route, None, False, "127.0.0.1", False, False, "/", True,
            False, None, True, None, None, {},
        )
    )  # fmt: skip
    return jar


async def watch_until(viewer: Viewer, rows: int, started: float) -> float:
    """Let the page's timer tick until the map holds `rows` events; seconds since `started`."""
    while len(viewer.map_rows) < rows:
        if time.monotonic() - started > LIVE_S:
            raise AssertionError(f"{len(viewer.map_rows)} events after {LIVE_S:.0f} s")
        await asyncio.sleep(FOLLOW_EVERY_S)
        await viewer.tick()
    return time.monotonic() - started


def test_a_row_inserted_once_reaches_sessions_on_both_replicas(
    proxy: NginxProxy, replicas: list[DashboardServer], plan: Plan, postgis: ThrowawayPostgis
) -> None:
    routes = [route_to(proxy, plan, server) for server in replicas]

    async def scenario() -> list[float]:
        viewers = [
            await Viewer.open(proxy.url, plan.query, jar=pinned_jar(route)) for route in routes
        ]
        try:
            for viewer in viewers:
                await viewer.run(fragment=False)
                expect_day(viewer, plan.days[0])
            before = {len(viewer.map_rows) for viewer in viewers}
            assert before == {26}
            with psycopg.connect(postgis.url(), autocommit=True) as conn:
                conn.execute(NEW_ROW)
            started = time.monotonic()
            waited = await asyncio.gather(*(watch_until(v, 27, started) for v in viewers))
            for viewer in viewers:
                expect_day(viewer, plan.days[0])
            return list(waited)
        finally:
            for viewer in viewers:
                await viewer.close()

    waited = run_async(scenario())
    assert all(seconds <= LIVE_S for seconds in waited)


def test_a_failed_replica_is_routed_around(
    proxy: NginxProxy, replicas: list[DashboardServer], plan: Plan
) -> None:
    up, down = replicas
    pinned = route_to(proxy, plan, down)
    logged = len(read_access_log(proxy.access_log))
    down.stop()
    try:

        async def come_back() -> None:
            viewer = await Viewer.open(proxy.url, plan.query, jar=pinned_jar(pinned))
            try:
                await viewer.run(fragment=False)
                expect_day(viewer, plan.days[0])
            finally:
                await viewer.close()

        run_async(come_back())
        later = wait_for_log(proxy.access_log, logged + REQUESTS_PER_VISIT)[logged:]
        assert later, "the returning viewer's requests are not in the access log"
        assert {line.route for line in later} == {pinned}
        assert {line.served_by for line in later} == {address(up)}
        assert any(address(down) in line.upstream for line in later), "nginx never tried it"
    finally:
        down.start()
