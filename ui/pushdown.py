"""A large PostGIS table in the page: each reader's dates and map view, read from the database.

`geo.pushdown` decides what a view reads; here each session keeps its window (the box and the
dates it read), the process keeps the last few windows read (readers looking at the same place
share them), the sidebar offers the dates, and a view the map reports outside the window makes
the page read again, keeping the reader's date, selection, filters and view.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import psycopg
import streamlit as st
from psycopg_pool import ConnectionPool, PoolTimeout

from geo.database import DatabaseSource, plain_error
from geo.dataset import Dataset
from geo.payload import BridgeEvent
from geo.pushdown import (
    VIEW_EVENTS,
    Box,
    Extent,
    Window,
    bound_of,
    box_around,
    read_window,
    stale,
    table_extent,
    view_box,
)
from geo.share import read_span
from geo.table import DatasetError
from geo.validation import validate
from ui.bridge import BRIDGE_KEY
from ui.language import current_language
from ui.live import record_ids
from ui.state import view_in_address

DATES_KEY: Final = "read_dates"


@st.cache_resource(max_entries=16, show_spinner=False)
def extent_at(_pool: ConnectionPool, source: DatabaseSource, version: str) -> Extent:
    """How many rows the table holds, its dates and box, once per process and version
    (a failure raises DatasetError, and is not kept: the next run asks again)."""
    try:
        with _pool.connection() as conn:
            return table_extent(conn, source)
    except (psycopg.Error, PoolTimeout) as exc:
        raise DatasetError(plain_error(exc, source)) from None


@st.cache_resource(max_entries=4, show_spinner=False)
def load_window(
    _pool: ConnectionPool, source: DatabaseSource, version: str, window: Window, _extent: Extent
) -> tuple[Dataset, int]:
    """The events of one window (and how many were there), once per process and version, with
    the table's dates and categories (`_extent`, the same version's); a failure raises
    DatasetError, and is not kept."""
    try:
        with _pool.connection() as conn:
            rows = read_window(conn, source, window, min(source.hold, VIEW_EVENTS))
    except (psycopg.Error, PoolTimeout) as exc:
        raise DatasetError(plain_error(exc, source)) from None
    dataset = Dataset.from_result(validate(rows.raw), source.table)
    if _extent.first is not None and _extent.last is not None:
        dataset = dataset.within_table(_extent.first, _extent.last, dict(_extent.types))
    record_ids(seen_key(source, window), dataset, version)
    return dataset, rows.found


def seen_key(source: DatabaseSource, window: Window) -> str:
    """Where the events first seen in a window are recorded: panning brings in no "new" ones."""
    return f"db:{source.database}:{source.table}:{window}"


def window_dataset(
    pool: ConnectionPool, source: DatabaseSource, version: str, extent: Extent
) -> Dataset | str:
    """The reader's window of a table too large to hold, read (or why it cannot be)."""
    state = st.session_state
    window = current_window(source, extent)
    try:
        with st.spinner(current_language().t("data.loading")):
            dataset, found = load_window(pool, source, version, window, extent)
    except DatasetError as exc:
        return str(exc)
    drawn = state.get("drawn_window")
    if drawn is not None and drawn != window and state.get("held_version") == version:
        state.quiet_reload = True  # another window of the same data: no "data changed" notice
    state.held_window, state.drawn_window, state.held_version = window, window, version
    state.held_cut = found > min(source.hold, VIEW_EVENTS)
    state.large_bound = bound_of(source, extent)
    state.seen_key = seen_key(source, window)
    large_table_note(source, extent, found, len(dataset))
    return dataset


def current_window(source: DatabaseSource, extent: Extent) -> Window:
    """The session's window: the box last read (or one around the address's view) and the
    dates chosen in the sidebar."""
    state = st.session_state
    start, end = chosen_dates(extent)
    held = state.get("held_window")
    if isinstance(held, Window):
        return held.with_dates(start, end)
    view = state.get("map_view") or view_in_address()
    bound = bound_of(source, extent)
    box = box_around(view_box(*view), bound) if view else bound
    return Window(box, start, end)


def chosen_dates(extent: Extent) -> tuple[date | None, date | None]:
    """The dates read: the sidebar's range once the reader (or the address) chose one, every
    date of the table until then (so a live update's later events are read too)."""
    state = st.session_state
    if extent.first is None or extent.last is None:
        return None, None
    first, last = extent.first, extent.last
    if DATES_KEY not in state:  # the first run: the address may name the dates
        start, end = read_span(st.query_params.to_dict())
        state.read_dates_chosen = start is not None or end is not None
    else:
        start = end = None
    shown = (min(max(start or first, first), last), max(min(end or last, last), first))
    t = current_language().t
    picked = st.sidebar.date_input(
        t("large.dates"),
        value=shown,
        min_value=first,
        max_value=last,
        key=DATES_KEY,
        help=t("large.dates_help"),
        on_change=_dates_chosen,
    )
    span: tuple[date | None, date | None] = (None, None)
    if state.get("read_dates_chosen") and isinstance(picked, tuple) and len(picked) == 2:
        span = (picked[0], picked[1])  # a range half chosen keeps every date until it is whole
    state.read_span = span
    return span


def _dates_chosen() -> None:
    st.session_state.read_dates_chosen = True


def large_table_note(source: DatabaseSource, extent: Extent, found: int, read: int) -> None:
    """Say that the table is read a view at a time, and how much of this view was read."""
    t = current_language().t
    st.sidebar.info(
        t("large.note", total=extent.count, hold=source.hold)
        + " "
        + (t("large.cut", read=read, found=found) if found > read else t("large.whole", read=read)),
        icon=":material/travel_explore:",
    )


def map_window() -> tuple[list[float] | None, list[float] | None, bool]:
    """What the map is told of the window: the box read, the box the table may be read in,
    and whether the box's events were cut short (None, None, False for a source held whole)."""
    state = st.session_state
    bound, held = state.get("large_bound"), state.get("held_window")
    if not isinstance(bound, Box) or not isinstance(held, Window):
        return None, None, False
    return held.box.as_list(), bound.as_list(), bool(state.get("held_cut"))


def on_bridge_view() -> None:
    """The map left the window (or looked far into a cut-short one): read a new window."""
    state = st.session_state
    bound = state.get("large_bound")
    if not isinstance(bound, Box):
        return
    message = state.get(BRIDGE_KEY)
    event = BridgeEvent.parse(message.get("view") if isinstance(message, dict) else None)
    held = state.get("held_window")
    if event is None or not isinstance(held, Window) or not isinstance(event.value, dict):
        return
    if event.view is not None:
        state.map_view = event.view
    view = Box.parse(event.value.get("box"))
    if view is None:
        return
    if not view.meets(bound):
        return  # the view and the table's box do not meet: nothing more to read
    if stale(held.box, view.clip(bound), bool(state.get("held_cut"))):
        window = Window(box_around(view, bound), held.start, held.end)
        if window != held:
            state.held_window = window
            state.window_stale = True


def rerun_for_new_window() -> None:
    """After the map asked for a new window (in the side panel's run), read it: a whole run."""
    if st.session_state.pop("window_stale", False):
        st.rerun()
