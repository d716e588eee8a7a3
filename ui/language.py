"""The page's language: chosen from the address, the sidebar switch or the browser."""

from __future__ import annotations

from typing import Final

import streamlit as st

from geo.language import LANGUAGES, SOURCE, Language, choose_language

LANG_KEY: Final = "lang"
CHOSEN_KEY: Final = "lang_chosen"
# Right-to-left: the page's content reads from the right; the sidebar keeps its place (Streamlit
# slides it in from the left on a phone), and the map's time axis stays left to right, the way
# its histogram is drawn.
RTL_CSS: Final = """
[data-testid="stMain"], [data-testid="stSidebarUserContent"] { direction: rtl; }
.stApp [data-testid="stMarkdownContainer"], .stApp .fp-detail, .stApp .fp-story {
  text-align: right; }
.fp-detail .fp-kind { border-left: 0 !important; border-right: 4px solid; padding: 0 8px 0 0; }
.fp-detail .fp-quote, .fp-story .fp-quote { border-left: 0; border-right: 3px solid #4fb3ff; }
.fp-detail .fp-links { margin: 0.2rem 1rem 0.2rem 0; }
.fp-detail .fp-row b { margin: 0 0 0 0.3rem; }
.fp-original, .fp-original * { direction: ltr; text-align: left; }
"""


def init_language() -> Language:
    """The reader's language: `?lang=` first, else the browser's, else English (once)."""
    state = st.session_state
    if LANG_KEY not in state:
        asked = st.query_params.get(LANG_KEY)
        browser = st.context.locale or st.context.headers.get("Accept-Language")
        state[LANG_KEY] = choose_language(asked, browser)
        # An unknown `lang` is explained with the address's other notices (geo.share).
        state[CHOSEN_KEY] = asked in LANGUAGES
    return Language(state[LANG_KEY])


def current_language() -> Language:
    """The language the page is drawn in on this run."""
    return Language(st.session_state.get(LANG_KEY, "en"))


def chosen_language() -> str | None:
    """The language the reader asked for (address or switch), which the share link carries."""
    state = st.session_state
    return str(state[LANG_KEY]) if state.get(CHOSEN_KEY) else None


def language_switch(language: Language) -> None:
    """Sidebar: the language switch; choosing puts `lang` in the address."""
    st.sidebar.selectbox(
        language.t("app.language") + (" · Language" if language.code != "en" else ""),
        list(LANGUAGES),
        key=LANG_KEY,
        format_func=LANGUAGES.__getitem__,
        on_change=lambda: st.session_state.__setitem__(CHOSEN_KEY, True),
    )


# Streamlit's file uploader writes its own English words and has no setting for them: in another
# language each is hidden (its font size set to nought, so the box keeps its layout) and the
# catalogue's text is drawn in its place. Scoped to the uploader's test ids; checked in Chromium
# (tests/browser/test_language.py) against Streamlit's markup of the 1.67 series.
UPLOADER_TEXTS: Final = {
    # the button
    '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
    '[data-testid="stMarkdownContainer"] p': ("uploader.browse", "0.875rem"),
    # "200MB per file • GEOJSON, …"
    '[data-testid="stFileUploaderDropzoneInstructions"] span': ("uploader.limit", "0.875rem"),
    # shown while a file is dragged over the box
    '[data-testid="stFileUploaderDropzone"] > div > span:only-child': ("uploader.drop", "1rem"),
}


def css_string(text: str) -> str:
    """Text as a CSS string literal that no character of it can end (or end the style)."""
    return (
        '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'
    )


def uploader_styles(language: Language, megabytes: int, types: list[str]) -> None:
    """The file uploader's own words in the reader's language (Streamlit's English otherwise)."""
    if language.code == SOURCE:
        return
    values = {"megabytes": megabytes, "types": ", ".join(t.upper() for t in types)}
    rules = [
        # Translations run longer than Streamlit's English: they wrap rather than being cut.
        f"{selector} {{ font-size: 0; white-space: normal !important; overflow: visible; }}\n"
        f"{selector}::after {{ content: {css_string(language.t(key, **values))}; "
        f"font-size: {size}; direction: {language.direction}; unicode-bidi: isolate; }}"
        for selector, (key, size) in UPLOADER_TEXTS.items()
    ]
    st.html("<style>" + "\n".join(rules) + "</style>")


def direction_styles(language: Language) -> None:
    """Right-to-left rules for a right-to-left language."""
    if language.rtl:
        st.html(f"<style>{RTL_CSS}</style>")
