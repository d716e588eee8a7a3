"""The map: assets, a base map that renders the same twice, step payloads, and framing."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from streamlit_folium import (
    _get_feature_group_string,
    _get_header,
    _get_map_string,
    generate_js_hash,
)

from geo.maps import (
    BASEMAPS,
    CDN_CSS,
    CDN_JS,
    CIRCLES_UP_TO,
    COORD_SCALE,
    LOCAL_CSS,
    LOCAL_JS,
    STATIC_URL,
    TILES,
    TITLES_UP_TO,
    Assets,
    MapData,
    build_base_map,
    build_step_layer,
    build_step_payload,
    find_assets,
    fit_bounds,
    safe_json,
)
from geo.model import CATEGORIES, EVENT_TYPES

LOCAL = Assets(
    js=tuple((n, STATIC_URL + rel) for n, rel in LOCAL_JS),
    css=tuple((n, STATIC_URL + rel) for n, rel in LOCAL_CSS),
    local=True,
)
URL = re.compile(r"https?://[^\s\"'<>\\]+")

# ---- assets ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_assets() -> Iterator[None]:
    """find_assets remembers its answer per folder; start and end with none remembered."""
    find_assets.cache_clear()
    yield
    find_assets.cache_clear()


def vendor(folder: Path, leave_out: str | None = None) -> Path:
    for _, rel in LOCAL_JS + LOCAL_CSS:
        if rel != leave_out:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text("/* vendored */", encoding="utf-8")
    return folder


def test_local_assets_are_linked_relative_to_the_map_frame(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, fresh_assets: None
) -> None:
    with caplog.at_level(logging.WARNING, logger="flashpoint.maps"):
        assets = find_assets(vendor(tmp_path))
    assert assets.local
    links = [url for _, url in assets.js + assets.css]
    assert links == [
        "../../app/static/vendor/leaflet/leaflet.js",
        "../../app/static/vendor/jquery/jquery.min.js",
        "../../app/static/vendor/leaflet/leaflet.css",
    ]
    assert caplog.records == []


@pytest.mark.parametrize("missing", [rel for _, rel in LOCAL_JS + LOCAL_CSS])
def test_missing_assets_fall_back_to_the_cdn_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, fresh_assets: None, missing: str
) -> None:
    folder = vendor(tmp_path, leave_out=missing)
    with caplog.at_level(logging.WARNING, logger="flashpoint.maps"):
        assets = find_assets(folder)
        assert find_assets(folder) is assets
    assert assets == Assets(js=CDN_JS, css=CDN_CSS, local=False)
    assert all(url.startswith("https://") for _, url in assets.js + assets.css)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert str(folder) in record.getMessage()
    assert "CDN" in record.getMessage()


def test_a_folder_in_place_of_a_file_is_missing(tmp_path: Path) -> None:
    folder = vendor(tmp_path, leave_out=LOCAL_JS[0][1])
    (folder / LOCAL_JS[0][1]).mkdir()
    assert not find_assets.__wrapped__(folder).local


# ---- the base map, rendered the way st_folium renders it -------------------------------------

BASE: dict[str, Any] = {
    "basemap": "offline",
    "event_types": ["Battles", "Riots"],
    "center": (33.3, 44.4),
    "zoom": 6,
    "bounds": ((30.0, 40.0), (36.0, 48.0)),
    "token": "dataset-1",
}


def render_map(**changes: Any) -> tuple[str, str, str]:
    """Script, hash and header that st_folium would send for a freshly built base map."""
    fmap: Any = build_base_map(**(BASE | changes), assets=LOCAL)
    # The same steps in the same order as st_folium: the script is taken last because
    # taking it renames the map's elements.
    fmap.get_root().render()
    fmap.render()
    header = _get_header(fmap)
    script = _get_map_string(fmap)
    return script, generate_js_hash(script, "map"), header


def layer_config(script: str) -> dict[str, Any]:
    match = re.search(r"new window\.FlashpointLayer\(map_div, (\{.*\})\);", script)
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def linked_files(fmap: folium.Map) -> list[str]:
    """Every JS and CSS link of the map and its children, as st_folium collects them."""
    links: list[str] = []
    stack: list[Any] = [fmap]
    while stack:
        element = stack.pop()
        links += [url for _, url in getattr(element, "default_js", [])]
        links += [url for _, url in getattr(element, "default_css", [])]
        stack += list(getattr(element, "_children", {}).values())
    return links


@pytest.mark.parametrize("basemap", list(BASEMAPS))
def test_same_inputs_render_the_same_script_and_hash(basemap: str) -> None:
    first, second = render_map(basemap=basemap), render_map(basemap=basemap)
    assert first == second
    assert "map_div.fitBounds" in first[0]


CHANGES = [
    pytest.param({"basemap": "osm"}, id="basemap"),
    pytest.param({"token": "dataset-2"}, id="dataset"),
    pytest.param({"event_types": ["Battles"]}, id="legend"),
    pytest.param({"bounds": None}, id="bounds"),
    pytest.param({"center": (36.2, 44.0)}, id="center"),
]


@pytest.mark.parametrize("changes", CHANGES)
def test_a_different_map_gets_a_different_script_and_hash(changes: dict[str, Any]) -> None:
    script, digest, _ = render_map()
    other_script, other_digest, _ = render_map(**changes)
    assert other_script != script
    assert other_digest != digest


@pytest.mark.parametrize("basemap", list(BASEMAPS))
def test_only_tile_addresses_are_fetched(basemap: str) -> None:
    script, _, header = render_map(basemap=basemap)
    allowed: set[str] = set()
    if basemap in TILES:
        template, attribution = TILES[basemap]
        allowed = {template, *URL.findall(attribution)}
        assert template in script
    assert set(URL.findall(script)) <= allowed
    assert URL.findall(header) == []
    filled = re.search(r",\s*(true|false)\);\s*new window\.FlashpointLayer", script)
    assert filled is not None
    assert filled.group(1) == ("true" if basemap == "offline" else "false")


def test_local_assets_are_the_only_linked_files() -> None:
    fmap = build_base_map(**BASE, assets=LOCAL)
    assert sorted(linked_files(fmap)) == sorted(url for _, url in LOCAL.js + LOCAL.css)


LEGENDS = [
    pytest.param([], [], id="none"),
    pytest.param(["Riots", "Battles"], ["Battles", "Riots"], id="vocabulary-order"),
    pytest.param(["Other", "Protests", "Bogus"], ["Protests", "Other"], id="unknown-left-out"),
    pytest.param(list(EVENT_TYPES), list(EVENT_TYPES), id="all"),
]


@pytest.mark.parametrize(("types", "expected"), LEGENDS)
def test_legend_lists_only_the_given_types(types: list[str], expected: list[str]) -> None:
    config = layer_config(render_map(event_types=types)[0])
    assert [EVENT_TYPES[i] for i in config["legend"]] == expected
    assert config["categories"] == [
        {"name": c.name, "color": c.color, "shape": c.shape} for c in CATEGORIES
    ]
    assert config["dataset"] == "dataset-1"


# ---- per-event columns -----------------------------------------------------------------------

U_SHAPE = Polygon([(40, 30), (43, 30), (43, 33), (42, 33), (42, 31), (41, 31), (41, 33), (40, 33)])
GEOMETRIES = [
    Point(44.12345, 33.54321),
    LineString([(51.39, 35.69), (47.0, 34.0), (44.36, 33.31)]),
    MultiLineString([[(40.0, 30.0), (41.0, 31.0)], [(42.0, 32.0), (43.0, 33.0)]]),
    U_SHAPE,
    Point(-77.03, 38.9),
]


def events_table(n: int = len(GEOMETRIES)) -> gpd.GeoDataFrame:
    """The first n events: one of each geometry kind, and a type the vocabulary lacks."""
    return gpd.GeoDataFrame(
        {
            "event_type": ["Battles", "Riots", "Protests", "Cyber attack", "Other"][:n],
            "event_date": pd.to_datetime(
                ["1970-01-02", "2019-12-27", "2019-12-27", "2020-01-03", "2020-01-03"][:n]
            ),
            "title": ["a", "b", "c", "d", "e"][:n],
            "uncertainty_m": pd.array([500.0, None, 0.0, 2500.0, None][:n], dtype="Float64"),
        },
        geometry=GEOMETRIES[:n],
        crs="EPSG:4326",
    )


DATA = MapData.from_events(events_table())


def test_map_data_puts_markers_on_the_events() -> None:
    assert DATA.x[0] == 4_412_345 and DATA.y[0] == 3_354_321
    assert (DATA.x[1], DATA.y[1]) == (4_436_000, 3_331_000)
    assert (DATA.x[2], DATA.y[2]) == (4_300_000, 3_300_000)
    marker = Point(DATA.x[3] / COORD_SCALE, DATA.y[3] / COORD_SCALE)
    assert U_SHAPE.contains(marker)
    assert not U_SHAPE.contains(U_SHAPE.centroid)
    assert DATA.x.dtype == DATA.y.dtype == np.int64


def test_map_data_keeps_the_path_of_movements() -> None:
    assert DATA.lines == {
        1: [[51.39, 35.69], [47.0, 34.0], [44.36, 33.31]],
        2: [[40.0, 30.0], [41.0, 31.0], [42.0, 32.0], [43.0, 33.0]],
    }


def test_map_data_types_days_titles_and_uncertainty() -> None:
    kinds = ["Battles", "Riots", "Protests", "Other", "Other"]
    assert DATA.t.tolist() == [EVENT_TYPES.index(k) for k in kinds]
    assert DATA.day.tolist() == [1, 18257, 18257, 18264, 18264]
    assert DATA.titles.tolist() == ["a", "b", "c", "d", "e"]
    np.testing.assert_array_equal(DATA.uncertainty, [500.0, np.nan, 0.0, 2500.0, np.nan])


def test_map_data_of_no_events() -> None:
    empty = MapData.from_events(events_table(0))
    assert len(empty.x) == len(empty.t) == len(empty.day) == 0
    assert empty.lines == {}
    assert json.loads(build_step_payload(empty, np.zeros(0, bool), np.zeros(0, bool)))["rows"] == []


# ---- step payloads ---------------------------------------------------------------------------


def payload(data: MapData, visible: list[bool], current: list[bool], **kw: Any) -> dict[str, Any]:
    text = build_step_payload(data, np.array(visible), np.array(current), **kw)
    decoded: dict[str, Any] = json.loads(text)
    return decoded


def test_payload_columns_follow_the_visible_rows() -> None:
    visible, current = [True, False, True, True, False], [False, False, True, False, False]
    got = payload(DATA, visible, current, step=18257)
    rows = [0, 2, 3]
    assert got["rows"] == rows
    assert got["x"] == DATA.x[rows].tolist()
    assert got["y"] == DATA.y[rows].tolist()
    assert got["t"] == DATA.t[rows].tolist()
    assert got["day"] == DATA.day[rows].tolist()
    assert got["s"] == [0, 1, 0]
    assert got["title"] == ["a", "c", "d"]
    assert got["unc"] == {"0": 500.0, "3": 2500.0}
    assert got["lines"] == {"2": DATA.lines[2]}
    assert (got["step"], got["sel"], got["focus"]) == (18257, -1, [])
    assert "fly" not in got


def test_payload_passes_selection_focus_and_flight_through() -> None:
    fly = ((33.0, 44.0), (36.5, 45.25))
    got = payload(DATA, [True] * 5, [False] * 5, selected=3, focus=[1, 4], fly=fly)
    assert (got["sel"], got["focus"]) == (3, [1, 4])
    assert got["fly"] == [[33.0, 44.0], [36.5, 45.25]]
    assert set(got["lines"]) == {"1", "2"}


def many(n: int) -> MapData:
    """n point events, every one with an uncertainty circle."""
    return MapData(
        x=np.arange(n, dtype=np.int64),
        y=np.arange(n, dtype=np.int64),
        t=np.zeros(n, dtype=np.int64),
        day=np.zeros(n, dtype=np.int64),
        titles=np.array([f"event {i}" for i in range(n)], dtype=object),
        uncertainty=np.full(n, 100.0),
        lines={},
    )


@pytest.mark.parametrize(("n", "titled"), [(TITLES_UP_TO, True), (TITLES_UP_TO + 1, False)])
def test_titles_only_up_to_a_limit(n: int, titled: bool) -> None:
    got = payload(many(n), [True] * n, [False] * n)
    assert ("title" in got) is titled
    if titled:
        assert got["title"][-1] == f"event {n - 1}"


CIRCLES = [
    pytest.param(CIRCLES_UP_TO, None, list(range(CIRCLES_UP_TO)), id="at-limit-all"),
    pytest.param(CIRCLES_UP_TO + 1, None, [5, 6], id="above-limit-current-only"),
    pytest.param(CIRCLES_UP_TO + 1, 9, [5, 6, 9], id="above-limit-current-and-selected"),
]


@pytest.mark.parametrize(("n", "selected", "expected"), CIRCLES)
def test_uncertainty_circles_above_a_limit(
    n: int, selected: int | None, expected: list[int]
) -> None:
    current = np.zeros(n, dtype=bool)
    current[[5, 6]] = True
    sel = -1 if selected is None else selected
    got = payload(many(n), [True] * n, current.tolist(), selected=sel)
    assert sorted(int(r) for r in got["unc"]) == expected
    assert set(got["unc"].values()) == {100.0}


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- & -->",
    'Tom & Jerry\'s "quote"',
    "line\u2028separator\u2029paragraph",
    "emoji 💥 and Arabic الحشد",
]


def test_payload_is_safe_inside_a_script_element() -> None:
    data = MapData.from_events(events_table().assign(title=HOSTILE))
    text = build_step_payload(data, np.ones(5, bool), np.zeros(5, bool))
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text)["title"] == HOSTILE


def test_step_layer_reaches_the_map_as_built() -> None:
    """The payload survives st_folium's rendering, even titles that look like templates."""
    titles = [*HOSTILE[:3], "{{ 7*7 }}", "{% if x %}{# c #}"]
    data = MapData.from_events(events_table().assign(title=titles))
    text = build_step_payload(data, np.ones(5, bool), np.zeros(5, bool))
    fmap: Any = build_base_map(**BASE, assets=LOCAL)
    fmap.get_root().render()
    script = _get_feature_group_string(build_step_layer(text), map=fmap)
    assert f"window.flashpoint.update({text});" in script
    assert "</script>" not in script


@pytest.mark.parametrize("value", [HOSTILE, {"k": HOSTILE}, "</SCRIPT>", 1.5, None])
def test_safe_json_round_trips(value: Any) -> None:
    text = safe_json(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == value


def test_safe_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        safe_json({"unc": float("nan")})


# ---- framing ---------------------------------------------------------------------------------

IRAQ = [(44.36, 33.31), (43.13, 36.34), (47.78, 30.51), (44.28, 35.51), (42.44, 33.37)]
WASHINGTON = (-77.03, 38.9)
TEHRAN = (51.39, 35.69)
FRAMES = [
    pytest.param(IRAQ, IRAQ, id="iraq"),
    pytest.param([*IRAQ, WASHINGTON], IRAQ, id="washington-left-out"),
    pytest.param([*IRAQ[:4], WASHINGTON], IRAQ[:4], id="one-in-five-left-out"),
    pytest.param([*IRAQ[:3], WASHINGTON], [*IRAQ[:3], WASHINGTON], id="one-in-four-kept"),
    pytest.param((IRAQ * 3)[:12] + [WASHINGTON] * 3, IRAQ, id="three-in-fifteen-left-out"),
    pytest.param((IRAQ * 2)[:7] + [WASHINGTON] * 2, [*IRAQ, WASHINGTON], id="two-in-nine-kept"),
    pytest.param(IRAQ[:2] + [WASHINGTON] * 2, IRAQ[:2] + [WASHINGTON] * 2, id="half-kept"),
    pytest.param([*IRAQ, TEHRAN], [*IRAQ, TEHRAN], id="neighbour-kept"),
    pytest.param([WASHINGTON], [WASHINGTON], id="single-point"),
]


@pytest.mark.parametrize(("points", "framed"), FRAMES)
def test_fit_bounds(points: list[tuple[float, float]], framed: list[tuple[float, float]]) -> None:
    lon, lat = np.array(points).T
    got = fit_bounds(lon, lat)
    lons, lats = [p[0] for p in framed], [p[1] for p in framed]
    assert got is not None
    (south, west), (north, east) = got
    expected = (min(lats) - 0.3, min(lons) - 0.3, max(lats) + 0.3, max(lons) + 0.3)
    assert (south, west, north, east) == pytest.approx(expected)


def test_fit_bounds_of_nothing() -> None:
    assert fit_bounds(np.zeros(0), np.zeros(0)) is None
