"""Session state: the view restored from and written back to the URL, and widget callbacks."""

from __future__ import annotations

import time
from datetime import date
from typing import Final

import pandas as pd
import streamlit as st

from geo.charts import DAY_SELECTION
from geo.dataset import Dataset
from geo.share import View, parse_view, view_to_params
from geo.story import Story

SPEEDS: Final = {"Slow (2 s)": 2.0, "Normal (1 s)": 1.0, "Fast (0.5 s)": 0.5}


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
    st.session_state.period = (
        "focus" if focus and day is not None and focus.start <= day <= focus.end else "all"
    )
    st.session_state.date = day
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
    st.session_state.playing = False
    st.session_state.map_view = (
        (view.lat, view.lon, view.zoom or 6) if view.lat is not None else None
    )
    st.session_state.map_origin = None
    st.session_state.click_count = None


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


def current_view() -> View:
    """The view described by the widgets, for the address bar and the share link."""
    state = st.session_state
    lat, lon, zoom = state.map_view or (None, None, None)
    types, actors, countries = filters()
    return View(
        date=state.date,
        event=state.event,
        types=tuple(types),
        mode=state.mode,
        window=int(state.window),
        lat=lat,
        lon=lon,
        zoom=zoom,
        basemap=state.basemap,
        actors=tuple(actors),
        countries=tuple(countries),
        story=state.story,
    )


def sync_address_bar(view: View, all_types: list[str]) -> None:
    """Keep the URL equal to the view, so copying it shares it."""
    params = view_to_params(view)
    if view.types is not None and list(view.types) == all_types:
        params.pop("types", None)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def step_date(dataset: Dataset, direction: int) -> None:
    """Move to the previous or next date with an event."""
    target = dataset.timeline.step(st.session_state.date, direction)
    if target is not None:
        st.session_state.date = target
        widen_period(dataset, target)


def widen_period(dataset: Dataset, day: date) -> None:
    """Show the whole record when a date falls outside the focus period."""
    focus = dataset.focus
    if focus and not focus.start <= day <= focus.end:
        st.session_state.period = "all"


def period_bounds(dataset: Dataset) -> tuple[date, date]:
    """The slider's range: the focus period or the whole record."""
    timeline, focus = dataset.timeline, dataset.focus
    assert timeline.first is not None and timeline.last is not None
    if focus and st.session_state.period == "focus":
        return focus.start, focus.end
    return timeline.first, timeline.last


def on_map_change(dataset: Dataset) -> None:
    """A click on a marker selects its event; a pan or zoom updates the address."""
    value = st.session_state.get("map") or {}
    center, zoom = value.get("center"), value.get("zoom")
    if center and zoom is not None:
        st.session_state.map_view = (
            round(float(center["lat"]), 4),
            round(float(center["lng"]), 4),
            int(zoom),
        )
    count = value.get("last_object_clicked_count")
    drawing = value.get("last_active_drawing") or {}
    row = (drawing.get("properties") or {}).get("row")
    if count and count != st.session_state.click_count and isinstance(row, int):
        st.session_state.click_count = count
        if 0 <= row < len(dataset):
            st.session_state.event = str(dataset.events["id"].iat[row])


def on_table_select(ids: list[str]) -> None:
    """Choosing a row of the event list selects that event."""
    rows = st.session_state.event_table.selection.rows
    if rows and rows[0] < len(ids):
        st.session_state.event = ids[rows[0]]


def on_chart_select(dataset: Dataset) -> None:
    """Clicking a day in the timeline chart moves the date there."""
    picked = st.session_state.timeline_chart.selection.get(DAY_SELECTION) or []
    if picked and picked[0].get("day"):
        value = picked[0]["day"]
        day = (
            pd.Timestamp(value, unit="ms")
            if isinstance(value, (int, float))
            else pd.Timestamp(value)
        )
        st.session_state.date = day.date()


def toggle_play(dataset: Dataset) -> None:
    """Start or stop playback; starting at the end starts again from the beginning."""
    playing = not st.session_state.playing
    if playing:
        start, end = period_bounds(dataset)
        following = dataset.timeline.step(st.session_state.date, +1)
        if following is None or following > end:
            st.session_state.date = start
    st.session_state.playing = playing
    st.session_state.last_tick = time.monotonic()
    # The playback timer belongs to the whole page's run: ask for one (see restart_if_toggled).
    st.session_state.play_toggled = True


def restart_if_toggled() -> None:
    """After Play or Pause, rerun the whole page so the playback timer starts or stops."""
    if st.session_state.pop("play_toggled", False):
        st.rerun(scope="app")


def advance(dataset: Dataset) -> None:
    """One playback tick: the next date with an event, stopping at the end."""
    interval = SPEEDS[st.session_state.speed]
    if time.monotonic() - st.session_state.get("last_tick", 0.0) < interval * 0.8:
        return
    st.session_state.last_tick = time.monotonic()
    target = dataset.timeline.step(st.session_state.date, +1)
    if target is None or target > period_bounds(dataset)[1]:
        st.session_state.playing = False
        st.rerun(scope="app")
    st.session_state.date = target
