"""Story mode through AppTest: start, step, share a step by its link, leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.dataset import Dataset
from geo.story import Story, load_story
from geo.timeline import day_number
from tests.test_dashboard import heading, view_state

App = Callable[..., AppTest]


def shipped_story() -> Story:
    """The story that comes with the bundled dataset."""
    story, problems = load_story(Path(__file__).resolve().parent.parent / "data" / "story.json")
    assert story is not None, problems
    return story


STORY = shipped_story()


def card_step(at: AppTest) -> int | None:
    """The story step the caption card shows, if any."""
    for element in at.html:
        body = element.proto.body
        if 'class="fp-story"' in body:
            return int(body.split('data-story-step="')[1].split('"')[0])
    return None


def test_start_walks_the_main_story_in_order(app: App, bundled: Dataset) -> None:
    at = app().run()
    assert card_step(at) is None
    at.button(key="story_start").click().run()
    main = STORY.main_steps
    assert card_step(at) == main[0].number
    for step in main[1:]:
        at.button(key="story_next").click().run()
        assert not at.exception
        assert card_step(at) == step.number
        assert at.query_params["story"] == str(step.number)
        assert at.session_state["date"] == step.date
        payload = view_state(at)
        assert payload["day"] == day_number(step.date)
        assert sorted(payload["highlight"]) == sorted(bundled.row_of_id[e] for e in step.events)
        assert payload["fly"] is not None
        (south, west), (north, east) = payload["fly"]
        for event_id in step.events:
            event = bundled.event(event_id)
            assert event is not None
            for lon, lat in event.geometry.coords:
                assert south <= lat <= north and west <= lon <= east
    assert at.button(key="story_next").disabled


def test_a_story_link_opens_on_that_step(app: App) -> None:
    step = STORY.main_steps[3]
    at = app(story=str(step.number)).run()
    assert card_step(at) == step.number
    assert heading(at) == f"{step.date:%a} {step.date.day} {step.date:%b %Y}"
    text = next(h.proto.body for h in at.html if "fp-story" in h.proto.body)
    assert escape(step.title) in text


def test_prologue_is_one_toggle_away(app: App) -> None:
    at = app().run()
    at.button(key="story_start").click().run()
    first_main = STORY.main_steps[0].number
    assert at.button(key="story_prev").disabled
    at.toggle(key="story_prologue").set_value(True).run()
    at.button(key="story_prev").click().run()
    assert card_step(at) == first_main - 1
    step = STORY.step(first_main - 1)
    assert step is not None
    assert view_state(at)["day"] == day_number(step.date)


def test_leaving_the_story_keeps_the_date(app: App) -> None:
    step = STORY.main_steps[2]
    at = app(story=str(step.number)).run()
    at.button(key="story_leave").click().run()
    assert card_step(at) is None
    assert "story" not in at.query_params
    assert at.session_state["date"] == step.date
    assert view_state(at)["highlight"] == []


def test_bad_story_number_gives_a_notice(app: App) -> None:
    at = app(story="99").run()
    assert not at.exception
    assert card_step(at) is None
    assert any("story" in t.value for t in at.toast)
    assert at.session_state["date"] == date(2020, 1, 3)
