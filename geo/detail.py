"""The detail panel of one event, as escaped HTML (text from data is never trusted)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from html import escape
from typing import Any, Final
from urllib.parse import urlsplit

from geo.categories import Categories, assign_categories, category_label
from geo.claims import FIGURE_COLUMNS, Claim
from geo.language import Language
from geo.model import (
    GEO_PRECISION_WORDS,
    MONTH_PRECISION,
    TIME_PRECISION_WORDS,
    YEAR_PRECISION,
    Event,
)

SAFE_SCHEMES: Final = frozenset({"http", "https"})
ENGLISH: Final = Language()
FIGURE_WORDS: Final[dict[str, str]] = {"killed": "Killed", "injured": "Injured"}


def format_day(day: date, language: Language = ENGLISH) -> str:
    """A date in words in the reader's calendar, the Gregorian beside it when that differs."""
    return language.day_in_full(day)


def format_date(day: date, precision: int | None, language: Language = ENGLISH) -> str:
    """A date as precisely as it is known: 'June 2014' for a month, '2017' for a year."""
    if precision == MONTH_PRECISION:
        return language.month(day)
    if precision == YEAR_PRECISION:
        return language.year(day)
    return format_day(day, language)


def format_when(event: Event, language: Language = ENGLISH) -> str:
    """Date, end date, local time and precision of an event, in words.

    A date known to the month or the year is written as that month or year (never a day that
    only stands in for it), which says its precision already.
    """
    precision = event.time_precision
    text = format_date(event.event_date, precision, language)
    if event.end_date:
        end = format_date(event.end_date, precision, language)
        text += f" \N{EN DASH} {end}" if end != text else ""
    if event.event_time:
        time = language.native_digits(event.event_time)
        text += ", " + language.t("detail.local_time", time=time)
    if precision in TIME_PRECISION_WORDS and precision not in (MONTH_PRECISION, YEAR_PRECISION):
        text += f" ({language.t(f'precision.time.{precision}')})"
    return text


def format_place(event: Event, language: Language = ENGLISH) -> str:
    """Place, province and country, with how precisely the place is known."""
    parts = [p for p in (event.location, event.admin1, event.country) if p]
    text = ", ".join(dict.fromkeys(parts)) or language.t("detail.unnamed")
    extras = []
    if event.geo_precision in GEO_PRECISION_WORDS:
        extras.append(language.t(f"precision.place.{event.geo_precision}"))
    if event.uncertainty_m:
        metres = event.uncertainty_m
        extras.append(
            language.t("detail.within_km", km=language.native_digits(f"{metres / 1000:g}"))
            if metres >= 1000
            else language.t("detail.within_m", m=language.native_digits(f"{metres:g}"))
        )
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


def format_figure(event: Event, figure: str, language: Language = ENGLISH) -> str:
    """A casualty figure in words, saying when it is the lowest of several claims."""
    value = getattr(event, FIGURE_COLUMNS[figure])
    claimed = [c for c in event.claims if c.figure == figure]
    site = {c.value for c in claimed if not c.is_group}
    if value is None and claimed and not site:
        return language.t("claims.unknown_here")
    if value is not None and len(site) > 1:
        return language.t("claims.lowest", value=str(value))
    return language.t("claims.unknown") if value is None else str(value)


def format_claim(claim: Claim, language: Language = ENGLISH) -> str:
    """One claim as escaped HTML: the figure, whose claim it is, where it comes from."""
    scope = language.t("claims.group_total") if claim.is_group else ""
    figure = language.t(f"detail.{claim.figure}")
    according = language.t("claims.according", source=escape(claim.source))
    text = (
        f'<span class="fp-claim-figure">{figure} {claim.value}</span>'
        f"{scope}, {according} ({safe_link(claim.url)})"
    )
    if claim.note:
        text += f' <span class="fp-claim-note">{escape(claim.note)}</span>'
    return text


def render_claims(event: Event, language: Language = ENGLISH) -> str:
    """The claimed figures with their sources, killed before injured; empty when none."""
    ordered = sorted(event.claims, key=lambda c: list(FIGURE_WORDS).index(c.figure))
    if not ordered:
        return ""
    items = "".join(f"<li>{format_claim(c, language)}</li>" for c in ordered)
    heading = language.t("claims.heading")
    if any(c.is_group for c in ordered):
        heading += language.t("claims.group_note", group=escape(event.group))
    return f'<div class="fp-claims"><b>{heading}</b><ul>{items}</ul></div>'


def render_event_html(
    event: Event,
    language: Language = ENGLISH,
    translation: Mapping[str, str] | None = None,
    categories: Categories | None = None,
) -> str:
    """The detail panel for one event, in a language, coloured as its dataset draws its
    category; a translated title or notes come with the source text beside them."""
    t = language.t
    translation = translation or {}
    title = translation.get("title") or event.title or event.id
    notes = translation.get("notes") or event.notes
    categories = categories or assign_categories({event.event_type: 1})
    category = categories.get(event.event_type)
    kind = escape(category_label(event.event_type, language))
    kind += f" · {escape(event.sub_event_type)}" if event.sub_event_type else ""
    actors = escape(t("detail.versus")).join(escape(a) for a in (event.actor1, event.actor2) if a)
    killed, injured = (
        escape(language.native_digits(format_figure(event, f, language)))
        for f in ("killed", "injured")
    )
    figures = f"<b>{t('detail.killed')}</b> {killed} &nbsp; <b>{t('detail.injured')}</b> {injured}"
    when, where = escape(format_when(event, language)), escape(format_place(event, language))
    rows = [
        f'<div class="fp-kind" style="border-color:{category.color}">{kind}</div>',
        f'<h3 class="fp-title">{escape(title)}</h3>',
        *(
            [f'<div class="fp-title-made">{t("detail.title_made")}</div>']
            if event.title_made
            else []
        ),
        f'<div class="fp-row"><b>{t("detail.when")}</b> {when}</div>',
        f'<div class="fp-row"><b>{t("detail.where")}</b> {where}</div>',
        f'<div class="fp-row"><b>{t("detail.who")}</b> {actors or t("detail.unrecorded")}</div>',
        f'<div class="fp-row fp-figures">{figures}</div>',
    ]
    if event.claims:
        rows.append(render_claims(event, language))
    if notes:
        rows.append(f'<p class="fp-notes">{escape(notes)}</p>')
    if translation:
        rows.append(render_original(event, language))
    if event.discrepancy:
        rows.append(
            f'<div class="fp-discrepancy"><b>{t("detail.differ")}</b> '
            f"{escape(event.discrepancy)}</div>"
        )
    if event.source_quote:
        rows.append(f'<blockquote class="fp-quote">{escape(event.source_quote)}</blockquote>')
    if event.source:
        source = escape(event.source)
        rows.append(f'<div class="fp-row fp-source"><b>{t("detail.source")}</b> {source}</div>')
    if event.source_urls:
        links = "".join(f"<li>{safe_link(u)}</li>" for u in event.source_urls)
        rows.append(f'<ul class="fp-links">{links}</ul>')
    rows.append(f'<div class="fp-id">id: {escape(event.id)}</div>')
    return (
        f'<div class="fp-detail" data-event-id="{escape(event.id, quote=True)}">'
        + "".join(rows)
        + "</div>"
    )


def render_original(event: Event, language: Language) -> str:
    """The source text of a translated event, folded, marked as English for screen readers."""
    parts = [f'<p class="fp-translated">{escape(language.t("detail.translated"))}</p>']
    parts.append(
        '<details class="fp-original">'
        f"<summary>{escape(language.t('detail.original'))}</summary>"
        f'<p class="fp-original-title" lang="en" dir="ltr"><b>{escape(event.title)}</b></p>'
        f'<p class="fp-original-notes" lang="en" dir="ltr">{escape(event.notes)}</p></details>'
    )
    return "".join(parts)
