"""The panels of the page: sidebar filters, map, detail panel, event list, share link."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.charts import DAY_SELECTION, build_timeline_spec, timeline_spec_at
from geo.dataset import Dataset
from geo.detail import render_event_html
from geo.export import to_acled_csv_bytes, to_geojson_bytes
from geo.maps import BASEMAPS, build_base_map, build_step_layer, build_step_payload, fit_bounds
from geo.share import SETTINGS, View, share_url
from geo.story import Bounds
from geo.timeline import MODES, counts_per_day
from ui.state import (
    SPEEDS,
    filter_key,
    filters,
    on_chart_select,
    on_map_change,
    on_table_select,
)

MAP_HEIGHT: Final = 600
LIST_LIMIT: Final = 1000
DAY_LIST_LIMIT: Final = 12
RETURNED: Final = ["last_active_drawing", "last_object_clicked_count", "center", "zoom"]


def sidebar_controls(dataset: Dataset) -> None:
    """Filters with counts, mode, basemap."""
    st.sidebar.markdown("### Filters")
    for label, column, key, options in (
        ("Event type", "event_type", "types", dataset.event_types),
        ("Actor (all when empty)", "actor", "actors", None),
        ("Country (all when empty)", "country", "countries", None),
    ):
        counts = dataset.counts(column)
        chosen = st.session_state.get(filter_key(key), ())
        st.sidebar.multiselect(
            label,
            dataset.filter_options(column, chosen) if options is None else options,
            key=filter_key(key),
            format_func=lambda value, counts=counts: f"{value} ({counts.get(value, 0):,})",
        )
        if options is None and dataset.filter_note(column):
            st.sidebar.caption(dataset.filter_note(column))
    st.sidebar.markdown("### Time")
    st.sidebar.radio(
        "Show",
        MODES,
        key="mode",
        horizontal=True,
        help=SETTINGS["mode"].help,
        format_func=lambda m: "Everything so far" if m == "cumulative" else "Last N days",
    )
    if st.session_state.mode == "window":
        st.sidebar.number_input("N days", 1, 3650, key="window", help=SETTINGS["window"].help)
    st.sidebar.selectbox("Playback speed", list(SPEEDS), index=1, key="speed")
    st.sidebar.markdown("### Map")
    st.sidebar.selectbox(
        "Basemap",
        list(BASEMAPS),
        key="basemap",
        format_func=BASEMAPS.__getitem__,
        help="Offline borders need no internet; the tile styles do.",
    )


def draw_map(
    dataset: Dataset,
    visible: Any,
    current: Any,
    selected_row: int,
    focus: list[int] | None = None,
    fly: Bounds | None = None,
) -> None:
    """The map: an unchanging base map plus this step's events."""
    state = st.session_state
    origin_key = (state.dataset_token, state.basemap)
    if state.map_origin is None or state.map_origin[0] != origin_key:
        bounds = None
        if state.map_view is not None:
            center, zoom = (state.map_view[0], state.map_view[1]), state.map_view[2]
        else:
            data = dataset.map_data
            shown = visible if visible.any() else (visible | True)
            bounds = fit_bounds(data.x[shown] / 1e5, data.y[shown] / 1e5)
            center, zoom = (33.3, 44.4), 6
        state.map_origin = (origin_key, center, zoom, bounds)
    _, center, zoom, bounds = state.map_origin
    base = build_base_map(
        basemap=state.basemap,
        event_types=dataset.event_types,
        center=center,
        zoom=zoom,
        bounds=bounds,
        token=state.dataset_token,
    )
    payload = build_step_payload(
        dataset.map_data,
        visible,
        current,
        selected=selected_row,
        focus=focus,
        fly=fly,
        step=int((state.date - date(1970, 1, 1)).days),
    )
    st_folium(
        base,
        key="map",
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=RETURNED,
        feature_group_to_add=build_step_layer(payload),
        on_change=lambda: on_map_change(dataset),
    )


def draw_detail(dataset: Dataset, current: Any) -> None:
    """The selected event, or what happened on the day."""
    state = st.session_state
    event = dataset.event(state.event) if state.event else None
    if event is not None:
        st.html(render_event_html(event))
        if st.button("Clear selection", key="clear_event"):
            state.event = None
            st.rerun(scope="fragment")
        return
    st.markdown("#### On this day")
    today = dataset.events.loc[current, "title"].tolist()
    if today:
        for title in today[:DAY_LIST_LIMIT]:
            st.text(f"• {title}")
        if len(today) > DAY_LIST_LIMIT:
            st.text(f"… and {len(today) - DAY_LIST_LIMIT:,} more")
        st.caption("Click a marker or choose an event in the list for its details.")
    else:
        st.caption("No event on this day. Click a marker or use ◀ ▶ to step between events.")


def draw_event_list(dataset: Dataset, visible: Any) -> None:
    """Visible events, newest first; choosing a row selects the event."""
    rows = np.flatnonzero(visible)[::-1]
    shown = dataset.events.iloc[rows[:LIST_LIMIT]]
    ids = shown["id"].astype(str).tolist()
    table = pd.DataFrame(
        {
            "Date": shown["event_date"].dt.strftime("%Y-%m-%d"),
            "Type": shown["event_type"],
            "Event": shown["title"],
            "Place": shown["location"],
            "Killed": shown["fatalities"],
        }
    )
    st.markdown(f"#### Events shown ({len(rows):,})")
    if len(rows) > LIST_LIMIT:
        st.caption(
            f"The newest {LIST_LIMIT:,} are listed; the map and the downloads hold all "
            f"{len(rows):,}."
        )
    st.dataframe(
        table,
        key="event_table",
        on_select=lambda: on_table_select(ids),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=280,
    )
    st.session_state.setdefault("shown", {})["mask"] = visible


@st.cache_resource(max_entries=64, show_spinner=False)
def timeline_spec(
    token: str,
    filters: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    start: date,
    end: date,
    _dataset: Dataset,
) -> str:
    """The timeline chart for a dataset, filters and period, built once for all sessions."""
    counts = counts_per_day(_dataset.events, _dataset.filter_mask(*filters))
    return build_timeline_spec(counts, start, end)


def draw_timeline(dataset: Dataset, start: date, end: date) -> None:
    """Events per day by type, with a rule at the date; clicking a day moves the date there."""
    state = st.session_state
    chosen = tuple(tuple(values) for values in filters())
    spec = timeline_spec(state.dataset_token, chosen, start, end, dataset)  # type: ignore[arg-type]
    st.vega_lite_chart(
        timeline_spec_at(spec, state.date),
        key="timeline_chart",
        on_select=lambda: on_chart_select(dataset),
        selection_mode=DAY_SELECTION,
        width="stretch",
    )


def draw_downloads(dataset: Dataset) -> None:
    """Sidebar: download exactly the events shown, as GeoJSON or as CSV with ACLED's columns.

    The buttons live outside the map's fragment so that a pan or a slider step never
    replaces them under the user's click; what they export is read when clicked.
    """
    shown: dict[str, Any] = st.session_state.setdefault("shown", {})
    stem = f"flashpoint-{Path(dataset.name).stem}"

    def rows() -> Any:
        return dataset.events.loc[shown.get("mask", slice(None))]

    st.sidebar.markdown("### Export what is shown")
    st.sidebar.download_button(
        "GeoJSON",
        data=lambda: to_geojson_bytes(rows()),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        key="download_geojson",
        on_click="ignore",
        width="stretch",
    )
    st.sidebar.download_button(
        "CSV (ACLED columns)",
        data=lambda: to_acled_csv_bytes(rows()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_csv",
        on_click="ignore",
        width="stretch",
    )


def draw_share(view: View) -> None:
    """The link to this exact view, ready to copy."""
    base = st.context.url or "http://localhost:8501/"
    with st.expander("Share this view", icon=":material/link:"):
        st.code(share_url(base, view), language=None)
        st.caption("The address bar always holds this link too.")
