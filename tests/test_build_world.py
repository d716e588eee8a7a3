"""The world basemap's place files: thinning by zoom, capitals, cells (tools/build_world.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.build_world import (
    SPACING_X,
    SPACING_Y,
    ZOOMS,
    Place,
    capital_ids,
    cell_of,
    label_zooms,
    main,
    merge,
    world_pixel,
)


def place(
    name: str, lon: float, lat: float, population: int = 1000, capital: bool = False
) -> Place:
    return Place(lon=lon, lat=lat, name=name, population=population, capital=capital)


def grid_of_places() -> list[Place]:
    """A dense grid of places over Europe, bigger first."""
    places = [
        place(f"p{i}-{j}", -10 + i * 0.37, 36 + j * 0.29, population=10**6 - 1000 * i - j)
        for i in range(80)
        for j in range(60)
    ]
    return sorted(places, key=lambda p: -p.population)


def test_no_two_places_labelled_at_a_zoom_are_near_each_other() -> None:
    places = grid_of_places()
    zooms = label_zooms(places)
    for zoom in ZOOMS:
        shown = [
            world_pixel(p.lon, p.lat, zoom)
            for p, z in zip(places, zooms, strict=True)
            if z and z <= zoom
        ]
        assert shown, f"nothing labelled at zoom {zoom}"
        for i, (x, y) in enumerate(shown):
            for ox, oy in shown[i + 1 :]:
                assert abs(ox - x) >= SPACING_X or abs(oy - y) >= SPACING_Y, zoom


def test_more_places_are_labelled_as_the_map_zooms_in_and_the_biggest_first() -> None:
    places = grid_of_places()
    zooms = label_zooms(places)
    counts = [sum(1 for z in zooms if z is not None and z <= zoom) for zoom in ZOOMS]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert zooms[0] == ZOOMS[0], "the biggest place is labelled at the world view"


def test_the_capital_is_the_largest_place_named_like_it() -> None:
    cities = {
        "1": {"geonameid": 1, "name": "Washington", "countrycode": "US", "population": 27000},
        "2": {
            "geonameid": 2,
            "name": "Washington, D.C.",
            "countrycode": "US",
            "population": 689545,
        },
        "3": {"geonameid": 3, "name": "Paris", "countrycode": "US", "population": 25000},
        "4": {"geonameid": 4, "name": "Paris", "countrycode": "FR", "population": 2138551},
        "5": {"geonameid": 5, "name": "Lyon", "countrycode": "FR", "population": 522969},
    }
    countries = {
        "US": {"iso": "US", "capital": "Washington"},
        "FR": {"iso": "FR", "capital": "Paris"},
        "AQ": {"iso": "AQ", "capital": ""},
    }
    assert capital_ids(cities, countries) == {"2", "4"}


def test_a_curated_city_replaces_its_geonames_twin() -> None:
    twin = place("Al Qa'im", 40.99, 34.39, population=15000)
    other = place("Hit", 42.83, 33.64, population=15000)
    curated = Place(41.09, 34.37, "Al-Qa'im", 15000, capital=False, curated=True)
    merged = merge([twin, other], [curated])
    assert [p.name for p in merged] == ["Al-Qa'im", "Hit"]


@pytest.mark.parametrize(
    ("lon", "lat", "cell"),
    [(-64.2, -31.4, "-80_-40"), (44.4, 33.3, "40_20"), (180.0, 85.0, "160_80"), (0.0, 0.0, "0_0")],
)
def test_cell_of(lon: float, lat: float, cell: str) -> None:
    assert cell_of(lon, lat) == cell


def test_the_built_files_are_named_in_the_index_with_their_hashes(tmp_path: Path) -> None:
    atlas = tmp_path / "atlas"
    atlas.mkdir()
    for name in ("countries-110m.json", "countries-50m.json"):
        (atlas / name).write_text('{"type": "Topology"}', encoding="utf-8")
    regional = tmp_path / "regional.geojson"
    regional.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    out = tmp_path / "world"
    assert main(["--world-atlas", str(atlas), "--out", str(out), "--regional", str(regional)]) == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    named = [index["places"], *index["land"].values(), *index["cells"].values()]
    for entry in named:
        name, _, digest = entry.partition("?v=")
        assert (out / name).is_file() and len(digest) == 12
    major = json.loads((out / index["places"].partition("?")[0]).read_text(encoding="utf-8"))
    assert major["fields"] == ["lon", "lat", "name", "zoom", "capital"]
    assert len(major["places"]) > 500
    assert all(row[3] <= index["majorUpTo"] for row in major["places"])
