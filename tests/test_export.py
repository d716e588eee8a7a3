"""Exports: GeoJSON and ACLED-style CSV load back unchanged; CSV cells cannot run as formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from geo.export import (
    CSV_COLUMNS,
    FORMULA_PREFIXES,
    neutralise_formula,
    to_acled_csv_bytes,
    to_geojson_bytes,
)
from geo.model import FIELDS
from geo.validation import load_events_from_bytes

Exporter = Callable[[gpd.GeoDataFrame], bytes]


def feature(props: dict[str, Any], coordinates: Any, kind: str = "Point") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


SAMPLE = {
    "type": "FeatureCollection",
    "features": [
        feature(
            {
                "id": "IRQ1",
                "title": "Rockets hit K-1 base",
                "event_date": "2019-12-27",
                "event_time": "19:20",
                "time_precision": 1,
                "event_type": "Explosions/Remote violence",
                "sub_event_type": "Shelling/artillery/missile attack",
                "actor1": "Kata'ib Hezbollah",
                "actor2": "Military Forces of the United States",
                "location": "K-1 Air Base",
                "admin1": "Kirkuk",
                "country": "Iraq",
                "geo_precision": 1,
                "uncertainty_m": 250.5,
                "fatalities": 1,
                "injured": 4,
                "notes": 'About 30 rockets; "one contractor" killed,\nseveral wounded.',
                "source": "Reuters",
                "source_quote": "a barrage of rockets",
                "source_urls": ["https://example.org/a", "https://example.org/b"],
                "group": "escalation",
                "discrepancy": "reports differ on the number of rockets",
            },
            [44.28352, 35.51842],
        ),
        feature(
            {
                "id": "USA7",
                "event_date": "2020-01-03",
                "event_type": "Strategic developments",
                "country": "United States",
            },
            [-77.0502, 38.8719],
        ),
        feature(
            {
                "id": "MOVE1",
                "event_date": "2019-12-31",
                "end_date": "2020-01-01",
                "event_type": "Riots",
                "location": "Baghdad \u2013 Green Zone",
                "notes": "Ṣan\u02bf\u0101\u02be, بغداد, İstanbul, Zürich, 北京",
            },
            [[44.3614, 33.3128], [44.3987, 33.3045], [44.41, 33.29]],
            "LineString",
        ),
    ],
}


@pytest.fixture(scope="module")
def events() -> gpd.GeoDataFrame:
    result = load_events_from_bytes(json.dumps(SAMPLE).encode(), "sample.geojson")
    assert result.problems == []
    return result.events


EXPORTS = [
    pytest.param(to_geojson_bytes, "export.geojson", "GeoJSON", id="geojson"),
    pytest.param(to_acled_csv_bytes, "export.csv", "ACLED CSV", id="acled-csv"),
]


@pytest.mark.parametrize(("export", "name", "kind"), EXPORTS)
def test_export_round_trips(
    events: gpd.GeoDataFrame, export: Exporter, name: str, kind: str
) -> None:
    again = load_events_from_bytes(export(events), name)

    assert (again.kind, again.problems) == (kind, [])
    assert list(again.events["id"]) == list(events["id"])
    for got, want in zip(again.events.geometry, events.geometry, strict=True):
        assert got.equals_exact(want, tolerance=0)
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.events.drop(columns="geometry")),
        pd.DataFrame(events.drop(columns="geometry")),
        check_dtype=False,
    )


def test_geojson_is_an_rfc_7946_feature_collection(events: gpd.GeoDataFrame) -> None:
    doc = json.loads(to_geojson_bytes(events))

    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    first = doc["features"][0]
    assert (first["type"], first["id"], first["geometry"]["type"]) == ("Feature", "IRQ1", "Point")
    assert list(first["properties"]) == list(FIELDS)
    assert first["properties"]["source_urls"] == ["https://example.org/a", "https://example.org/b"]
    assert first["properties"]["uncertainty_m"] == 250.5
    bare = next(f["properties"] for f in doc["features"] if f["id"] == "USA7")
    assert bare["event_date"] == "2020-01-03"
    assert bare["end_date"] is None
    assert bare["fatalities"] is None
    assert bare["title"] is None
    assert bare["source_urls"] == []
    move = next(f for f in doc["features"] if f["id"] == "MOVE1")
    assert (move["properties"]["end_date"], move["geometry"]["type"]) == (
        "2020-01-01",
        "LineString",
    )


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_columns_and_cells(events: gpd.GeoDataFrame) -> None:
    data = to_acled_csv_bytes(events)
    rows = {row["event_id_cnty"]: row for row in read_csv_rows(data)}

    assert data.decode().split("\r\n")[0].split(",") == list(CSV_COLUMNS)
    assert CSV_COLUMNS[:16] == (
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "actor2",
        "location",
        "admin1",
        "country",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "notes",
        "fatalities",
    )
    usa = rows["USA7"]
    assert (usa["latitude"], usa["longitude"]) == ("38.8719", "-77.0502")
    assert (usa["fatalities"], usa["end_date"], usa["geometry_wkt"]) == ("", "", "")
    irq = rows["IRQ1"]
    assert irq["source_urls"] == "https://example.org/a https://example.org/b"
    assert (irq["fatalities"], irq["injured"], irq["uncertainty_m"]) == ("1", "4", "250.5")
    move = rows["MOVE1"]
    assert move["geometry_wkt"] == "LINESTRING (44.3614 33.3128, 44.3987 33.3045, 44.41 33.29)"
    # A line's latitude and longitude are a point on it, so ACLED tools can still place it.
    assert (move["longitude"], move["latitude"]) == ("44.3987", "33.3045")


# ---- formula injection --------------------------------------------------------------------

DANGEROUS = [
    pytest.param('=HYPERLINK("http://evil","x")', id="equals"),
    pytest.param("+1+cmd|' /C calc'!A0", id="plus"),
    pytest.param("-2+3", id="minus"),
    pytest.param("@SUM(A1:A2)", id="at"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("\r=1+1", id="carriage-return"),
    pytest.param("'=1", id="already-quoted"),
    pytest.param("''-12", id="twice-quoted"),
]


@pytest.mark.parametrize("text", DANGEROUS)
@pytest.mark.parametrize("field", ["title", "notes", "actor1", "location", "source_quote"])
def test_csv_neutralises_formulas_in_text(events: gpd.GeoDataFrame, text: str, field: str) -> None:
    edited = events.copy()
    edited.loc[edited["id"] == "USA7", field] = text
    rows = {row["event_id_cnty"]: row for row in read_csv_rows(to_acled_csv_bytes(edited))}

    assert rows["USA7"][field] == "'" + text
    assert rows["USA7"]["longitude"] == "-77.0502"  # numbers stay numbers


FORMULA_LIKE = [
    pytest.param("-12", "'-12", id="negative-id"),
    pytest.param("=1+1", "'=1+1", id="equals"),
    pytest.param("'=1", "''=1", id="already-quoted"),
    pytest.param("'-12", "''-12", id="quoted-negative"),
    pytest.param("@home", "'@home", id="at"),
    pytest.param("Kata'ib", "Kata'ib", id="apostrophe-inside"),
    pytest.param("'quoted'", "'quoted'", id="apostrophe-first"),
]


@pytest.mark.parametrize(("value", "written"), FORMULA_LIKE)
def test_csv_round_trip_gives_back_formula_like_values(
    events: gpd.GeoDataFrame, value: str, written: str
) -> None:
    edited = events.copy()
    row = edited["id"] == "USA7"
    for name in ("id", "title", "notes", "actor1"):
        edited.loc[row, name] = value
    data = to_acled_csv_bytes(edited)
    cells = next(r for r in read_csv_rows(data) if r["country"] == "United States")
    again = load_events_from_bytes(data, "export.csv")
    back = again.events.loc[again.events["country"] == "United States"].iloc[0]

    # In the file the cell stays neutralised; loaded again it is the value exported.
    assert (cells["event_id_cnty"], cells["title"], cells["notes"]) == (written,) * 3
    assert (back["id"], back["title"], back["notes"], back["actor1"]) == (value,) * 4
    assert again.problems == []


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_formula_prefixes_a_quote(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


SAFE = [
    pytest.param("", id="empty"),
    pytest.param("Baghdad", id="word"),
    pytest.param("3 killed", id="digit"),
    pytest.param("a=b", id="equals-inside"),
    pytest.param(" =1", id="leading-space"),
]


@pytest.mark.parametrize("text", SAFE)
def test_neutralise_formula_leaves_other_text(text: str) -> None:
    assert neutralise_formula(text) == text


def test_every_formula_prefix_is_covered() -> None:
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_negative_numbers_stay_numeric(events: gpd.GeoDataFrame) -> None:
    edited = events.copy()
    edited["geometry"] = gpd.GeoSeries.from_xy([-70.5, -0.25, -179.9], [-33.4, -1.5, -89.0])
    rows = read_csv_rows(to_acled_csv_bytes(edited))

    assert [(r["longitude"], r["latitude"]) for r in rows] == [
        ("-70.5", "-33.4"),
        ("-0.25", "-1.5"),
        ("-179.9", "-89.0"),
    ]


# ---- unicode and empty selections ---------------------------------------------------------

# Sanaa with ayn and hamza, Baghdad in Arabic script, Istanbul with a dotted capital I, ...
UNICODE = "Ṣan\u02bf\u0101\u02be, بغداد, İstanbul, Zürich, 北京"


@pytest.mark.parametrize(("export", "name", "kind"), EXPORTS)
def test_unicode_text_is_preserved(
    events: gpd.GeoDataFrame, export: Exporter, name: str, kind: str
) -> None:
    data = export(events)
    again = load_events_from_bytes(data, name)

    assert UNICODE.encode("utf-8") in data
    assert again.events.set_index("id").at["MOVE1", "notes"] == UNICODE
    assert again.events.set_index("id").at["MOVE1", "location"] == "Baghdad \u2013 Green Zone"


def test_empty_selection_gives_an_empty_feature_collection(events: gpd.GeoDataFrame) -> None:
    data = to_geojson_bytes(events.iloc[:0])
    again = load_events_from_bytes(data, "none.geojson")

    assert json.loads(data) == {"type": "FeatureCollection", "features": []}
    assert (again.records, again.problems) == (0, [])


def test_empty_selection_gives_a_header_only_csv(events: gpd.GeoDataFrame) -> None:
    data = to_acled_csv_bytes(events.iloc[:0])
    again = load_events_from_bytes(data, "none.csv")

    assert data.decode() == ",".join(CSV_COLUMNS) + "\r\n"
    assert (again.kind, again.records, again.problems) == ("ACLED CSV", 0, [])


# ---- casualty claims travel beside ACLED's single fatalities column ---------------------------

CLAIMED: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        feature(
            {
                "id": "SITE1",
                "event_date": "2019-12-29",
                "event_type": "Explosions/Remote violence",
                "group": "strikes",
                "claims": [
                    {
                        "figure": "killed",
                        "value": 25,
                        "source": "Reuters",
                        "scope": "group",
                        "url": "https://example.org/reuters",
                        "note": "all in Iraq",
                    },
                    {
                        "figure": "injured",
                        "value": 51,
                        "source": "=PMF",
                        "scope": "group",
                        "url": "https://example.org/pmf",
                    },
                ],
            },
            [41.09, 34.37],
        ),
        feature(
            {
                "id": "EMB1",
                "event_date": "2019-12-31",
                "event_type": "Riots",
                "claims": [
                    {
                        "figure": "injured",
                        "value": 62,
                        "source": 'PMF, via "NBC"',
                        "url": "https://example.org/nbc",
                    },
                    {
                        "figure": "injured",
                        "value": 70,
                        "source": "Other",
                        "url": "https://example.org/other",
                    },
                ],
            },
            [44.39, 33.29],
        ),
    ],
}


@pytest.fixture(scope="module")
def claimed() -> gpd.GeoDataFrame:
    result = load_events_from_bytes(json.dumps(CLAIMED).encode(), "claimed.geojson")
    assert result.problems == []
    return result.events


@pytest.mark.parametrize(("export", "name", "kind"), EXPORTS)
def test_claims_round_trip(
    claimed: gpd.GeoDataFrame, export: Exporter, name: str, kind: str
) -> None:
    again = load_events_from_bytes(export(claimed), name)
    assert again.problems == []
    assert list(again.events["claims"]) == list(claimed["claims"])
    injured = [None if pd.isna(v) else int(v) for v in again.events["injured"]]
    assert list(again.events["id"]) == ["SITE1", "EMB1"]
    assert injured == [None, 62]


def test_claims_beside_the_single_fatalities_column(claimed: gpd.GeoDataFrame) -> None:
    rows = {row["event_id_cnty"]: row for row in read_csv_rows(to_acled_csv_bytes(claimed))}
    assert "claims" in CSV_COLUMNS and CSV_COLUMNS.index("claims") > CSV_COLUMNS.index("fatalities")
    site, embassy = rows["SITE1"], rows["EMB1"]
    # No source gives a figure for the site itself: its cells stay empty, never 0.
    assert (site["fatalities"], site["injured"]) == ("", "")
    assert json.loads(site["claims"])[0] == CLAIMED["features"][0]["properties"]["claims"][0]
    assert (embassy["fatalities"], embassy["injured"]) == ("", "62")
    assert [c["value"] for c in json.loads(embassy["claims"])] == [62, 70]
    doc = json.loads(to_geojson_bytes(claimed))
    props = {f["id"]: f["properties"] for f in doc["features"]}
    assert props["EMB1"]["claims"] == CLAIMED["features"][1]["properties"]["claims"]
    assert props["SITE1"]["fatalities"] is None
