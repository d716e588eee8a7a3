"""The bridge between the page and the map: a Streamlit v2 component running in the page.

Python hands it the view state (`geo.payload.ViewState`); it hands back, as triggers, the date
the browser settled on (`date`), the marker the reader picked (`pick`) and, for a table read a
view at a time (`ui.pushdown`), the map's view when it leaves the window read (`view`). See
`geo/web/bridge.js`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import streamlit as st

from geo.payload import ViewState

BRIDGE_JS: Final = (Path(__file__).resolve().parent.parent / "geo" / "web" / "bridge.js").read_text(
    encoding="utf-8"
)
BRIDGE_KEY: Final = "bridge"
# Catalogue keys of the share box's words (geo/locales), handed over in the view state.
BRIDGE_WORDS: Final = (
    "share.title",
    "share.link",
    "share.copy_link",
    "share.embed",
    "share.copy_embed",
    "share.copied",
    "share.note",
    "share.frame_title",
    "uploader.input",
    "uploader.add",
    "uploader.remove",
)
BRIDGE_CSS: Final = """
.fp-share { font: 0.9rem/1.4 system-ui, sans-serif; color: var(--st-text-color, #e6e6e6); }
.fp-share summary { cursor: pointer; padding: 0.3rem 0; font-weight: 600; }
.fp-share summary:focus-visible, .fp-share button:focus-visible, .fp-share input:focus-visible,
.fp-share textarea:focus-visible {
  outline: 3px solid #ffd166; outline-offset: 2px; }
.fp-share input, .fp-share textarea { width: 100%; resize: vertical; box-sizing: border-box;
  padding: 0.35rem; margin: 0.3rem 0;
  background: #1b222c; color: #e6e6e6; border: 1px solid #4a5563; border-radius: 4px;
  font-family: ui-monospace, monospace; font-size: 0.8rem; }
.fp-share button { background: #262e3a; color: #f2f4f7; border: 1px solid #4a5563;
  border-radius: 5px; padding: 0.25rem 0.7rem; cursor: pointer; }
.fp-share p { color: #c3cad4; font-size: 0.8rem; margin: 0.3rem 0 0; }
"""
_mount = st.components.v2.component("flashpoint_bridge", js=BRIDGE_JS, css=BRIDGE_CSS)


def draw_bridge(
    state: ViewState,
    on_date: Callable[[], None],
    on_pick: Callable[[], None],
    on_view: Callable[[], None],
) -> None:
    """Mount the bridge with this run's view state; callbacks run when the browser speaks
    (`view` only when the map leaves the window of a table read a view at a time)."""
    _mount(
        key=BRIDGE_KEY,
        data=state,
        height="content",
        on_date_change=on_date,
        on_pick_change=on_pick,
        on_view_change=on_view,
    )
