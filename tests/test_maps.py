"""The map: assets, a base map that renders the same twice, step payloads, and framing."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date
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

from geo.categories import GROUP_COLOR, OKABE_ITO, assign_categories, categories_of
from geo.language import Language
from geo.limits import FILTER_OPTIONS
from geo.maps import (
    APP_FILES,
    APP_URL,
    CDN_CSS,
    CDN_JS,
    LOCAL_CSS,
    LOCAL_JS,
    OSM_LINK,
    STATIC_URL,
    TILES,
    AppFiles,
    Assets,
    basemap_credit,
    build_base_map,
    build_events_layer,
    find_app_files,
    find_assets,
    fit_bounds,
    safe_json,
    tile_credit,
)
from geo.model import CATEGORY_BY_NAME
from geo.payload import (
    CIRCLES_UP_TO,
    COORD_SCALE,
    TITLES_UP_TO,
    MapData,
    build_event_columns,
    build_map_config,
    map_language,
    style_indexes,
)
from geo.share import BASEMAPS

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
        "../../app/static/vendor/topojson-client/topojson-client.min.js",
        "../../app/static/vendor/supercluster/supercluster.min.js",
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
    "counts": {"Battles": 3, "Riots": 1},
    "center": (33.3, 44.4),
    "zoom": 6,
    "bounds": ((30.0, 40.0), (36.0, 48.0)),
    "token": "dataset-1",
}
SERVED = AppFiles(
    urls={name: f"{APP_URL}{path.name}?v=0123456789ab" for name, path in APP_FILES}, inline={}
)


def base_map(**changes: Any) -> Any:
    """A base map built from BASE with some inputs changed."""
    args = BASE | changes
    config = build_map_config(
        categories=assign_categories(args.pop("counts")),
        token=args.pop("token"),
        first=date(2014, 6, 13),
        last=date(2020, 1, 3),
        focus=(date(2019, 12, 27), date(2020, 1, 3), "Crisis"),
        language=args.pop("language", None),
    )
    files = args.pop("files", SERVED)
    return build_base_map(**args, config=config, assets=LOCAL, files=files)


def render_map(**changes: Any) -> tuple[str, str, str]:
    """Script, hash and header that st_folium would send for a freshly built base map."""
    fmap: Any = base_map(**changes)
    # The same steps in the same order as st_folium: the script is taken last because
    # taking it renames the map's elements.
    fmap.get_root().render()
    fmap.render()
    header = _get_header(fmap)
    script = _get_map_string(fmap)
    return script, generate_js_hash(script, "map"), header


def layer_config(script: str) -> dict[str, Any]:
    match = re.search(r"new window\.FlashpointMap\(map_div, (\{.*\})\);", script)
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
    pytest.param({"counts": {"Battles": 3}}, id="legend"),
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
        allowed = {template, *URL.findall(attribution), *URL.findall(OSM_LINK)}
        assert template in script
    assert set(URL.findall(script)) <= allowed
    assert URL.findall(header) == []
    filled = re.search(r",\s*(true|false)\);\s*new window\.FlashpointMap", script)
    assert filled is not None
    assert filled.group(1) == ("true" if basemap == "offline" else "false")


def test_local_assets_are_the_only_linked_files() -> None:
    served = [
        SERVED.urls[k]
        for k in (
            "flashpoint_js",
            "counts_js",
            "cluster_worker_js",
            "clusters_js",
            "cluster_list_js",
            "basemap_js",
            "flashpoint_css",
        )
    ]
    expected = [url for _, url in LOCAL.js + LOCAL.css] + served
    assert sorted(linked_files(base_map())) == sorted(expected)


def test_served_files_keep_the_map_script_small_and_inline_files_travel_with_it() -> None:
    served, _, _ = render_map()
    assert SERVED.urls["basemap"] in served
    assert '"world":null' in served, "no world index was found, so none is named"
    assert "FlashpointMap.prototype" not in served
    assert len(served) < 4_000
    inline = AppFiles(
        urls={}, inline={"flashpoint_js": "/* map code */", "flashpoint_css": "", "basemap": "{}"}
    )
    script, _, _ = render_map(files=inline)
    assert "/* map code */" in script
    assert re.search(r'window\.drawFlashpointBasemap\(map_div, \{\}, "[^"<]*", true\);', script)


def test_static_copies_are_used_only_when_they_match_the_sources(
    tmp_path: Path, fresh_app_files: None
) -> None:
    for _, source in APP_FILES:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    served = find_app_files(tmp_path)
    assert served.inline == {}
    assert served.urls["flashpoint_js"].startswith(APP_URL + "flashpoint.js?v=")
    find_app_files.cache_clear()
    (tmp_path / "flashpoint.js").write_text("/* stale */", encoding="utf-8")
    stale = find_app_files(tmp_path)
    assert stale.urls == {}
    assert "FlashpointMap" in stale.inline["flashpoint_js"]
    assert "drawFlashpointBasemap" in stale.inline["flashpoint_js"]


def test_the_world_index_is_named_with_its_hash_when_built(
    tmp_path: Path, fresh_app_files: None
) -> None:
    for _, source in APP_FILES:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    assert "world" not in find_app_files(tmp_path).urls
    find_app_files.cache_clear()
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "index.json").write_text('{"land": {}}', encoding="utf-8")
    url = find_app_files(tmp_path).urls["world"]
    assert re.fullmatch(re.escape(APP_URL) + r"world/index\.json\?v=[0-9a-f]{12}", url)
    script, _, _ = render_map(files=find_app_files(tmp_path))
    assert f'"world":"{url}"' in script


@pytest.fixture
def fresh_app_files() -> Iterator[None]:
    """find_app_files remembers its answer per folder; start and end with none remembered."""
    find_app_files.cache_clear()
    yield
    find_app_files.cache_clear()


def style(name: str, color: str, shape: str, count: int) -> dict[str, Any]:
    return {"name": name, "color": color, "shape": shape, "count": count, "members": []}


def acled(name: str, count: int) -> dict[str, Any]:
    return style(name, CATEGORY_BY_NAME[name].color, CATEGORY_BY_NAME[name].shape, count)


LEGENDS = [
    pytest.param({}, [], id="none"),
    pytest.param(
        {"Riots": 2, "Battles": 1}, [acled("Battles", 1), acled("Riots", 2)], id="acled-order"
    ),
    pytest.param(
        {"SOF": 1492, "Airstrike": 2446},
        [
            style("Airstrike", OKABE_ITO[0], "circle", 2446),
            style("SOF", OKABE_ITO[1], "diamond", 1492),
        ],
        id="own-by-size",
    ),
    pytest.param(
        {"Protests": 5, "Cyber attack": 2, "": 1},
        [
            acled("Protests", 5),
            style("Cyber attack", OKABE_ITO[0], "circle", 2),
            # Sky blue is left out beside ACLED's protests: too close to tell apart.
            style("(no category)", OKABE_ITO[2], "diamond", 1),
        ],
        id="mixed",
    ),
]


@pytest.mark.parametrize(("counts", "expected"), LEGENDS)
def test_the_map_draws_the_datasets_own_categories(
    counts: dict[str, int], expected: list[dict[str, Any]]
) -> None:
    config = layer_config(render_map(counts=counts)[0])
    assert config["categories"] == expected
    assert config["dataset"] == "dataset-1"
    assert (config["first"], config["last"]) == (16234, 18264)
    assert config["focus"] == [18257, 18264] and config["focusLabel"] == "Crisis"


def test_categories_past_the_palette_share_one_entry_that_lists_them() -> None:
    counts = {f"Type {chr(65 + i)}": 100 - i for i in range(14)}
    config = layer_config(render_map(counts=counts)[0])
    styles = config["categories"]
    assert [s["name"] for s in styles[:7]] == [f"Type {chr(65 + i)}" for i in range(7)]
    assert [s["color"] for s in styles[:7]] == list(OKABE_ITO)
    group = styles[7]
    assert len(styles) == 8
    assert (group["name"], group["color"]) == ("Other categories (7)", GROUP_COLOR)
    assert group["count"] == sum(100 - i for i in range(7, 14))
    assert group["members"] == [
        {"name": f"Type {chr(65 + i)}", "count": 100 - i} for i in range(7, 14)
    ]


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
            "end_date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
        },
        geometry=GEOMETRIES[:n],
        crs="EPSG:4326",
    )


DATA_TABLE = events_table()


DATA = MapData.from_events(DATA_TABLE, categories_of(DATA_TABLE["event_type"]))


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
    # ACLED's in their order, then the file's own by size (ties by name).
    assert DATA.t.tolist() == [0, 2, 1, 3, 4]
    assert DATA.day.tolist() == [1, 18257, 18257, 18264, 18264]
    assert DATA.titles.tolist() == ["a", "b", "c", "d", "e"]
    np.testing.assert_array_equal(DATA.uncertainty, [500.0, np.nan, 0.0, 2500.0, np.nan])


def test_map_data_of_no_events() -> None:
    empty = MapData.from_events(events_table(0), assign_categories({}))
    assert len(empty.x) == len(empty.t) == len(empty.day) == 0
    assert empty.lines == {}
    assert build_event_columns(empty, np.zeros(0, bool))["row"] == []


# ---- event columns: the dataset under its filters, sent once ---------------------------------


def columns(data: MapData, mask: list[bool]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(safe_json(build_event_columns(data, np.array(mask))))
    return decoded


def test_columns_follow_the_filtered_rows() -> None:
    got = columns(DATA, [True, False, True, True, False])
    rows = [0, 2, 3]
    assert got["row"] == rows
    assert got["x"] == DATA.x[rows].tolist()
    assert got["y"] == DATA.y[rows].tolist()
    assert got["t"] == DATA.t[rows].tolist()
    assert got["start"] == DATA.day[rows].tolist()
    assert got["end"] == got["start"]
    assert got["title"] == ["a", "c", "d"]
    assert got["unc"] == {"0": 500.0, "3": 2500.0}
    assert got["lines"] == {"2": DATA.lines[2]}


def test_an_end_date_extends_an_event() -> None:
    table = events_table().assign(
        end_date=pd.to_datetime(pd.Series([None, "2019-12-31", None, None, "2019-01-01"]))
    )
    data = MapData.from_events(table, categories_of(table["event_type"]))
    assert data.end.tolist() == [1, 18261, 18257, 18264, 18264]


def many(n: int) -> MapData:
    """n point events, every one with an uncertainty circle."""
    return MapData(
        x=np.arange(n, dtype=np.int64),
        y=np.arange(n, dtype=np.int64),
        t=np.zeros(n, dtype=np.int64),
        day=np.zeros(n, dtype=np.int64),
        end=np.zeros(n, dtype=np.int64),
        titles=np.array([f"event {i}" for i in range(n)], dtype=object),
        uncertainty=np.full(n, 100.0),
        lines={},
    )


@pytest.mark.parametrize(("n", "titled"), [(TITLES_UP_TO, True), (TITLES_UP_TO + 1, False)])
def test_titles_only_up_to_a_limit(n: int, titled: bool) -> None:
    got = columns(many(n), [True] * n)
    assert ("title" in got) is titled
    if titled:
        assert got["title"][-1] == f"event {n - 1}"


def test_every_circle_travels_and_the_map_is_told_when_to_thin_them() -> None:
    got = columns(many(10), [True] * 10)
    assert sorted(int(r) for r in got["unc"]) == list(range(10))
    assert set(got["unc"].values()) == {100.0}
    assert layer_config(render_map()[0])["circlesUpTo"] == CIRCLES_UP_TO


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- & -->",
    'Tom & Jerry\'s "quote"',
    "line\u2028separator\u2029paragraph",
    "emoji 💥 and Arabic الحشد",
]


def test_columns_are_safe_inside_a_script_element() -> None:
    data = MapData.from_events(
        events_table().assign(title=HOSTILE), categories_of(DATA_TABLE["event_type"])
    )
    text = safe_json(build_event_columns(data, np.ones(5, bool)))
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text)["title"] == HOSTILE


def test_events_layer_reaches_the_map_as_built() -> None:
    """The columns survive st_folium's rendering, even titles that look like templates."""
    titles = [*HOSTILE[:3], "{{ 7*7 }}", "{% if x %}{# c #}"]
    data = MapData.from_events(
        events_table().assign(title=titles), categories_of(DATA_TABLE["event_type"])
    )
    built = build_event_columns(data, np.ones(5, bool))
    fmap: Any = base_map()
    fmap.get_root().render()
    script = _get_feature_group_string(build_events_layer(built), map=fmap)
    assert f"window.flashpoint.setEvents({safe_json(built)});" in script
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


# Across the date line the frame is the narrow arc over the Pacific, its east edge past 180.
PACIFIC = [(172.98, 1.33), (178.44, -18.14), (-171.77, -13.83), (-175.2, -21.14)]
ACROSS = [
    pytest.param(PACIFIC, (-21.14, 172.98, 1.33, 188.23), id="pacific"),
    pytest.param([(179.5, 0.0), (-179.5, 1.0)], (0.0, 179.5, 1.0, 180.5), id="two-sides"),
    pytest.param([(-179.5, 0.0), (-170.0, 1.0)], (0.0, -179.5, 1.0, -170.0), id="west-only"),
    pytest.param([(-170.0, 0.0), (170.0, 1.0), (0.0, 2.0)], (0.0, 0.0, 2.0, 190.0), id="round"),
]


@pytest.mark.parametrize(("points", "edges"), ACROSS)
def test_fit_bounds_across_the_date_line(
    points: list[tuple[float, float]], edges: tuple[float, float, float, float]
) -> None:
    lon, lat = np.array(points).T
    got = fit_bounds(lon, lat)
    assert got is not None
    (south, west), (north, east) = got
    expected = (edges[0] - 0.3, edges[1] - 0.3, edges[2] + 0.3, edges[3] + 0.3)
    assert (south, west, north, east) == pytest.approx(expected)
    assert isinstance(west, float) and isinstance(east, float)


@pytest.mark.parametrize(
    ("code", "offline", "osm"),
    [
        (
            "en",
            "Land, borders, rivers: Natural Earth · Places: GeoNames (CC BY 4.0)",
            "contributors",
        ),
        (
            "ar",
            "اليابسة والحدود والأنهار: Natural Earth · الأماكن: GeoNames (CC BY 4.0)",
            "المساهمون في",
        ),
        ("fa", "خشکی، مرزها، رودها: Natural Earth · مکان‌ها: GeoNames (CC BY 4.0)", "مشارکت‌کنندگان"),  # noqa: RUF001
    ],
)
def test_the_credits_are_in_the_maps_language_with_the_sources_names_kept(
    code: str, offline: str, osm: str
) -> None:
    words = map_language(Language(code))["words"]
    assert basemap_credit(words) == offline
    for basemap in TILES:
        credit = tile_credit(basemap, words)
        assert osm in credit and OSM_LINK in credit
        assert ("CARTO" in credit) == (basemap != "osm")
    script, _, _ = render_map(language=Language(code))
    assert f', "{offline}", true);' in script


def test_the_maps_page_lets_a_reader_pinch_zoom() -> None:
    _, _, header = render_map()
    viewports = re.findall(r'<meta name="viewport"[^>]*>', header)
    assert viewports == ['<meta name="viewport" content="width=device-width, initial-scale=1" />']
    assert "user-scalable" not in header and "maximum-scale" not in header


def test_the_legend_lists_grouped_categories_up_to_the_limit_then_how_many_more() -> None:
    counts = {f"t{i:05}": 10 for i in range(7 + FILTER_OPTIONS.value + 5)}
    group = layer_config(render_map(counts=counts)[0])["categories"][-1]
    members = group["members"]
    assert len(members) == FILTER_OPTIONS.value + 1
    assert members[-1] == {"name": "and 5 more", "count": 50}
    assert group["count"] == 10 * (FILTER_OPTIONS.value + 5)


def test_each_event_takes_its_categorys_style_and_the_grouped_share_the_last() -> None:
    types = [f"Type {chr(65 + i)}" for i in range(9) for _ in range(9 - i)] + ["", "Type A"]
    column = pd.Series(types, dtype=str)
    categories = categories_of(column)
    index = style_indexes(column, categories).tolist()
    keys = [c.key for c in categories.coloured]
    assert len(keys) == 7 and len(categories.grouped) == 3  # B..G coloured after A, then more
    assert index == [keys.index(t) if t in keys else len(keys) for t in types]
    assert style_indexes(pd.Series(types, dtype=object), categories).tolist() == index
