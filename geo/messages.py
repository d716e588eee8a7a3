"""Messages for people that are translated where they are shown: a catalogue key + parameters.

geo/ describes a problem without knowing who reads it: `message("validation.x", "English
{value}", value=...)` names the catalogue key, the English text (the same as the key's entry in
geo/locales/en.json, which a test holds) and the values. The page renders it in the reader's
language; a key no catalogue holds yet falls back to the English given here, and a plain string
(a message written before it had a key) is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from geo.language import PLACEHOLDER, SOURCE, Language, load_catalogue
from geo.limits import NESTING, VERTICES


class Numeral(str):
    """Digits as written (no grouping) in the reader's digits: a year, a date, a degree."""

    __slots__ = ()


class GregorianDay(str):
    """An ISO day as a file wrote it, in words in the reader's language (Gregorian always)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Message:
    """A text for people: its catalogue key, its English form and its values."""

    key: str
    english: str
    params: tuple[tuple[str, Value], ...] = ()

    def render(self, language: Language) -> str:
        """The text in a language; English where no catalogue has the key yet."""
        values = {k: _value(k, v, language) for k, v in self.params}
        if self.key in load_catalogue(language.code) or self.key in load_catalogue(SOURCE):
            return language.t(self.key, **values)
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), self.english)

    def __str__(self) -> str:
        return self.render(ENGLISH)


# A message's values: text, a number (written in the reader's digits) or a message of its own.
Value = str | int | Message
ENGLISH: Final = Language(SOURCE)
# What geo/ hands the page as a message: keyed, or a plain English string from older code.
Note = Message | str


def message(key: str, english: str, /, **params: Value) -> Message:
    """A message by its catalogue key, with its English text and the values it names."""
    return Message(key, english, tuple(params.items()))


def joined(notes: list[Message]) -> Message:
    """Several messages as one, separated as the language separates clauses ("; " in English)."""
    if len(notes) == 1:
        return notes[0]
    # Halves, not a chain: nesting stays shallow however many there are.
    half = len(notes) // 2
    return message(
        "problem.and", "{first}; {rest}", first=joined(notes[:half]), rest=joined(notes[half:])
    )


def _value(name: str, value: Value, language: Language) -> Value:
    """A value as the reader's language writes it."""
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, GregorianDay):
        return language.gregorian_day(date.fromisoformat(value))
    if isinstance(value, Numeral):
        digits = language.native_digits(value)
        return digits.replace(".", language.decimal) if DECIMAL.fullmatch(value) else digits
    return record_label(value, language) if name == RECORD and isinstance(value, str) else value


def render(note: Note, language: Language) -> str:
    """A message, or a plain string, in the reader's language (English fallback)."""
    return note.render(language) if isinstance(note, Message) else note


DECIMAL: Final = re.compile(r"-?\d+\.\d+")
# A message's value named `record` is a record's label, which the readers write in English.
RECORD: Final = "record"
# The labels the readers give records (geo.table.labels_of, geo.geojson): row or feature number,
# then the id when there is one.
LABEL: Final = re.compile(r"(row |feature #)(\d+)(?: \(id (.*)\))?", re.DOTALL)
# A warning about a whole column names how many rows it concerns (geo.validation).
ROWS: Final = re.compile(r"(\d{1,3}(?:,\d{3})*) rows?")
LABEL_KEYS: Final = {"row ": "record.row", "feature #": "record.feature"}


def record_label(where: str, language: Language) -> str:
    """A record's label ("row 5 (id 'x')") in a language; a label of another form as it is."""
    rows = ROWS.fullmatch(where)
    if rows is not None:  # a warning about a whole column: how many rows it concerns
        count = int(rows.group(1).replace(",", ""))
        return language.t("record.rows_one" if count == 1 else "record.rows", count=count)
    match = LABEL.fullmatch(where)
    if match is None:
        return where
    kind, number, ident = match.groups()
    label = language.t(LABEL_KEYS[kind], number=language.native_digits(number))
    return label if ident is None else language.t("record.with_id", record=label, id=ident)


# Messages more than one reader gives.
MISSING: Final = message("problem.missing", "missing")
NOT_FINITE: Final = message("problem.not_finite", "coordinates are not finite numbers")


def too_many_vertices(count: int | None) -> Message:
    """A geometry past the `vertices` limit (`count` when known, else "more than" the limit)."""
    if count is None:
        return message(
            "problem.vertices_more",
            "more than {limit} vertices; the limit is {limit} vertices (points in one geometry)",
            limit=VERTICES.value,
        )
    return message(
        "problem.vertices",
        "{count} vertices; the limit is {limit} vertices (points in one geometry)",
        count=count,
        limit=VERTICES.value,
    )


def too_deep_wkt(depth: int) -> Message:
    """A WKT text whose parentheses nest past the `nesting` limit."""
    return message(
        "problem.wkt_nesting",
        "parentheses nested {depth} deep; the limit is {limit} levels "
        "(nesting of JSON arrays and objects, or of WKT parentheses)",
        depth=depth,
        limit=NESTING.value,
    )


def unsupported_geometry(kind: str) -> Message:
    """A geometry type the map cannot draw."""
    return message("problem.unsupported_geometry", "{kind} geometries are not supported", kind=kind)
