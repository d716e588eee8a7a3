"""Flashpoint: watch a conflict unfold in space and time.

This file lays out the widgets and wires them to `geo/`; it decides nothing about data.
Run it with `make run`, or `streamlit run dashboard.py -- --data PATH`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.charts import DAY_SELECTION, build_timeline_chart
from geo.dataset import Dataset, Focus
from geo.detail import format_day, render_event_html
from geo.io import MAX_FILE_BYTES, DatasetError, load_events, load_events_from_bytes
from geo.maps import (
    BASEMAPS,
    build_base_map,
    build_step_layer,
    build_step_payload,
    fit_bounds,
)
from geo.share import SETTINGS, View, parse_view, share_url, view_to_params
from geo.timeline import MODES, counts_per_day

ROOT: Final = Path(__file__).resolve().parent
BUNDLED: Final = ROOT / "data" / "locations.geojson"
DATA_ENV: Final = "FLASHPOINT_DATA"
UPLOAD_TYPES: Final = ["geojson", "json", "csv", "gpkg", "zip"]
SPEEDS: Final = {"Slow (2 s)": 2.0, "Normal (1 s)": 1.0, "Fast (0.5 s)": 0.5}
MAP_HEIGHT: Final = 600
RETURNED: Final = ["last_active_drawing", "last_object_clicked_count", "center", "zoom"]
BUNDLED_FOCUS: Final = Focus(date(2019, 12, 27), date(2020, 1, 3), "The crisis")
PAGE_CSS: Final = (ROOT / "geo" / "web" / "dashboard.css").read_text(encoding="utf-8")
ICON: Final = ROOT / "geo" / "web" / "icon.png"


def data_path_from_args(argv: list[str]) -> Path | None:
    """The dataset named by `-- --data PATH` or the FLASHPOINT_DATA variable, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    return Path(value) if value else None


@st.cache_resource(max_entries=8, show_spinner="Loading events…")
def load_file(path: str, mtime_ns: int, size: int) -> Dataset:
    """Load a dataset once per process; a changed file (mtime/size) loads again."""
    result = load_events(path)
    focus = BUNDLED_FOCUS if Path(path) == BUNDLED else None
    return Dataset.from_result(result, Path(path).name, focus)


@st.cache_resource(max_entries=4, show_spinner="Checking the uploaded file…")
def load_upload(digest: str, name: str, _data: bytes) -> Dataset:
    """Validate an upload in memory; nothing is written to disk."""
    return Dataset.from_result(load_events_from_bytes(_data, name), name)


def choose_dataset() -> Dataset | None:
    """Sidebar: the dataset (bundled, --data, or an upload) and its validation report."""
    st.sidebar.markdown("### Data")
    upload = st.sidebar.file_uploader(
        f"Bring your own data (GeoJSON, ACLED or other CSV, GeoPackage, zipped Shapefile; "
        f"up to {MAX_FILE_BYTES // 1_000_000} MB, kept in memory only)",
        type=UPLOAD_TYPES,
        key="upload",
    )
    try:
        if upload is not None:
            data = upload.getvalue()
            dataset = load_upload(hashlib.sha256(data).hexdigest(), upload.name, data)
            st.sidebar.button("Back to the bundled dataset", on_click=clear_upload)
        else:
            path = data_path_from_args(sys.argv[1:]) or BUNDLED
            stat = path.stat()
            dataset = load_file(str(path), stat.st_mtime_ns, stat.st_size)
    except DatasetError as exc:
        st.error(f"This file cannot be shown: {exc}")
        return None
    except OSError as exc:
        st.error(f"The dataset cannot be opened: {exc.strerror or exc}")
        return None
    report(dataset)
    if len(dataset) == 0:
        st.warning("No event in this file can be shown; the validation report says why.")
        return None
    return dataset


def clear_upload() -> None:
    """Forget the upload, which brings back the bundled dataset."""
    st.session_state.pop("upload", None)


def report(dataset: Dataset) -> None:
    """The validation report: counts and the first problems."""
    shown, problems = len(dataset), dataset.problems
    label = f"{dataset.name}: {shown:,} events" + (
        f", {len(problems):,} problems" if problems else ""
    )
    with st.sidebar.expander(label, expanded=bool(problems) and shown == 0):
        st.caption(f"{dataset.kind}: {dataset.records:,} records read, {shown:,} shown.")
        if problems:
            dropped = len({p.where for p in problems if p.dropped})
            st.caption(f"{dropped:,} records left out; the first problems:")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "record": p.where,
                            "field": p.field,
                            "problem": p.message,
                            "outcome": "left out" if p.dropped else "kept",
                        }
                        for p in problems[:200]
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption("No problems found.")


def init_state(dataset: Dataset) -> None:
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
    )
    focus = dataset.focus
    day = view.date or (focus.end if focus else timeline.last)
    if view.event and not view.date:
        event = dataset.event(view.event)
        day = event.event_date if event else day
    st.session_state.notices = notices
    st.session_state.period = (
        "focus" if focus and day is not None and focus.start <= day <= focus.end else "all"
    )
    st.session_state.date = day
    st.session_state.event = view.event
    st.session_state.types = list(view.types) if view.types is not None else dataset.event_types
    st.session_state.actors = [a for a in view.actors if a in dataset.counts("actor")]
    st.session_state.countries = [c for c in view.countries if c in dataset.counts("country")]
    st.session_state.mode = view.mode
    st.session_state.window = view.window
    st.session_state.basemap = view.basemap
    st.session_state.playing = False
    st.session_state.map_view = (
        (view.lat, view.lon, view.zoom or 6) if view.lat is not None else None
    )
    st.session_state.map_origin = None
    st.session_state.click_count = None


def sidebar_controls(dataset: Dataset) -> None:
    """Filters with counts, mode, basemap."""
    st.sidebar.markdown("### Filters")
    type_counts = dataset.counts("event_type")
    st.sidebar.multiselect(
        "Event type",
        dataset.event_types,
        key="types",
        format_func=lambda t: f"{t} ({type_counts.get(t, 0):,})",
    )
    actor_counts = dataset.counts("actor")
    st.sidebar.multiselect(
        "Actor (all when empty)",
        actor_counts.index.tolist(),
        key="actors",
        format_func=lambda a: f"{a} ({actor_counts.get(a, 0):,})",
    )
    country_counts = dataset.counts("country")
    st.sidebar.multiselect(
        "Country (all when empty)",
        country_counts.index.tolist(),
        key="countries",
        format_func=lambda c: f"{c} ({country_counts.get(c, 0):,})",
    )
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


def current_view() -> View:
    """The view described by the widgets, for the address bar and the share link."""
    state = st.session_state
    lat, lon, zoom = state.map_view or (None, None, None)
    return View(
        date=state.date,
        event=state.event,
        types=tuple(state.types),
        mode=state.mode,
        window=int(state.window),
        lat=lat,
        lon=lon,
        zoom=zoom,
        basemap=state.basemap,
        actors=tuple(state.actors),
        countries=tuple(state.countries),
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
    if playing and dataset.timeline.step(st.session_state.date, +1) is None:
        st.session_state.date = period_bounds(dataset)[0]
    st.session_state.playing = playing
    st.session_state.last_tick = time.monotonic()


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


def main_view(dataset: Dataset) -> None:
    """Date controls, map, detail panel, timeline chart and event list."""
    if st.session_state.playing:
        advance(dataset)
    state = st.session_state
    lo, hi = period_bounds(dataset)
    if not lo <= state.date <= hi:
        state.date = min(max(state.date, lo), hi)
    for notice in state.pop("notices", []):
        st.toast(notice)

    mask = dataset.filter_mask(state.types, state.actors, state.countries)
    visible = dataset.visible(state.date, state.mode, int(state.window), mask)
    current = dataset.timeline.current(state.date) & mask
    selected_row = dataset.row_of_id.get(state.event or "", -1)

    head_left, head_right = st.columns([3, 2], vertical_alignment="bottom")
    head_left.markdown(f"## {format_day(state.date)}")
    head_right.markdown(
        f"<div class='fp-counts'><b>{int(visible.sum()):,}</b> events shown · "
        f"<b>{int(current.sum()):,}</b> on this day</div>",
        unsafe_allow_html=True,
    )
    controls = st.columns([1.7, 0.7, 7, 0.7, 1.3], vertical_alignment="bottom")
    if dataset.focus:
        controls[0].segmented_control(
            "Period",
            ["focus", "all"],
            key="period",
            format_func=lambda p: "Crisis" if p == "focus" else "All",
            label_visibility="collapsed",
        )
        lo, hi = period_bounds(dataset)
        state.date = min(max(state.date, lo), hi)
    controls[1].button(
        "",
        icon=":material/skip_previous:",
        key="prev",
        help="Previous date with an event",
        on_click=step_date,
        args=(dataset, -1),
        width="stretch",
    )
    if lo < hi:
        controls[2].slider(
            "Date",
            min_value=lo,
            max_value=hi,
            key="date",
            step=timedelta(days=1),
            format="ddd D MMM YYYY",
            label_visibility="collapsed",
        )
    controls[3].button(
        "",
        icon=":material/skip_next:",
        key="next",
        help="Next date with an event",
        on_click=step_date,
        args=(dataset, +1),
        width="stretch",
    )
    controls[4].button(
        "Pause" if state.playing else "Play",
        key="play",
        icon=":material/pause:" if state.playing else ":material/play_arrow:",
        on_click=toggle_play,
        args=(dataset,),
        width="stretch",
    )

    map_col, detail_col = st.columns([5, 2])
    with map_col:
        draw_map(dataset, visible, current, selected_row)
    with detail_col:
        draw_detail(dataset, current)

    counts = counts_per_day(dataset.events, mask)
    st.altair_chart(
        build_timeline_chart(counts, state.date, lo, hi),
        key="timeline_chart",
        on_select=lambda: on_chart_select(dataset),
        selection_mode=DAY_SELECTION,
        width="stretch",
    )
    draw_event_list(dataset, visible)
    view = current_view()
    sync_address_bar(view, dataset.event_types)
    draw_share(view)


def draw_map(dataset: Dataset, visible: Any, current: Any, selected_row: int) -> None:
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
        step=int((state.date - date(1970, 1, 1)).days),
    )
    st_folium(
        base,
        key="map",
        height=MAP_HEIGHT,
        width="stretch",
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
        for title in today[:12]:
            st.text(f"• {title}")
        st.caption("Click a marker or choose an event in the list for its details.")
    else:
        st.caption("No event on this day. Click a marker or use ◀ ▶ to step between events.")


def draw_event_list(dataset: Dataset, visible: Any) -> None:
    """Visible events, newest first; choosing a row selects the event."""
    shown = dataset.events.loc[visible]
    shown = shown.iloc[::-1]
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
    st.markdown(f"#### Events shown ({len(ids):,})")
    st.dataframe(
        table.head(5000),
        key="event_table",
        on_select=lambda: on_table_select(ids),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=280,
    )


def draw_share(view: View) -> None:
    """The link to this exact view, ready to copy."""
    base = st.context.url or "http://localhost:8501/"
    with st.expander("Share this view", icon=":material/link:"):
        st.code(share_url(base, view), language=None)
        st.caption("The address bar always holds this link too.")


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="Flashpoint", page_icon=str(ICON), layout="wide")
    st.html(f"<style>{PAGE_CSS}</style>")
    st.sidebar.markdown("# Flashpoint")
    st.sidebar.caption("Watch a conflict unfold in space and time.")
    dataset = choose_dataset()
    if dataset is None:
        return
    init_state(dataset)
    sidebar_controls(dataset)
    interval = SPEEDS[st.session_state.speed] if st.session_state.playing else None
    st.fragment(run_every=interval)(main_view)(dataset)


main()
