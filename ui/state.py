"""Session state: the view restored from and written back to the URL, and widget callbacks."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from geo.dataset import Dataset
from geo.share import View, parse_view, view_to_params
from geo.story import Story
from geo.timeline import parse_iso_day
from ui.language import chosen_language


def init_state(dataset: Dataset, story: Story | None = None) -> None:
    """On a new dataset (or the first run), restore the view from the address bar."""
    token = f"{dataset.name}:{len(dataset)}:{id(dataset)}"
    if st.session_state.get("dataset_token") == token:
        return
    st.session_state.dataset_token = token
    timeline = dataset.timeline
    view, notices = parse_view(
        st.query_params.to_dict() | {k: st.query_params.get_all(k) for k in ("actor", "country")},
        event_ids=dataset.row_of_id,
        event_types=dataset.event_types,
        first=timeline.first,
        last=timeline.last,
        story_steps=len(story) if story else 0,
    )
    focus = dataset.focus
    day = view.date or (focus.end if focus else timeline.last)
    step = story.step(view.story) if story and view.story else None
    if view.event and not view.date:
        event = dataset.event(view.event)
        day = event.event_date if event else day
    elif step is not None and not view.date:
        day = step.date
    st.session_state.notices = notices
    assert day is not None, "a dataset always has a first and a last day"
    set_date(day)
    st.session_state.event = view.event or (step.quote_event if step else None)
    st.session_state.story = view.story if step else None
    st.session_state.story_prologue = bool(step and step.prologue)
    st.session_state[filter_key("types")] = (
        list(view.types) if view.types is not None else dataset.event_types
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
    st.session_state.map_view = (
        (view.lat, view.lon, view.zoom or 6) if view.lat is not None else None
    )
    st.session_state.map_origin = None


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
    )


def sync_address_bar(view: View) -> None:
    """Keep the address equal to the view, so copying it shares it."""
    params = view_to_params(view)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def set_date(day: date) -> None:
    """The page moves the date (a link, a story step): the map follows when it sees `rev` move."""
    st.session_state.date = day
    st.session_state.date_rev = st.session_state.get("date_rev", 0) + 1


def on_bridge_date(dataset: Dataset) -> None:
    """The date came to rest in the browser: the panels and the address follow it."""
    day = parse_iso_day(_bridge_value("date"))
    timeline = dataset.timeline
    if day is not None and timeline.first is not None and timeline.last is not None:
        st.session_state.date = min(max(day, timeline.first), timeline.last)


def on_bridge_pick(dataset: Dataset) -> None:
    """A marker was clicked on the map: select its event (the map has highlighted it)."""
    pick = _bridge_value("pick")
    if not isinstance(pick, dict) or pick.get("dataset") != st.session_state.dataset_token:
        return
    row = pick.get("row")
    if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < len(dataset):
        st.session_state.event = str(dataset.events["id"].iat[row])


def _bridge_value(name: str) -> Any:
    """A trigger's value; the map's view that came with it is kept for the address."""
    message = st.session_state.get("bridge")
    sent = message.get(name) if isinstance(message, dict) else None
    if not isinstance(sent, dict):
        return None
    view = sent.get("view")
    if isinstance(view, dict):
        parsed, _ = parse_view(
            {k: str(view.get(k)) for k in ("lat", "lon", "zoom")},
            event_ids=(),
            event_types=(),
            first=None,
            last=None,
        )
        if parsed.lat is not None and parsed.lon is not None:
            st.session_state.map_view = (parsed.lat, parsed.lon, parsed.zoom or 6)
    return sent.get("value")


def on_table_select(ids: list[str]) -> None:
    """Choosing a row of the event list selects that event."""
    rows = st.session_state.event_table.selection.rows
    if rows and rows[0] < len(ids):
        st.session_state.event = ids[rows[0]]
