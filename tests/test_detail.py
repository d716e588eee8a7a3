"""The detail panel: text from data is escaped, only web links link, dates and places in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest
from shapely.geometry import Point

from geo.claims import Claim
from geo.detail import (
    count_labels,
    format_day,
    format_figure,
    format_place,
    format_when,
    render_event_html,
    safe_link,
)
from geo.model import Event

EVENT = Event(
    id="e1",
    title="Rocket attack on K-1 base",
    event_date=date(2019, 12, 27),
    end_date=None,
    event_time="",
    time_precision=None,
    event_type="Explosions/Remote violence",
    sub_event_type="Shelling/artillery/missile attack",
    actor1="Kataib Hezbollah",
    actor2="US forces",
    location="K-1 Air Base",
    admin1="Kirkuk",
    country="Iraq",
    geo_precision=None,
    uncertainty_m=None,
    fatalities=1,
    injured=None,
    notes="",
    source="",
    source_quote="",
    source_urls=(),
    group="",
    discrepancy="",
    geometry=Point(44.28, 35.51),
)


class Page(HTMLParser):
    """What a browser would build from the HTML: elements, their attributes, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.links: list[tuple[str | None, str]] = []
        self.parts: list[str] = []
        self._in_link = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "a":
            self.links.append((dict(attrs).get("href"), ""))
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._in_link:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# ---- escaping --------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param('<img src=x onerror="alert(1)">', id="img-onerror"),
    pytest.param("\"'><svg onload=alert(1)>", id="attribute-breakout"),
    pytest.param("Tom & Jerry &amp; &lt;b&gt;", id="ampersands-and-entities"),
    pytest.param("</div></h3><div>", id="closing-tags"),
]
TEXT_FIELDS = (
    "id",
    "title",
    "event_time",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "notes",
    "source",
    "source_quote",
    "discrepancy",
)
PANEL_TAGS = {"div", "h3", "b", "p", "blockquote", "ul", "li", "a", "span"}


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_text_field_is_escaped(field: str, hostile: str) -> None:
    changes: dict[str, Any] = {field: hostile}
    page = Page(render_event_html(replace(EVENT, **changes)))
    assert set(page.tags) <= PANEL_TAGS
    assert not any(name.startswith("on") for name, _ in page.attrs)
    assert hostile in page.text
    assert dict(page.attrs)["data-event-id"] == (hostile if field == "id" else "e1")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_source_urls_are_escaped(hostile: str) -> None:
    urls = (hostile, "https://example.org/?q=" + hostile)
    page = Page(render_event_html(replace(EVENT, source_urls=urls)))
    assert set(page.tags) <= PANEL_TAGS
    assert not any(name.startswith("on") for name, _ in page.attrs)
    assert page.links == [(urls[1], urls[1])]
    assert urls[0] in page.text


def test_panel_shows_counts_actors_and_optional_sections() -> None:
    bare = Page(render_event_html(replace(EVENT, actor1="", actor2="", fatalities=None))).text
    assert "Who not recorded" in bare
    assert "Killed unknown" in bare
    assert "Injured unknown" in bare
    assert "Sources differ" not in bare
    full = Page(render_event_html(replace(EVENT, discrepancy="2 or 3 killed"))).text
    assert "Kataib Hezbollah vs US forces" in full
    assert "Killed 1" in full
    assert "Sources differ. 2 or 3 killed" in full


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("field", ["source", "note", "url"])
def test_claims_are_escaped(field: str, hostile: str) -> None:
    good = Claim("killed", 3, "Reuters", "https://example.org/r", "early count")
    value = hostile if field != "url" else "https://example.org/?q=" + hostile
    changes: dict[str, Any] = {field: value}
    claims = (replace(good, **changes),)
    page = Page(render_event_html(replace(EVENT, claims=claims, group=hostile)))
    assert set(page.tags) <= PANEL_TAGS
    assert not any(name.startswith("on") for name, _ in page.attrs)
    assert value in page.text


STRIKE = Claim("killed", 25, "Reuters", "https://example.org/reuters", "all in Iraq", "group")
PMF = Claim("killed", 24, "PMF", "https://example.org/pmf", scope="group")
HURT = Claim("injured", 62, "PMF via NBC News", "https://example.org/nbc", "unverified")

FIGURES = [
    pytest.param(
        {"fatalities": None, "claims": (STRIKE, PMF)},
        "unknown for this site",
        id="group",
    ),
    pytest.param(
        {"fatalities": 24, "claims": (replace(STRIKE, scope="site"), replace(PMF, scope="site"))},
        "24 (the lowest claim)",
        id="disputed",
    ),
    pytest.param(
        {"fatalities": 25, "claims": (replace(STRIKE, scope="site"),)}, "25", id="one-claim"
    ),
    pytest.param({"fatalities": None, "claims": ()}, "unknown", id="unknown"),
    pytest.param({"fatalities": 0, "claims": (HURT,)}, "0", id="other-figure-claimed"),
]


@pytest.mark.parametrize(("changes", "expected"), FIGURES)
def test_format_figure(changes: dict[str, Any], expected: str) -> None:
    assert format_figure(replace(EVENT, **changes), "killed") == expected


def test_panel_lists_each_claim_with_its_source() -> None:
    event = replace(EVENT, fatalities=None, injured=62, group="strikes", claims=(HURT, STRIKE, PMF))
    page = Page(render_event_html(event))
    assert "Killed unknown for this site" in page.text
    assert "(a group total is for all events of group strikes together, not for this one)" in (
        page.text
    )
    assert "Injured 62" in page.text
    assert "Claimed figures" in page.text
    items = page.text.split("Claimed figures", 1)[1]
    assert items.index("Killed 25") < items.index("Killed 24") < items.index("Injured 62")
    assert (
        "Killed 25 (group total), according to Reuters (https://example.org/reuters)"
        " all in Iraq" in items
    )
    assert "Injured 62, according to PMF via NBC News (https://example.org/nbc) unverified" in items
    assert ("https://example.org/pmf", "https://example.org/pmf") in page.links
    assert "Claimed figures" not in Page(render_event_html(EVENT)).text


def test_count_labels_never_show_a_missing_count_as_zero() -> None:
    values = pd.array([3, None, 0], dtype="Int64")
    assert count_labels(values) == ["3", "unknown", "0"]
    assert count_labels([None, float("nan"), 2.0]) == ["unknown", "unknown", "2"]


def test_title_falls_back_to_id() -> None:
    assert '<h3 class="fp-title">e1</h3>' in render_event_html(replace(EVENT, title=""))


# ---- links -----------------------------------------------------------------------------------

LINKS = [
    pytest.param("https://example.org/a?b=1&c=2", True, id="https-with-query"),
    pytest.param("http://example.org", True, id="http"),
    pytest.param("HTTPS://EXAMPLE.ORG/", True, id="upper-case-scheme"),
    pytest.param("  https://example.org  ", True, id="surrounding-spaces"),
    pytest.param('https://example.org/"onmouseover="alert(1)', True, id="quote-in-url"),
    pytest.param("https://example.org/<script>", True, id="tag-in-url"),
    pytest.param("javascript:alert(1)", False, id="javascript"),
    pytest.param("JaVaScRiPt:alert(1)", False, id="mixed-case-javascript"),
    pytest.param("   javascript:alert(1)", False, id="leading-spaces"),
    pytest.param("\x01javascript:alert(1)", False, id="leading-control-character"),
    pytest.param("\tjava\nscript:alert(1)", False, id="tab-and-newline"),
    pytest.param("data:text/html,<script>alert(1)</script>", False, id="data"),
    pytest.param("vbscript:msgbox(1)", False, id="vbscript"),
    pytest.param("ftp://example.org/file", False, id="ftp"),
    pytest.param("//example.org/no-scheme", False, id="protocol-relative"),
    pytest.param("example.org", False, id="bare-host"),
    pytest.param("http://[::1", False, id="unparseable"),
    pytest.param("", False, id="empty"),
]


@pytest.mark.parametrize(("url", "linked"), LINKS)
def test_safe_link(url: str, linked: bool) -> None:
    html = safe_link(url)
    page = Page(html)
    if linked:
        assert page.links == [(url.strip(), url)]
        assert dict(page.attrs)["rel"] == "noopener noreferrer"
        assert set(dict(page.attrs)) == {"href", "target", "rel"}
    else:
        assert page.tags == ["span"]
        assert page.text == url
    assert "<script" not in html
    assert html.count('"') == (6 if linked else 0)


# ---- dates and places in words ---------------------------------------------------------------

DAYS = [
    pytest.param(date(2019, 12, 31), "Tue 31 Dec 2019", id="new-years-eve"),
    pytest.param(date(2020, 1, 1), "Wed 1 Jan 2020", id="no-leading-zero"),
    pytest.param(date(2020, 2, 29), "Sat 29 Feb 2020", id="leap-day"),
]


@pytest.mark.parametrize(("day", "expected"), DAYS)
def test_format_day(day: date, expected: str) -> None:
    assert format_day(day) == expected


WHEN: list[Any] = [
    pytest.param({}, "Fri 27 Dec 2019", id="day-only"),
    pytest.param({"end_date": date(2019, 12, 27)}, "Fri 27 Dec 2019", id="same-end-date"),
    pytest.param(
        {"end_date": date(2020, 1, 2)}, "Fri 27 Dec 2019 \u2013 Thu 2 Jan 2020", id="end-date"
    ),
    pytest.param({"event_time": "19:20"}, "Fri 27 Dec 2019, 19:20 local time", id="time"),
    pytest.param({"time_precision": 1}, "Fri 27 Dec 2019 (exact day)", id="precision-1"),
    pytest.param({"time_precision": 2}, "Fri 27 Dec 2019 (within a week)", id="precision-2"),
    pytest.param({"time_precision": 3}, "December 2019", id="precision-3-month"),
    pytest.param({"time_precision": 4}, "2019", id="precision-4-year"),
    pytest.param(
        {"time_precision": 3, "end_date": date(2019, 12, 31)}, "December 2019", id="one-month"
    ),
    pytest.param(
        {"time_precision": 3, "end_date": date(2020, 2, 29)},
        "December 2019 \u2013 February 2020",
        id="months",
    ),
    pytest.param(
        {"time_precision": 4, "end_date": date(2021, 12, 31)}, "2019 \u2013 2021", id="years"
    ),
    pytest.param({"time_precision": 7}, "Fri 27 Dec 2019", id="unknown-precision"),
    pytest.param(
        {"end_date": date(2019, 12, 28), "event_time": "06:00", "time_precision": 2},
        "Fri 27 Dec 2019 \u2013 Sat 28 Dec 2019, 06:00 local time (within a week)",
        id="everything",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), WHEN)
def test_format_when(changes: dict[str, Any], expected: str) -> None:
    assert format_when(replace(EVENT, **changes)) == expected


PLACES: list[Any] = [
    pytest.param({}, "K-1 Air Base, Kirkuk, Iraq", id="place-province-country"),
    pytest.param({"location": "", "admin1": "", "country": ""}, "Unnamed place", id="unnamed"),
    pytest.param({"location": "Kirkuk"}, "Kirkuk, Iraq", id="repeated-name-once"),
    pytest.param({"admin1": ""}, "K-1 Air Base, Iraq", id="no-province"),
    pytest.param({"uncertainty_m": 500.0}, "K-1 Air Base, Kirkuk, Iraq (within 500 m)", id="m"),
    pytest.param({"uncertainty_m": 999.5}, "K-1 Air Base, Kirkuk, Iraq (within 999.5 m)", id="m2"),
    pytest.param({"uncertainty_m": 1000.0}, "K-1 Air Base, Kirkuk, Iraq (within 1 km)", id="km"),
    pytest.param({"uncertainty_m": 2500.0}, "K-1 Air Base, Kirkuk, Iraq (within 2.5 km)", id="km2"),
    pytest.param({"uncertainty_m": 0.0}, "K-1 Air Base, Kirkuk, Iraq", id="zero-uncertainty"),
    pytest.param(
        {"geo_precision": 3}, "K-1 Air Base, Kirkuk, Iraq (region or province)", id="precision"
    ),
    pytest.param(
        {"geo_precision": 2, "uncertainty_m": 1500.0},
        "K-1 Air Base, Kirkuk, Iraq (near the named place; within 1.5 km)",
        id="precision-and-uncertainty",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), PLACES)
def test_format_place(changes: dict[str, Any], expected: str) -> None:
    assert format_place(replace(EVENT, **changes)) == expected
