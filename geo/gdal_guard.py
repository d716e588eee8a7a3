"""Lock GDAL down for the whole process: two drivers, no network, no indirection.

GDAL picks a driver from a file's content, and many drivers follow what a file names: an
OGR VRT reads any path or URL in its `<SrcDataSource>`, the CSV driver opens
`/vsicurl/` addresses, the HTTP and WFS drivers fetch. Flashpoint hands GDAL only the bytes
of a GeoPackage or a Shapefile, so every other driver is deregistered, network file systems
refuse every address, and PROJ may not download grids. This runs once, when `geo.reading`
is imported, before any file is opened; it holds for every later GDAL call in the process.
"""

from __future__ import annotations

import os
from typing import Final

ALLOWED_DRIVERS: Final = ("GPKG", "ESRI Shapefile")
# Config options that close the doors a hostile file could open even through the two
# drivers kept (a GeoPackage is an SQLite database; a .prj names a CRS that PROJ resolves).
CONFIG: Final[dict[str, str]] = {
    # /vsicurl/ and the cloud file systems built on it fetch only names with an allowed
    # extension: this one is never used, so no address is ever fetched.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".flashpoint-fetches-nothing",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    # SQLite virtual tables that read other files, and Python code in VRTs.
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    # Never list a directory to find sibling files: only the members we hand over exist.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "PROJ_NETWORK": "OFF",
}
_done = False


def lock_down() -> None:
    """Keep only the GeoPackage and Shapefile drivers and set the safe config (idempotent)."""
    global _done
    if _done:
        return
    for key, value in CONFIG.items():
        os.environ[key] = value
    import pyogrio
    from pyogrio import _ogr

    pyogrio.set_gdal_config_options(CONFIG)
    others = [name for name in pyogrio.list_drivers() if name not in ALLOWED_DRIVERS]
    # GDAL drops the drivers named in GDAL_SKIP when it registers drivers; registering
    # again (a no-op for those present) applies the list to a library already loaded.
    pyogrio.set_gdal_config_options({"GDAL_SKIP": ",".join(others)})
    _ogr._register_drivers()
    left = set(pyogrio.list_drivers())
    if left - set(ALLOWED_DRIVERS):
        raise RuntimeError(f"GDAL kept drivers it was told to drop: {sorted(left)}")
    try:
        from pyproj import network

        network.set_network_enabled(active=False)  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - pyproj comes with geopandas
        pass
    _done = True


def registered_drivers() -> set[str]:
    """The vector drivers GDAL can open files with in this process."""
    import pyogrio

    return set(pyogrio.list_drivers())
