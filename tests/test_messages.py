"""Messages by catalogue key: every key geo/ uses is in every catalogue; fallbacks; values."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from geo.claims import parse_claims
from geo.language import LANGUAGES, Language, load_catalogue
from geo.messages import Message, Numeral, joined, message, record_label, render
from geo.validation import Problem, load_events_from_bytes

KEY = re.compile(r"[a-z]+(\.[a-z0-9_]+)+")
GEO = Path(__file__).resolve().parent.parent / "geo"


def used_messages() -> dict[str, str]:
    """Every message geo/ gives by key: key -> its English.

    Found in any call that passes a catalogue key and then its English as two written-out
    strings: `message("problem.x", "English {value}", ...)`, or a helper such as
    `_describe(values, mask, 40, "problem.x", "English {value}")`.
    """
    found: dict[str, str] = {}
    for path in sorted(GEO.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            texts = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            for key, english in itertools.pairwise(texts):
                if isinstance(key, str) and KEY.fullmatch(key) and isinstance(english, str):
                    found[key] = english
    return found


USED = used_messages()


def test_the_scan_finds_the_messages_geo_gives() -> None:
    assert {"notice.date_form", "problem.not_real_date", "problem.duplicate_id"} <= set(USED)
    assert len(USED) > 40


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_message_key_used_in_geo_is_in_the_catalogue(code: str) -> None:
    missing = sorted(set(USED) - set(load_catalogue(code)))
    assert missing == [], f"add to geo/locales/{code}.json: {missing}"


def test_the_english_catalogue_says_what_the_code_says() -> None:
    english = load_catalogue("en")
    differ = {k: (v, english[k]) for k, v in USED.items() if k in english and english[k] != v}
    assert differ == {}


def test_a_message_no_catalogue_knows_yet_is_shown_in_english() -> None:
    new = message("problem.brand_new", "{value} is new", value="'x'")
    for code in LANGUAGES:
        assert new.render(Language(code)) == "'x' is new"
    assert str(new) == "'x' is new"


def test_a_problem_from_a_plain_string_is_shown_as_written() -> None:
    problem = Problem("row 2", "event_date", "a message without a key", True)
    assert problem.text(Language("fa")) == "a message without a key"
    assert render("plain", Language("ar")) == "plain"


def test_a_problem_with_a_key_is_shown_in_the_readers_language() -> None:
    data = b"date,lat,lon,title\n2019-02-30,33.3,44.4,a\n"
    (problem,) = load_events_from_bytes(data, "x.csv").problems
    assert problem.message == "'2019-02-30' is not a real calendar date"
    assert problem.text(Language("ar")) == "'2019-02-30' ليس تاريخًا موجودًا في التقويم"
    assert problem.text(Language("fa")) == "'2019-02-30' تاریخی واقعی در تقویم نیست"


@pytest.mark.parametrize(
    ("where", "code", "expected"),
    [
        ("row 12 (id 'a-1')", "en", "row 12 (id 'a-1')"),
        ("row 12 (id 'a-1')", "ar", "الصف 12 (المعرّف 'a-1')"),
        ("feature #3", "fa", "عارضهٔ شمارهٔ ۳"),
        ("feature #3 (id '(x)')", "fa", "عارضهٔ شمارهٔ ۳ (شناسهٔ '(x)')"),
        ("sheet 2", "fa", "sheet 2"),
    ],
)
def test_a_records_label_is_written_in_the_language(where: str, code: str, expected: str) -> None:
    assert record_label(where, Language(code)) == expected


def test_values_are_written_the_languages_way() -> None:
    note = Message("problem.duplicate_id", "", (("id", "'7'"), ("record", "feature #12 (id '7')")))
    assert (
        note.render(Language("fa")) == "شناسهٔ تکراری '7' (نخستین بار در عارضهٔ شمارهٔ ۱۲ (شناسهٔ '7'))"
    )
    years = message(
        "problem.year_range", "", value="'1850-01-01'", first=Numeral(1900), last="2100"
    )
    assert years.render(Language("fa")) == "'1850-01-01' بیرون از بازهٔ ۱۹۰۰ تا 2100 است"
    assert years.render(Language("en")) == "'1850-01-01' is outside 1900-2100"
    limit = message("problem.vertices", "", count=25000, limit=20000)
    assert limit.render(Language("en")).startswith("25,000 vertices; the limit is 20,000")
    assert limit.render(Language("fa")).startswith("۲۵٬۰۰۰ رأس")  # noqa: RUF001


def test_a_decimal_numeral_takes_the_languages_decimal_sign() -> None:
    point = message(
        "problem.swapped", "", lon=Numeral("33.3"), lat=Numeral("-44.25"), country="Iraq"
    )
    assert "(طول جغرافیایی ۳۳٫۳، عرض جغرافیایی -۴۴٫۲۵)" in point.render(Language("fa"))  # noqa: RUF001
    assert "(longitude 33.3, latitude -44.25)" in point.render(Language("en"))


def test_a_claims_problems_join_in_the_languages_way() -> None:
    _, problems = parse_claims([{"figure": "dead", "value": -1, "source": "", "x": 1}])
    assert [str(p) for p in problems] == [
        "claim 1: unknown key 'x' ignored",
        "claim 1: missing url; figure 'dead' is not 'killed' or 'injured'; value '-1' is not a "
        "whole number from 0 to 10000000; source is empty; left out",
    ]
    fa = Language("fa")
    latin = str.maketrans(fa.digits, "0123456789")
    assert problems[1].render(fa).translate(latin) == (
        "ادعای 1: url موجود نیست؛ figure 'dead' نه 'killed' است نه 'injured'؛ value '-1' عدد "
        "صحیحی از 0 تا 10000000 نیست؛ source خالی است؛ کنار گذاشته شد"
    )
    assert fa.digits[1] in problems[1].render(fa)


def test_many_messages_join_without_deep_nesting() -> None:
    notes = [message("problem.missing", "missing") for _ in range(1000)]
    assert str(joined(notes)) == "; ".join(["missing"] * 1000)


def test_a_shape_columns_problems_are_shown_in_the_readers_language() -> None:
    data = (
        b"date,geometry,title\n"
        b"2020-01-03,POINT (44.4 33.3),a\n"
        b"2020-01-03,not a shape,b\n"
        b"2020-01-03,,c\n"
    )
    result = load_events_from_bytes(data, "shapes.csv")
    bad, missing = result.problems
    assert bad.message == "geometry: 'not a shape' is neither WKT nor a GeoJSON geometry"
    assert bad.text(Language("fa")) == (
        "geometry: 'not a shape' نه متنی به شکل WKT است نه هندسه‌ای در GeoJSON"
    )
    assert missing.text(Language("ar")) == "geometry: مفقود"
