"""Casualty claims: parsing, checking on load, and the most conservative figure."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from geo.claims import (
    MAX_CLAIMS,
    Claim,
    claims_to_json,
    claims_to_text,
    conservative,
    parse_claims,
)
from geo.validation import LoadResult, load_events_from_bytes

URL = "https://example.org/report"
GOOD: dict[str, Any] = {"figure": "killed", "value": 25, "source": "Reuters", "url": URL}


def claim(**changes: Any) -> dict[str, Any]:
    return GOOD | changes


# ---- parsing: a bad claim is left out with a reason; the others are kept ---------------------

PARSE = [
    pytest.param([GOOD], 1, [], id="good"),
    pytest.param(json.dumps([GOOD]), 1, [], id="json-text-from-a-csv"),
    pytest.param(None, 0, [], id="none"),
    pytest.param(float("nan"), 0, [], id="nan"),
    pytest.param(pd.NA, 0, [], id="pd.NA"),
    pytest.param("  ", 0, [], id="blank-text"),
    pytest.param([], 0, [], id="empty-list"),
    pytest.param("[{", 0, ["not valid JSON"], id="broken-json"),
    pytest.param({"figure": "killed"}, 0, ["must be a list of claims, not dict"], id="object"),
    pytest.param(25, 0, ["must be a list of claims, not int"], id="number"),
    pytest.param(["25 killed"], 0, ["claim 1: must be an object, not str"], id="text-item"),
    pytest.param([{"figure": "killed"}], 0, ["missing value; missing source"], id="missing"),
    pytest.param([claim(figure="dead")], 0, ["figure 'dead' is not 'killed'"], id="figure"),
    pytest.param([claim(value=True)], 0, ["value 'True' is not a whole"], id="bool-value"),
    pytest.param([claim(value=-1)], 0, ["value '-1' is not a whole"], id="negative"),
    pytest.param([claim(value=2.5)], 0, ["value '2.5' is not a whole"], id="fraction"),
    pytest.param([claim(value="25")], 0, ["value '25' is not a whole"], id="text-value"),
    pytest.param([claim(value=10**9)], 0, ["is not a whole number"], id="too-many"),
    pytest.param([claim(source="  ")], 0, ["source is empty"], id="empty-source"),
    pytest.param([claim(source=7)], 0, ["source must be text"], id="source-number"),
    pytest.param([claim(note="x" * 1001)], 0, ["note must be text of at most 1000"], id="long"),
    pytest.param([claim(url="javascript:alert(1)")], 0, ["is not an http(s)"], id="javascript"),
    pytest.param([claim(url="https://")], 0, ["is not an http(s)"], id="no-host"),
    pytest.param([claim(url="http://[::1")], 0, ["is not an http(s)"], id="unparseable-url"),
    pytest.param([claim(scope="country")], 0, ["scope 'country' is not"], id="scope"),
    pytest.param([claim(per="site")], 1, ["claim 1: unknown key 'per' ignored"], id="extra-key"),
    pytest.param([GOOD, GOOD], 1, ["claim 2: repeats claim 1; left out"], id="repeated"),
    pytest.param([GOOD, claim(figure="x")], 1, ["claim 2: figure 'x'"], id="one-bad-of-two"),
    pytest.param(
        [claim(value=i) for i in range(MAX_CLAIMS + 5)],
        MAX_CLAIMS,
        [f"{MAX_CLAIMS + 5} claims; only the first {MAX_CLAIMS} are kept"],
        id="too-many-claims",
    ),
]


@pytest.mark.parametrize(("value", "kept", "expected"), PARSE)
def test_parse_claims(value: Any, kept: int, expected: list[str]) -> None:
    claims, problems = parse_claims(value)
    assert len(claims) == kept
    assert len(problems) == len(expected)
    texts = [str(p) for p in problems]
    for problem, part in zip(texts, expected, strict=True):
        assert part in problem
    assert all(p.endswith("left out") or "kept" in p or "ignored" in p for p in texts)


def test_parse_claims_reads_every_key() -> None:
    raw = claim(note="  early count ", scope="group", source=" AFP ", url=f" {URL} ")
    (parsed,), problems = parse_claims([raw])
    assert problems == []
    assert parsed == Claim("killed", 25, "AFP", URL, "early count", "group")
    assert parsed.is_group


# ---- the most conservative figure ------------------------------------------------------------

SITE_25 = Claim("killed", 25, "Reuters", URL)
SITE_24 = Claim("killed", 24, "PMF", URL)
GROUP_12 = Claim("killed", 12, "AP", URL, scope="group")
INJURED_62 = Claim("injured", 62, "PMF via NBC", URL)

CONSERVATIVE = [
    pytest.param((SITE_25, SITE_24), "killed", 24, id="lowest-of-two"),
    pytest.param((SITE_25, GROUP_12), "killed", 25, id="group-total-is-not-a-site-figure"),
    pytest.param((GROUP_12,), "killed", None, id="only-a-group-total"),
    pytest.param((INJURED_62,), "killed", None, id="other-figure"),
    pytest.param((SITE_25, INJURED_62), "injured", 62, id="injured"),
    pytest.param((), "killed", None, id="none"),
]


@pytest.mark.parametrize(("claims", "figure", "expected"), CONSERVATIVE)
def test_conservative(claims: tuple[Claim, ...], figure: str, expected: int | None) -> None:
    assert conservative(claims, figure) == expected


def test_claims_round_trip_through_json() -> None:
    claims = (SITE_25, Claim("injured", 51, "PMF", URL, "may rise", "group"))
    as_json = claims_to_json(claims)
    assert as_json[0] == {"figure": "killed", "value": 25, "source": "Reuters", "url": URL}
    assert as_json[1]["scope"] == "group" and as_json[1]["note"] == "may rise"
    assert parse_claims(as_json) == (claims, [])
    assert parse_claims(claims_to_text(claims)) == (claims, [])
    assert claims_to_text(()) == ""


# ---- on load: figures follow the claims, problems are reported, records are kept -------------


def load(*records: dict[str, Any]) -> LoadResult:
    features = [
        {
            "type": "Feature",
            "properties": {"event_date": "2019-12-29", "event_type": "Battles"} | record,
            "geometry": {"type": "Point", "coordinates": [41.09, 34.37]},
        }
        for record in records
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return load_events_from_bytes(json.dumps(doc).encode(), "claims.geojson")


def row(result: LoadResult, ident: str) -> dict[str, Any]:
    events = result.events
    return dict(events.loc[events["id"] == ident].iloc[0])


def problems_of(result: LoadResult) -> list[tuple[str, str, bool]]:
    return [(p.where, p.field, p.dropped) for p in result.problems]


LOADED = [
    pytest.param({"claims": [GOOD, claim(value=24)]}, 24, None, [], id="lowest-claim"),
    pytest.param({"fatalities": 24, "claims": [GOOD, claim(value=24)]}, 24, None, [], id="agrees"),
    pytest.param({"fatalities": 3}, 3, None, [], id="no-claims-keeps-the-figure"),
    pytest.param(
        {"fatalities": 30, "claims": [GOOD]},
        25,
        None,
        [("fatalities", "30 is not the most conservative claimed figure; 25 used")],
        id="stated-figure-gives-way",
    ),
    pytest.param(
        {"injured": 0, "claims": [claim(figure="injured", value=62)]},
        None,
        62,
        [("injured", "0 is not the most conservative claimed figure; 62 used")],
        id="injured",
    ),
    pytest.param(
        {"fatalities": 7, "group": "g", "claims": [claim(scope="group")]},
        None,
        None,
        [("fatalities", "7 is not a figure any source gives for this site")],
        id="invented-per-site-split",
    ),
    pytest.param(
        {"claims": [claim(scope="group")]},
        None,
        None,
        [("claims", "a claim of scope 'group' needs the record's group; left out")],
        id="group-claim-without-group",
    ),
    pytest.param(
        {"fatalities": 2, "claims": [claim(url="ftp://x")]},
        2,
        None,
        [("claims", "claim 1: url 'ftp://x' is not an http(s) address; left out")],
        id="bad-claim-leaves-the-figure",
    ),
]


@pytest.mark.parametrize(("record", "killed", "injured", "expected"), LOADED)
def test_figures_follow_the_claims(
    record: dict[str, Any], killed: int | None, injured: int | None, expected: list[Any]
) -> None:
    result = load({"id": "a"} | record)
    got = row(result, "a")
    assert (got["fatalities"], got["injured"]) == (
        pd.NA if killed is None else killed,
        pd.NA if injured is None else injured,
    )
    assert [p.field for p in result.problems] == [field for field, _ in expected]
    for problem, (_, message) in zip(result.problems, expected, strict=True):
        assert problem.message.startswith(message)
    assert not any(p.dropped for p in result.problems)
    assert len(result.events) == 1


def test_members_of_a_group_must_carry_the_same_group_claims() -> None:
    shared = [claim(scope="group"), claim(figure="injured", value=55, scope="group")]
    result = load(
        {"id": "a", "group": "g", "claims": shared},
        {"id": "b", "group": "g", "claims": list(reversed(shared))},
        {"id": "c", "group": "g", "claims": shared[:1]},
        {"id": "d", "group": "g"},
        {"id": "e", "group": "other", "claims": shared[:1]},
    )
    assert problems_of(result) == [("feature #3 (id 'c')", "claims", False)]
    assert "differ from those of 'a', the first record of group 'g'" in result.problems[0].message
    assert len(result.events) == 5
    assert row(result, "b")["claims"] == tuple(reversed(parse_claims(shared)[0]))


def test_claims_in_a_csv_column_are_read_as_json() -> None:
    text = json.dumps([GOOD, claim(value=24, source='PMF, "al-Rabaiwi"')])
    cell = '"' + text.replace('"', '""') + '"'
    data = f"id,event_date,latitude,longitude,fatalities,claims\nx,2019-12-29,34.37,41.09,,{cell}\n"
    result = load_events_from_bytes(data.encode(), "claims.csv")
    assert result.problems == []
    got = row(result, "x")
    assert got["fatalities"] == 24
    assert [c.source for c in got["claims"]] == ["Reuters", 'PMF, "al-Rabaiwi"']


def test_events_without_claims_get_an_empty_claims_column() -> None:
    data = b"id,event_date,latitude,longitude,fatalities\nx,2019-12-29,34.37,41.09,5\n"
    result = load_events_from_bytes(data, "plain.csv")
    assert result.problems == []
    assert row(result, "x")["claims"] == ()
    assert row(result, "x")["fatalities"] == 5
