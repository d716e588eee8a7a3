"""Synthetic ACLED-like incident sets over the Middle East, written as CSV and as GeoJSON.

Events cluster around real towns (most incidents happen where people live), the rest are
scattered over the region; one calendar year, ACLED's event-type mix, a few movements drawn
as LineStrings, multi-day events and uncertainty radii. Seeded, so every run is identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.countries import COUNTRY_BOUNDS
from geo.model import CATEGORIES
from geo.reading import ACLED_EXPORT_COLUMNS

WEST, EAST, SOUTH, NORTH = 35.0, 60.0, 25.0, 40.0
YEAR: Final = 2024
FIRST_DAY: Final = date(YEAR, 1, 1)
DAYS: Final = 366
SEED: Final = 20240101

# (town, admin1, country, lon, lat): hotspots the clustered events gather around.
TOWNS: Final[tuple[tuple[str, str, str, float, float], ...]] = (
    ("Baghdad", "Baghdad", "Iraq", 44.366, 33.315),
    ("Mosul", "Ninewa", "Iraq", 43.130, 36.340),
    ("Kirkuk", "Kirkuk", "Iraq", 44.392, 35.468),
    ("Basra", "Basrah", "Iraq", 47.783, 30.508),
    ("Erbil", "Erbil", "Iraq", 44.009, 36.191),
    ("Fallujah", "Anbar", "Iraq", 43.779, 33.349),
    ("Damascus", "Damascus", "Syria", 36.292, 33.510),
    ("Aleppo", "Aleppo", "Syria", 37.161, 36.202),
    ("Deir ez-Zor", "Deir ez-Zor", "Syria", 40.141, 35.336),
    ("Raqqa", "Ar-Raqqa", "Syria", 39.016, 35.951),
    ("Homs", "Homs", "Syria", 36.724, 34.731),
    ("Idlib", "Idleb", "Syria", 36.633, 35.930),
    ("Tehran", "Tehran", "Iran", 51.389, 35.689),
    ("Isfahan", "Isfahan", "Iran", 51.668, 32.654),
    ("Ahvaz", "Khuzestan", "Iran", 48.669, 31.318),
    ("Zahedan", "Sistan and Baluchestan", "Iran", 60.0, 29.496),
    ("Kermanshah", "Kermanshah", "Iran", 47.065, 34.314),
    ("Shiraz", "Fars", "Iran", 52.531, 29.592),
    ("Beirut", "Beirut", "Lebanon", 35.495, 33.889),
    ("Tyre", "South", "Lebanon", 35.203, 33.270),
    ("Amman", "Amman", "Jordan", 35.930, 31.951),
    ("Kuwait City", "Al Asimah", "Kuwait", 47.978, 29.376),
    ("Hofuf", "Eastern", "Saudi Arabia", 49.586, 25.383),
    ("Dammam", "Eastern", "Saudi Arabia", 50.103, 26.434),
    ("Diyarbakir", "Diyarbakir", "Turkey", 40.230, 37.914),
    ("Manama", "Capital", "Bahrain", 50.586, 26.228),
    ("Doha", "Ad Dawhah", "Qatar", 51.531, 25.286),
    ("Dubai", "Dubai", "United Arab Emirates", 55.296, 25.276),
)
ISO3: Final[dict[str, str]] = {
    "Iraq": "IRQ",
    "Syria": "SYR",
    "Iran": "IRN",
    "Lebanon": "LBN",
    "Jordan": "JOR",
    "Kuwait": "KWT",
    "Saudi Arabia": "SAU",
    "Turkey": "TUR",
    "Bahrain": "BHR",
    "Qatar": "QAT",
    "United Arab Emirates": "ARE",
    "Israel": "ISR",
    "Palestine": "PSE",
    "Oman": "OMN",
    "": "XXX",
}
# ACLED's global mix of event types, roughly.
TYPE_SHARES: Final[dict[str, float]] = {
    "Battles": 0.20,
    "Explosions/Remote violence": 0.27,
    "Violence against civilians": 0.13,
    "Protests": 0.28,
    "Riots": 0.06,
    "Strategic developments": 0.06,
}
ACTORS: Final[tuple[str, ...]] = (
    "Military Forces of Iraq (2022-)",
    "Police Forces of Iraq (2022-)",
    "Popular Mobilization Forces",
    "Kataib Hezbollah",
    "Islamic State (Iraq)",
    "Islamic State (Syria)",
    "Military Forces of Syria (2000-)",
    "Hayat Tahrir al Sham",
    "SDF: Syrian Democratic Forces",
    "Military Forces of Turkey (2016-)",
    "Military Forces of Iran (1989-)",
    "IRGC: Islamic Revolutionary Guard Corps",
    "Hezbollah",
    "Military Forces of Israel (2022-)",
    "Military Forces of the United States (2021-)",
    "Protesters (Iraq)",
    "Protesters (Iran)",
    "Rioters (Iraq)",
    "Civilians (Iraq)",
    "Civilians (Syria)",
    "Unidentified Armed Group (Iraq)",
    "Unidentified Armed Group (Syria)",
)
SOURCES: Final[tuple[str, ...]] = (
    "Shafaq News",
    "Rudaw",
    "Syrian Observatory for Human Rights",
    "Reuters",
    "Kurdistan 24",
    "Iran International",
    "L'Orient-Le Jour",
    "Al Sumaria",
)
SCALES: Final[tuple[str, ...]] = ("Local partner-National", "National", "International")
VERBS: Final[dict[str, str]] = {
    "Battles": "clashed with",
    "Explosions/Remote violence": "struck positions of",
    "Violence against civilians": "attacked",
    "Protests": "demonstrated against",
    "Riots": "rioted against",
    "Strategic developments": "arrested members of",
}
LINE_SHARE: Final = 0.005
MULTI_DAY_SHARE: Final = 0.02
UNCERTAINTY_SHARE: Final = 0.10
CLUSTERED_SHARE: Final = 0.75

CSV_COLUMNS: Final = (
    *ACLED_EXPORT_COLUMNS,
    # Flashpoint's own columns on top of ACLED's.
    "title",
    "end_date",
    "uncertainty_m",
    "geometry_wkt",
)


@dataclass(frozen=True, slots=True)
class SyntheticSet:
    """One generated incident set and the files it was written to."""

    size: int
    events: pd.DataFrame
    lines: dict[int, list[tuple[float, float]]]
    csv: Path
    geojson: Path
    csv_bytes: int
    geojson_bytes: int

    @property
    def event_dates(self) -> list[date]:
        """Distinct event dates, in order (the dates the "next" button visits)."""
        days = pd.to_datetime(self.events["event_date"]).dt.date
        return sorted(set(days.tolist()))


def country_of(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The first country whose bounding box holds each point ('' at sea or elsewhere)."""
    names = np.full(len(lon), "", dtype=object)
    for name in ISO3:
        if not name or name not in COUNTRY_BOUNDS:
            continue
        x0, y0, x1, y1 = COUNTRY_BOUNDS[name]
        inside = (names == "") & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        names[inside] = name
    return names


def generate_events(size: int, seed: int = SEED) -> tuple[pd.DataFrame, dict[int, list[Any]]]:
    """`size` incidents in ACLED's columns, plus the LineString of each movement by row."""
    rng = np.random.default_rng(seed + size)
    town = rng.integers(0, len(TOWNS), size)
    clustered = rng.random(size) < CLUSTERED_SHARE
    town_lon = np.array([t[3] for t in TOWNS])[town]
    town_lat = np.array([t[4] for t in TOWNS])[town]
    lon = np.where(clustered, town_lon + rng.normal(0, 0.35, size), rng.uniform(WEST, EAST, size))
    lat = np.where(clustered, town_lat + rng.normal(0, 0.25, size), rng.uniform(SOUTH, NORTH, size))
    lon = np.clip(lon, WEST, EAST).round(4)
    lat = np.clip(lat, SOUTH, NORTH).round(4)
    boxed = country_of(lon, lat)
    town_country = np.array([t[2] for t in TOWNS], dtype=object)[town]
    country = np.where(clustered & (boxed == town_country), town_country, boxed)
    location = np.where(
        clustered,
        np.array([t[0] for t in TOWNS], dtype=object)[town],
        np.char.add("Site ", rng.integers(1, 5000, size).astype(str)).astype(object),
    )
    admin1 = np.where(clustered, np.array([t[1] for t in TOWNS], dtype=object)[town], "")

    # Busier weeks and quieter weeks, as in real conflict data.
    weekly = rng.gamma(2.0, 1.0, DAYS // 7 + 1).repeat(7)[:DAYS]
    day = np.sort(rng.choice(DAYS, size, p=weekly / weekly.sum()))
    event_date = pd.to_datetime(FIRST_DAY) + pd.to_timedelta(day, unit="D")
    multi_day = rng.random(size) < MULTI_DAY_SHARE
    end_date = event_date + pd.to_timedelta(np.where(multi_day, rng.integers(1, 10, size), 0), "D")

    type_names = list(TYPE_SHARES)
    kind = rng.choice(len(type_names), size, p=np.array(list(TYPE_SHARES.values())))
    event_type = np.array(type_names, dtype=object)[kind]
    subs = {c.name: [s for s in c.sub_types if s != "Other"] for c in CATEGORIES}
    pick = rng.integers(0, 100, size)
    sub_event_type = np.array(
        [subs[t][p % len(subs[t])] for t, p in zip(event_type, pick, strict=True)], dtype=object
    )
    actors = np.array(ACTORS, dtype=object)
    actor1 = actors[rng.integers(0, len(ACTORS), size)]
    actor2 = np.where(rng.random(size) < 0.7, actors[rng.integers(0, len(ACTORS), size)], "")
    fatalities = np.where(
        np.isin(event_type, ["Protests", "Strategic developments"]), 0, rng.poisson(1.4, size)
    )
    uncertainty = np.where(rng.random(size) < UNCERTAINTY_SHARE, rng.integers(2, 60, size) * 500, 0)
    iso = np.array([ISO3[c] for c in country], dtype=object)
    ids = [f"{code}{i + 1}" for i, code in enumerate(iso)]
    date_text = event_date.strftime("%Y-%m-%d")
    verbs = [VERBS[t] for t in event_type]
    titles = [
        f"{t.split('/')[0]} in {loc}" if not a2 else f"{a1.split(' (')[0]} {v} {a2.split(' (')[0]}"
        for t, loc, a1, a2, v in zip(event_type, location, actor1, actor2, verbs, strict=True)
    ]
    notes = [
        f"On {d}, {a1} {v} {a2 or 'unknown targets'} in {loc}"
        f"{', ' + adm if adm else ''} ({c or 'at sea'}). {f} fatalities reported."
        for d, a1, v, a2, loc, adm, c, f in zip(
            date_text, actor1, verbs, actor2, location, admin1, country, fatalities, strict=True
        )
    ]
    events = pd.DataFrame(
        {
            "event_id_cnty": ids,
            "event_date": date_text,
            "year": YEAR,
            "time_precision": rng.choice([1, 1, 1, 2, 3], size),
            "disorder_type": np.where(kind == 3, "Demonstrations", "Political violence"),
            "event_type": event_type,
            "sub_event_type": sub_event_type,
            "actor1": actor1,
            "assoc_actor_1": "",
            "inter1": rng.integers(1, 8, size),
            "actor2": actor2,
            "assoc_actor_2": "",
            "inter2": rng.integers(0, 8, size),
            "interaction": rng.integers(10, 80, size),
            "civilian_targeting": np.where(kind == 2, "Civilian targeting", ""),
            "iso": rng.integers(1, 900, size),
            "region": "Middle East",
            "country": country,
            "admin1": admin1,
            "admin2": "",
            "admin3": "",
            "location": location,
            "latitude": lat,
            "longitude": lon,
            "geo_precision": rng.choice([1, 1, 2, 3], size),
            "source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), size)],
            "source_scale": np.array(SCALES, dtype=object)[rng.integers(0, len(SCALES), size)],
            "notes": notes,
            "fatalities": fatalities,
            "tags": "",
            "timestamp": 1_735_000_000 + day * 3600,
            "title": titles,
            "end_date": np.where(multi_day, end_date.strftime("%Y-%m-%d"), ""),
            "uncertainty_m": np.where(uncertainty > 0, uncertainty.astype(str), ""),
        }
    )
    lines: dict[int, list[Any]] = {}
    for row in np.flatnonzero(rng.random(size) < LINE_SHARE).tolist():
        steps = int(rng.integers(2, 5))
        xs = lon[row] + np.cumsum(rng.normal(0, 0.3, steps))
        ys = lat[row] + np.cumsum(rng.normal(0, 0.2, steps))
        lines[row] = [
            (round(float(np.clip(x, WEST, EAST)), 4), round(float(np.clip(y, SOUTH, NORTH)), 4))
            for x, y in zip([lon[row], *xs], [lat[row], *ys], strict=True)
        ]
    return events, lines


def write_csv(events: pd.DataFrame, lines: dict[int, list[Any]], path: Path) -> None:
    """ACLED's export columns; movements carry their LineString as WKT."""
    wkt = np.full(len(events), "", dtype=object)
    for row, coords in lines.items():
        wkt[row] = "LINESTRING (" + ", ".join(f"{x} {y}" for x, y in coords) + ")"
    events.assign(geometry_wkt=wkt).loc[:, list(CSV_COLUMNS)].to_csv(path, index=False)


GEOJSON_FIELDS: Final = {
    "event_id_cnty": "id",
    "title": "title",
    "event_date": "event_date",
    "end_date": "end_date",
    "time_precision": "time_precision",
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "actor1",
    "actor2": "actor2",
    "location": "location",
    "admin1": "admin1",
    "country": "country",
    "geo_precision": "geo_precision",
    "uncertainty_m": "uncertainty_m",
    "fatalities": "fatalities",
    "notes": "notes",
    "source": "source",
}


def write_geojson(events: pd.DataFrame, lines: dict[int, list[Any]], path: Path) -> None:
    """A FeatureCollection in Flashpoint's own property names."""
    table = events.loc[:, list(GEOJSON_FIELDS)].rename(columns=GEOJSON_FIELDS)
    table["uncertainty_m"] = pd.to_numeric(table["uncertainty_m"], errors="coerce")
    records = table.astype(object).where(table.notna() & (table != ""), None).to_dict("records")
    lon = events["longitude"].tolist()
    lat = events["latitude"].tolist()
    features = []
    for row, props in enumerate(records):
        if row in lines:
            geometry: dict[str, Any] = {"type": "LineString", "coordinates": lines[row]}
        else:
            geometry = {"type": "Point", "coordinates": [lon[row], lat[row]]}
        clean = {k: v for k, v in props.items() if v is not None}
        features.append({"type": "Feature", "geometry": geometry, "properties": clean})
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")


def make_set(size: int, directory: Path) -> SyntheticSet:
    """Generate `size` events and write them as CSV and GeoJSON under `directory`."""
    events, lines = generate_events(size)
    csv_path = directory / f"synthetic-{size}.csv"
    geojson_path = directory / f"synthetic-{size}.geojson"
    write_csv(events, lines, csv_path)
    write_geojson(events, lines, geojson_path)
    return SyntheticSet(
        size,
        events,
        lines,
        csv_path,
        geojson_path,
        csv_path.stat().st_size,
        geojson_path.stat().st_size,
    )
