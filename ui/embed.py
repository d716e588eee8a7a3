"""The embedded view (`?embed=true`): the map with its date control and the detail beside it.

Laid out to fit an article's 640 by 480 frame with nothing cut: no sidebar, no story card,
no event list; the detail scrolls inside its own box. On a narrow frame the two stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import streamlit as st

EMBED_KEY: Final = "embed"
MAP_HEIGHT: Final = 462
DETAIL_HEIGHT: Final = 440
EMBED_CSS: Final = (Path(__file__).resolve().parent.parent / "geo" / "web" / "embed.css").read_text(
    encoding="utf-8"
)


def is_embedded() -> bool:
    """Whether the page was opened with Streamlit's own `embed=true`."""
    return bool(st.context.is_embedded)


def embed_styles() -> None:
    """The embedded page's layout rules."""
    st.html(f"<style>{EMBED_CSS}</style>")
