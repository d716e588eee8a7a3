"""Folium pieces of the map: a base map that never changes, and the layer of event columns.

The base map loads Flashpoint's map code (`geo/web/flashpoint.js`) and the offline basemap as
static files and sets the map up from a small configuration. The events of the dataset and
filters follow as one layer (`build_events_layer`), sent again only when they change: the
date is applied in the browser, so moving it costs the server nothing here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any, Final

import folium
import numpy as np
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.payload import EventColumns, MapConfig
from geo.share import BASEMAPS

LOG = logging.getLogger("flashpoint.maps")

ROOT: Final = Path(__file__).resolve().parent.parent
VENDOR_DIR: Final = ROOT / "static" / "vendor"
WEB_DIR: Final = Path(__file__).resolve().parent / "web"
BASEMAP_PATH: Final = ROOT / "data" / "basemap.geojson"
APP_DIR: Final = ROOT / "static" / "app"
# The world's land, borders and places, built by `make assets` (tools/build_world.py): the
# index names every other file with a content hash.
WORLD_INDEX: Final = Path("world") / "index.json"
# Relative to the map's iframe (/component/streamlit_folium.st_folium/index.html), so the
# links also work when Streamlit is served under a path prefix behind a proxy.
STATIC_URL: Final = "../../app/static/vendor/"
APP_URL: Final = "../../app/static/app/"
# Flashpoint's own files, served as static files (copied there by `make assets`).
APP_FILES: Final = (
    ("flashpoint_js", WEB_DIR / "flashpoint.js"),
    ("counts_js", WEB_DIR / "counts.js"),
    ("cluster_worker_js", WEB_DIR / "cluster-worker.js"),
    ("clusters_js", WEB_DIR / "clusters.js"),
    ("cluster_list_js", WEB_DIR / "cluster-list.js"),
    ("basemap_js", WEB_DIR / "basemap.js"),
    ("flashpoint_css", WEB_DIR / "flashpoint.css"),
    ("basemap", BASEMAP_PATH),
)
LOCAL_JS: Final = (
    ("leaflet", "leaflet/leaflet.js"),
    ("jquery", "jquery/jquery.min.js"),
    ("topojson", "topojson-client/topojson-client.min.js"),
    # Clustering a crowded map (clusters.js runs it in a worker, which loads this same file).
    ("supercluster", "supercluster/supercluster.min.js"),
)
LOCAL_CSS: Final = (("leaflet_css", "leaflet/leaflet.css"),)
CDN_JS: Final = (
    ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"),
    ("jquery", "https://code.jquery.com/jquery-3.7.1.min.js"),
)
CDN_CSS: Final = (("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"),)

# Tile servers and their credits; `{osm}` is OpenStreetMap's credit in the reader's language
# (the catalogue's mapui.contributors, the name and its link kept as they are).
OSM_LINK: Final = '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
CARTO_LINK: Final = '<a href="https://carto.com/attributions">CARTO</a>'
TILES: Final[dict[str, tuple[str, str]]] = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; {osm}"),
    "light": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f"&copy; {{osm}} &copy; {CARTO_LINK}",
    ),
    "dark": (
        "https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
        f"&copy; {{osm}} &copy; {CARTO_LINK}",
    ),
}
# The offline basemap's credit: the words translated, the sources' names as they are.
BASEMAP_CREDIT: Final = "{land}: Natural Earth · {places}: GeoNames (CC BY 4.0)"


def tile_credit(basemap: str, words: Mapping[str, str]) -> str:
    """A tile basemap's attribution (HTML) in the map's language."""
    contributors = escape(words["mapui.contributors"]).replace("{source}", OSM_LINK)
    return TILES[basemap][1].replace("{osm}", contributors)


def basemap_credit(words: Mapping[str, str]) -> str:
    """The offline basemap's attribution (HTML-escaped text) in the map's language."""
    return escape(
        BASEMAP_CREDIT.format(
            land=words["mapui.attribution_land"], places=words["mapui.attribution_places"]
        )
    )


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
    payloads would be compiled for nothing. This relies on MacroElement's `_template` and
    `_children`, which branca does not promise: requirements.txt pins branca, and
    tests/test_maps.py holds the behaviour.
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


# folium's page asks phones not to zoom (maximum-scale=1.0, user-scalable=no); a reader who
# needs to pinch the map larger must be able to (WCAG 1.4.4).
FOLIUM_VIEWPORT: Final = re.compile(r'<meta name="viewport"[^>]*>')
VIEWPORT: Final = '<meta name="viewport" content="width=device-width, initial-scale=1" />'


class ZoomableMap(folium.Map):
    """folium's map, whose page lets the reader pinch-zoom."""

    def render(self, **kwargs: Any) -> str:
        """Render as folium does, then put a viewport that allows zooming in the page's head."""
        super().render(**kwargs)  # type: ignore[no-untyped-call]
        figure = self.get_root()
        if isinstance(figure, Figure):
            element = figure.header._children.get(self.get_name())
            text = getattr(element, "_template_str", None)
            if text:
                fixed = _Verbatim(FOLIUM_VIEWPORT.sub(VIEWPORT, text))
                figure.header.add_child(fixed, name=self.get_name())
        return ""


@dataclass(frozen=True, slots=True)
class AppFiles:
    """Flashpoint's own map files: static addresses when served, else their text inline."""

    urls: dict[str, str]
    inline: dict[str, str]


@cache
def find_app_files(app_dir: Path = APP_DIR) -> AppFiles:
    """Static copies of the map's code, styles and basemap when up to date; else inline text.

    Served files are fetched once and cached by the browser (the address carries a content
    hash); inline text is what a deployment without `make assets` gets, resent with the map.
    """
    urls: dict[str, str] = {}
    for name, source in APP_FILES:
        data = source.read_bytes() if source.is_file() else b""
        copy = app_dir / source.name
        if not data or not copy.is_file() or copy.read_bytes() != data:
            LOG.warning(
                "Static copies of the map's files under %s are missing or out of date "
                "(run `make assets`); sending them inline",
                app_dir,
            )
            return AppFiles(
                urls={},
                inline={
                    "flashpoint_js": _web_file("flashpoint.js")
                    + _web_file("counts.js")
                    + _web_file("cluster-worker.js")
                    + _web_file("clusters.js")
                    + _web_file("cluster-list.js")
                    + _web_file("basemap.js"),
                    "flashpoint_css": _web_file("flashpoint.css"),
                    "basemap": load_basemap(),
                },
            )
        digest = hashlib.sha256(data).hexdigest()[:12]
        urls[name] = f"{APP_URL}{source.name}?v={digest}"
    world = app_dir / WORLD_INDEX
    if world.is_file():
        digest = hashlib.sha256(world.read_bytes()).hexdigest()[:12]
        urls["world"] = f"{APP_URL}{WORLD_INDEX.as_posix()}?v={digest}"
    else:
        LOG.warning("The world basemap %s is missing (run `make assets`); only the region's", world)
    return AppFiles(urls=urls, inline={})


class FlashpointSetup(_VerbatimMacro):
    """Sets up the basemap, the legend, the time control and the events layer on the map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.style }}{% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {{ this.basemap }}
        new window.FlashpointMap({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, files: AppFiles, filled: bool, config: MapConfig) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "FlashpointSetup"
        css = files.inline.get("flashpoint_css")
        self.style = f"<style>{css}</style>" if css else ""
        self.code = files.inline.get("flashpoint_js", "")
        fill = "true" if filled else "false"
        credit = safe_json(basemap_credit(config["words"]))
        if "basemap" in files.urls:
            urls = safe_json({"regional": files.urls["basemap"], "world": files.urls.get("world")})
            call = f"window.loadFlashpointBasemap(__MAP__, {urls}, {credit}, {fill});"
        else:
            source = files.inline["basemap"]
            call = f"window.drawFlashpointBasemap(__MAP__, {source}, {credit}, {fill});"
        self.basemap = call
        self.config = safe_json(config)

    def render(self, **kwargs: Any) -> str:
        """Name the map in the basemap call before the script is placed."""
        parent = self._parent
        if parent is not None:
            self.basemap = self.basemap.replace("__MAP__", parent.get_name())
        return super().render(**kwargs)


class EventsUpdate(_VerbatimMacro):
    """Hands the event columns of the dataset and filters to the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.flashpoint && window.flashpoint.setEvents({{ this.columns }});
        {% endmacro %}
        """
    )

    def __init__(self, columns: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "EventsUpdate"
        self.columns = columns


def build_base_map(
    *,
    basemap: str,
    config: MapConfig,
    center: tuple[float, float],
    zoom: int,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    assets: Assets | None = None,
    files: AppFiles | None = None,
) -> folium.Map:
    """The part of the map that stays the same while the user scrubs, plays and pans."""
    assets = assets or find_assets()
    files = files or find_app_files()
    fmap = ZoomableMap(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=2,
        max_zoom=18,
        world_copy_jump=True,
    )
    fmap.default_js = [
        *assets.js,
        *(
            (name, files.urls[key])
            for name, key in (
                ("flashpoint", "flashpoint_js"),
                ("counts", "counts_js"),
                ("cluster_worker", "cluster_worker_js"),
                ("clusters", "clusters_js"),
                ("cluster_list", "cluster_list_js"),
                ("basemap", "basemap_js"),
            )
            if key in files.urls
        ),
    ]
    fmap.default_css = [
        *assets.css,
        *(("flashpoint_css", files.urls[k]) for k in ("flashpoint_css",) if k in files.urls),
    ]
    if basemap in TILES:
        url, attribution = TILES[basemap][0], tile_credit(basemap, config["words"])
        folium.TileLayer(url, attr=attribution, name=BASEMAPS[basemap], max_zoom=18).add_to(fmap)
    FlashpointSetup(files, filled=basemap not in TILES, config=config).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([list(bounds[0]), list(bounds[1])], max_zoom=10, padding=(30, 30))
    return fmap


def build_events_layer(columns: EventColumns) -> folium.FeatureGroup:
    """A feature group that hands the event columns to the map."""
    group = folium.FeatureGroup(name="events", control=False)
    EventsUpdate(safe_json(columns)).add_to(group)
    return group


def fit_bounds(
    lon: np.ndarray, lat: np.ndarray, max_km: float = 2500.0
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Bounds of the points, leaving out far outliers (a statement issued in Washington).

    Points on both sides of the date line get bounds across it: the east edge then lies past
    180 (Leaflet draws the map on around the world), never the whole world the other way.
    """
    if len(lon) == 0:
        return None
    lon = narrowest_arc(np.asarray(lon, dtype=float))
    med_lon, med_lat = float(np.median(lon)), float(np.median(lat))
    km_per_deg = 111.32
    dx = (lon - med_lon) * km_per_deg * np.cos(np.radians(med_lat))
    dy = (lat - med_lat) * km_per_deg
    near = np.hypot(dx, dy) <= max_km
    # More than a fifth of the points far away is a second theatre, not an outlier.
    if 5 * int(near.sum()) < 4 * len(lon):
        near = np.ones(len(lon), dtype=bool)
    kept = narrowest_arc(lon[near])
    south, north = float(lat[near].min()), float(lat[near].max())
    west, east = float(kept.min()), float(kept.max())
    turn = 360.0 * math.floor((west + 180.0) / 360.0)
    pad = 0.3
    return (south - pad, west - turn - pad), (north + pad, east - turn + pad)


def narrowest_arc(lon: np.ndarray) -> np.ndarray:
    """Longitudes moved by whole turns into the narrowest arc holding them (it may cross 180)."""
    if len(lon) == 0:
        return lon
    ordered = np.sort(np.mod(lon + 180.0, 360.0) - 180.0)
    gaps = np.diff(np.append(ordered, ordered[0] + 360.0))
    west = float(ordered[(int(np.argmax(gaps)) + 1) % len(ordered)])
    return west + np.mod(lon - west, 360.0)
