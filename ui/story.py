"""Story mode: the article told step by step on the map, on top of free exploration."""

from __future__ import annotations

from html import escape
from pathlib import Path

import streamlit as st

from geo.dataset import Dataset
from geo.story import (
    Bounds,
    Story,
    StoryStep,
    check_story,
    coordinates_by_id,
    dates_by_id,
    load_story,
    step_bounds,
)
from ui.language import current_language
from ui.state import select_event, set_date, set_story


@st.cache_resource(max_entries=8, show_spinner=False)
def load_checked_story(
    path: str, mtime_ns: int, _dataset: Dataset, token: str
) -> tuple[Story | None, list[str]]:
    """A dataset's story, checked against its events; loaded once per process."""
    story, problems = load_story(path)
    if story is not None:
        problems += check_story(story, _dataset.row_of_id, dates_by_id(_dataset.events))
    return story, problems


def story_for(dataset: Dataset) -> Story | None:
    """The story that comes with a dataset on disk, if it names one and it is usable."""
    if dataset.folder is None or dataset.story_name is None:
        return None
    path = Path(dataset.folder) / dataset.story_name
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    token = f"{dataset.name}:{len(dataset)}:{dataset.serial}"
    story, problems = load_checked_story(str(path), mtime, dataset, token)
    if problems:
        with st.sidebar.expander(current_language().t("story.problems", count=len(problems))):
            for problem in problems[:50]:
                st.text(problem)
    return story


def go_to_step(dataset: Dataset, story: Story, number: int) -> None:
    """Enter a step: set its date, select its main event, remember it for the URL."""
    step = story.step(number)
    if step is None:
        return
    set_story(number)
    set_date(step.date)
    select_event(step.quote_event)
    if step.prologue:
        st.session_state.story_prologue = True


def start_story(dataset: Dataset, story: Story) -> None:
    """Begin at the first step (the prologue is one click away)."""
    steps = story.steps_for(bool(st.session_state.get("story_prologue")))
    go_to_step(dataset, story, steps[0].number)


def leave_story() -> None:
    """Back to free exploration, at the current date."""
    set_story(None)


def step_highlight(dataset: Dataset, story: Story, number: int) -> tuple[list[int], Bounds | None]:
    """Rows of the step's events and the bounds the map flies to."""
    step = story.step(number)
    if step is None:
        return [], None
    rows = [dataset.row_of_id[e] for e in step.events if e in dataset.row_of_id]
    chosen = dataset.events.iloc[rows]
    return rows, step_bounds(step, coordinates_by_id(chosen))


def story_card(dataset: Dataset, story: Story, number: int) -> None:
    """The caption card: step counter, caption, source quote, and the story controls."""
    step = story.step(number)
    if step is None:
        return
    state = st.session_state
    include = bool(state.get("story_prologue")) or step.prologue
    steps = story.steps_for(include)
    position = next((i for i, s in enumerate(steps) if s.number == number), 0) + 1
    previous = story.previous_step(number, include)
    following = story.next_step(number, include)
    t = current_language().t
    with st.container(border=True, key="story_card"):
        top = st.columns([6, 1.2, 1.2, 1.4], vertical_alignment="center")
        top[0].html(_card_html(story, step, position, len(steps), dataset))
        top[1].button(
            t("story.back"),
            icon=":material/arrow_back:",
            key="story_prev",
            disabled=previous is None,
            on_click=go_to_step,
            args=(dataset, story, previous.number if previous else number),
            width="stretch",
        )
        top[2].button(
            t("story.next"),
            icon=":material/arrow_forward:",
            key="story_next",
            type="primary",
            disabled=following is None,
            on_click=go_to_step,
            args=(dataset, story, following.number if following else number),
            width="stretch",
        )
        top[3].button(t("story.leave"), key="story_leave", on_click=leave_story, width="stretch")
        if story.prologue_steps:
            years = sorted({s.date.year for s in story.prologue_steps})
            span = f"{years[0]}\N{EN DASH}{years[-1]}" if len(years) > 1 else str(years[0])
            span = current_language().native_digits(span)
            st.toggle(t("story.background", span=span), key="story_prologue")


def _card_html(story: Story, step: StoryStep, position: int, total: int, dataset: Dataset) -> str:
    quoted = dataset.event(step.quote_event)
    quote = quoted.source_quote if quoted else ""
    lang = current_language()
    count = lang.t("story.count", title=story.title_in(lang.code), position=position, total=total)
    # The article's quote is the source's own words: it stays in English, marked as such.
    return (
        f'<div class="fp-story" data-story-step="{step.number}">'
        f'<div class="fp-story-count">{escape(count)}</div>'
        f'<h3 class="fp-story-title">{escape(step.text("title", lang.code))}</h3>'
        f'<p class="fp-story-caption">{escape(step.text("caption", lang.code))}</p>'
        + (
            f'<blockquote class="fp-quote" lang="en" dir="ltr">{escape(quote)}</blockquote>'
            if quote
            else ""
        )
        + "</div>"
    )
