"""Show text from files, file names and the address as text in elements that render Markdown.

Streamlit renders GitHub-flavoured Markdown (plus its own `:color[...]`, `:material/...:` and
emoji directives, and `$` maths) in toasts, alerts, captions, widget and expander labels and
the options of radios and segmented controls. Text that comes from outside must never become
a link, an image that the browser fetches, HTML or a directive there: `plain` makes it inert.
"""

from __future__ import annotations

import re
from typing import Final

# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is
# only ever a literal. Escaped here: every character that opens Markdown inline syntax (links,
# images, HTML tags and entities, emphasis, code, tables) or Streamlit's `:directives:` and
# `$maths$`. "-", "+", "." and ")" mean something only at the start of a line (a list); the
# text is one line, so they are escaped there alone and "YYYY-MM-DD" stays as written.
_MARKUP: Final = re.compile(r"([\\`*_{}\[\]()<>#!|~:$&^])")
_LIST_MARKER: Final = re.compile(r"^([-+])|^(\d+)([.)])")
# GFM turns bare "https://…", "www.…" and "name@host" into links even when escaped (Streamlit
# checked in Chromium): an invisible word joiner inside each marker keeps them plain text.
_JOINER: Final = "\u2060"
_AUTOLINK: Final = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
# Control characters, and the bidirectional overrides that make text read other than it is.
_INVISIBLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def plain(text: object, limit: int = 500) -> str:
    """Text safe to hand to any Streamlit element that renders Markdown: shown as written.

    Line breaks and runs of spaces become one space (a label is one line, and Markdown
    gives meaning to indentation and blank lines); text longer than `limit` is cut with "…".
    """
    flat = " ".join(_INVISIBLE.sub("", str(text)).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    escaped = _MARKUP.sub(r"\\\1", _AUTOLINK.sub(_JOINER, flat))
    return _LIST_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)
