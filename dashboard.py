"""Flashpoint: watch a conflict unfold in space and time.

This file lays out the page and wires the widgets to `geo/` (through the small Streamlit
helpers in `ui/`); it decides nothing about data. Run it with `make run`, or
`streamlit run dashboard.py -- --data PATH`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final

import streamlit as st

from geo.dataset import Dataset
from geo.detail import format_day
from geo.story import Story
from ui.data import choose_dataset
from ui.panels import (
    draw_detail,
    draw_downloads,
    draw_event_list,
    draw_map,
    draw_share,
    draw_timeline,
    sidebar_controls,
)
from ui.state import (
    SPEEDS,
    advance,
    current_view,
    filters,
    init_state,
    period_bounds,
    restart_if_toggled,
    step_date,
    sync_address_bar,
    toggle_play,
)
from ui.story import start_story, step_highlight, story_card, story_for
from ui.text import plain

ROOT: Final = Path(__file__).resolve().parent
PAGE_CSS: Final = (ROOT / "geo" / "web" / "dashboard.css").read_text(encoding="utf-8")
ICON: Final = ROOT / "geo" / "web" / "icon.png"


def main_view(dataset: Dataset, story: Story | None) -> None:
    """Story card, date controls, map, detail panel, timeline chart and event list."""
    restart_if_toggled()
    if st.session_state.playing:
        advance(dataset)
    state = st.session_state
    lo, hi = period_bounds(dataset)
    if not lo <= state.date <= hi:
        state.date = min(max(state.date, lo), hi)
    for notice in state.pop("notices", []):
        st.toast(plain(notice))

    mask = dataset.filter_mask(*filters())
    visible = dataset.visible(state.date, state.mode, int(state.window), mask)
    current = dataset.timeline.current(state.date) & mask
    selected_row = dataset.row_of_id.get(state.event or "", -1)
    focus: list[int] = []
    fly = None
    if story is not None and state.story is not None:
        story_card(dataset, story, state.story)
        focus, fly = step_highlight(dataset, story, state.story)

    head_left, head_mid, head_right = st.columns([3, 1.3, 2], vertical_alignment="bottom")
    head_left.markdown(f"## {format_day(state.date)}")
    if story is not None and state.story is None:
        head_mid.button(
            "Tell me the story",
            icon=":material/auto_stories:",
            key="story_start",
            type="primary",
            on_click=start_story,
            args=(dataset, story),
            width="stretch",
        )
    head_right.markdown(
        f"<div class='fp-counts'><b>{int(visible.sum()):,}</b> events shown · "
        f"<b>{int(current.sum()):,}</b> on this day</div>",
        unsafe_allow_html=True,
    )
    controls = st.container(key="controls").columns(
        [1.7, 0.7, 7, 0.7, 1.3], vertical_alignment="bottom"
    )
    if dataset.focus:
        controls[0].segmented_control(
            "Period",
            ["focus", "all"],
            key="period",
            format_func=lambda p: (
                plain(dataset.focus.label) if p == "focus" and dataset.focus else "All"
            ),
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
        draw_map(dataset, visible, current, selected_row, focus, fly)
    with detail_col:
        draw_detail(dataset, current)

    draw_timeline(dataset, lo, hi)
    draw_event_list(dataset, visible)
    view = current_view()
    sync_address_bar(view, dataset.event_types)
    draw_share(view)


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="Flashpoint", page_icon=str(ICON), layout="wide")
    st.html(f"<style>{PAGE_CSS}</style>")
    st.sidebar.markdown("# Flashpoint")
    st.sidebar.caption("Watch a conflict unfold in space and time.")
    dataset = choose_dataset()
    if dataset is None:
        return
    story = story_for(dataset)
    init_state(dataset, story)
    sidebar_controls(dataset)
    draw_downloads(dataset)
    interval = SPEEDS[st.session_state.speed] if st.session_state.playing else None
    st.fragment(run_every=interval)(main_view)(dataset, story)


main()
