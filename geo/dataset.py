"""A loaded dataset with everything derived from it once: timeline, map columns, filters."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.categories import Categories, assign_categories, categories_of
from geo.columns import ColumnUse, FileColumns
from geo.language import Language
from geo.limits import FILTER_OPTIONS
from geo.model import Event
from geo.payload import MapConfig, MapData, build_map_config, style_indexes
from geo.progress import Progress, tell
from geo.timeline import Filter, Mode, Shown, Timeline, parse_iso_day
from geo.titles import make_titles
from geo.translations import read_texts
from geo.validation import LoadResult, Problem

ACTOR_COLUMNS: Final = ("actor1", "actor2")


@dataclass(frozen=True, slots=True)
class Focus:
    """The stretch of time a dataset opens on (e.g. the crisis inside years of background)."""

    start: date
    end: date
    label: str
    # language -> {"label": text}, beside the source label (geo.translations)
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, hash=False)

    def label_in(self, code: str) -> str:
        """The period's label in a language, else as the data names it."""
        return self.translations.get(code, {}).get("label", self.label)


class IdRows(Mapping[str, int]):
    """The row of each event id, hashed in C when first asked (a dict of a million took 0.8 s)."""

    def __init__(self, ids: pd.Series) -> None:
        self._ids = ids
        self._index: pd.Index | None = None

    @property
    def index(self) -> pd.Index:
        """The ids as a pandas index (unique: validation leaves a repeated id out)."""
        if self._index is None:
            self._index = pd.Index(self._ids.astype(str))
        return self._index

    def __getitem__(self, event_id: str) -> int:
        if not isinstance(event_id, str):
            raise KeyError(event_id)
        row = self.index.get_loc(event_id)
        if not isinstance(row, (int, np.integer)):
            raise KeyError(event_id)
        return int(row)

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and event_id in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.tolist())

    def __len__(self) -> int:
        return len(self._ids)


SETTINGS_MEMBER: Final = "flashpoint"
STORY_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.json")


def _settings(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    settings = meta.get(SETTINGS_MEMBER)
    return settings if isinstance(settings, Mapping) else {}


def focus_from_meta(meta: Mapping[str, Any]) -> Focus | None:
    """The focus period a GeoJSON file declares in its "flashpoint" member, if valid."""
    focus = _settings(meta).get("focus")
    if not isinstance(focus, Mapping):
        return None
    start, end = parse_iso_day(focus.get("start")), parse_iso_day(focus.get("end"))
    if start is None or end is None:
        return None
    label = str(focus.get("label") or "Focus")[:40]
    translations = {
        code: {"label": texts["label"][:40]}
        for code, texts in read_texts(focus.get("translations"), ("label",)).items()
    }
    return Focus(start, end, label, translations) if start <= end else None


def story_name_from_meta(meta: Mapping[str, Any]) -> str | None:
    """The story file a dataset names: a bare file name beside the dataset, nothing else."""
    name = _settings(meta).get("story")
    return name if isinstance(name, str) and STORY_NAME.fullmatch(name) else None


SERIALS: Final = itertools.count(1)


@dataclass(frozen=True)
class Dataset:
    """Events plus the indexes every step needs; shared, read-only, by all sessions."""

    name: str
    kind: str
    events: pd.DataFrame
    problems: tuple[Problem, ...]
    records: int
    timeline: Timeline
    map_data: MapData
    row_of_id: Mapping[str, int]
    focus: Focus | None
    categories: Categories
    story_name: str | None = None
    folder: str | None = None
    columns: FileColumns | None = None  # the file's own columns, for choosing others
    used: tuple[ColumnUse, ...] = ()  # which column filled each main field
    # One window of a larger table: the table's first and last day, which the time control spans.
    span: tuple[date, date] | None = None
    _counts: dict[str, pd.Series] = field(default_factory=dict, repr=False, compare=False)
    # Which dataset of the process this is: never reused, unlike id() (caches key on it).
    serial: int = field(default_factory=lambda: next(SERIALS), init=False, compare=False)

    @classmethod
    def from_result(
        cls,
        result: LoadResult,
        name: str,
        folder: str | None = None,
        progress: Progress | None = None,
    ) -> Dataset:
        """Index validated events; `folder` is where a file on disk lives (None for uploads)."""
        tell(progress, "indexing")
        events = make_titles(result.events)
        tell(progress, "indexing", 0.3)
        timeline = Timeline.from_events(events)
        tell(progress, "indexing", 0.5)
        focus = focus_from_meta(result.meta)
        if focus is not None and (timeline.first is None or timeline.last is None):
            focus = None
        if focus is not None and timeline.first is not None and timeline.last is not None:
            start = max(focus.start, timeline.first)
            end = min(focus.end, timeline.last)
            focus = replace(focus, start=start, end=end) if start <= end else None
        categories = categories_of(events["event_type"])
        map_data = MapData.from_events(events, categories)
        tell(progress, "indexing", 0.9)
        dataset = cls(
            name=name,
            kind=result.kind,
            events=events,
            problems=tuple(result.problems),
            records=result.records,
            timeline=timeline,
            map_data=map_data,
            row_of_id=IdRows(events["id"]),
            focus=focus,
            categories=categories,
            story_name=story_name_from_meta(result.meta),
            folder=folder,
            columns=result.columns,
            used=result.used,
        )
        tell(progress, "indexing", 1.0)
        return dataset

    def __len__(self) -> int:
        return len(self.events)

    def within_table(self, first: date, last: date, types: Mapping[str, int]) -> Dataset:
        """These events as one window of a larger table: the table's dates and categories (each
        counting this window's events), so every window of it shares one time control and the
        same colours, and a new window changes only the events on the map."""
        here = self.events["event_type"].value_counts()
        counts = dict(types) | {str(k): int(v) for k, v in here.items() if str(k) not in types}
        whole = assign_categories(counts)
        categories = Categories(
            tuple(c._replace(events=int(here.get(c.key, 0))) for c in whole.entries)
        )
        t = style_indexes(self.events["event_type"], categories)
        own_first, own_last = self.timeline.first, self.timeline.last
        span = (
            min(first, own_first) if own_first else first,
            max(last, own_last) if own_last else last,
        )
        return replace(self, categories=categories, map_data=replace(self.map_data, t=t), span=span)

    @property
    def first_day(self) -> date | None:
        """The first day the time control offers: the table's, for a window of one."""
        return self.span[0] if self.span else self.timeline.first

    @property
    def last_day(self) -> date | None:
        """The last day the time control offers: the table's, for a window of one."""
        return self.span[1] if self.span else self.timeline.last

    @cached_property
    def event_types(self) -> list[str]:
        """The dataset's categories as the data write them, in display order ("" is none)."""
        return self.categories.keys

    @cached_property
    def type_options(self) -> list[str]:
        """The categories the type filter lists: every one up to the limit, else the largest.

        A file can hold as many categories as records; the menu is sent on every rerun.
        """
        return self.event_types[: FILTER_OPTIONS.value]

    def type_note(self, language: Language) -> str:
        """Says how many categories the type filter leaves out ("" when it lists them all)."""
        total = len(self.event_types)
        if total <= FILTER_OPTIONS.value:
            return ""
        return language.t(
            "filters.types_note",
            listed=language.number(FILTER_OPTIONS.value),
            total=language.number(total),
        )

    def counts(self, column: str) -> pd.Series:
        """How many events have each value of a column (actors count both actor columns)."""
        cached = self._counts.get(column)
        if cached is None:
            if column == "actor":
                values = pd.concat([self.events[c] for c in ACTOR_COLUMNS], ignore_index=True)
            else:
                values = self.events[column]
            cached = values[values != ""].value_counts()
            # The dataset is read-only and shared, so each count is made once.
            self._counts[column] = cached
        return cached

    def filter_options(self, column: str, chosen: Sequence[str] = ()) -> list[Any]:
        """What a filter menu lists: the most frequent values up to the limit, and any chosen.

        500,000 distinct actors would make every rerun send and format half a million options.
        """
        listed = self.counts(column).index[: FILTER_OPTIONS.value].tolist()
        present = set(listed)
        return listed + [value for value in chosen if value not in present]

    def filter_note(self, column: str, language: Language | None = None) -> str:
        """Says how many values a capped filter menu leaves out ("" when it lists them all)."""
        total = len(self.counts(column))
        if total <= FILTER_OPTIONS.value:
            return ""
        return (language or Language()).t(
            "filters.values_note", listed=FILTER_OPTIONS.value, total=total
        )

    def filter_mask(
        self,
        types: Sequence[str] | None = None,
        actors: Sequence[str] = (),
        countries: Sequence[str] = (),
    ) -> np.ndarray:
        """Events passing the type, actor and country filters (empty filter = all)."""
        mask = np.ones(len(self.events), dtype=bool)
        if types is not None:
            chosen = self.events["event_type"].isin(list(types))
            if len(self.type_options) < len(self.event_types):
                # A category the menu does not list cannot be left out: it is always shown.
                chosen |= ~self.events["event_type"].isin(self.type_options)
            mask &= chosen.to_numpy()
        if actors:
            wanted = list(actors)
            mask &= (
                self.events["actor1"].isin(wanted) | self.events["actor2"].isin(wanted)
            ).to_numpy()
        if countries:
            mask &= self.events["country"].isin(list(countries)).to_numpy()
        return mask

    def map_config(self, token: str, language: Language | None = None) -> MapConfig:
        """The map's configuration for this dataset: categories, legend, range, focus period."""
        first, last, focus = self.first_day, self.last_day, self.focus
        assert first is not None and last is not None, "a dataset has at least one event"
        language = language or Language()
        return build_map_config(
            categories=self.categories,
            token=token,
            first=first,
            last=last,
            focus=(focus.start, focus.end, focus.label_in(language.code)) if focus else None,
            language=language,
        )

    def visible(self, at: date, mode: Mode, window_days: int, mask: np.ndarray) -> np.ndarray:
        """Mask of the events shown at a date under the filters."""
        return self.shown(at, mode, window_days, mask).mask()

    def shown(self, at: date, mode: Mode, window_days: int, mask: np.ndarray | Filter) -> Shown:
        """The events shown at a date under the filters, as rows taken only when needed."""
        return self.timeline.shown(at, mode, window_days, _as_filter(mask))

    def shown_on(self, at: date, mask: np.ndarray | Filter) -> Shown:
        """The events going on at the date itself under the filters."""
        return self.timeline.shown(at, "window", 1, _as_filter(mask))

    def event(self, event_id: str) -> Event | None:
        """The event with this id, if any."""
        row = self.row_of_id.get(event_id)
        return None if row is None else self.event_at(row)

    def event_at(self, row: int) -> Event:
        """The event in a row of the events table."""
        record = self.events.iloc[row]
        return Event.from_row({str(k): v for k, v in record.items()})


def _as_filter(mask: np.ndarray | Filter) -> np.ndarray | Filter:
    """A filter as given, or a mask as a boolean array."""
    return mask if isinstance(mask, Filter) else np.asarray(mask, dtype=bool)
