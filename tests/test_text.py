"""`ui.text.plain`: text from outside is shown as written by every Markdown-rendering element."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from ui.text import plain

JOINER = "\u2060"

# payload -> what a reader must see (whitespace folded to single spaces)
PAYLOADS = [
    pytest.param("[Session expired](https://evil.example)", id="link"),
    pytest.param("![x](https://evil.example/x.png)", id="image"),
    pytest.param("https://evil.example/bare", id="bare-url"),
    pytest.param("www.evil.example WWW.Evil.Example", id="www-autolink"),
    pytest.param("victim@evil.example mailto:a@evil.example", id="email-autolink"),
    pytest.param("<https://evil.example>", id="angle-autolink"),
    pytest.param("<img src=x onerror=alert(1)>", id="html-tag"),
    pytest.param("&lt;script&gt; &amp; &#60;", id="html-entities"),
    pytest.param(":red[alarm] :material/warning: :smile:", id="streamlit-directives"),
    pytest.param("$x^2$ and $$y$$", id="maths"),
    pytest.param("# heading", id="heading"),
    pytest.param("- item\n1. item", id="lists"),
    pytest.param("1. first", id="ordered-list"),
    pytest.param("+ plus", id="plus-list"),
    pytest.param("> quoted", id="blockquote"),
    pytest.param("expected YYYY-MM-DD.", id="hyphens-stay"),
    pytest.param("**bold** _it_ ~~gone~~ `code`", id="emphasis"),
    pytest.param("| a | b |\n|---|---|", id="table"),
    pytest.param("[ref]: https://evil.example", id="reference-definition"),
    pytest.param("a\\[b\\]", id="backslashes"),
    pytest.param("Kata'ib Hezbollah (PMF)", id="ordinary-punctuation"),
    pytest.param("", id="empty"),
]
_RENDER = MarkdownIt("gfm-like")


def shown_text(markdown: str) -> str:
    """What a reader sees: the rendered HTML's text, entities decoded, word joiners unseen."""
    rendered = _RENDER.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip().replace(JOINER, "")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_text_renders_as_itself_with_no_link_image_or_markup(payload: str) -> None:
    rendered = _RENDER.render(plain(payload))

    assert "<a" not in rendered and "<img" not in rendered
    assert not re.search(r"<(?!/?p>)", rendered.strip()), rendered
    assert shown_text(plain(payload)) == " ".join(payload.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_is_left_for_streamlit_directives(payload: str) -> None:
    escaped = plain(payload)
    # No unescaped ":" "[" "$" "<" "&" "!" "(" survives.
    assert not re.search(r"(?<!\\)[:\[\]$<>&!()]", escaped.replace("\\\\", ""))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_bare_addresses_are_broken_for_gfm_autolinks(payload: str) -> None:
    """Streamlit's GFM links "https://", "www." and "a@b" even when escaped (seen in Chromium)."""
    bare = plain(payload).replace("\\", "")
    assert "://" not in bare and "www." not in bare.lower()
    assert not re.search(r"@[^\u2060]", bare)


def test_ordinary_text_is_left_as_written() -> None:
    assert plain("expected YYYY-MM-DD.") == "expected YYYY-MM-DD."
    assert plain("Kata'ib Hezbollah, 3 killed") == "Kata'ib Hezbollah, 3 killed"


def test_line_breaks_fold_and_invisible_controls_go() -> None:
    assert plain("a\n\n  b\tc") == "a b c"
    assert plain("evil\u202eexe.txt\x00") == "evilexe.txt"


def test_long_text_is_cut() -> None:
    assert plain("x" * 1000, limit=10) == "x" * 9 + "…"
    assert plain("x" * 1000) == "x" * 499 + "…"
