"""Languages: complete catalogues, the reader's choice, dates and numbers through Babel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo.language import (
    LANGUAGES,
    LOCALES_DIR,
    SOURCE,
    Language,
    choose_language,
    load_catalogue,
    placeholders,
)

SOURCE_KEYS = set(load_catalogue(SOURCE))


def test_every_language_has_a_catalogue_and_every_catalogue_a_language() -> None:
    files = {path.stem for path in LOCALES_DIR.glob("*.json")}
    assert files == set(LANGUAGES)


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != SOURCE])
def test_a_catalogue_holds_every_key_with_the_same_placeholders(code: str) -> None:
    catalogue = load_catalogue(code)
    assert SOURCE_KEYS - set(catalogue) == set(), f"{code}.json misses keys"
    assert set(catalogue) - SOURCE_KEYS == set(), f"{code}.json has keys English lacks"
    for key, text in catalogue.items():
        assert text.strip(), f"{code}.json: {key} is empty"
        assert placeholders(text) == placeholders(load_catalogue(SOURCE)[key]), key


def test_the_completeness_check_sees_a_missing_key(tmp_path: Path) -> None:
    short = dict(load_catalogue("ar"))
    short.pop("detail.when")
    (tmp_path / "ar.json").write_text(json.dumps(short), encoding="utf-8")
    reread = json.loads((tmp_path / "ar.json").read_text(encoding="utf-8"))
    assert SOURCE_KEYS - set(reread) == {"detail.when"}


@pytest.mark.parametrize(
    ("asked", "browser", "expected"),
    [
        ("ar", "en-GB", "ar"),
        ("fa", None, "fa"),
        (None, "ar-IQ", "ar"),
        (None, "fa-IR,fa;q=0.9,en;q=0.8", "fa"),
        (None, "de-DE,fa;q=0.5", "fa"),
        (None, "de-DE", "en"),
        (None, None, "en"),
        ("xx", "ar", "ar"),
        ("<script>", None, "en"),
        (None, "en-US", "en"),
    ],
)
def test_the_language_is_the_address_then_the_browser_then_english(
    asked: str | None, browser: str | None, expected: str
) -> None:
    assert choose_language(asked, browser) == expected


# Arabic: the months as the Iraqi press writes them (Babel's ar_IQ: كانون الأول, not ديسمبر),
# figures in Latin digits as before. Persian: the Solar Hijri calendar (31 Dec 2019 is
# 10 Dey 1398), in Persian digits.
@pytest.mark.parametrize(
    ("code", "direction", "day", "number"),
    [
        ("en", "ltr", "Tue 31 Dec 2019", "12,345"),
        ("ar", "rtl", "الثلاثاء 31 كانون الأول 2019", "12,345"),
        ("fa", "rtl", "سه‌شنبه ۱۰ دی ۱۳۹۸", "۱۲٬۳۴۵"),  # noqa: RUF001
    ],
)
def test_dates_numbers_and_direction_follow_the_locale(
    code: str, direction: str, day: str, number: str
) -> None:
    language = Language(code)
    assert language.direction == direction
    assert language.day(date(2019, 12, 31)) == day
    assert language.number(12345) == number


def test_placeholders_are_filled_with_numbers_in_the_languages_form() -> None:
    fa = Language("fa").t("list.heading", count=1200)
    assert fa == "رویدادهای نمایش‌داده‌شده (۱٬۲۰۰)"  # noqa: RUF001
    assert Language("en").t("list.heading", count=1200) == "Events shown (1,200)"


@pytest.mark.parametrize(
    ("day", "solar"),
    [
        (date(2020, 1, 3), "جمعه ۱۳ دی ۱۳۹۸"),
        (date(2020, 3, 20), "جمعه ۱ فروردین ۱۳۹۹"),  # Nowruz  # noqa: RUF001
        (date(2020, 3, 19), "پنجشنبه ۲۹ اسفند ۱۳۹۸"),
        (date(2019, 12, 27), "جمعه ۶ دی ۱۳۹۸"),
    ],
)
def test_persian_dates_are_solar_hijri(day: date, solar: str) -> None:
    assert Language("fa").day(day) == solar


def test_the_gregorian_date_stands_beside_the_solar_hijri_one() -> None:
    fa = Language("fa")
    assert fa.day_in_full(date(2020, 1, 3)) == "جمعه ۱۳ دی ۱۳۹۸ (۳ ژانویه ۲۰۲۰)"
    assert fa.short_day(date(2020, 1, 3)) == "۱۳۹۸/۱۰/۱۳"  # noqa: RUF001
    assert Language("ar").day_in_full(date(2020, 1, 3)) == "الجمعة 3 كانون الثاني 2020"
    assert Language("en").short_day(date(2020, 1, 3)) == "2020-01-03"


IRAQI_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)


@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_months_are_the_iraqi_presss(month: int) -> None:
    # CLDR joins the two words of تشرين الأول with a no-break space: they never part at a line end.
    day = Language("ar").day(date(2020, month, 15)).replace("\N{NO-BREAK SPACE}", " ")
    assert IRAQI_MONTHS[month - 1] in day
