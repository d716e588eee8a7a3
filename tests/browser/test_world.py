"""Data from anywhere on Earth in Chromium: the map finds it, land lies under it, titles exist."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import map_container, map_frame, wait_for_map, wait_idle

# Inland towns of Argentina (lat, lon), so land lies under every marker.
ARGENTINA = [
    ("Córdoba", -31.4201, -64.1888),
    ("Mendoza", -32.8895, -68.8458),
    ("San Miguel de Tucumán", -26.8241, -65.2226),
    ("Salta", -24.7821, -65.4232),
    ("Neuquén", -38.9516, -68.0591),
    ("Santiago del Estero", -27.7951, -64.2615),
    ("San Juan", -31.5375, -68.5364),
    ("La Rioja", -29.4131, -66.8558),
    ("San Fernando del Valle de Catamarca", -28.4696, -65.7852),
    ("San Luis", -33.2950, -66.3356),
]
SUB_EVENTS = [
    ("Protests", "Peaceful protest"),
    ("Protests", "Protest with intervention"),
    ("Riots", "Violent demonstration"),
]
ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp\n"
)
FIRST_DAY = date(2022, 6, 1)
# Pacific islands on both sides of the date line (lat, lon).
PACIFIC = [
    ("Suva", -18.1416, 178.4419),
    ("Nadi", -17.8026, 177.4162),
    ("Funafuti", -8.5211, 179.1983),
    ("Nuku'alofa", -21.1394, -175.2049),
    ("Apia", -13.8333, -171.7667),
    ("Mata-Utu", -13.2825, -176.1745),
]
PACIFIC_FOCUS = {"start": "2023-02-10", "end": "2023-02-14", "label": "Cyclone week"}
LAND_RGB = (35, 42, 51)


def acled_rows() -> list[dict[str, Any]]:
    """Thirty ACLED records with no title, three per town, one a day."""
    rows = []
    for n in range(30):
        town, lat, lon = ARGENTINA[n % len(ARGENTINA)]
        kind, sub = SUB_EVENTS[n % len(SUB_EVENTS)]
        rows.append(
            {
                "id": f"ARG{n + 1}",
                "day": FIRST_DAY + timedelta(days=n // 2),
                "kind": kind,
                "sub": sub,
                "town": town,
                "lat": lat + 0.01 * (n // len(ARGENTINA)),
                "lon": lon,
            }
        )
    return rows


@pytest.fixture(scope="module")
def south_america(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ACLED export of Argentina, as a user downloads it: no title column at all."""
    lines = [ACLED_HEADER]
    for r in acled_rows():
        lines.append(
            f"{r['id']},{r['day'].isoformat()},2022,1,Demonstrations,{r['kind']},{r['sub']},"
            f"Protesters (Argentina),,6,,,0,60,,32,South America,Argentina,,,,{r['town']},"
            f"{r['lat']},{r['lon']},1,Local press,National,Teachers marched.,0,,1655300000\n"
        )
    path = tmp_path_factory.mktemp("world") / "south-america.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pacific(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Events on both sides of the date line, with a focus period and no titles."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": f"pac-{n}",
                "event_date": f"2023-02-{8 + n:02d}",
                "event_type": "Strategic developments",
                "location": town,
            },
        }
        for n, (town, lat, lon) in enumerate(PACIFIC)
    ]
    doc: dict[str, Any] = {"type": "FeatureCollection", "flashpoint": {"focus": PACIFIC_FOCUS}}
    doc["features"] = features
    path = tmp_path_factory.mktemp("world") / "pacific.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def upload(page: Page, path: Path, events: int) -> Locator:
    """Upload a file from the sidebar and wait for its map."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
    expect(page.get_by_text(f"{path.name}: {events} events")).to_be_visible(timeout=30_000)
    container = map_container(page)
    expect(container).to_have_attribute("data-events", str(events), timeout=30_000)
    return settled(page)


def settled(page: Page) -> Locator:
    """The map once the app, the map's moves and the world basemap have come to rest."""
    wait_idle(page)
    container = map_container(page)
    expect(container).to_have_attribute("data-idle", "1")
    expect(container).to_have_attribute("data-basemap", "world", timeout=20_000)
    return container


def outside_view(container: Locator, points: list[tuple[float, float]]) -> list[list[float]]:
    """The points (lat, lon) that the map's view does not contain, on any copy of the world."""
    result: list[list[float]] = container.evaluate(
        """(el, points) => {
            const b = window.flashpoint.map.getBounds();
            return points.filter(([lat, lon]) => {
                const inLat = lat >= b.getSouth() && lat <= b.getNorth();
                const inLon = [-360, 0, 360].some(
                    (k) => lon + k >= b.getWest() && lon + k <= b.getEast());
                return !(inLat && inLon);
            });
        }""",
        [list(p) for p in points],
    )
    return result


def land_shares(container: Locator, points: list[tuple[float, float]]) -> list[float]:
    """The share of land-coloured basemap pixels in 11 x 11 around each point (lat, lon)."""
    result: list[float] = container.evaluate(
        """(el, [points, land]) => {
            const map = window.flashpoint.map;
            const canvas = el.querySelector('.leaflet-fp-basemap-pane canvas');
            const ratio = canvas.width / canvas.clientWidth;
            const box = canvas.getBoundingClientRect();
            const mapBox = el.getBoundingClientRect();
            const ctx = canvas.getContext('2d');
            const lon0 = map.getCenter().lng;
            return points.map(([lat, lon]) => {
                const wrapped = lon + 360 * Math.round((lon0 - lon) / 360);
                const p = map.latLngToContainerPoint([lat, wrapped]);
                const x = Math.round((p.x + mapBox.left - box.left) * ratio);
                const y = Math.round((p.y + mapBox.top - box.top) * ratio);
                const d = ctx.getImageData(x - 5, y - 5, 11, 11).data;
                let same = 0;
                for (let i = 0; i < d.length; i += 4) {
                    if (d[i] === land[0] && d[i + 1] === land[1] && d[i + 2] === land[2]
                        && d[i + 3] === 255) same++;
                }
                return same / 121;
            });
        }""",
        [[list(p) for p in points], list(LAND_RGB)],
    )
    return result


def colours_in(container: Locator) -> int:
    """How many distinct colours the map shows (a screenshot of its area)."""
    image = Image.open(io.BytesIO(container.screenshot())).convert("RGB")
    return len(set(image.getdata()))


def set_view(container: Locator, lat: float, lon: float, zoom: int) -> None:
    """Move the map as a user would with the mouse, and wait for it to settle."""
    container.evaluate(
        "(el, v) => window.flashpoint.map.setView([v[0], v[1]], v[2], {animate: false})",
        [lat, lon, zoom],
    )
    expect(container).to_have_attribute("data-idle", "1")


def label_overlaps(container: Locator) -> list[tuple[str, str]]:
    """Pairs of city labels whose boxes overlap."""
    boxes: list[dict[str, Any]] = container.evaluate("() => window.flashpointBasemap.labels")
    return [
        (a["name"], b["name"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    ]


def test_an_upload_from_another_continent_opens_on_its_events_over_land(
    page: Page, server: str, south_america: Path, shots: Path
) -> None:
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{server}/?date=2020-01-03&lat=33.3&lon=44.4&zoom=6")
    wait_for_map(page, date(2020, 1, 3))
    container = upload(page, south_america, 30)
    expect(container).to_have_attribute("data-day", "2022-06-15")
    towns = [(r["lat"], r["lon"]) for r in acled_rows()]
    assert outside_view(container, towns) == [], "events off-screen after the upload"
    assert "lat=33.3" not in page.url, "the address still holds the old dataset's view"
    shares = land_shares(container, towns)
    assert min(shares) > 0.5, f"no land under some events: {shares}"
    assert colours_in(container) > 50, "the map area is (nearly) one colour"
    page.screenshot(path=shots / "world-south-america.png")

    set_view(container, -31.4201, -64.1888, 9)
    expect(container).to_have_attribute("data-basemap-detail", "50m")
    expect(container).to_have_attribute("data-basemap-labels", re.compile(r"^[1-9]\d*$"))
    names = container.evaluate("() => window.flashpointBasemap.labels.map((b) => b.name)")
    assert "Córdoba" in names
    assert label_overlaps(container) == []
    page.screenshot(path=shots / "world-south-america-zoomed.png")

    set_view(container, 0, -40, 2)
    expect(container).to_have_attribute("data-basemap-detail", "110m")
    assert label_overlaps(container) == []
    page.screenshot(path=shots / "world-south-america-world.png")

    page.locator(".st-key-clear_upload button").click()
    expect(page.get_by_text("locations.geojson: 26 events")).to_be_visible(timeout=30_000)
    container = wait_for_map(page, date(2020, 1, 3))
    container = settled(page)
    assert outside_view(container, [(33.31, 44.36), (36.34, 43.13), (30.51, 47.78)]) == []
    expect(map_frame(page).locator(".fp-period-focus")).to_have_attribute("aria-pressed", "true")


def test_records_without_a_title_are_listed_and_pointed_at_by_a_made_one(
    page: Page, server: str, south_america: Path
) -> None:
    page.goto(server)
    wait_for_map(page)
    container = upload(page, south_america, 30)
    last = [r for r in acled_rows() if r["day"] == date(2022, 6, 15)]
    expected = [f"{r['sub']} in {r['town']}" for r in last]
    today = page.locator('[data-testid="stText"]').filter(has_text="• ")
    expect(today).to_have_count(1)
    assert sorted(today.inner_text().splitlines()) == sorted(f"• {t}" for t in expected)

    # The list is drawn on a canvas; its cells are also in the page as an accessible table.
    cells = page.locator(".st-key-event_table td")
    expect(cells.first).to_be_attached()
    texts = cells.all_inner_texts()
    titles = texts[1::2]
    assert texts[0::2][:2] == ["2022-06-15", "2022-06-15"]
    assert all(titles) and set(expected) <= set(titles), texts

    container.scroll_into_view_if_needed()
    row = last[0]
    x, y = container.evaluate(
        "(el, p) => { const q = window.flashpoint.map.latLngToContainerPoint(p);"
        " return [q.x, q.y]; }",
        [row["lat"], row["lon"]],
    )
    box = container.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = map_frame(page).locator(".fp-tooltip strong")
    expect(tooltip).to_be_visible()
    here = {f"{r['sub']} in {r['town']}" for r in acled_rows() if r["town"] == row["town"]}
    assert tooltip.inner_text() in here, "markers a few metres apart: any of them may answer"


def test_a_dataset_across_the_date_line_opens_on_the_pacific_and_its_focus(
    page: Page, server: str, pacific: Path, shots: Path
) -> None:
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(server)
    wait_for_map(page)
    container = upload(page, pacific, len(PACIFIC))
    expect(container).to_have_attribute("data-day", "2023-02-13")  # the focus, cut to the data
    expect(map_frame(page).locator(".fp-period-focus")).to_have_text("Cyclone week")
    expect(map_frame(page).locator(".fp-period-focus")).to_have_attribute("aria-pressed", "true")
    islands = [(lat, lon) for _, lat, lon in PACIFIC]
    assert outside_view(container, islands) == []
    zoom = container.evaluate("() => window.flashpoint.map.getZoom()")
    assert zoom >= 4, "the view spans the world the long way round"
    # Land on both sides of the date line: Fiji's Viti Levu (west of it), Samoa's Upolu (east).
    page.screenshot(path=shots / "world-pacific.png")
    # Events on both sides of the date line are drawn, each on the copy of the world in view.
    assert container.evaluate("() => window.flashpoint.drawn.count") == len(PACIFIC)
    shares = land_shares(container, [(-17.8, 178.0), (-13.92, -171.75)])
    assert min(shares) > 0, f"no land drawn on one side of the date line: {shares}"
    assert colours_in(container) > 50
    set_view(container, -18.0, 178.2, 8)
    expect(container).to_have_attribute("data-basemap-detail", "50m")
    assert land_shares(container, [(-17.8, 178.0)])[0] > 0.5
    page.screenshot(path=shots / "world-pacific-zoomed.png")
    set_view(container, 0, 180, 2)
    page.screenshot(path=shots / "world-pacific-world.png")
    assert label_overlaps(container) == []
