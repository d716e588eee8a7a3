"""The reader's language: interface strings from catalogues, dates and numbers through Babel.

Catalogues are JSON files in geo/locales/, one per language, mapping a key to a string with
`{name}` placeholders. English is the source; every catalogue holds exactly its keys (a test
fails otherwise). Adding a language is a catalogue plus a line in LANGUAGES.
"""

from __future__ import annotations

import json
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final

import jdatetime
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"
SOURCE: Final = "en"
# Code -> the language's name in itself; the order is the language switch's.
LANGUAGES: Final[dict[str, str]] = {"en": "English", "ar": "العربية", "fa": "فارسی"}
# Babel knows a locale's numbering system but not its digits.
DIGITS: Final[dict[str, str]] = {
    "latn": "0123456789",
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}
DAY_PATTERN: Final = "EEE d MMM y"
GREGORIAN_PATTERN: Final = "d MMMM y"
# The locale a language's dates are written in, where the region's press differs from the
# language's default: Iraqi papers write كانون الثاني / شباط / آذار, not يناير / فبراير / مارس.
DATE_LOCALES: Final[dict[str, str]] = {"ar": "ar_IQ"}
# Languages whose readers count days in another calendar (its name as Intl and ICU call it).
CALENDARS: Final[dict[str, str]] = {"fa": "persian"}
GREGORIAN: Final = "gregory"
# The Solar Hijri months (as jdatetime, ICU and the Iranian press write them).
PERSIAN_MONTHS: Final = tuple(jdatetime.date.j_months_fa)
# Any digit Babel may write -> the same digit in each digit set.
NATIVE: Final[dict[str, dict[int, str]]] = {
    digits: {ord(d): digits[i] for source in DIGITS.values() for i, d in enumerate(source)}
    for digits in DIGITS.values()
}
PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")
ACCEPT_PART: Final = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*\s*(?:;.*)?$")


@cache
def load_catalogue(code: str) -> dict[str, str]:
    """A language's strings, key to text (read once)."""
    path = LOCALES_DIR / f"{code}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise ValueError(f"{path.name}: a catalogue maps keys to strings")
    return doc


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders in a catalogue string."""
    return set(PLACEHOLDER.findall(text))


def choose_language(asked: str | None, browser: str | None) -> str:
    """The address's `lang` if known, else the browser's first known language, else English."""
    if asked in LANGUAGES:
        return asked
    for part in (browser or "").split(","):
        match = ACCEPT_PART.match(part)
        if match and match.group(1).lower() in LANGUAGES:
            return match.group(1).lower()
    return SOURCE


@dataclass(frozen=True, slots=True)
class Language:
    """One language's words, direction, dates and numbers."""

    code: str = SOURCE

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return Locale.parse(self.code).character_order == "right-to-left"

    @property
    def direction(self) -> str:
        """`rtl` or `ltr`, as HTML's dir attribute takes it."""
        return "rtl" if self.rtl else "ltr"

    @property
    def digits(self) -> str:
        """The ten digits the language writes numbers with."""
        return DIGITS.get(Locale.parse(self.code).default_numbering_system, DIGITS["latn"])

    @property
    def decimal(self) -> str:
        """The sign between a number's whole part and its fraction."""
        locale = Locale.parse(self.code)
        return str(locale.number_symbols[locale.default_numbering_system]["decimal"])

    def t(self, key: str, /, **values: object) -> str:
        """The string for a key, its placeholders filled (numbers in the language's form)."""
        text = load_catalogue(self.code).get(key) or load_catalogue(SOURCE)[key]
        filled = {k: self.number(v) if isinstance(v, int) else str(v) for k, v in values.items()}
        return PLACEHOLDER.sub(lambda m: filled.get(m.group(1), m.group(0)), text)

    def number(self, value: int | float) -> str:
        """A number with the language's grouping and digits."""
        return self.native_digits(
            format_decimal(value, locale=self.code, numbering_system="default")
        )

    @property
    def date_locale(self) -> str:
        """The locale the language's dates are written in (Babel's form, e.g. ar_IQ)."""
        return DATE_LOCALES.get(self.code, self.code)

    @property
    def calendar(self) -> str:
        """The calendar the reader counts days in: gregory, or persian (Solar Hijri)."""
        return CALENDARS.get(self.code, GREGORIAN)

    def day(self, value: date) -> str:
        """A day in words in the reader's calendar, e.g. 'Tue 31 Dec 2019', 'جمعه ۱۳ دی ۱۳۹۸'."""
        if self.calendar == "persian":
            solar = jdatetime.date.fromgregorian(date=value)
            weekday = format_date(value, "EEE", locale=self.date_locale)
            month = PERSIAN_MONTHS[solar.month - 1]
            return self.native_digits(f"{weekday} {solar.day} {month} {solar.year}")
        return self.native_digits(format_date(value, DAY_PATTERN, locale=self.date_locale))

    def day_in_full(self, value: date) -> str:
        """A day in the reader's calendar, with the Gregorian date beside it when that differs."""
        if self.calendar == GREGORIAN:
            return self.day(value)
        return f"{self.day(value)} ({self.gregorian_day(value)})"

    def gregorian_day(self, value: date) -> str:
        """A day in the Gregorian calendar in words, e.g. '3 January 2020', '۳ ژانویه ۲۰۲۰'."""
        return self.native_digits(format_date(value, GREGORIAN_PATTERN, locale=self.date_locale))

    def short_day(self, value: date) -> str:
        """A day in figures, year first (sorts as text): 2019-12-27, or 1398/10/06 Solar Hijri."""
        if self.calendar == "persian":
            return self.native_digits(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))
        return value.isoformat()

    def month(self, value: date) -> str:
        """A month in words, e.g. 'June 2014', 'حزيران ٢٠١٤'; in the Solar Hijri calendar the
        two months it overlaps (an en dash between), the Gregorian month beside them:
        'خرداد-تیر ۱۳۹۳ (ژوئن ۲۰۱۴)'."""
        gregorian = self.native_digits(format_skeleton("yMMMM", value, locale=self.date_locale))
        if self.calendar != "persian":
            return gregorian
        first = jdatetime.date.fromgregorian(date=value.replace(day=1))
        last = jdatetime.date.fromgregorian(
            date=value.replace(day=monthrange(value.year, value.month)[1])
        )
        start, end = PERSIAN_MONTHS[first.month - 1], PERSIAN_MONTHS[last.month - 1]
        span = (
            f"{start}\N{EN DASH}{end} {first.year}"
            if first.year == last.year
            else f"{start} {first.year}\N{EN DASH}{end} {last.year}"
        )
        return f"{self.native_digits(span)} ({gregorian})"

    def year(self, value: date) -> str:
        """A year, e.g. '2017'; in the Solar Hijri calendar the two years it overlaps, the
        Gregorian year beside them (an en dash between): '۱۳۹۵-۱۳۹۶ (۲۰۱۷)'."""
        gregorian = self.native_digits(format_skeleton("y", value, locale=self.date_locale))
        if self.calendar != "persian":
            return gregorian
        first = jdatetime.date.fromgregorian(date=date(value.year, 1, 1)).year
        last = jdatetime.date.fromgregorian(date=date(value.year, 12, 31)).year
        span = self.native_digits(f"{first}\N{EN DASH}{last}")
        return f"{span} ({gregorian})"

    def native_digits(self, text: str) -> str:
        """A text's digits (Latin or Arabic-Indic) written with the language's own."""
        digits = self.digits
        return text.translate(NATIVE[digits]) if text else text
