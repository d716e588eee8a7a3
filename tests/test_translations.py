"""Translations kept beside the source text: read safely, complete for the bundled data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from geo.dataset import Dataset, focus_from_meta
from geo.detail import render_event_html
from geo.language import LANGUAGES, SOURCE, Language
from geo.story import load_story, parse_story
from geo.translations import (
    MAX_TEXT,
    load_event_texts,
    read_event_texts,
    translation_of,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TRANSLATED = [code for code in LANGUAGES if code != SOURCE]


def feature(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": None}


@pytest.mark.parametrize(
    ("translations", "expected"),
    [
        (
            {"ar": {"title": "عنوان", "notes": "ملاحظات"}},
            {"ar": {"title": "عنوان", "notes": "ملاحظات"}},
        ),
        ({"ar": {"title": "  "}}, {}),
        ({"xx": {"title": "?"}}, {}),
        ({"en": {"title": "not a translation"}}, {}),
        ({"fa": {"title": 5, "notes": ["x"], "source": "not translated"}}, {}),
        ({"fa": {"title": "x" * (MAX_TEXT + 10)}}, {"fa": {"title": "x" * MAX_TEXT}}),
        ("not a mapping", {}),
        (None, {}),
    ],
)
def test_only_known_languages_fields_and_strings_are_read(
    translations: Any, expected: dict[str, dict[str, str]]
) -> None:
    texts = read_event_texts([feature({"id": "e1", "translations": translations})])
    assert texts.get("e1", {}) == expected


def test_a_broken_file_has_no_translations(tmp_path: Path) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{", encoding="utf-8")
    assert load_event_texts(broken) == {}
    assert load_event_texts(tmp_path / "missing.geojson") == {}


def test_the_detail_panel_shows_the_translation_and_keeps_the_source(bundled: Dataset) -> None:
    event = bundled.event("k1-rocket-attack")
    assert event is not None
    texts = load_event_texts(DATA / "locations.geojson")
    arabic = translation_of(texts, event.id, "ar")
    html = render_event_html(event, Language("ar"), arabic)
    assert arabic["title"] in html and arabic["notes"] in html
    assert event.title in html and event.notes in html
    assert 'lang="en"' in html and "النص الأصلي" in html
    assert translation_of(texts, event.id, "en") == {}


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_bundled_event_has_its_title_and_notes_translated(
    bundled: Dataset, code: str
) -> None:
    texts = load_event_texts(DATA / "locations.geojson")
    for event_id in bundled.events["id"]:
        translated = translation_of(texts, str(event_id), code)
        assert set(translated) == {"title", "notes"}, f"{event_id} lacks {code} text"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_story_step_has_its_title_and_caption_translated(code: str) -> None:
    story, problems = load_story(DATA / "story.json")
    assert story is not None and problems == []
    assert story.title_in(code) != story.title
    for step in story.steps:
        assert step.text("title", code) != step.title, step.label
        assert step.text("caption", code) != step.caption, step.label


def test_a_story_without_translations_reads_as_before() -> None:
    doc = json.loads((DATA / "story.json").read_text(encoding="utf-8"))
    doc.pop("translations", None)
    for step in doc["steps"]:
        step.pop("translations", None)
    story, problems = parse_story(doc)
    assert story is not None and problems == []
    assert story.steps[0].text("caption", "ar") == story.steps[0].caption


def test_the_focus_label_is_translated_beside_its_source() -> None:
    meta = {
        "flashpoint": {
            "focus": {
                "start": "2019-12-27",
                "end": "2020-01-03",
                "label": "Crisis",
                "translations": {"ar": {"label": "الأزمة"}, "xx": {"label": "?"}, "fa": 3},
            }
        }
    }
    focus = focus_from_meta(meta)
    assert focus is not None
    assert (focus.label_in("ar"), focus.label_in("fa"), focus.label_in("en")) == (
        "الأزمة",
        "Crisis",
        "Crisis",
    )


def translated_texts(node: Any, code: str) -> list[str]:
    """Every translated text in a language anywhere in a JSON document."""
    found: list[str] = []
    if isinstance(node, dict):
        found += [v for v in (node.get("translations") or {}).get(code, {}).values()]
        for value in node.values():
            found += translated_texts(value, code)
    elif isinstance(node, list):
        for value in node:
            found += translated_texts(value, code)
    return found


def all_texts(code: str) -> str:
    """The bundled data's, the story's and the catalogue's text in a language."""
    texts = list(
        json.loads((ROOT / "geo" / "locales" / f"{code}.json").read_text("utf-8")).values()
    )
    for name in ("locations.geojson", "story.json"):
        texts += translated_texts(json.loads((DATA / name).read_text("utf-8")), code)
    return "\n".join(texts)


# Each language's own letters (Persian yeh and keheh are not Arabic's), and the names as the
# region's press spells them: where a name occurs, it is in this form.
LETTERS = {"ar": "یک", "fa": "يك"}
NAMES = {
    "ar": {
        "سليماني": "سلیمانی",
        "أبو مهدي المهندس|أبا مهدي المهندس": "ابومهدی",
        "كتائب حزب الله": "کتائب",
    },
    "fa": {
        "سلیمانی": "سليماني",
        "ابومهدی المهندس": "أبو مهدي",
        "کتائب حزب\u200cالله": "حزب الله",  # noqa: RUF001
    },
}


@pytest.mark.parametrize("code", TRANSLATED)
def test_names_and_letters_are_the_languages_own(code: str) -> None:
    text = all_texts(code)
    assert not set(LETTERS[code]) & set(text), f"{code} uses another language's letters"
    for spelled, other in NAMES[code].items():
        assert re.search(spelled, text), spelled
        assert other not in text, other
