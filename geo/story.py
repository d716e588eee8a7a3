"""The guided story: an ordered list of steps, each a date, a caption and the events it shows.

A story is data (`data/story.json`), read here into frozen records. Loading reports every
problem as a sentence instead of raising; `check_story` then checks the story against a
dataset. Steps are numbered 1, 2, ... in file order, prologue included, and that number is
the `story=` URL parameter, so a shared link names the same step whether or not the reader
has chosen to see the prologue.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import pandas as pd
import shapely

from geo.translations import STEP_TEXT_FIELDS, read_texts

LonLat = tuple[float, float]
Bounds = tuple[tuple[float, float], tuple[float, float]]

MAX_STORY_BYTES: Final = 1_000_000
STORY_FIELDS: Final[frozenset[str]] = frozenset({"title", "steps", "translations"})
REQUIRED_STEP_FIELDS: Final[tuple[str, ...]] = ("title", "caption", "date", "events", "quote_event")
STEP_FIELDS: Final[frozenset[str]] = frozenset({*REQUIRED_STEP_FIELDS, "prologue", "translations"})
# Padding on each side, as a share of the highlighted extent, and the smallest box a step
# flies to: one point alone would otherwise zoom to street level and lose its context.
PAD_FRACTION: Final = 0.15
MIN_SPAN_DEG: Final = 0.5
MAX_LAT: Final = 85.0
_ISO_DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class StoryStep:
    """One stop of the tour: where the map goes, what it highlights and what the card says."""

    number: int
    title: str
    caption: str
    date: date
    events: tuple[str, ...]
    quote_event: str
    prologue: bool = False
    # language -> "title"/"caption" -> text, beside the source text (geo.translations)
    translations: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)

    def text(self, name: str, code: str) -> str:
        """The step's title or caption in a language, else in the source text."""
        return str(self.translations.get(code, {}).get(name) or getattr(self, name))

    @property
    def label(self) -> str:
        """How problems and summaries name the step."""
        return f"step {self.number} ({self.title!r})"


@dataclass(frozen=True, slots=True)
class Story:
    """A titled, ordered tour; steps are numbered from 1 in order."""

    title: str
    steps: tuple[StoryStep, ...]
    translations: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)

    def title_in(self, code: str) -> str:
        """The story's title in a language, else in the source text."""
        return self.translations.get(code, {}).get("title") or self.title

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"story steps must be numbered 1..{len(numbers)}, got {numbers}")

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def prologue_steps(self) -> tuple[StoryStep, ...]:
        """The background steps."""
        return tuple(s for s in self.steps if s.prologue)

    @property
    def main_steps(self) -> tuple[StoryStep, ...]:
        """The steps of the story proper, without the prologue."""
        return tuple(s for s in self.steps if not s.prologue)

    def steps_for(self, include_prologue: bool) -> tuple[StoryStep, ...]:
        """The steps a reader walks through, with or without the prologue."""
        return self.steps if include_prologue else self.main_steps

    def step(self, number: int) -> StoryStep | None:
        """The step with this 1-based number (the `story=` URL value), if there is one."""
        return self.steps[number - 1] if 1 <= number <= len(self.steps) else None

    def next_step(self, number: int, include_prologue: bool) -> StoryStep | None:
        """The step after step `number` in the walk, or None at the end."""
        return next((s for s in self.steps_for(include_prologue) if s.number > number), None)

    def previous_step(self, number: int, include_prologue: bool) -> StoryStep | None:
        """The step before step `number` in the walk, or None at the start."""
        earlier = [s for s in self.steps_for(include_prologue) if s.number < number]
        return earlier[-1] if earlier else None


def load_story(path: str | Path) -> tuple[Story | None, list[str]]:
    """Read a story file; None when it cannot be read or is not a story at all."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_STORY_BYTES:
            return None, [f"{path.name} is larger than {MAX_STORY_BYTES // 1000} kB"]
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        # The file name only: a hosted page never shows where files live on the server.
        return None, [f"cannot read {path.name}: {exc.strerror or 'unreadable'}"]
    except UnicodeDecodeError:
        return None, [f"{path.name} is not UTF-8 text"]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ]
    except RecursionError:
        return None, [f"{path.name} is nested too deeply to be a story"]
    return parse_story(document)


def parse_story(document: Any) -> tuple[Story | None, list[str]]:
    """Build a story from parsed JSON; bad steps are left out and each problem is named."""
    if not isinstance(document, dict):
        return None, ['a story must be a JSON object with "title" and "steps"']
    steps_raw = document.get("steps")
    if not isinstance(steps_raw, list):
        return None, ['"steps" must be a list of steps']
    problems = [f"unknown field {key!r}" for key in sorted(set(document) - STORY_FIELDS)]
    title = document.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append('"title" must be a non-empty string')
        title = ""
    steps: list[StoryStep] = []
    for position, raw in enumerate(steps_raw, start=1):
        step, step_problems = _parse_step(raw, position, len(steps) + 1)
        problems.extend(step_problems)
        if step is not None:
            steps.append(step)
    if not steps:
        problems.append("the story has no usable steps")
    translations = read_texts(document.get("translations"), ("title",))
    return Story(title.strip(), tuple(steps), translations), problems


def _parse_step(raw: Any, position: int, number: int) -> tuple[StoryStep | None, list[str]]:
    """One step; `position` is its place in the file, `number` the one it gets if kept."""
    if not isinstance(raw, dict):
        return None, [f"step {position}: must be an object; step left out"]
    name = raw.get("title")
    where = f"step {position} ({name!r})" if isinstance(name, str) and name else f"step {position}"
    problems = [f"{where}: unknown field {key!r}" for key in sorted(set(raw) - STEP_FIELDS)]
    missing = [key for key in REQUIRED_STEP_FIELDS if key not in raw]
    if missing:
        return None, [*problems, f"{where}: missing {', '.join(missing)}; step left out"]

    errors: list[str] = []
    for key in ("title", "caption", "quote_event"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            errors.append(f"{key}: must be a non-empty string")
    day = _parse_day(raw["date"])
    if day is None:
        errors.append(f"date: {str(raw['date'])[:40]!r} is not a date (expected YYYY-MM-DD)")
    events = raw["events"]
    if not (
        isinstance(events, list)
        and events
        and all(isinstance(e, str) and e.strip() for e in events)
    ):
        errors.append("events: must be a non-empty list of event ids")
    prologue = raw.get("prologue", False)
    if not isinstance(prologue, bool):
        errors.append("prologue: must be true or false")
    if errors or day is None or not isinstance(prologue, bool):
        return None, [*problems, *(f"{where}: {e}; step left out" for e in errors)]

    ids = [e.strip() for e in events]
    problems.extend(
        f"{where}: events: {eid!r} is listed more than once"
        for eid in sorted({e for e in ids if ids.count(e) > 1})
    )
    step = StoryStep(
        number=number,
        title=raw["title"].strip(),
        caption=raw["caption"].strip(),
        date=day,
        events=tuple(dict.fromkeys(ids)),
        quote_event=raw["quote_event"].strip(),
        prologue=prologue,
        translations=read_texts(raw.get("translations"), STEP_TEXT_FIELDS),
    )
    return step, problems


def _parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or not _ISO_DAY.match(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def check_story(
    story: Story,
    event_ids: Collection[str],
    event_dates: Mapping[str, date] | None = None,
) -> list[str]:
    """Problems of a story against a dataset: unknown ids, order of dates, quote, early steps."""
    problems: list[str] = []
    previous: StoryStep | None = None
    seen_main = False
    for step in story.steps:
        where = step.label
        problems.extend(
            f"{where}: events: unknown event id {eid!r}"
            for eid in step.events
            if eid not in event_ids
        )
        if step.quote_event not in step.events:
            problems.append(
                f"{where}: quote_event: {step.quote_event!r} is not one of the step's events"
            )
        if previous is not None and step.date < previous.date:
            problems.append(
                f"{where}: date: {step.date:%Y-%m-%d} is before the previous step's "
                f"{previous.date:%Y-%m-%d}; dates must not go backwards"
            )
        if step.prologue and seen_main:
            problems.append(f"{where}: prologue: prologue steps must come before the story")
        seen_main = seen_main or not step.prologue
        if event_dates is not None:
            problems.extend(
                f"{where}: events: {eid!r} starts {event_dates[eid]:%Y-%m-%d}, "
                f"after the step's date {step.date:%Y-%m-%d}"
                for eid in step.events
                if eid in event_dates and event_dates[eid] > step.date
            )
        previous = step
    return problems


def dates_by_id(events: pd.DataFrame) -> dict[str, date]:
    """The start date of each event in a validated events table."""
    starts = pd.to_datetime(events["event_date"])
    return {
        str(eid): day.date()
        for eid, day in zip(events["id"].tolist(), starts.tolist(), strict=True)
    }


def coordinates_by_id(events: pd.DataFrame) -> dict[str, tuple[LonLat, ...]]:
    """Every vertex (longitude, latitude) of each event's geometry, so a line is seen whole."""
    geoms = events["geometry"].to_numpy(dtype=object)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    vertices: list[list[LonLat]] = [[] for _ in range(len(geoms))]
    for row, (lon, lat) in zip(owner.tolist(), coords.tolist(), strict=True):
        vertices[row].append((lon, lat))
    return {
        str(eid): tuple(points) for eid, points in zip(events["id"].tolist(), vertices, strict=True)
    }


def step_bounds(step: StoryStep, coordinates: Mapping[str, Sequence[LonLat]]) -> Bounds | None:
    """((south, west), (north, east)) to fly to for a step; None if none of its events is placed."""
    points = [
        (lon, lat)
        for eid in step.events
        for lon, lat in coordinates.get(eid, ())
        if math.isfinite(lon) and math.isfinite(lat)
    ]
    if not points:
        return None
    south, north = _padded(min(p[1] for p in points), max(p[1] for p in points), MAX_LAT)
    west, east = _padded(min(p[0] for p in points), max(p[0] for p in points), 180.0)
    return (south, west), (north, east)


def _padded(low: float, high: float, limit: float) -> tuple[float, float]:
    """Widen a range by the padding and to the minimum span, kept inside -limit..limit."""
    pad = (high - low) * PAD_FRACTION
    low, high = low - pad, high + pad
    if high - low < MIN_SPAN_DEG:
        middle = (low + high) / 2
        low, high = middle - MIN_SPAN_DEG / 2, middle + MIN_SPAN_DEG / 2
    # Slide a box that pokes past the edge back inside rather than cutting it to nothing.
    if high > limit:
        low, high = low - (high - limit), limit
    if low < -limit:
        low, high = -limit, high + (-limit - low)
    return max(low, -limit), min(high, limit)
