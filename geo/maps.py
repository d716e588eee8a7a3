"""Folium pieces of the map: a base map that stays the same between steps, and a small step layer.

The base map carries the basemap, the legend and Flashpoint's event layer code; each slider
step sends only a compact payload of the visible events (`build_step_layer`), which the
event layer applies as a difference, so the map is never reloaded while scrubbing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.model import CATEGORIES, EVENT_TYPES

LOG = logging.getLogger("flashpoint.maps")

ROOT: Final = Path(__file__).resolve().parent.parent
VENDOR_DIR: Final = ROOT / "static" / "vendor"
WEB_DIR: Final = Path(__file__).resolve().parent / "web"
BASEMAP_PATH: Final = ROOT / "data" / "basemap.geojson"
# Relative to the map's iframe (/component/streamlit_folium.st_folium/index.html), so the
# links also work when Streamlit is served under a path prefix behind a proxy.
STATIC_URL: Final = "../../app/static/vendor/"
LOCAL_JS: Final = (("leaflet", "leaflet/leaflet.js"), ("jquery", "jquery/jquery.min.js"))
LOCAL_CSS: Final = (("leaflet_css", "leaflet/leaflet.css"),)
CDN_JS: Final = (
    ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"),
    ("jquery", "https://code.jquery.com/jquery-3.7.1.min.js"),
)
CDN_CSS: Final = (("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"),)

COORD_SCALE: Final = 100_000
TITLES_UP_TO: Final = 3_000
CIRCLES_UP_TO: Final = 2_000
MARKER_SIZE: Final = 6

BASEMAPS: Final[dict[str, str]] = {
    "offline": "Offline borders",
    "osm": "OpenStreetMap",
    "light": "Light",
    "dark": "Dark",
}
TILES: Final[dict[str, tuple[str, str]]] = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "light": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
    "dark": (
        "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
}


@dataclass(frozen=True, slots=True)
class Assets:
    """Where the map's third-party JS and CSS come from."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    local: bool


@cache
def find_assets(vendor_dir: Path = VENDOR_DIR) -> Assets:
    """Local copies from the npm registry when set up; else the public CDN (said once)."""
    if all((vendor_dir / rel).is_file() for _, rel in LOCAL_JS + LOCAL_CSS):
        return Assets(
            js=tuple((name, STATIC_URL + rel) for name, rel in LOCAL_JS),
            css=tuple((name, STATIC_URL + rel) for name, rel in LOCAL_CSS),
            local=True,
        )
    LOG.warning(
        "Local map assets are missing under %s (run `make assets`); loading Leaflet from a CDN",
        vendor_dir,
    )
    return Assets(js=CDN_JS, css=CDN_CSS, local=False)


def safe_json(value: Any) -> str:
    """JSON that is also safe inside a <script> element and an HTML attribute."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@cache
def _web_file(name: str) -> str:
    return (WEB_DIR / name).read_text(encoding="utf-8")


@cache
def load_basemap(path: Path = BASEMAP_PATH) -> str:
    """The offline basemap as compact JSON text (an empty collection if the file is missing)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        LOG.warning("Offline basemap %s is missing or unreadable; drawing none", path)
        doc = {"type": "FeatureCollection", "features": []}
    return safe_json(doc)


class _Verbatim(Element):
    """Text placed in the page exactly as given."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _VerbatimMacro(MacroElement):
    """A MacroElement whose rendered output is never parsed again as a template.

    branca's own render wraps each macro's output in `Element(text)`, which compiles the
    text as Jinja: data such as a title containing `{%` would break the map, and large
    payloads would be compiled on every step for nothing.
    """

    def render(self, **kwargs: Any) -> str:
        """Add the header and script macros' output to the figure as they are."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("a map element can only be rendered inside a figure")
        module = self._template.module
        for part, target in (("header", figure.header), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class FlashpointSetup(_VerbatimMacro):
    """Adds the offline basemap, the legend and the event layer to the base map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js }}
        window.drawFlashpointBasemap({{ this._parent.get_name() }}, {{ this.basemap }},
            {{ this.filled }});
        new window.FlashpointLayer({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, basemap: str, filled: bool, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "FlashpointSetup"
        self.css = _web_file("flashpoint.css")
        self.js = _web_file("flashpoint.js")
        self.basemap = basemap
        self.filled = "true" if filled else "false"
        self.config = safe_json(config)


class StepUpdate(_VerbatimMacro):
    """Hands one step's payload to the event layer already on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.flashpoint && window.flashpoint.update({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, payload: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "StepUpdate"
        self.payload = payload


def build_base_map(
    *,
    basemap: str,
    event_types: list[str],
    center: tuple[float, float],
    zoom: int,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    token: str = "",
    assets: Assets | None = None,
    basemap_json: str | None = None,
) -> folium.Map:
    """The part of the map that stays the same while the user scrubs."""
    assets = assets or find_assets()
    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=2,
        max_zoom=18,
        world_copy_jump=True,
    )
    fmap.default_js = list(assets.js)
    fmap.default_css = list(assets.css)
    if basemap in TILES:
        url, attribution = TILES[basemap]
        folium.TileLayer(url, attr=attribution, name=BASEMAPS[basemap], max_zoom=18).add_to(fmap)
    config = {
        "categories": [{"name": c.name, "color": c.color, "shape": c.shape} for c in CATEGORIES],
        "legend": [EVENT_TYPES.index(t) for t in EVENT_TYPES if t in set(event_types)],
        "size": MARKER_SIZE,
        # A new dataset must get a fresh map: the event layer keys its markers by row.
        "dataset": token,
    }
    FlashpointSetup(
        basemap_json if basemap_json is not None else load_basemap(),
        filled=basemap not in TILES,
        config=config,
    ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([list(bounds[0]), list(bounds[1])], max_zoom=10, padding=(30, 30))
    return fmap


@dataclass(frozen=True, slots=True)
class MapData:
    """Per-event columns the map needs, computed once per dataset."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    day: np.ndarray
    titles: np.ndarray
    uncertainty: np.ndarray
    lines: dict[int, list[list[float]]]

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> MapData:
        """Marker position (representative point), type index, day and title of each event."""
        geoms = np.asarray(events.geometry.to_numpy(), dtype=object)
        points = shapely.point_on_surface(geoms) if len(geoms) else geoms
        is_line = np.isin(shapely.get_type_id(geoms), (1, 5)) if len(geoms) else np.zeros(0, bool)
        xy = shapely.get_coordinates(points) if len(geoms) else np.zeros((0, 2))
        lines: dict[int, list[list[float]]] = {}
        for row in np.flatnonzero(is_line).tolist():
            geom = geoms[row]
            parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
            coords = [c for part in parts for c in part.coords]
            lines[row] = [[round(c[0], 5), round(c[1], 5)] for c in coords]
            xy[row] = coords[-1][:2]
        type_index = {name: i for i, name in enumerate(EVENT_TYPES)}
        t = events["event_type"].map(type_index).fillna(len(EVENT_TYPES) - 1).to_numpy(np.int64)
        days = events["event_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        unc = events["uncertainty_m"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return cls(
            x=np.round(xy[:, 0] * COORD_SCALE).astype(np.int64),
            y=np.round(xy[:, 1] * COORD_SCALE).astype(np.int64),
            t=t,
            day=days,
            titles=events["title"].to_numpy(dtype=object),
            uncertainty=unc,
            lines=lines,
        )


def build_step_payload(
    data: MapData,
    visible: np.ndarray,
    current: np.ndarray,
    *,
    selected: int = -1,
    focus: list[int] | None = None,
    fly: tuple[tuple[float, float], tuple[float, float]] | None = None,
    step: int = 0,
) -> str:
    """The visible events of one step, as compact columns for the event layer."""
    rows = np.flatnonzero(visible)
    marked = current[rows] if len(current) else np.zeros(0, bool)
    payload: dict[str, Any] = {
        "step": step,
        "rows": rows.tolist(),
        "x": data.x[rows].tolist(),
        "y": data.y[rows].tolist(),
        "t": data.t[rows].tolist(),
        "s": marked.astype(np.int8).tolist(),
        "day": data.day[rows].tolist(),
        "sel": int(selected),
        "focus": [int(r) for r in (focus or [])],
    }
    if len(rows) <= TITLES_UP_TO:
        payload["title"] = data.titles[rows].tolist()
    unc = data.uncertainty[rows]
    with_circle = np.isfinite(unc) & (unc > 0)
    if len(rows) > CIRCLES_UP_TO:
        with_circle &= marked | (rows == selected)
    circled = zip(rows[with_circle].tolist(), unc[with_circle].tolist(), strict=True)
    payload["unc"] = {str(r): u for r, u in circled}
    payload["lines"] = {str(r): line for r, line in data.lines.items() if visible[r]}
    if fly is not None:
        payload["fly"] = [list(fly[0]), list(fly[1])]
    return safe_json(payload)


def build_step_layer(payload: str) -> folium.FeatureGroup:
    """A feature group that applies one step's payload on the map."""
    group = folium.FeatureGroup(name="events", control=False)
    StepUpdate(payload).add_to(group)
    return group


def fit_bounds(
    lon: np.ndarray, lat: np.ndarray, max_km: float = 2500.0
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Bounds of the points, leaving out far outliers (a statement issued in Washington)."""
    if len(lon) == 0:
        return None
    med_lon, med_lat = float(np.median(lon)), float(np.median(lat))
    km_per_deg = 111.32
    dx = (lon - med_lon) * km_per_deg * np.cos(np.radians(med_lat))
    dy = (lat - med_lat) * km_per_deg
    near = np.hypot(dx, dy) <= max_km
    # More than a fifth of the points far away is a second theatre, not an outlier.
    if 5 * int(near.sum()) < 4 * len(lon):
        near = np.ones(len(lon), dtype=bool)
    south, north = float(lat[near].min()), float(lat[near].max())
    west, east = float(lon[near].min()), float(lon[near].max())
    pad = 0.3
    return (south - pad, west - pad), (north + pad, east + pad)
