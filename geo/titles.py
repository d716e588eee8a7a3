"""Titles for events that have none, made from what the record holds.

ACLED exports carry no title: a row is shown as "<sub-event type> in <location>" ("Peaceful
protest in Comodoro Rivadavia"), else "<event type> in <place>", else the start of its notes,
else its event type. A made title is marked (`title_made`) so that exports write the record's
own empty field back, never the made one.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from geo.arrowtext import stripped_text

MADE: Final = "title_made"
#: The longest title made from notes, in characters (cut at a word, with an ellipsis).
NOTES_TITLE_CHARS: Final = 80


def make_titles(events: pd.DataFrame) -> pd.DataFrame:
    """The events with a title for every one; `title_made` says which were made here."""
    titles = _text(events, "title")
    missing = titles == ""
    out = events.copy(deep=False)
    out[MADE] = missing
    if not missing.any():
        out["title"] = titles
        return out
    made = [
        made_title(sub_event_type=row[0], event_type=row[1], places=row[2:5], notes=row[5])
        for row in zip(
            *(
                _text(events, name)[missing]
                for name in ("sub_event_type", "event_type", "location", "admin1", "country")
            ),
            _text(events, "notes")[missing],
            strict=True,
        )
    ]
    titles = titles.copy()
    titles[missing] = np.asarray(made, dtype=object)
    out["title"] = titles
    return out


def made_title(*, sub_event_type: str, event_type: str, places: tuple[str, ...], notes: str) -> str:
    """One event's title from its type, place and notes (the first that exists)."""
    place = next((p for p in places if p), "")
    kind = sub_event_type or event_type
    if kind and place:
        return f"{kind} in {place}"
    if notes:
        return shorten(notes, NOTES_TITLE_CHARS)
    return kind or "Event"


def shorten(text: str, limit: int) -> str:
    """The text on one line, cut at a word before `limit` characters, with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-") + "…"


def original_titles(events: pd.DataFrame) -> pd.Series:
    """The titles as the records gave them: empty where one was made."""
    titles = _text(events, "title")
    if MADE in events.columns:
        made = events[MADE].fillna(False).to_numpy(dtype=bool)
        titles = titles.where(~made, "")
    return pd.Series(titles, index=events.index, dtype=object)


def _text(events: pd.DataFrame, name: str) -> pd.Series:
    if name not in events.columns:
        return pd.Series([""] * len(events), index=events.index, dtype=object)
    # Validated text is stripped already: only a value that may end in a space is looked at.
    return stripped_text(events[name])
