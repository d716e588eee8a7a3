"""The bundled data against the public record: one test per correction, so none is undone quietly.

Each correction is described, with its sources, in data/SOURCES.md.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo.claims import Claim
from geo.dataset import Dataset
from geo.model import Event
from geo.story import Story, load_story

DATA = Path(__file__).resolve().parent.parent / "data"
GEOD = Geod(ellps="WGS84")
STRIKES = (
    "us-strike-kh-iraq-1",
    "us-strike-kh-iraq-2",
    "us-strike-kh-iraq-3",
    "us-strike-kh-syria-1",
    "us-strike-kh-syria-2",
)


def event(bundled: Dataset, event_id: str) -> Event:
    found = bundled.event(event_id)
    assert found is not None, event_id
    return found


@pytest.fixture(scope="module")
def story() -> Story:
    loaded, problems = load_story(DATA / "story.json")
    assert problems == [] and loaded is not None
    return loaded


def caption_of(story: Story, quote_event: str) -> tuple[date, str]:
    step = next(s for s in story.steps if s.quote_event == quote_event)
    return step.date, step.caption


def lon_lat(found: Event) -> tuple[float, float]:
    assert isinstance(found.geometry, Point)
    return found.geometry.x, found.geometry.y


def figures(claims: tuple[Claim, ...]) -> set[tuple[str, int, str]]:
    """(figure, value, first word of the source) of each claim."""
    return {(c.figure, c.value, c.source.split()[0].strip(",")) for c in claims}


# ---- US strikes of 29 Dec 2019: no invented per-site figures; totals as group claims ---------


@pytest.mark.parametrize("event_id", STRIKES)
def test_strike_sites_have_no_per_site_figures(bundled: Dataset, event_id: str) -> None:
    strike = event(bundled, event_id)
    assert (strike.fatalities, strike.injured) == (None, None)
    assert strike.group == "us-strikes-2019-12-29"
    assert strike.claims and all(c.is_group for c in strike.claims)
    assert "even" not in strike.notes and "split of those totals" not in strike.notes


def test_strike_claims_say_who_claims_each_total(bundled: Dataset) -> None:
    claims = event(bundled, STRIKES[0]).claims
    assert {
        ("killed", 25, "Reuters"),
        ("killed", 25, "AFP"),
        ("killed", 25, "Wikipedia:"),
        ("killed", 24, "PMF"),
        ("killed", 24, "Kataib"),
        ("injured", 55, "Reuters"),
        ("injured", 51, "Hashd"),
    } <= figures(claims)
    wikipedia = next(c for c in claims if c.source.startswith("Wikipedia"))
    assert "19 in Iraq and 6 in Syria" in wikipedia.note
    reuters = next(c for c in claims if c.source.startswith("Reuters") and c.value == 25)
    assert "all the dead in Iraq" in reuters.note
    for event_id in STRIKES[1:]:
        assert set(event(bundled, event_id).claims) == set(claims), event_id


def test_strike_totals_are_no_longer_split_in_the_file() -> None:
    doc = json.loads((DATA / "locations.geojson").read_text(encoding="utf-8"))
    assert "group_totals" not in doc
    props = {f["properties"]["id"]: f["properties"] for f in doc["features"]}
    for event_id in STRIKES:
        assert props[event_id]["fatalities"] is None
        assert props[event_id]["injured"] is None


@pytest.mark.parametrize("event_id", STRIKES[:3])
def test_iraqi_strike_sites_record_where_they_are_uncertain(
    bundled: Dataset, event_id: str
) -> None:
    notes = event(bundled, event_id).notes
    assert "'Anbar and Kirkuk'" in notes
    assert "not established for each of the three sites" in notes


# ---- embassy storming: the PMF's count of the injured is a claim with its source -------------


def test_embassy_storming_injured_is_the_pmf_claim(bundled: Dataset) -> None:
    storming = event(bundled, "us-embassy-storming")
    assert (storming.fatalities, storming.injured) == (0, 62)
    (claim,) = storming.claims
    assert (claim.figure, claim.value, claim.scope) == ("injured", 62, "site")
    assert "Popular Mobilization Forces" in claim.source and "NBC News" in claim.source
    assert "could not independently verify" in claim.note
    assert claim.url in storming.source_urls
    assert "serious injuries" not in storming.notes


# ---- dates and the title ---------------------------------------------------------------------

DATES = [
    pytest.param("tikrit-recapture-2015", date(2015, 3, 2), date(2015, 4, 1), id="tikrit"),
    pytest.param("kirkuk-recapture-2017", date(2017, 10, 16), date(2017, 10, 20), id="kirkuk"),
    pytest.param("battle-of-mosul-2016-2017", date(2016, 10, 17), date(2017, 7, 20), id="mosul"),
]


@pytest.mark.parametrize(("event_id", "start", "end"), DATES)
def test_dates_follow_the_public_record(
    bundled: Dataset, event_id: str, start: date, end: date
) -> None:
    found = event(bundled, event_id)
    assert (found.event_date, found.end_date) == (start, end)


def test_tikrit_is_titled_as_the_offensive_it_is_dated_as(bundled: Dataset) -> None:
    tikrit = event(bundled, "tikrit-recapture-2015")
    assert "offensive" in tikrit.title
    assert not any(word in tikrit.title.lower() for word in ("recapture", "retak", "retook"))
    assert "liberation of Tikrit on 31 March" in tikrit.notes
    assert "on 1 April the government formally declared victory" in tikrit.notes


def test_kirkuk_and_mosul_notes_give_the_corrected_days(bundled: Dataset) -> None:
    assert "on 16 Oct retook K-1" in event(bundled, "kirkuk-recapture-2017").notes
    assert "early hours of Monday 17 Oct 2016" in event(bundled, "battle-of-mosul-2016-2017").notes


# ---- the smaller points ----------------------------------------------------------------------


def test_sistani_fatwa_figures_are_as_the_sources_give_them(bundled: Dataset) -> None:
    fatwa = event(bundled, "sistani-fatwa-2014")
    assert "Hundreds of thousands volunteered" not in fatwa.notes
    assert "tens of thousands" in fatwa.notes
    assert "60,000-90,000 to 100,000-120,000" in fatwa.notes
    assert "lies within the published estimates" in fatwa.discrepancy
    assert "not 'up to 100,000'" not in fatwa.discrepancy


def test_k1_is_about_11_km_west_north_west_of_kirkuk(bundled: Dataset) -> None:
    k1 = event(bundled, "k1-rocket-attack")
    city = event(bundled, "kirkuk-recapture-2017")
    bearing, _, metres = GEOD.inv(*lon_lat(city), *lon_lat(k1))
    assert 10_500 <= metres <= 11_500
    assert 281.25 <= bearing % 360 <= 303.75  # west-north-west
    assert "about 11 km west-north-west of central Kirkuk" in k1.location


# West-bank riverside landmarks: the embassy (Wikipedia) and the Republican Palace.
EMBASSY = (44.39611, 33.29889)
PALACE = (44.40861, 33.30417)


def test_villa_meeting_is_across_the_tigris_from_the_embassy(bundled: Dataset) -> None:
    villa = event(bundled, "soleimani-baghdad-villa-meeting-2019-10")
    river_side, _, _ = GEOD.inv(*EMBASSY, *PALACE)
    bearing, _, metres = GEOD.inv(*EMBASSY, *lon_lat(villa))
    # Distance from the line of west-bank landmarks, towards the river's far (east) bank.
    across = metres * math.sin(math.radians(bearing - river_side))
    assert across >= 900
    assert "east bank of the Tigris" in villa.location


UNKNOWN = [
    "isis-captures-mosul-2014",
    "tikrit-recapture-2015",
    "battle-of-mosul-2016-2017",
    "kirkuk-recapture-2017",
    "pmf-western-axis-tal-afar-2016",
]


@pytest.mark.parametrize("event_id", UNKNOWN)
def test_unknown_tolls_are_unknown_not_zero(bundled: Dataset, event_id: str) -> None:
    found = event(bundled, event_id)
    assert (found.fatalities, found.injured) == (None, None)
    assert "0 (unknown)" not in found.notes and "left at 0" not in found.notes


def test_every_claim_cites_one_of_the_features_sources(bundled: Dataset) -> None:
    claimed = [e for e in map(bundled.event_at, range(len(bundled))) if e.claims]
    assert len(claimed) >= 8
    for found in claimed:
        for claim in found.claims:
            assert claim.url in found.source_urls, (found.id, claim.url)


# ---- story captions that rest on these facts -------------------------------------------------

CAPTIONS: list[Any] = [
    pytest.param("kirkuk-recapture-2017", date(2017, 10, 16), "on 16 October took", id="kirkuk"),
    pytest.param("tikrit-recapture-2015", date(2015, 4, 1), "formally declared on 1 April", id="t"),
    pytest.param("battle-of-mosul-2016-2017", None, "From 17 October 2016", id="mosul"),
    pytest.param("us-strike-kh-iraq-1", None, "shows each site's toll as unknown", id="strikes"),
    pytest.param("us-embassy-storming", None, "at least 62 demonstrators were injured", id="em"),
    pytest.param("sistani-fatwa-2014", None, "about 60,000 to 120,000", id="fatwa"),
    pytest.param(
        "soleimani-baghdad-villa-meeting-2019-10", None, "across the Tigris from", id="villa"
    ),
]


@pytest.mark.parametrize(("quote_event", "day", "text"), CAPTIONS)
def test_story_captions_follow_the_corrections(
    story: Story, quote_event: str, day: date | None, text: str
) -> None:
    step_date, caption = caption_of(story, quote_event)
    assert text in caption
    assert "splits the totals evenly" not in caption
    if day is not None:
        assert step_date == day
