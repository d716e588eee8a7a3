"""The guided story: the shipped story checks clean, each kind of bad story names its problem."""

from __future__ import annotations

import io
import itertools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, main
from geo.dataset import Dataset
from geo.story import (
    MIN_SPAN_DEG,
    Story,
    StoryStep,
    check_story,
    coordinates_by_id,
    dates_by_id,
    load_story,
    parse_story,
    step_bounds,
)

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "data" / "locations.geojson"
STORY = ROOT / "data" / "story.json"

EVENT_DATES = {"a": date(2019, 12, 27), "b": date(2019, 12, 29), "c": date(2020, 1, 3)}


def raw_step(**overrides: Any) -> dict[str, Any]:
    """A valid step as it appears in story.json, with some fields changed."""
    step: dict[str, Any] = {
        "title": "Rockets",
        "caption": "Rockets hit a base.",
        "date": "2019-12-27",
        "events": ["a"],
        "quote_event": "a",
    }
    step.update(overrides)
    return step


def document(*steps: Any) -> dict[str, Any]:
    """A story document with these steps."""
    return {"title": "A story", "steps": list(steps)}


def make_step(number: int, day: date, events: tuple[str, ...] = ("a",), **kw: Any) -> StoryStep:
    """A story step built directly."""
    return StoryStep(
        number=number,
        title=f"Step {number}",
        caption="Something happened.",
        date=day,
        events=events,
        quote_event=kw.pop("quote_event", events[0]),
        **kw,
    )


@pytest.fixture(scope="module")
def shipped() -> Story:
    story, problems = load_story(STORY)
    assert problems == []
    assert story is not None
    return story


# --- the shipped story ---------------------------------------------------------------------


def test_shipped_story_checks_clean(shipped: Story, bundled: Dataset) -> None:
    dates = dates_by_id(bundled.events)
    assert check_story(shipped, dates.keys(), dates) == []


def test_shipped_story_has_prologue_then_main_steps(shipped: Story) -> None:
    assert len(shipped.prologue_steps) == 4
    assert shipped.steps[: len(shipped.prologue_steps)] == shipped.prologue_steps
    assert all(s.date.year < 2019 for s in shipped.prologue_steps)
    assert all(s.date >= date(2019, 1, 1) for s in shipped.main_steps)


# The crisis as the brief tells it: each of these comes in a later main step than the one before.
CRISIS = (
    "soleimani-baghdad-villa-meeting-2019-10",
    "baghdad-airport-base-rocket-attack-2019-12-09",
    "k1-rocket-attack",
    "us-strike-kh-syria-2",
    "us-embassy-storming",
    "marines-kuwait-to-embassy",
    "82nd-airborne-irf-deployment",
    "baghdad-airport-strike-soleimani-muhandis",
    "dod-statement-soleimani",
)


@pytest.mark.parametrize(("earlier", "later"), list(itertools.pairwise(CRISIS)))
def test_shipped_story_tells_the_crisis_in_order(shipped: Story, earlier: str, later: str) -> None:
    step_of = {eid: s.number for s in reversed(shipped.main_steps) for eid in s.events}
    assert step_of[earlier] < step_of[later]


def test_shipped_steps_quote_the_article_in_a_few_sentences(
    shipped: Story, bundled: Dataset
) -> None:
    for step in shipped.steps:
        event = bundled.event(step.quote_event)
        assert event is not None and event.source_quote, step.label
        sentences = len(re.findall(r"[.!?](?:\s|$)", step.caption))
        assert 2 <= sentences <= 4, step.label


# --- parsing: each malformed step is named; a bad step is left out, the rest kept ----------


WITHOUT_CAPTION = {k: v for k, v in raw_step().items() if k != "caption"}


@pytest.mark.parametrize(
    ("step", "expected", "left_out"),
    [
        (raw_step(), None, False),
        (raw_step(prologue=True), None, False),
        (WITHOUT_CAPTION, "step 2 ('Rockets'): missing caption; step left out", True),
        (raw_step(caption="  "), "caption: must be a non-empty string", True),
        (raw_step(title=3), "step 2: title: must be a non-empty string", True),
        (raw_step(quote_event=""), "quote_event: must be a non-empty string", True),
        (raw_step(date="2019-13-40"), "date: '2019-13-40' is not a date", True),
        (raw_step(date="27/12/2019"), "date: '27/12/2019' is not a date", True),
        (raw_step(date="20191227"), "date: '20191227' is not a date", True),
        (raw_step(date=20191227), "date: '20191227' is not a date", True),
        (raw_step(events="a"), "events: must be a non-empty list", True),
        (raw_step(events=[]), "events: must be a non-empty list", True),
        (raw_step(events=["a", 7]), "events: must be a non-empty list", True),
        (raw_step(prologue="yes"), "prologue: must be true or false", True),
        ("not a step", "step 2: must be an object", True),
        (raw_step(captoin="typo"), "unknown field 'captoin'", False),
        (raw_step(events=["a", "a"]), "'a' is listed more than once", False),
    ],
)
def test_parse_step_problems(step: Any, expected: str | None, left_out: bool) -> None:
    story, problems = parse_story(document(raw_step(title="Good"), step))
    assert story is not None
    assert len(story) == (1 if left_out else 2)
    assert len(problems) == (0 if expected is None else 1)
    if expected is not None:
        assert expected in problems[0]
        assert problems[0].endswith("; step left out") == left_out


def test_parse_story_without_steps() -> None:
    story, problems = parse_story(document())
    assert story is not None and len(story) == 0
    assert problems == ["the story has no usable steps"]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([raw_step()], "must be a JSON object"),
        ({"title": "A story"}, '"steps" must be a list'),
        ({"title": "A story", "steps": {"1": raw_step()}}, '"steps" must be a list'),
    ],
)
def test_parse_not_a_story(doc: Any, expected: str) -> None:
    story, problems = parse_story(doc)
    assert story is None
    assert len(problems) == 1 and expected in problems[0]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"steps": [raw_step()]}, '"title" must be a non-empty string'),
        ({**document(raw_step()), "intro": "x"}, "unknown field 'intro'"),
    ],
)
def test_parse_story_level_problems_keep_the_story(doc: Any, expected: str) -> None:
    story, problems = parse_story(doc)
    assert story is not None and len(story) == 1
    assert len(problems) == 1 and expected in problems[0]


def test_steps_are_numbered_after_bad_ones_are_left_out() -> None:
    story, _ = parse_story(
        document(raw_step(title="One"), raw_step(date="x"), raw_step(title="Three"))
    )
    assert story is not None
    assert [(s.number, s.title) for s in story.steps] == [(1, "One"), (2, "Three")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"title": "A story", "steps": [', "is not valid JSON"),
        (b"", "is not valid JSON"),
        (b"\xff\xfe\x00", "is not UTF-8"),
        (b"[1, 2]", "must be a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_load_unreadable_story(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "story.json"
    path.write_bytes(content)
    story, problems = load_story(path)
    assert story is None
    assert len(problems) == 1 and expected in problems[0]


def test_load_missing_story(tmp_path: Path) -> None:
    story, problems = load_story(tmp_path / "nowhere.json")
    assert story is None
    assert problems and "cannot read nowhere.json" in problems[0]
    assert str(tmp_path) not in problems[0], "a problem never shows where files live"


# --- checking against a dataset -----------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([make_step(1, date(2019, 12, 27))], []),
        (
            [make_step(1, date(2019, 12, 27), ("a", "nope"))],
            ["step 1 ('Step 1'): events: unknown event id 'nope'"],
        ),
        (
            [make_step(1, date(2019, 12, 29), ("b",)), make_step(2, date(2019, 12, 27))],
            ["step 2 ('Step 2'): date: 2019-12-27 is before the previous step's 2019-12-29"],
        ),
        (
            [make_step(1, date(2019, 12, 29), ("a", "b"), quote_event="c")],
            ["step 1 ('Step 1'): quote_event: 'c' is not one of the step's events"],
        ),
        (
            [make_step(1, date(2019, 12, 28), ("a", "b"))],
            ["step 1 ('Step 1'): events: 'b' starts 2019-12-29, after the step's date 2019-12-28"],
        ),
        (
            [make_step(1, date(2019, 12, 27)), make_step(2, date(2019, 12, 29), prologue=True)],
            ["step 2 ('Step 2'): prologue: prologue steps must come before the story"],
        ),
        (
            [make_step(1, date(2019, 12, 27)), make_step(2, date(2019, 12, 27))],
            [],
        ),
    ],
)
def test_check_story(steps: list[StoryStep], expected: list[str]) -> None:
    problems = check_story(Story("A story", tuple(steps)), EVENT_DATES.keys(), EVENT_DATES)
    assert len(problems) == len(expected)
    for problem, text in zip(problems, expected, strict=True):
        assert problem.startswith(text)


def test_check_story_without_dates_skips_the_date_check() -> None:
    story = Story("A story", (make_step(1, date(2000, 1, 1)),))
    assert check_story(story, EVENT_DATES.keys()) == []
    assert check_story(story, EVENT_DATES.keys(), EVENT_DATES) != []


def test_story_numbers_must_run_from_one() -> None:
    with pytest.raises(ValueError, match="numbered"):
        Story("A story", (make_step(2, date(2019, 12, 27)),))


# --- navigation ---------------------------------------------------------------------------

WALK = Story(
    "A story",
    (
        make_step(1, date(2014, 6, 10), prologue=True),
        make_step(2, date(2015, 3, 2), prologue=True),
        make_step(3, date(2019, 12, 27)),
        make_step(4, date(2019, 12, 29)),
    ),
)


@pytest.mark.parametrize(
    ("number", "include_prologue", "previous", "following"),
    [
        (1, True, None, 2),
        (2, True, 1, 3),
        (3, True, 2, 4),
        (4, True, 3, None),
        (3, False, None, 4),
        (4, False, 3, None),
        (1, False, None, 3),
        (2, False, None, 3),
    ],
)
def test_walk(
    number: int, include_prologue: bool, previous: int | None, following: int | None
) -> None:
    before = WALK.previous_step(number, include_prologue)
    after = WALK.next_step(number, include_prologue)
    assert (before.number if before else None) == previous
    assert (after.number if after else None) == following


@pytest.mark.parametrize(("include_prologue", "numbers"), [(True, [1, 2, 3, 4]), (False, [3, 4])])
def test_steps_for(include_prologue: bool, numbers: list[int]) -> None:
    assert [s.number for s in WALK.steps_for(include_prologue)] == numbers


@pytest.mark.parametrize(("number", "found"), [(0, None), (1, 1), (4, 4), (5, None), (-1, None)])
def test_step_by_url_number(number: int, found: int | None) -> None:
    step = WALK.step(number)
    assert (step.number if step else None) == found


# --- where a step flies to ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("coordinates", "expected"),
    [
        ({"a": [(44.0, 33.0)]}, ((32.75, 43.75), (33.25, 44.25))),
        ({"a": [(40.0, 30.0)], "b": [(50.0, 40.0)]}, ((28.5, 38.5), (41.5, 51.5))),
        ({"a": [(40.0, 33.0), (50.0, 33.0)]}, ((32.75, 38.5), (33.25, 51.5))),
        ({"b": [(44.0, 33.0)]}, ((32.75, 43.75), (33.25, 44.25))),
        ({"c": [(44.0, 33.0)]}, None),
        ({"a": [(float("nan"), 33.0)]}, None),
        ({"a": [(179.9, 89.0)]}, ((84.5, 179.5), (85.0, 180.0))),
        ({"a": [(-180.0, -85.0)]}, ((-85.0, -180.0), (-84.5, -179.5))),
    ],
)
def test_step_bounds(
    coordinates: dict[str, list[tuple[float, float]]],
    expected: tuple[tuple[float, float], tuple[float, float]] | None,
) -> None:
    bounds = step_bounds(make_step(1, date(2020, 1, 1), ("a", "b")), coordinates)
    if expected is None:
        assert bounds is None
        return
    assert bounds is not None
    (south, west), (north, east) = bounds
    assert (south, west, north, east) == pytest.approx((*expected[0], *expected[1]))


def test_shipped_steps_fly_to_all_their_events(shipped: Story, bundled: Dataset) -> None:
    coordinates = coordinates_by_id(bundled.events)
    for step in shipped.steps:
        bounds = step_bounds(step, coordinates)
        assert bounds is not None, step.label
        (south, west), (north, east) = bounds
        assert north - south >= MIN_SPAN_DEG and east - west >= MIN_SPAN_DEG
        for eid in step.events:
            for lon, lat in coordinates[eid]:
                assert south < lat < north and west < lon < east, (step.label, eid)


def test_indexes_of_the_bundled_events(bundled: Dataset) -> None:
    dates = dates_by_id(bundled.events)
    coordinates = coordinates_by_id(bundled.events)
    assert len(dates) == len(coordinates) == len(bundled)
    assert dates["k1-rocket-attack"] == date(2019, 12, 27)
    assert coordinates["k1-rocket-attack"] == ((44.28417, 35.5125),)
    assert len(coordinates["marines-kuwait-to-embassy"]) == 2


# --- command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "code", "in_out", "in_err"),
    [
        (None, EXIT_OK, "no problems found", ""),
        (STORY.read_text(encoding="utf-8"), EXIT_OK, "13 steps (4 prologue, 9 main)", ""),
        (
            json.dumps(document(raw_step(events=["k1-rocket-attack", "nope"]))),
            EXIT_PROBLEMS,
            "unknown event id 'nope'",
            "",
        ),
        (
            json.dumps(document(raw_step(events=["dod-statement-soleimani"], date="2019-12-27"))),
            EXIT_PROBLEMS,
            "after the step's date",
            "",
        ),
        (json.dumps(document(raw_step(caption=""))), EXIT_PROBLEMS, "caption", ""),
        ('{"title": "x", "steps": [', EXIT_UNREADABLE, "", "is not valid JSON"),
        ('{"title": "x", "steps": 3}', EXIT_UNREADABLE, "", '"steps" must be a list'),
    ],
)
def test_cli_story_exit_codes(
    tmp_path: Path, story: str | None, code: int, in_out: str, in_err: str
) -> None:
    argv = ["validate", str(EVENTS)]
    if story is not None:
        path = tmp_path / "story.json"
        path.write_text(story, encoding="utf-8")
        argv += ["--story", str(path)]
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out, err) == code
    assert in_out in out.getvalue()
    assert in_err in err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()


@pytest.mark.parametrize(("events_missing", "story_missing"), [(True, False), (False, True)])
def test_cli_unreadable_files(tmp_path: Path, events_missing: bool, story_missing: bool) -> None:
    events = tmp_path / "missing.geojson" if events_missing else EVENTS
    story = tmp_path / "missing.json" if story_missing else STORY
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(events), "--story", str(story)], out, err) == EXIT_UNREADABLE
    assert err.getvalue().startswith("error: ")


def test_cli_events_problems_still_exit_one_with_a_good_story(tmp_path: Path) -> None:
    events = json.loads(EVENTS.read_text(encoding="utf-8"))
    events["features"][0]["properties"]["fatalities"] = "many"
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps(events), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(path), "--story", str(STORY)], out, err) == EXIT_PROBLEMS
    assert "13 steps" in out.getvalue()
