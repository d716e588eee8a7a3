"""A lightweight viewer: the browser's conversation with Streamlit, without the browser.

It loads the page over HTTP, then speaks Streamlit's websocket protocol on `/_stcore/stream`:
protobuf `BackMsg` out (`rerun_script` carrying `ClientState` with the widget states and the
fragment id, as the frontend sends them), `ForwardMsg` in (deltas, then `script_finished`).

It acts as the page does now that time runs in the browser. The map receives the events once
(`window.flashpoint.setEvents(...)` in the map's feature group, on full runs) and the client
keeps them, as the map does; moving the date, stepping to the previous or next event date and
clicking a marker happen in the browser, and what reaches the server is what the page's
bridge (a Streamlit v2 component keyed "bridge") sends when the date settles or a marker is
picked: a rerun of the side panel's fragment carrying a trigger, `[{"event": "date", "value":
{"value": "YYYY-MM-DD", "view": {...}}}]`, in the component's trigger-aggregator widget.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from http.cookiejar import CookieJar
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Delta_pb2 import Delta
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from geo.timeline import EPOCH, day_number

STREAM_PATH: Final = "/_stcore/stream"
PAGE_PATHS: Final = ("/_stcore/health", "/_stcore/host-config")
MAP_COMPONENT: Final = "streamlit_folium.st_folium"
BRIDGE_COMPONENT: Final = "flashpoint_bridge"
MAP_EVENTS: Final = "window.flashpoint.setEvents("
MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
HTTP_TIMEOUT: Final = 15.0
FINISHED_OK: Final = frozenset(
    {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
)


class ProtocolError(Exception):
    """The server said something a browser would show as broken (or said nothing in time)."""


@dataclass(frozen=True, slots=True)
class RunResult:
    """One script or fragment run, from sending `rerun_script` to `script_finished`."""

    seconds: float
    size: int
    fragment: bool = False


@dataclass(frozen=True, slots=True)
class Bridge:
    """The bridge component: its id and the fragment (the side panel) that drew it."""

    widget_id: str
    fragment_id: str

    @property
    def trigger_id(self) -> str:
        """The widget that carries its triggers (Streamlit's trigger aggregator)."""
        return _make_trigger_id(self.widget_id, "events")


@dataclass(frozen=True, slots=True)
class MapView:
    """The map's centre and zoom, as the map reports them."""

    lat: float
    lon: float
    zoom: int


def date_of(day_n: int | None) -> date | None:
    """A day number (days since 1970-01-01) as a date."""
    return None if day_n is None else EPOCH + timedelta(days=day_n)


def user_key(widget_id: str) -> str:
    """The `key=` a widget was created with, read from its id (`$$ID-<hash>-<key>`)."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else widget_id


def query_date(query: str) -> str | None:
    """The `date` parameter of an address-bar query string."""
    values = parse_qs(query).get("date")
    return values[0] if values else None


def with_view(query: str, view: MapView | None) -> str:
    """The address with the map's view written into it, as the bridge does in the page."""
    if view is None:
        return query
    params = parse_qs(query, keep_blank_values=True)
    params["lat"], params["lon"] = [f"{view.lat:.4f}"], [f"{view.lon:.4f}"]
    params["zoom"] = [str(view.zoom)]
    return urlencode(params, doseq=True)


def load_page(base_url: str, query: str, jar: CookieJar) -> None:
    """GET the page and the two endpoints the frontend asks for before it opens the socket."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in ("/" + (f"?{query}" if query else ""), *PAGE_PATHS):
        with opener.open(base_url.rstrip("/") + path, timeout=HTTP_TIMEOUT) as response:
            response.read()


def cookie_header(jar: CookieJar) -> str:
    """The Cookie header a browser would send with the websocket upgrade."""
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def stream_url(base_url: str) -> str:
    """The websocket address of `/_stcore/stream` for an http(s) base address."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{STREAM_PATH}"


class Viewer:
    """One browser tab's session, driven over the websocket."""

    def __init__(self, conn: ClientConnection, query: str) -> None:
        self._conn = conn
        self._states: dict[str, WidgetState] = {}
        self._triggers: list[dict[str, Any]] = []
        self._rev: int | None = None
        self.query_string = query
        self.widget_ids: dict[str, str] = {}
        self.bridge: Bridge | None = None
        self.page_state: dict[str, Any] = {}
        self.view: MapView | None = None
        self.map_id: str | None = None
        self.map_day: int | None = None
        self.map_rows: list[int] = []
        self.map_starts: list[int] = []
        self.map_days: list[int] = []
        self.detail_ids: set[str] = set()
        self.auto_fragments: set[str] = set()
        # One run at a time on the socket: the page's timer and the reader take turns.
        self._turn = asyncio.Lock()

    @classmethod
    async def open(
        cls, base_url: str, query: str = "", *, jar: CookieJar | None = None, timeout: float = 15
    ) -> Viewer:
        """Load the page (keeping its cookies, e.g. a proxy's routing cookie) and connect."""
        jar = jar if jar is not None else CookieJar()
        await asyncio.to_thread(load_page, base_url, query, jar)
        headers = {"Cookie": cookie_header(jar)} if len(jar) else None
        conn = await connect(
            stream_url(base_url),
            subprotocols=[Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=MAX_MESSAGE_BYTES,
            open_timeout=timeout,
        )
        return cls(conn, query)

    @property
    def fragment_id(self) -> str:
        """The fragment the bridge lives in (the side panel): a date change reruns it."""
        if self.bridge is None:
            raise ProtocolError("no bridge has been rendered")
        return self.bridge.fragment_id

    @property
    def map_date(self) -> date | None:
        """The date the map shows (the browser's own date)."""
        return date_of(self.map_day)

    @property
    def page_date(self) -> date | None:
        """The date the page's panels follow, as the server last told the map."""
        day = self.page_state.get("day")
        return date_of(day) if isinstance(day, int) else None

    def set_date(self, day: date) -> None:
        """Move the map's date (a drag, an arrow key, Play stopping); the page hears of it."""
        self.map_day = day_number(day)
        self._trigger("date", day.isoformat())

    def step(self, direction: int) -> date | None:
        """◀ or ▶ in the map: to the previous or next day with an event (None: no such day)."""
        if self.map_day is None:
            raise ProtocolError("the map shows no date")
        days = self.map_days
        if direction > 0:
            i = bisect.bisect_right(days, self.map_day)
            target = days[i] if i < len(days) else None
        else:
            j = bisect.bisect_right(days, self.map_day - 1) - 1
            target = days[j] if j >= 0 else None
        if target is None:
            return None
        day = EPOCH + timedelta(days=target)
        self.set_date(day)
        return day

    def shown_rows(self) -> list[int]:
        """Rows of the events the map draws at its date (everything so far)."""
        if self.map_day is None:
            return []
        return self.map_rows[: bisect.bisect_right(self.map_starts, self.map_day)]

    def report_map_view(self, lat: float, lon: float, zoom: int) -> None:
        """The map settles on a view: it writes it into the address itself, with no rerun."""
        self.view = MapView(lat, lon, zoom)
        self.query_string = with_view(self.query_string, self.view)

    def click_marker(self, row: int) -> None:
        """A marker is clicked: the map highlights it and the page hears of the pick."""
        self._trigger("pick", {"row": row, "dataset": self.page_state.get("dataset")})

    def _trigger(self, name: str, value: Any) -> None:
        view = None if self.view is None else vars_of(self.view)
        self._triggers.append({"event": name, "value": {"value": value, "view": view}})

    def _rerun(
        self, fragment: bool, triggers: list[dict[str, Any]], fragment_id: str = ""
    ) -> bytes:
        """`rerun_script` with every widget state the page holds, as the frontend sends it."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.fragment_id = fragment_id or (self.fragment_id if fragment else "")
        client.widget_states.widgets.extend(self._states.values())
        if triggers:
            if self.bridge is None:
                raise ProtocolError("no bridge has been rendered")
            client.widget_states.widgets.append(
                WidgetState(id=self.bridge.trigger_id, json_trigger_value=json.dumps(triggers))
            )
        payload: bytes = msg.SerializeToString()
        return payload

    async def run(self, *, fragment: bool = True, timeout: float = 30) -> RunResult:
        """Send `rerun_script` (with any pending trigger) and read until `script_finished`;
        the time counts any wait behind the page's own live check, as a reader feels it."""
        started = time.perf_counter()
        async with self._turn:
            payload = self._rerun(fragment, self._triggers)
            self._triggers = []
            self.detail_ids = set()
            await self._conn.send(payload)
            return await self._read_run(started, timeout)

    async def tick(self, timeout: float = 30) -> RunResult:
        """What the page's timer does: run the fragments that rerun on their own (live data)."""
        if not self.auto_fragments:
            raise ProtocolError("no fragment reruns on its own")
        async with self._turn:
            started = time.perf_counter()
            for fragment_id in sorted(self.auto_fragments):
                await self._conn.send(self._rerun(False, [], fragment_id))
            return await self._read_run(started, timeout)

    async def send_run(self) -> None:
        """Send a fragment rerun without waiting for it (a client that leaves mid-run)."""
        payload = self._rerun(True, self._triggers)
        self._triggers = []
        await self._conn.send(payload)

    async def _read_run(self, started: float, timeout: float) -> RunResult:
        deadline = started + timeout
        size = 0
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no script_finished within {timeout:.0f} s")
            try:
                raw = await asyncio.wait_for(self._conn.recv(), remaining)
            except TimeoutError as exc:
                raise ProtocolError(f"no script_finished within {timeout:.0f} s") from exc
            if isinstance(raw, str):
                raise ProtocolError("the server sent a text frame")
            size += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._absorb(msg.delta)
            elif kind == "auto_rerun":
                self.auto_fragments.add(msg.auto_rerun.fragment_id)
            elif kind == "page_info_changed":
                self.query_string = with_view(msg.page_info_changed.query_string, self.view)
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if msg.script_finished not in FINISHED_OK:
                    raise ProtocolError(f"the script failed (status {msg.script_finished})")
                fragment = msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                return RunResult(time.perf_counter() - started, size, fragment)

    def _absorb(self, delta: Delta) -> None:
        """Keep what the frontend keeps from a delta; raise on what it would show as an error."""
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            error = element.exception
            if not error.type:  # client.showErrorDetails hides it from viewers: see the log
                raise ProtocolError("the app raised an error (details are in the server log)")
            trace = " | ".join(error.stack_trace[-3:])
            raise ProtocolError(f"the app raised {error.type}: {error.message} [{trace}]")
        if kind == "alert" and element.alert.format == Alert.ERROR:
            raise ProtocolError(f"the app shows an error: {element.alert.body}")
        if kind == "html" and "data-event-id=" in element.html.body:
            self.detail_ids.add(element.html.body.split('data-event-id="', 1)[1].split('"', 1)[0])
        if kind == "button":
            self.widget_ids[user_key(element.button.id)] = element.button.id
        elif kind == "bidi_component" and element.bidi_component.component_name.endswith(
            BRIDGE_COMPONENT
        ):
            self.bridge = Bridge(element.bidi_component.id, delta.fragment_id)
            self._read_page_state(element.bidi_component.json)
        elif (
            kind == "component_instance"
            and element.component_instance.component_name == MAP_COMPONENT
        ):
            self.map_id = element.component_instance.id
            self._read_map_events(element.component_instance.json_args)

    def _read_page_state(self, data: str) -> None:
        """The view state the page hands the map; the map takes its date when `rev` moves."""
        state = json.loads(data) if data else {}
        if not isinstance(state, dict):
            raise ProtocolError("the bridge carries no view state")
        self.page_state = state
        if state.get("rev") != self._rev and isinstance(state.get("day"), int):
            self._rev = state.get("rev")
            self.map_day = int(state["day"])

    def _read_map_events(self, json_args: str) -> None:
        """The event columns handed to the map (rows and start days, in date order)."""
        layer = json.loads(json_args).get("feature_group") or ""
        start = layer.find(MAP_EVENTS)
        if start < 0:
            raise ProtocolError("the map carries no events")
        columns, _ = json.JSONDecoder().raw_decode(layer, start + len(MAP_EVENTS))
        self.map_rows = [int(r) for r in columns["row"]]
        self.map_starts = [int(d) for d in columns["start"]]
        self.map_days = sorted(set(self.map_starts))

    async def close(self) -> None:
        """Leave politely: a websocket close handshake, as a closed tab does."""
        await self._conn.close()

    def vanish(self) -> None:
        """Leave rudely: drop the TCP connection with no close frame (a lost network)."""
        transport = self._conn.transport
        if isinstance(transport, asyncio.WriteTransport):
            transport.abort()
        else:
            transport.close()


def vars_of(view: MapView) -> dict[str, float]:
    """A view as the map sends it along with a trigger."""
    return {"lat": view.lat, "lon": view.lon, "zoom": view.zoom}
