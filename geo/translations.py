"""Translations of a dataset's own text, kept beside the source text in the same file.

An event's GeoJSON properties may hold a `translations` member:
`{"ar": {"title": "...", "notes": "..."}, "fa": {...}}`. The source `title` and `notes` stay as
they are (the detail panel shows them beside the translation). Only known languages and fields
are read, only strings, and never more than a page of text each: the file may be hostile.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from geo.language import LANGUAGES, SOURCE

LOG = logging.getLogger("flashpoint.translations")
TRANSLATED_FIELDS: Final = ("title", "notes")
STEP_TEXT_FIELDS: Final = ("title", "caption")
MAX_TEXT: Final = 5_000
MAX_FILE_BYTES: Final = 50_000_000

# event id -> language -> field -> text
EventTexts = dict[str, dict[str, dict[str, str]]]


def read_texts(raw: Any, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """A `translations` member's usable part: language -> field -> text."""
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, dict[str, str]] = {}
    for code, texts in raw.items():
        if code == SOURCE or code not in LANGUAGES or not isinstance(texts, Mapping):
            continue
        kept = {
            name: texts[name].strip()[:MAX_TEXT]
            for name in fields
            if isinstance(texts.get(name), str) and texts[name].strip()
        }
        if kept:
            out[code] = kept
    return out


def read_event_texts(features: Iterable[Any]) -> EventTexts:
    """The translations of each feature that has an id and a `translations` member."""
    texts: EventTexts = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        if not isinstance(props, Mapping) or not isinstance(props.get("id"), str | int):
            continue
        found = read_texts(props.get("translations"), TRANSLATED_FIELDS)
        if found:
            texts[str(props["id"])] = found
    return texts


def load_event_texts(path: Path) -> EventTexts:
    """The translations in a GeoJSON file; none (and a log line) when it has none or is bad."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return {}
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return {}
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        LOG.warning("No translations read from %s: %s", path, exc)
        return {}
    features = doc.get("features") if isinstance(doc, Mapping) else None
    return read_event_texts(features) if isinstance(features, list) else {}


def translation_of(texts: EventTexts, event_id: str, code: str) -> dict[str, str]:
    """An event's translated fields in a language (empty for the source language)."""
    return texts.get(event_id, {}).get(code, {})
