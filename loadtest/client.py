"""A lightweight viewer: the browser's conversation with Streamlit, without the browser.

It loads the page over HTTP, then speaks Streamlit's websocket protocol on `/_stcore/stream`:
protobuf `BackMsg` out (`rerun_script` carrying `ClientState` with the widget states and the
fragment id, as the frontend sends them), `ForwardMsg` in (deltas, then `script_finished`).
It keeps what the frontend would keep — widget ids from the deltas, the slider's value, the
address bar's query string — and reads the map's step payload, the same numbers the map
writes into `data-step` / `data-visible` in a browser.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from http.cookiejar import CookieJar
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

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
MAP_UPDATE: Final = "flashpoint.update("
MICROS_PER_DAY: Final = 86_400 * 1_000_000
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


@dataclass(frozen=True, slots=True)
class Slider:
    """The date slider: its widget id and the fragment (date controls + map) it lives in."""

    widget_id: str
    fragment_id: str


def micros_of(day: date) -> float:
    """A date as the slider carries it on the wire."""
    return float(day_number(day) * MICROS_PER_DAY)


def user_key(widget_id: str) -> str:
    """The `key=` a widget was created with, read from its id (`$$ID-<hash>-<key>`)."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else widget_id


def query_date(query: str) -> str | None:
    """The `date` parameter of an address-bar query string."""
    values = parse_qs(query).get("date")
    return values[0] if values else None


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
        self._clicks = 0
        self.query_string = query
        self.widget_ids: dict[str, str] = {}
        self.slider: Slider | None = None
        self.slider_value: float | None = None
        self.map_id: str | None = None
        self.map_step: int | None = None
        self.map_rows: list[int] = []
        self.detail_ids: set[str] = set()

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
        """The fragment holding the date controls and the map."""
        if self.slider is None:
            raise ProtocolError("no date slider has been rendered")
        return self.slider.fragment_id

    def set_date(self, day: date) -> None:
        """Move the slider, as a drag or an arrow key does."""
        if self.slider is None:
            raise ProtocolError("no date slider has been rendered")
        self._set_slider(self.slider.widget_id, micros_of(day))

    @property
    def slider_date(self) -> date | None:
        """The date the slider shows."""
        if self.slider_value is None:
            return None
        return date.fromordinal(EPOCH.toordinal() + int(self.slider_value // MICROS_PER_DAY))

    def _set_slider(self, widget_id: str, micros: float) -> None:
        state = WidgetState(id=widget_id)
        state.double_array_value.data.append(micros)
        self._states[widget_id] = state
        self.slider_value = micros

    def report_map_view(self, lat: float, lng: float, zoom: int) -> None:
        """What the map component reports once it has drawn (its centre and zoom)."""
        self._set_map_value(None, lat, lng, zoom)

    def click_marker(self, row: int, lat: float, lng: float, zoom: int) -> None:
        """What the map component reports when a marker is clicked."""
        self._clicks += 1
        drawing = {"type": "Feature", "properties": {"row": row}, "geometry": None}
        self._set_map_value(drawing, lat, lng, zoom)

    def _set_map_value(self, drawing: Any, lat: float, lng: float, zoom: int) -> None:
        if self.map_id is None:
            raise ProtocolError("no map has been rendered")
        value = {
            "last_object_clicked_count": self._clicks,
            "last_active_drawing": drawing,
            "zoom": zoom,
            "center": {"lat": lat, "lng": lng},
        }
        self._states[self.map_id] = WidgetState(id=self.map_id, json_value=json.dumps(value))

    def _rerun(self, fragment: bool, press: str | None) -> bytes:
        """`rerun_script` with every widget state the page holds, as the frontend sends it."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.fragment_id = self.fragment_id if fragment else ""
        client.widget_states.widgets.extend(self._states.values())
        if press is not None:
            if press not in self.widget_ids:
                raise ProtocolError(f"no button with key {press!r} has been rendered")
            client.widget_states.widgets.append(
                WidgetState(id=self.widget_ids[press], trigger_value=True)
            )
        payload: bytes = msg.SerializeToString()
        return payload

    async def run(
        self, *, fragment: bool = True, press: str | None = None, timeout: float = 30
    ) -> RunResult:
        """Send `rerun_script` (optionally pressing a button) and read until `script_finished`."""
        payload = self._rerun(fragment, press)
        self.detail_ids = set()
        started = time.perf_counter()
        await self._conn.send(payload)
        return await self._read_run(started, timeout)

    async def send_run(self) -> None:
        """Send a fragment rerun without waiting for it (a client that leaves mid-run)."""
        await self._conn.send(self._rerun(fragment=True, press=None))

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
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if msg.script_finished not in FINISHED_OK:
                    raise ProtocolError(f"the script failed (status {msg.script_finished})")
                return RunResult(time.perf_counter() - started, size)

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
        if kind == "slider":
            proto = element.slider
            self.slider = Slider(proto.id, delta.fragment_id)
            self.widget_ids[user_key(proto.id)] = proto.id
            if proto.set_value:
                self._set_slider(proto.id, proto.value[0])
            elif self.slider_value is None:
                self.slider_value = proto.default[0]
        elif kind == "button":
            self.widget_ids[user_key(element.button.id)] = element.button.id
        elif (
            kind == "component_instance"
            and element.component_instance.component_name == MAP_COMPONENT
        ):
            self.map_id = element.component_instance.id
            self._read_map_payload(element.component_instance.json_args)

    def _read_map_payload(self, json_args: str) -> None:
        """The step payload handed to the map layer (`step` = day number, `rows` = visible)."""
        layer = json.loads(json_args).get("feature_group") or ""
        start = layer.find(MAP_UPDATE)
        if start < 0:
            raise ProtocolError("the map carries no step payload")
        payload, _ = json.JSONDecoder().raw_decode(layer, start + len(MAP_UPDATE))
        self.map_step = int(payload["step"])
        self.map_rows = [int(r) for r in payload["rows"]]

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
