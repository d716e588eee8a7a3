"""The view a user is looking at, and its address: view state <-> URL query parameters.

The parameter names are a public contract (shared links must keep working):
date, event, types, mode, window, lat, lon, zoom — plus story, basemap, actor, country, from,
to and lang.
An unknown or malformed value is ignored and explained in a notice; nothing here ever
names or opens a file.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from geo.language import LANGUAGES
from geo.messages import Message, Numeral, message
from geo.timeline import MODES, Mode, parse_iso_day

BASEMAPS: Final[dict[str, str]] = {
    "offline": "Offline borders",
    "osm": "OpenStreetMap",
    "light": "Light",
    "dark": "Dark",
}


@dataclass(frozen=True, slots=True)
class Setting:
    """One view parameter: its name in the address, its form, bounds, default and help.

    This table drives reading the address, writing it, the widgets' bounds and the README's
    parameter table (a test holds the README to it).
    """

    name: str
    form: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None


SETTINGS: Final[dict[str, Setting]] = {
    s.name: s
    for s in (
        Setting(
            "date",
            "YYYY-MM-DD",
            None,
            "The day the map shows; the day the dataset opens on when absent.",
        ),
        Setting("event", "id", None, "The selected event."),
        Setting("types", "type,type", None, "Event types shown, comma-separated; all when absent."),
        Setting(
            "mode",
            "|".join(MODES),
            "cumulative",
            "Cumulative shows everything up to the date; window shows the last N days.",
        ),
        Setting("window", "days", 7, "Days shown in window mode.", 1, 3650),
        Setting("lat", "degrees", None, "Latitude of the map's centre.", -90, 90),
        Setting("lon", "degrees", None, "Longitude of the map's centre.", -180, 180),
        Setting("zoom", "level", None, "Zoom level of the map.", 1, 18),
        Setting("story", "step", None, "Story step (1-based) when the guided story is open.", 1),
        Setting("basemap", "|".join(BASEMAPS), "offline", "The basemap."),
        Setting("actor", "name", (), "Actors shown (repeatable); all when absent."),
        Setting("country", "name", (), "Countries shown (repeatable); all when absent."),
        Setting(
            "from",
            "YYYY-MM-DD",
            None,
            "A table too large to hold at once: the first day read from it; all when absent.",
        ),
        Setting(
            "to",
            "YYYY-MM-DD",
            None,
            "A table too large to hold at once: the last day read from it; all when absent.",
        ),
        Setting(
            "lang",
            "|".join(LANGUAGES),
            None,
            "The interface's language; the browser's language when absent, else English.",
        ),
    )
}


def parameter_table() -> str:
    """The README's table of the address's parameters, made from SETTINGS."""
    rows = ["| parameter | form | bounds | default | meaning |", "|---|---|---|---|---|"]
    for s in SETTINGS.values():
        bounds = "" if s.low is None else f"{s.low:g} to {s.high:g}" if s.high else f"≥ {s.low:g}"
        default = "" if s.default in (None, ()) else f"`{s.default}`"
        form = s.form.replace("|", "\\|")
        rows.append(f"| `{s.name}` | {form} | {bounds} | {default} | {s.help} |")
    return "\n".join(rows)


WHOLE_NUMBER: Final = re.compile(r"-?[0-9]{1,6}")
MAX_VALUE_LENGTH: Final = 300


@dataclass(frozen=True, slots=True)
class View:
    """Everything a shared link restores."""

    date: date | None = None
    event: str | None = None
    types: tuple[str, ...] | None = None
    mode: Mode = "cumulative"
    window: int = 7
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    story: int | None = None
    basemap: str = "offline"
    actors: tuple[str, ...] = field(default_factory=tuple)
    countries: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None
    read_from: datetime.date | None = None  # a large table's dates read (`geo.pushdown`)
    read_to: datetime.date | None = None

    def with_changes(self, **changes: Any) -> View:
        """A copy with some fields changed."""
        return replace(self, **changes)


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    return [str(v)[:MAX_VALUE_LENGTH] for v in items]


def _last(params: Mapping[str, Any], name: str) -> str | None:
    values = _values(params, name)
    return values[-1].strip() if values else None


@dataclass(frozen=True, slots=True)
class Known:
    """What the address's values are checked against: the dataset's ids, types and days."""

    event_ids: Collection[str]
    event_types: Collection[str]
    first: date | None
    last: date | None
    story_steps: int = 0


Changes = dict[str, Any]


def parse_view(
    params: Mapping[str, Any],
    *,
    event_ids: Collection[str],
    event_types: Collection[str],
    first: date | None,
    last: date | None,
    story_steps: int = 0,
) -> tuple[View, list[Message]]:
    """Read a view from query parameters; bad values are dropped with a notice each."""
    known = Known(event_ids, event_types, first, last, story_steps)
    notices: list[Message] = []
    changes: Changes = {}
    for read in (_read_date, _read_event, _read_types, _read_mode, _read_numbers, _read_place):
        changes |= read(params, known, notices)
    changes |= _read_basemap(params, known, notices) | _read_lang(params, known, notices)
    changes |= _read_span(params, notices)
    changes["actors"] = tuple(dict.fromkeys(_values(params, "actor")))
    changes["countries"] = tuple(dict.fromkeys(_values(params, "country")))
    return View(**changes), notices


def _read_date(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    text = _last(params, "date")
    if not text:
        return {}
    day = parse_iso_day(text)
    if day is None:
        notices.append(
            message(
                "notice.date_form", "Ignored date={value}: expected YYYY-MM-DD.", value=repr(text)
            )
        )
        return {}
    first, last = known.first, known.last
    if first is not None and last is not None and not first <= day <= last:
        notices.append(
            message(
                "notice.date_range",
                "Ignored date={value}: the data covers {first} to {last}.",
                value=text,
                first=Numeral(f"{first:%Y-%m-%d}"),
                last=Numeral(f"{last:%Y-%m-%d}"),
            )
        )
        return {}
    return {"date": day}


def read_span(params: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """The dates a large table is read over (`from`, `to`); a malformed one is left out, and
    a range given backwards is read forwards."""
    start, end = (parse_iso_day(_last(params, name) or "") for name in ("from", "to"))
    if start is not None and end is not None and end < start:
        start, end = end, start
    return start, end


def _read_span(params: Mapping[str, Any], notices: list[Message]) -> Changes:
    for name in ("from", "to"):
        text = _last(params, name)
        if text and parse_iso_day(text) is None:
            notices.append(
                message(
                    "notice.day_form",
                    "Ignored {name}={value}: expected YYYY-MM-DD.",
                    name=name,
                    value=repr(text),
                )
            )
    start, end = read_span(params)
    return {"read_from": start, "read_to": end}


def _read_event(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    text = _last(params, "event")
    if not text:
        return {}
    if text in known.event_ids:
        return {"event": text}
    notices.append(
        message("notice.event", "Ignored event={value}: no event has that id.", value=repr(text))
    )
    return {}


def _read_types(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    if "types" not in params:
        return {}
    wanted = [t for v in _values(params, "types") for t in split_types(v, known.event_types)]
    chosen = [t for t in wanted if t in known.event_types]
    unknown = [t for t in wanted if t not in known.event_types]
    if unknown:
        notices.append(
            message(
                "notice.types",
                "Ignored unknown event types: {types}",
                types=", ".join(repr(t) for t in unknown),
            )
        )
    return {"types": tuple(dict.fromkeys(chosen))} if chosen or not wanted else {}


def split_types(value: str, known: Collection[str]) -> list[str]:
    """The names in a `types` value: a dataset's own category may hold commas, and an empty
    item is "no category" where the dataset has events without one."""
    if not value.strip():
        return []
    pieces = value.split(",")
    # Only as many pieces as the most commas in a known name are ever joined: linear time.
    reach = 1 + max((name.count(",") for name in known), default=0)
    names: list[str] = []
    i = 0
    while i < len(pieces):
        ends = range(min(len(pieces), i + reach), i, -1)
        end = next((j for j in ends if ",".join(pieces[i:j]).strip() in known), i + 1)
        name = ",".join(pieces[i:end]).strip()
        if name or "" in known:
            names.append(name)
        i = end
    return names


def _read_mode(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    text = _last(params, "mode")
    if not text:
        return {}
    if text in MODES:
        return {"mode": text}
    notices.append(
        message("notice.mode", "Ignored mode={value}: use cumulative or window.", value=repr(text))
    )
    return {}


def _read_numbers(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    changes = _int_param(params, "window", notices) | _int_param(params, "zoom", notices)
    if known.story_steps:
        changes |= _int_param(params, "story", notices, high=known.story_steps)
    elif _last(params, "story"):
        notices.append(message("notice.no_story", "Ignored story: this dataset has no story."))
    return changes


def _read_place(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    lat, lon = _last(params, "lat"), _last(params, "lon")
    if not (lat or lon):
        return {}
    try:
        lat_value, lon_value = float(lat or "nan"), float(lon or "nan")
    except ValueError:
        lat_value = lon_value = math.nan
    if _within("lat", lat_value) and _within("lon", lon_value):
        return {"lat": lat_value, "lon": lon_value}
    notices.append(
        message(
            "notice.place",
            "Ignored lat={lat}, lon={lon}: not a place on the map.",
            lat=repr(lat),
            lon=repr(lon),
        )
    )
    return {}


def _read_basemap(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    text = _last(params, "basemap")
    if not text:
        return {}
    if text in BASEMAPS:
        return {"basemap": text}
    notices.append(
        message(
            "notice.basemap",
            "Ignored basemap={value}: use one of {choices}.",
            value=repr(text),
            choices=", ".join(BASEMAPS),
        )
    )
    return {}


def _read_lang(params: Mapping[str, Any], known: Known, notices: list[Message]) -> Changes:
    text = _last(params, "lang")
    if not text:
        return {}
    if text in LANGUAGES:
        return {"lang": text}
    notices.append(
        message(
            "notice.lang",
            "Ignored lang={value}: use one of {choices}.",
            value=repr(text),
            choices=", ".join(LANGUAGES),
        )
    )
    return {}


def _within(name: str, value: float) -> bool:
    setting = SETTINGS[name]
    low = -math.inf if setting.low is None else setting.low
    high = math.inf if setting.high is None else setting.high
    return low <= value <= high


def _int_param(
    params: Mapping[str, Any], name: str, notices: list[Message], high: int | None = None
) -> Changes:
    setting = SETTINGS[name]
    low = int(setting.low or 0)
    high = high if high is not None else int(setting.high or 0)
    text = _last(params, name)
    if not text:
        return {}
    if not WHOLE_NUMBER.fullmatch(text):
        notices.append(
            message(
                "notice.not_whole",
                "Ignored {name}={value}: expected a whole number.",
                name=name,
                value=repr(text),
            )
        )
        return {}
    value = int(text)
    if not low <= value <= high:
        notices.append(
            message(
                "notice.out_of_range",
                "Ignored {name}={value}: expected {low} to {high}.",
                name=name,
                value=value,
                low=low,
                high=high,
            )
        )
        return {}
    return {name: value}


def view_to_params(view: View) -> dict[str, str | list[str]]:
    """Query parameters describing a view (defaults left out, except the date).

    This is the one writer of the address; "Share this view" shows the address itself.
    """
    params: dict[str, str | list[str]] = {}
    if view.date is not None:
        params["date"] = view.date.isoformat()
    if view.event:
        params["event"] = view.event
    if view.types is not None:
        # "no category" alone is written "," so that it differs from choosing no type at all.
        params["types"] = "," if view.types == ("",) else ",".join(view.types)
    if view.mode != SETTINGS["mode"].default:
        params["mode"] = view.mode
    if view.mode == "window":
        params["window"] = str(view.window)
    if view.lat is not None and view.lon is not None:
        params["lat"] = f"{view.lat:.4f}"
        params["lon"] = f"{view.lon:.4f}"
    if view.zoom is not None:
        params["zoom"] = str(view.zoom)
    if view.story is not None:
        params["story"] = str(view.story)
    if view.basemap != SETTINGS["basemap"].default:
        params["basemap"] = view.basemap
    if view.actors:
        params["actor"] = list(view.actors)
    if view.countries:
        params["country"] = list(view.countries)
    if view.read_from is not None:
        params["from"] = view.read_from.isoformat()
    if view.read_to is not None:
        params["to"] = view.read_to.isoformat()
    if view.lang:
        params["lang"] = view.lang
    return params


def share_url(base: str, view: View) -> str:
    """The absolute link that opens on this view."""
    query = urlencode(view_to_params(view), doseq=True, safe=",")
    base = base.split("?", 1)[0].split("#", 1)[0]
    return f"{base}?{query}" if query else base
