"""Session state: the view restored from and written back to the URL, and widget callbacks.

`Session` declares every key a session holds. Each value is written by one function here
(`set_date`, `select_event`, `set_story`, `set_map_view`, `init_state` for the rest); widgets
write their own keys (filters, mode, window, basemap, story_prologue).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final, TypedDict

import numpy as np
import streamlit as st

from geo.dataset import Dataset
from geo.messages import Message, message
from geo.payload import BridgeEvent
from geo.share import View, parse_view, view_to_params
from geo.story import Story
from geo.timeline import parse_iso_day
from ui.bridge import BRIDGE_KEY
from ui.language import chosen_language

MapView = tuple[float, float, int]


class Session(TypedDict, total=False):
    """The keys of a session's state and what they hold."""

    dataset_token: str  # which dataset the state belongs to
    source_key: str  # where this run's dataset came from (a file, a table, an upload)
    drawn_source: str  # the source the state belongs to (a new version of it keeps the view)
    map_token: str  # which base map is drawn: kept while a source's new version fits it
    map_basis: tuple[Any, ...]  # what the base map is built from (range, types, focus)
    notices: list[Message]  # problems with the address, shown once
    date: date  # the date the page shows (the browser's settled date)
    date_rev: int  # bumped when the page itself moves the date, so the map follows
    event: str | None  # the selected event's id
    story: int | None  # the open story step
    story_prologue: bool  # widget: the story includes the background
    mode: str  # widget: cumulative or window
    window: int  # widget: days in window mode
    basemap: str  # widget: the basemap
    map_view: MapView | None  # the map's centre and zoom as last reported
    map_origin: tuple[Any, ...] | None  # the base map's fixed start view, per dataset/basemap
    shown: dict[str, np.ndarray]  # the mask of events shown, for the downloads
    uploads_cleared: int  # bumped to empty the upload widget
    upload_digest: tuple[str, str]  # the upload's file id and its bytes' digest, worked out once
    column_choice: tuple[tuple[str, ...], str]  # the file's columns and the mapping chosen for them
    column_error: tuple[tuple[str, ...], str]  # a file's columns and why the choice failed
    seen_key: str  # where this run's events were recorded as first seen (ui.live)
    large_bound: Any  # a table read a view at a time: the box its events lie in (ui.pushdown)
    held_window: Any  # the window of it this session read (geo.pushdown.Window)
    held_version: str  # the table's version that window was read at
    drawn_window: Any  # the window last read and drawn (held_window may be the next one)
    held_cut: bool  # whether more events were in the window than were read
    window_stale: bool  # the map asked for another window: read it on a whole run
    quiet_reload: bool  # the next new dataset is another window, not a change in the data
    read_span: tuple[date | None, date | None]  # a large table's dates read this run (from, to)
    read_dates_chosen: bool  # the reader (or the address) chose those dates


def init_state(dataset: Dataset, story: Story | None = None) -> None:
    """On the first run, restore the view from the address bar; on a new dataset, open on it.

    The address describes the dataset it was made on: after an upload, a return to the
    bundled data or a changed file, its date, event, filters and map view would put the new
    dataset's map somewhere else, so the new one opens on its own events and focus period.
    """
    token = f"{dataset.name}:{len(dataset)}:{dataset.serial}"
    previous = st.session_state.get("dataset_token")
    if previous == token:
        return
    source = st.session_state.get("source_key", "")
    if previous is not None and source == st.session_state.get("drawn_source"):
        follow_new_version(dataset, previous, token)
        return
    st.session_state.drawn_source = source
    st.session_state.dataset_token = token
    st.session_state.map_token = token
    st.session_state.map_basis = map_basis(dataset)
    first, last = dataset.first_day, dataset.last_day
    address = st.query_params.to_dict() | {
        k: st.query_params.get_all(k) for k in ("actor", "country")
    }
    if previous is not None:
        address = {k: v for k, v in address.items() if k in KEPT_ON_A_NEW_DATASET}
    view, notices = parse_view(
        address,
        event_ids=dataset.row_of_id,
        event_types=dataset.type_options,
        first=first,
        last=last,
        story_steps=len(story) if story else 0,
    )
    focus = dataset.focus
    day = view.date or (focus.end if focus else last)
    step = story.step(view.story) if story and view.story else None
    if view.event and not view.date:
        event = dataset.event(view.event)
        day = event.event_date if event else day
    elif step is not None and not view.date:
        day = step.date
    st.session_state.notices = notices
    assert day is not None, "a dataset always has a first and a last day"
    set_date(day)
    select_event(view.event or (step.quote_event if step else None))
    set_story(view.story if step else None)
    st.session_state.story_prologue = bool(step and step.prologue)
    st.session_state[filter_key("types")] = (
        list(view.types) if view.types is not None else dataset.type_options
    )
    st.session_state[filter_key("actors")] = [
        a for a in view.actors if a in dataset.counts("actor")
    ]
    st.session_state[filter_key("countries")] = [
        c for c in view.countries if c in dataset.counts("country")
    ]
    st.session_state.mode = view.mode
    st.session_state.window = view.window
    st.session_state.basemap = view.basemap
    set_map_view(
        (view.lat, view.lon, view.zoom or 6)
        if view.lat is not None and view.lon is not None
        else None
    )
    st.session_state.map_origin = None


def map_basis(dataset: Dataset) -> tuple[Any, ...]:
    """What the base map depends on: while it stays, a new version updates the map in place."""
    focus = dataset.focus
    return (
        dataset.first_day,
        dataset.last_day,
        tuple(dataset.event_types),
        (focus.start, focus.end) if focus else None,
    )


def follow_new_version(dataset: Dataset, previous: str, token: str) -> None:
    """A new version of the source being read: keep the date, selection, filters and view.

    The map keeps its base (and so its view, date and player) when the new version has the
    same date range, types and focus; otherwise it is rebuilt where the reader was looking.
    """
    state = st.session_state
    chosen = {name: state.get(f"{name}:{previous}") for name in ("types", "actors", "countries")}
    state.dataset_token = token
    first, last = dataset.first_day, dataset.last_day
    assert first is not None and last is not None, "a dataset always has a first and a last day"
    set_date(min(max(state.date, first), last), by_page=False)
    if state.event is not None and state.event not in dataset.row_of_id:
        select_event(None)
    every_type = chosen["types"] is None or set(chosen["types"]) >= set(state.map_basis[2])
    state[filter_key("types")] = (
        dataset.event_types
        if every_type
        else [t for t in chosen["types"] or () if t in dataset.event_types]
    )
    state[filter_key("actors")] = [
        a for a in chosen["actors"] or () if a in dataset.counts("actor")
    ]
    state[filter_key("countries")] = [
        c for c in chosen["countries"] or () if c in dataset.counts("country")
    ]
    if not state.pop("quiet_reload", False):  # a large table's other window is no change
        state.notices = [
            message("live.updated", "The data changed: {count} events now", count=len(dataset))
        ]
    basis = map_basis(dataset)
    if basis != state.map_basis:
        state.map_basis, state.map_token, state.map_origin = basis, token, None
        set_map_view(view_in_address() or state.map_view)


def view_in_address() -> MapView | None:
    """The map's centre and zoom as the map last wrote them into the address bar."""
    view, _ = parse_view(
        {k: st.query_params[k] for k in ("lat", "lon", "zoom") if k in st.query_params},
        event_ids={},
        event_types=[],
        first=None,
        last=None,
        story_steps=0,
    )
    if view.lat is None or view.lon is None:
        return None
    return (view.lat, view.lon, view.zoom or 6)


# What the user chose that is not about one dataset: kept when another dataset is opened.
KEPT_ON_A_NEW_DATASET: Final = frozenset({"mode", "window", "basemap"})


def filter_key(name: str) -> str:
    """Filter widgets are keyed per dataset: their options (and labels with counts) differ."""
    return f"{name}:{st.session_state.dataset_token}"


def filters() -> tuple[list[str], list[str], list[str]]:
    """The chosen event types, actors and countries."""
    state = st.session_state
    return (
        state[filter_key("types")],
        state[filter_key("actors")],
        state[filter_key("countries")],
    )


def current_view(all_types: list[str]) -> View:
    """The view described by the widgets, for the address bar and the share link."""
    state = st.session_state
    lat, lon, zoom = state.map_view or (None, None, None)
    types, actors, countries = filters()
    every_type = sorted(types) == sorted(all_types)
    return View(
        date=state.date,
        event=state.event,
        types=None if every_type else tuple(types),
        mode=state.mode,
        window=int(state.window),
        lat=lat,
        lon=lon,
        zoom=zoom,
        basemap=state.basemap,
        actors=tuple(actors),
        countries=tuple(countries),
        story=state.story,
        lang=chosen_language(),
        read_from=state.get("read_span", (None, None))[0],
        read_to=state.get("read_span", (None, None))[1],
    )


def sync_address_bar(view: View) -> None:
    """Keep the address equal to the view, so copying it shares it."""
    params = view_to_params(view)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def set_date(day: date, *, by_page: bool = True) -> None:
    """Move the date. When the page moves it (a link, a story step) the map follows `rev`;
    a date the browser settled on is only recorded."""
    st.session_state.date = day
    if by_page:
        st.session_state.date_rev = st.session_state.get("date_rev", 0) + 1


def select_event(event_id: str | None) -> None:
    """Select an event (or none)."""
    st.session_state.event = event_id


def set_story(number: int | None) -> None:
    """Open a story step, or leave the story (None)."""
    st.session_state.story = number


def set_map_view(view: MapView | None) -> None:
    """Record where the map is looking."""
    st.session_state.map_view = view


def on_bridge_date(dataset: Dataset) -> None:
    """The date came to rest in the browser: the panels and the address follow it."""
    event = _bridge_event("date")
    day = parse_iso_day(event.value) if event else None
    first, last = dataset.first_day, dataset.last_day
    if day is not None and first is not None and last is not None:
        set_date(min(max(day, first), last), by_page=False)


def on_bridge_pick(dataset: Dataset) -> None:
    """A marker was clicked on the map: select its event (the map has highlighted it)."""
    event = _bridge_event("pick")
    row = event.pick(st.session_state.dataset_token, len(dataset)) if event else None
    if row is not None:
        select_event(str(dataset.events["id"].iat[row]))


def _bridge_event(name: str) -> BridgeEvent | None:
    """A trigger from the bridge, parsed once; the map's view that came with it is kept."""
    message = st.session_state.get(BRIDGE_KEY)
    event = BridgeEvent.parse(message.get(name) if isinstance(message, dict) else None)
    if event is not None and event.view is not None:
        set_map_view(event.view)
    return event


def on_table_select(ids: list[str]) -> None:
    """Choosing a row of the event list selects that event."""
    rows = st.session_state.event_table.selection.rows
    if rows and rows[0] < len(ids):
        select_event(ids[rows[0]])
