"""View state <-> URL: good values restore the view, bad ones are named, links round-trip."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.language import LANGUAGES
from geo.messages import Message
from geo.model import EVENT_TYPES
from geo.share import (
    BASEMAPS,
    MAX_VALUE_LENGTH,
    SETTINGS,
    View,
    parameter_table,
    parse_view,
    share_url,
    split_types,
    view_to_params,
)
from geo.timeline import MODES

EVENT_IDS = frozenset({"e1", "e2", "k1-rocket-attack"})
FIRST, LAST = date(2019, 12, 27), date(2020, 1, 3)
STORY_STEPS = 5


def parse(params: dict[str, Any], story_steps: int = STORY_STEPS) -> tuple[View, list[Message]]:
    return parse_view(
        params,
        event_ids=EVENT_IDS,
        event_types=EVENT_TYPES,
        first=FIRST,
        last=LAST,
        story_steps=story_steps,
    )


GOOD: list[Any] = [
    pytest.param({}, {}, id="empty"),
    pytest.param({"date": "2019-12-31"}, {"date": date(2019, 12, 31)}, id="date"),
    pytest.param({"date": " 2020-01-03 "}, {"date": LAST}, id="date-with-spaces"),
    pytest.param({"date": "2019-12-27"}, {"date": FIRST}, id="first-day"),
    pytest.param({"event": "k1-rocket-attack"}, {"event": "k1-rocket-attack"}, id="event"),
    pytest.param({"types": "Battles,Riots"}, {"types": ("Battles", "Riots")}, id="types"),
    pytest.param({"types": " Riots , Battles "}, {"types": ("Riots", "Battles")}, id="types-sp"),
    pytest.param({"types": "Battles,Battles"}, {"types": ("Battles",)}, id="types-repeated"),
    pytest.param({"types": ""}, {"types": ()}, id="no-types"),
    pytest.param({"mode": "window"}, {"mode": "window"}, id="mode"),
    pytest.param({"window": "1"}, {"window": 1}, id="window-min"),
    pytest.param({"window": "3650"}, {"window": 3650}, id="window-max"),
    pytest.param({"zoom": "18"}, {"zoom": 18}, id="zoom"),
    pytest.param({"story": "5"}, {"story": 5}, id="story-last-step"),
    pytest.param({"lat": "33.3", "lon": "-44.4"}, {"lat": 33.3, "lon": -44.4}, id="place"),
    pytest.param({"lat": "-90", "lon": "180"}, {"lat": -90.0, "lon": 180.0}, id="place-edge"),
    pytest.param({"basemap": "dark"}, {"basemap": "dark"}, id="basemap"),
    pytest.param({"actor": "US forces"}, {"actors": ("US forces",)}, id="actor"),
    pytest.param({"actor": ["A", "B, C", "A"]}, {"actors": ("A", "B, C")}, id="actors"),
    pytest.param({"country": ["Iraq", "Syria"]}, {"countries": ("Iraq", "Syria")}, id="countries"),
    pytest.param({"date": ["2019-12-28", "2019-12-29"]}, {"date": date(2019, 12, 29)}, id="last"),
    pytest.param({"unknown": "x", "lat": ""}, {}, id="unknown-and-blank-ignored"),
    pytest.param({"lang": "ar"}, {"lang": "ar"}, id="lang-ar"),
    pytest.param({"lang": " fa "}, {"lang": "fa"}, id="lang-fa"),
]
BAD: list[Any] = [
    pytest.param({"date": "2019-13-01"}, {}, "Ignored date='2019-13-01'", id="date-bad"),
    pytest.param({"date": "yesterday"}, {}, "expected YYYY-MM-DD", id="date-words"),
    pytest.param({"date": "2021-01-01"}, {}, "data covers 2019-12-27 to 2020-01-03", id="late"),
    pytest.param({"date": "2019-12-26"}, {}, "data covers", id="date-early"),
    pytest.param({"event": "nope"}, {}, "no event has that id", id="event"),
    pytest.param({"event": "<script>"}, {}, "Ignored event='<script>'", id="event-hostile"),
    pytest.param(
        {"types": "Battles,Bogus"}, {"types": ("Battles",)}, "'Bogus'", id="types-some-unknown"
    ),
    pytest.param({"types": "Bogus"}, {}, "Ignored unknown event types: 'Bogus'", id="types"),
    pytest.param({"types": "battles"}, {}, "'battles'", id="types-wrong-case"),
    pytest.param({"mode": "weekly"}, {}, "Ignored mode='weekly'", id="mode"),
    pytest.param({"window": "0"}, {}, "Ignored window=0: expected 1 to 3,650", id="window-0"),
    pytest.param({"window": "3651"}, {}, "expected 1 to 3,650", id="window-too-big"),
    pytest.param({"window": "7.5"}, {}, "Ignored window='7.5': expected a whole", id="window-7.5"),
    pytest.param({"window": "week"}, {}, "expected a whole number", id="window-words"),
    pytest.param({"zoom": "0"}, {}, "Ignored zoom=0: expected 1 to 18", id="zoom-0"),
    pytest.param({"zoom": "19"}, {}, "expected 1 to 18", id="zoom-19"),
    pytest.param({"story": "6"}, {}, "Ignored story=6: expected 1 to 5", id="story-past-end"),
    pytest.param({"story": "0"}, {}, "expected 1 to 5", id="story-0"),
    pytest.param({"lat": "95", "lon": "44"}, {}, "Ignored lat='95', lon='44'", id="lat-95"),
    pytest.param({"lat": "33", "lon": "-181"}, {}, "not a place on the map", id="lon-181"),
    pytest.param({"lat": "33"}, {}, "Ignored lat='33', lon=None", id="lat-only"),
    pytest.param({"lon": "44"}, {}, "not a place on the map", id="lon-only"),
    pytest.param({"lat": "north", "lon": "44"}, {}, "not a place", id="lat-words"),
    pytest.param({"lat": "nan", "lon": "nan"}, {}, "not a place", id="nan"),
    pytest.param({"lat": "inf", "lon": "44"}, {}, "not a place", id="inf"),
    pytest.param({"basemap": "satellite"}, {}, "use one of offline, osm, light, dark", id="map"),
    pytest.param({"lang": "de"}, {}, "Ignored lang='de': use one of en, ar, fa", id="lang-de"),
    pytest.param({"lang": "AR"}, {}, "Ignored lang='AR'", id="lang-case"),
    pytest.param(
        {"date": "2019-12-30", "zoom": "99", "basemap": "osm"},
        {"date": date(2019, 12, 30), "basemap": "osm"},
        "Ignored zoom=99",
        id="bad-among-good",
    ),
]


@pytest.mark.parametrize(("params", "changes"), GOOD)
def test_parse_view_good(params: dict[str, Any], changes: dict[str, Any]) -> None:
    assert parse(params) == (View(**changes), [])


@pytest.mark.parametrize(("params", "changes", "notice"), BAD)
def test_parse_view_bad(params: dict[str, Any], changes: dict[str, Any], notice: str) -> None:
    view, notices = parse(params)
    assert view == View(**changes)
    assert len(notices) == 1
    assert notice in str(notices[0])


def test_story_without_a_story_is_named() -> None:
    view, notices = parse({"story": "2"}, story_steps=0)
    assert view == View()
    assert [str(n) for n in notices] == ["Ignored story: this dataset has no story."]
    assert notices[0].key == "notice.no_story"


def test_long_values_are_cut_before_use() -> None:
    view, notices = parse({"event": "e" * 10_000, "actor": "a" * 10_000})
    assert view.event is None
    assert view.actors == ("a" * MAX_VALUE_LENGTH,)
    assert len(str(notices[0])) < MAX_VALUE_LENGTH + 100


def test_list_valued_params_read_like_single_values() -> None:
    single = {
        "date": "2019-12-30",
        "event": "e2",
        "types": "Battles,Protests",
        "mode": "window",
        "window": "3",
        "lat": "33.3",
        "lon": "44.4",
        "zoom": "7",
        "story": "2",
        "basemap": "light",
        "actor": "A & B",
        "country": "Iraq",
    }
    as_lists = {k: [v] for k, v in single.items()}
    expected = View(
        date=date(2019, 12, 30),
        event="e2",
        types=("Battles", "Protests"),
        mode="window",
        window=3,
        lat=33.3,
        lon=44.4,
        zoom=7,
        story=2,
        basemap="light",
        actors=("A & B",),
        countries=("Iraq",),
    )
    assert parse(single) == (expected, [])
    assert parse(as_lists) == (expected, [])
    assert parse(as_lists | {"types": ["Battles", "Protests,Battles"]}) == (expected, [])


# ---- round trips -----------------------------------------------------------------------------

ACTOR_NAMES = (
    "US forces",
    "Kataib Hezbollah",
    "A, B & C",
    "Ḥashd al-Shaʿbī",
    "الحشد الشعبي",
    "x=y?z#w",
    "100% + more",
    "a/b;c",
)


def random_view(rng: random.Random) -> View:
    """A view a user could reach: values the widgets and the map can produce."""
    mode = rng.choice(MODES)
    place = rng.random() < 0.5
    return View(
        date=FIRST + timedelta(days=rng.randrange(8)) if rng.random() < 0.9 else None,
        event=rng.choice(sorted(EVENT_IDS)) if rng.random() < 0.5 else None,
        types=tuple(rng.sample(EVENT_TYPES, rng.randrange(len(EVENT_TYPES) + 1)))
        if rng.random() < 0.6
        else None,
        mode=mode,
        window=rng.randint(1, 3650) if mode == "window" else 7,
        lat=round(rng.uniform(-90, 90), 4) if place else None,
        lon=round(rng.uniform(-180, 180), 4) if place else None,
        zoom=rng.randint(1, 18) if rng.random() < 0.5 else None,
        story=rng.randint(1, STORY_STEPS) if rng.random() < 0.3 else None,
        basemap=rng.choice(list(BASEMAPS)),
        actors=tuple(rng.sample(ACTOR_NAMES, rng.randrange(4))),
        countries=tuple(rng.sample(("Iraq", "Syria", "Iran", "Côte d'Ivoire"), rng.randrange(3))),
        lang=rng.choice([None, *LANGUAGES]),
    )


VIEWS = [random_view(random.Random(seed)) for seed in range(200)]


@pytest.mark.parametrize("view", VIEWS)
def test_view_to_params_round_trips(view: View) -> None:
    assert parse(view_to_params(view)) == (view, [])


@pytest.mark.parametrize("view", VIEWS)
def test_share_url_round_trips(view: View) -> None:
    url = share_url("https://flashpoint.example/app/", view)
    assert url.isascii()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        "https",
        "flashpoint.example",
        "/app/",
        "",
    )
    assert parse(parse_qs(parts.query, keep_blank_values=True)) == (view, [])


def test_default_view_has_no_parameters() -> None:
    assert view_to_params(View()) == {}
    assert share_url("https://x.example/app", View()) == "https://x.example/app"


BASES = [
    pytest.param("https://x.example/app", "https://x.example/app", id="plain"),
    pytest.param("https://x.example/app/?date=2019-01-01&zoom=3", "https://x.example/app/", id="q"),
    pytest.param("https://x.example/a/b#frag", "https://x.example/a/b", id="fragment"),
    pytest.param("https://x.example/a#f?zoom=3", "https://x.example/a", id="fragment-then-q"),
    pytest.param("http://localhost:8501/?x=1#y", "http://localhost:8501/", id="local"),
]


@pytest.mark.parametrize(("base", "kept"), BASES)
def test_share_url_keeps_the_base_path_only(base: str, kept: str) -> None:
    url = share_url(base, View(date=FIRST, zoom=5))
    assert url == f"{kept}?date=2019-12-27&zoom=5"


def test_share_url_encodes_awkward_actors() -> None:
    actors = ("A, B & C", "x=y?z#w", "Ḥashd al-Shaʿbī", "100% + more")
    url = share_url("https://x.example/app", View(actors=actors, countries=("Côte d'Ivoire",)))
    assert url.isascii()
    assert "#" not in url
    query = urlsplit(url).query
    assert query.count("&") == len(actors)
    assert parse_qs(query) == {"actor": list(actors), "country": ["Côte d'Ivoire"]}


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"date": "20191229"}, "expected YYYY-MM-DD"),
        ({"date": "2019-12-29T00:00"}, "expected YYYY-MM-DD"),
        ({"window": "1_0"}, "expected a whole number"),
        ({"zoom": " 7 "}, None),
        ({"zoom": "+7"}, "expected a whole number"),
    ],
)
def test_only_plain_spellings_are_accepted(params: dict[str, str], notice: str | None) -> None:
    view, notices = parse_view(
        params,
        event_ids=set(),
        event_types=set(),
        first=date(2019, 1, 1),
        last=date(2020, 12, 31),
    )
    if notice is None:
        assert notices == [] and view.zoom == 7
    else:
        assert len(notices) == 1 and notice in str(notices[0])


def test_the_readme_lists_every_parameter_as_declared() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = "\n".join(line.strip() for line in readme.splitlines())
    assert parameter_table() in table, "README's parameter table differs from SETTINGS"
    for name in SETTINGS:
        assert f"| `{name}` |" in table


# ---- a dataset's own categories in the address -----------------------------------------------

OWN_TYPES = ("Airstrike", "Attack, armed", "SOF", "")
SPLITS = [
    pytest.param("Airstrike,SOF", ["Airstrike", "SOF"], id="plain"),
    pytest.param("Attack, armed,SOF", ["Attack, armed", "SOF"], id="comma-in-a-name"),
    pytest.param("Attack,SOF", ["Attack", "SOF"], id="part-of-a-name-is-unknown"),
    pytest.param("SOF,", ["SOF", ""], id="no-category"),
    pytest.param(",", ["", ""], id="only-no-category"),
    pytest.param("", [], id="nothing"),
]


@pytest.mark.parametrize(("value", "names"), SPLITS)
def test_split_types(value: str, names: list[str]) -> None:
    assert split_types(value, OWN_TYPES) == names


def test_an_empty_item_means_nothing_where_every_event_has_a_category() -> None:
    assert split_types("Battles,,Riots,", EVENT_TYPES) == ["Battles", "Riots"]


@pytest.mark.parametrize(
    "types",
    [
        pytest.param(combo, id="+".join(t or "none" for t in combo) or "empty")
        for size in range(len(OWN_TYPES) + 1)
        for combo in itertools.permutations(OWN_TYPES, size)
        if size <= 2 or combo == OWN_TYPES
    ],
)
def test_own_categories_round_trip_through_the_address(types: tuple[str, ...]) -> None:
    params = view_to_params(View(types=types))
    view, notices = parse_view(params, event_ids=(), event_types=OWN_TYPES, first=FIRST, last=LAST)
    assert (view.types, notices) == (types, [])
