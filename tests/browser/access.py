"""Accessibility checks in the browser: axe-core over the page and the map, and where focus is."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, cast

from playwright.sync_api import Frame, Page

ROOT: Final = Path(__file__).resolve().parents[2]
AXE_JS: Final = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING: Final = ("moderate", "serious", "critical")

RUN_AXE: Final = """async () => {
    const result = await axe.run(document, { iframes: false, resultTypes: ["violations"] });
    return result.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
    }));
}"""

# The focused element, looking through same-origin frames and open shadow roots, and whether a
# sighted keyboard user can see where it is.
FOCUSED: Final = """() => {
    let doc = document;
    let el = doc.activeElement;
    const frames = [];
    for (;;) {
        if (el && el.tagName === "IFRAME" && el.contentDocument) {
            frames.push(el.getAttribute("title") || "");
            doc = el.contentDocument;
            el = doc.activeElement;
        } else if (el && el.shadowRoot && el.shadowRoot.activeElement) {
            el = el.shadowRoot.activeElement;
        } else break;
    }
    if (!el || el === doc.body) return { frames, tag: "BODY", cls: "", name: "", outline: 0 };
    // The event list draws its cells on a canvas; a cell's focus lands in the grid's hidden
    // table, so the grid as a whole must show that it holds the focus.
    const shown = el.closest('[data-testid="stDataFrame"]') || el;
    const style = el.ownerDocument.defaultView.getComputedStyle(shown);
    const outline = style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
    return {
        frames,
        tag: el.tagName,
        cls: String(el.className || ""),
        name: el.getAttribute("aria-label") || (el.textContent || "").trim().slice(0, 60),
        outline,
    };
}"""


def map_document(page: Page) -> Frame:
    """The map's frame (the newest one)."""
    frames = [f for f in page.frames if "streamlit_folium" in f.url]
    assert frames, "the map's frame is not there"
    return frames[-1]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Moderate, serious and critical axe-core violations in the page and in the map's frame."""
    found: list[dict[str, Any]] = []
    for frame, where in ((page.main_frame, "page"), (map_document(page), "map")):
        if not frame.evaluate("() => typeof window.axe === 'object'"):
            frame.add_script_tag(path=str(AXE_JS))
        for violation in cast(list[dict[str, Any]], frame.evaluate(RUN_AXE)):
            if violation["impact"] in BLOCKING:
                found.append({"where": where, **violation})
    return found


def focused(page: Page) -> dict[str, Any]:
    """Where the keyboard focus is: frames passed through, tag, class, name, outline width."""
    return cast(dict[str, Any], page.evaluate(FOCUSED))
