"""Flashpoint: watch a conflict unfold in space and time.

This file lays out the page and wires the widgets to `geo/` (through the small Streamlit
helpers in `ui/`); it decides nothing about data. Run it with `make run`, or
`streamlit run dashboard.py -- --data PATH`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import streamlit as st

from geo.dataset import Dataset
from geo.messages import render
from geo.payload import ViewState
from geo.story import Story
from geo.timeline import day_number
from ui.bridge import BRIDGE_WORDS, draw_bridge
from ui.data import choose_dataset
from ui.embed import DETAIL_HEIGHT as EMBED_DETAIL_HEIGHT
from ui.embed import EMBED_KEY, embed_styles, is_embedded
from ui.embed import MAP_HEIGHT as EMBED_MAP_HEIGHT
from ui.language import current_language, direction_styles, init_language, language_switch
from ui.panels import (
    chosen_filter,
    draw_detail,
    draw_downloads,
    draw_event_list,
    draw_map,
    sidebar_controls,
)
from ui.pushdown import map_window, on_bridge_view, rerun_for_new_window
from ui.state import (
    current_view,
    init_state,
    on_bridge_date,
    on_bridge_pick,
    sync_address_bar,
)
from ui.story import start_story, step_highlight, story_card, story_for
from ui.text import plain

ROOT: Final = Path(__file__).resolve().parent
PAGE_CSS: Final = (ROOT / "geo" / "web" / "dashboard.css").read_text(encoding="utf-8")
ICON: Final = ROOT / "geo" / "web" / "icon.png"


def main_view(dataset: Dataset, story: Story | None) -> None:
    """The page's outline: notices, the story, the map (with its time control) and the side."""
    language = current_language()
    for notice in st.session_state.pop("notices", []):
        st.toast(plain(render(notice, language)))
    story_controls(dataset, story)
    map_column, side_column = st.columns([5, 2])
    with map_column:
        draw_map(dataset)
    with side_column:
        side_panel(dataset, story)


def embedded_view(dataset: Dataset, story: Story | None) -> None:
    """The view inside another page's frame: the map and the selected event's detail."""
    embed_styles()
    with st.container(key=EMBED_KEY):
        map_column, side_column = st.columns([3, 2])
        with map_column:
            draw_map(dataset, height=EMBED_MAP_HEIGHT)
        with side_column:
            side_panel(dataset, story, embedded=True)


def story_controls(dataset: Dataset, story: Story | None) -> None:
    """The story's caption card, or the button that starts the story."""
    if story is None:
        return
    number = st.session_state.story
    if number is not None:
        story_card(dataset, story, number)
        return
    st.button(
        current_language().t("story.start"),
        icon=":material/auto_stories:",
        key="story_start",
        type="primary",
        on_click=start_story,
        args=(dataset, story),
    )


@st.fragment
def side_panel(dataset: Dataset, story: Story | None, embedded: bool = False) -> None:
    """What follows the date: the detail panel, the event list, the address and the bridge.

    A date settled in the browser reruns only this fragment; the map is not rebuilt.
    Embedded, the detail scrolls in a box as high as the map and the list is left out.
    """
    rerun_for_new_window()
    state = st.session_state
    mask = chosen_filter(dataset)
    visible = dataset.shown(state.date, state.mode, int(state.window), mask)
    current = dataset.shown_on(state.date, mask)
    if embedded:
        with st.container(height=EMBED_DETAIL_HEIGHT, border=False):
            draw_detail(dataset, current)
    else:
        draw_detail(dataset, current)
        draw_event_list(dataset, visible)
    sync_address_bar(current_view(dataset.type_options))
    draw_bridge(
        view_state(dataset, story),
        on_date=lambda: on_bridge_date(dataset),
        on_pick=lambda: on_bridge_pick(dataset),
        on_view=on_bridge_view,
    )


def view_state(dataset: Dataset, story: Story | None) -> ViewState:
    """What the map is told on every run: the page's date, selection, story highlight, mode."""
    state = st.session_state
    language = current_language()
    highlight: list[int] = []
    fly = None
    if story is not None and state.story is not None:
        highlight, fly = step_highlight(dataset, story, state.story)
    held, bound, cut = map_window()
    return {
        "day": day_number(state.date),
        "rev": int(state.date_rev),
        "sel": dataset.row_of_id.get(state.event or "", -1),
        "highlight": highlight,
        "fly": [list(fly[0]), list(fly[1])] if fly else None,
        "mode": state.mode,
        "window": int(state.window),
        "dataset": state.map_token,
        "lang": language.code,
        "dir": language.direction,
        "words": {key: language.t(key) for key in BRIDGE_WORDS},
        "held": held,
        "bound": bound,
        "cut": cut,
    }


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="Flashpoint", page_icon=str(ICON), layout="wide")
    language = init_language()
    st.html(f"<style>{PAGE_CSS}</style>")
    direction_styles(language)
    st.sidebar.markdown("# Flashpoint")
    st.sidebar.caption(language.t("app.tagline"))
    language_switch(language)
    dataset = choose_dataset()
    if dataset is None:
        return
    story = story_for(dataset)
    init_state(dataset, story)
    if is_embedded():
        embedded_view(dataset, story)
        return
    sidebar_controls(dataset)
    draw_downloads(dataset)
    main_view(dataset, story)


main()
