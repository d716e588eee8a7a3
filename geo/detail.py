"""The detail panel of one event, as escaped HTML (text from data is never trusted)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any, Final
from urllib.parse import urlsplit

from geo.claims import FIGURE_COLUMNS, Claim
from geo.model import GEO_PRECISION_WORDS, TIME_PRECISION_WORDS, Event, category_of

SAFE_SCHEMES: Final = frozenset({"http", "https"})
FIGURE_WORDS: Final[dict[str, str]] = {"killed": "Killed", "injured": "Injured"}


def format_day(day: date) -> str:
    """A date in words, e.g. 'Tue 31 Dec 2019'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def format_when(event: Event) -> str:
    """Date, end date, local time and precision of an event, in words."""
    text = format_day(event.event_date)
    if event.end_date and event.end_date != event.event_date:
        text += f" \N{EN DASH} {format_day(event.end_date)}"
    if event.event_time:
        text += f", {event.event_time} local time"
    if event.time_precision in TIME_PRECISION_WORDS:
        text += f" ({TIME_PRECISION_WORDS[event.time_precision]})"
    return text


def format_place(event: Event) -> str:
    """Place, province and country, with how precisely the place is known."""
    parts = [p for p in (event.location, event.admin1, event.country) if p]
    text = ", ".join(dict.fromkeys(parts)) or "Unnamed place"
    extras = []
    if event.geo_precision in GEO_PRECISION_WORDS:
        extras.append(GEO_PRECISION_WORDS[event.geo_precision])
    if event.uncertainty_m:
        metres = event.uncertainty_m
        extras.append(f"within {metres / 1000:g} km" if metres >= 1000 else f"within {metres:g} m")
    return text + (f" ({'; '.join(extras)})" if extras else "")


def safe_link(url: str) -> str:
    """A link for http(s) addresses; anything else (javascript:, data:) as plain text."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme in SAFE_SCHEMES:
        href = escape(url.strip(), quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{escape(url)}</a>'
    return f"<span>{escape(url)}</span>"


def _count(value: int | None) -> str:
    return "unknown" if value is None else str(value)


def count_labels(values: Iterable[Any]) -> list[str]:
    """Counts of a table column as text, "unknown" where missing (never shown as 0)."""
    return [_count(None if _missing(v) else int(v)) for v in values]


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas' NA refuses to be a bool
        return True


def format_figure(event: Event, figure: str) -> str:
    """A casualty figure in words, saying when it is the lowest of several claims."""
    value = getattr(event, FIGURE_COLUMNS[figure])
    claimed = [c for c in event.claims if c.figure == figure]
    site = {c.value for c in claimed if not c.is_group}
    if value is None and claimed and not site:
        return "unknown for this site"
    if value is not None and len(site) > 1:
        return f"{value} (the lowest claim)"
    return _count(value)


def format_claim(claim: Claim) -> str:
    """One claim as escaped HTML: the figure, whose claim it is, where it comes from."""
    scope = " (group total)" if claim.is_group else ""
    text = (
        f'<span class="fp-claim-figure">{FIGURE_WORDS[claim.figure]} {claim.value}</span>'
        f"{scope}, according to {escape(claim.source)} ({safe_link(claim.url)})"
    )
    if claim.note:
        text += f' <span class="fp-claim-note">{escape(claim.note)}</span>'
    return text


def render_claims(event: Event) -> str:
    """The claimed figures with their sources, killed before injured; empty when none."""
    ordered = sorted(event.claims, key=lambda c: list(FIGURE_WORDS).index(c.figure))
    if not ordered:
        return ""
    items = "".join(f"<li>{format_claim(c)}</li>" for c in ordered)
    heading = "Claimed figures"
    if any(c.is_group for c in ordered):
        heading += (
            f" (a group total is for all events of group {escape(event.group)} together, "
            "not for this one)"
        )
    return f'<div class="fp-claims"><b>{heading}</b><ul>{items}</ul></div>'


def render_event_html(event: Event) -> str:
    """The detail panel for one event."""
    category = category_of(event.event_type)
    kind = escape(event.event_type) + (
        f" · {escape(event.sub_event_type)}" if event.sub_event_type else ""
    )
    actors = " vs ".join(escape(a) for a in (event.actor1, event.actor2) if a) or "not recorded"
    rows = [
        f'<div class="fp-kind" style="border-color:{category.color}">{kind}</div>',
        f'<h3 class="fp-title">{escape(event.title or event.id)}</h3>',
        *(
            ['<div class="fp-title-made">The record has no title; this one is made from it.</div>']
            if event.title_made
            else []
        ),
        f'<div class="fp-row"><b>When</b> {escape(format_when(event))}</div>',
        f'<div class="fp-row"><b>Where</b> {escape(format_place(event))}</div>',
        f'<div class="fp-row"><b>Who</b> {actors}</div>',
        f'<div class="fp-row fp-figures"><b>Killed</b> {escape(format_figure(event, "killed"))}'
        f" &nbsp; <b>Injured</b> {escape(format_figure(event, 'injured'))}</div>",
    ]
    if event.claims:
        rows.append(render_claims(event))
    if event.notes:
        rows.append(f'<p class="fp-notes">{escape(event.notes)}</p>')
    if event.discrepancy:
        rows.append(
            f'<div class="fp-discrepancy"><b>Sources differ.</b> {escape(event.discrepancy)}</div>'
        )
    if event.source_quote:
        rows.append(f'<blockquote class="fp-quote">{escape(event.source_quote)}</blockquote>')
    if event.source:
        rows.append(f'<div class="fp-row fp-source"><b>Source</b> {escape(event.source)}</div>')
    if event.source_urls:
        links = "".join(f"<li>{safe_link(u)}</li>" for u in event.source_urls)
        rows.append(f'<ul class="fp-links">{links}</ul>')
    rows.append(f'<div class="fp-id">id: {escape(event.id)}</div>')
    return (
        f'<div class="fp-detail" data-event-id="{escape(event.id, quote=True)}">'
        + "".join(rows)
        + "</div>"
    )
