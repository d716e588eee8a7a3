"""Read a GeoPackage or a zipped Shapefile, after checking that it is one, with GDAL locked down.

A GeoPackage must start with the SQLite header. A zipped Shapefile must be a zip whose
members are only a Shapefile's parts: flat names, no links, no nested archive, at most
`uncompressed_bytes` once unpacked. Its parts are unpacked here, within those bounds, and
handed to GDAL as a fresh archive we wrote ourselves, so GDAL never sees the upload's own
zip structure. Messages name the file as given, never a path or GDAL's own words.
"""

from __future__ import annotations

import io
import stat
import warnings
import zipfile
from pathlib import PurePosixPath
from typing import Any

from geo.gdal_guard import lock_down
from geo.limits import FIELDS, UPLOAD, ZIP_MEMBERS, SourceLimits

SQLITE_HEADER = b"SQLite format 3\x00"
SHP_HEADER = b"\x00\x00\x27\x0a"
SHAPEFILE_PARTS = frozenset(
    {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".shp.xml"}
)
ARCHIVES = frozenset({".zip", ".gz", ".7z", ".rar", ".tar", ".tgz", ".bz2", ".xz"})
CRS_WKT_STARTS = ("GEOGCS[", "PROJCS[", "GEOGCRS[", "PROJCRS[", "GEODCRS[", "COMPD_CS[")
_CRS_STARTS = tuple(s.encode() for s in CRS_WKT_STARTS)


class VectorError(Exception):
    """The bytes are not a GeoPackage or a Shapefile we are willing to open."""


def read_geopackage(data: bytes, name: str, limits: SourceLimits = UPLOAD) -> Any:
    """A GeoDataFrame of a GeoPackage's first layer with geometry."""
    if not data.startswith(SQLITE_HEADER):
        raise VectorError(f"{name} is not a GeoPackage (it does not start as an SQLite file)")
    return _read(data, name, "GeoPackage", limits)


def read_zipped_shapefile(data: bytes, name: str, limits: SourceLimits = UPLOAD) -> Any:
    """A GeoDataFrame of the one Shapefile in a zip, unpacked within the limits."""
    return _read(_clean_archive(data, name, limits), name, "Shapefile", limits)


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    path = PurePosixPath(info.filename.replace("\\", "/"))
    suffix = "".join(path.suffixes[-2:]).lower() if len(path.suffixes) > 1 else path.suffix.lower()
    if info.is_dir() or len(path.parts) != 1 or path.name in ("", ".", ".."):
        return "is in a folder; put the Shapefile's parts at the top of the zip"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a link, not a file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    if path.suffix.lower() in ARCHIVES:
        return "is an archive inside the archive"
    if suffix not in SHAPEFILE_PARTS and path.suffix.lower() not in SHAPEFILE_PARTS:
        return "is not part of a Shapefile (.shp, .shx, .dbf, .prj, .cpg)"
    return None


def _clean_archive(data: bytes, name: str, limits: SourceLimits) -> bytes:
    """Check a zip member by member and copy the Shapefile's parts into a new zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise VectorError(
            f"{name} could not be read as a Shapefile: it is not a zip (upload the parts zipped)"
        ) from None
    if len(infos) > ZIP_MEMBERS.value:
        raise VectorError(f"{name}: " + ZIP_MEMBERS.exceeded(f"the zip holds {len(infos):,} files"))
    total = sum(info.file_size for info in infos)
    if total > limits.uncompressed_bytes.value:
        raise VectorError(
            f"{name}: " + limits.uncompressed_bytes.exceeded(f"it unpacks to {total:,} bytes")
        )
    for info in infos:
        problem = _member_problem(info)
        if problem is not None:
            raise VectorError(f"{name}: the member {info.filename[:80]!r} {problem}")
    stems = {PurePosixPath(i.filename).name.split(".")[0] for i in infos}
    shp = [i for i in infos if i.filename.lower().endswith(".shp")]
    dbf = [i for i in infos if i.filename.lower().endswith(".dbf")]
    if len(shp) != 1 or len(stems) != 1:
        raise VectorError(f"{name} must hold exactly one Shapefile (one .shp and its parts)")
    if not dbf:
        raise VectorError(f"{name}: the Shapefile has no .dbf part")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for info in infos:
            body = _read_member(archive, info, name)
            suffix = info.filename.lower().rsplit(".", 1)[-1]
            if suffix == "shp" and not body.startswith(SHP_HEADER):
                raise VectorError(f"{name}: {info.filename[:80]!r} is not a Shapefile (.shp)")
            if suffix == "prj" and not body.lstrip().upper().startswith(_CRS_STARTS):
                raise VectorError(f"{name}: {info.filename[:80]!r} is not a CRS in WKT")
            clean.writestr("layer." + suffix, body)
    return out.getvalue()


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """A member's bytes, never more than it declared (a lying header cannot inflate it)."""
    try:
        with archive.open(info) as member:
            body = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError):
        raise VectorError(f"{name}: {info.filename[:80]!r} cannot be unpacked") from None
    if len(body) > info.file_size:
        raise VectorError(f"{name}: {info.filename[:80]!r} is larger than the zip says")
    return body


def _read(data: bytes, name: str, label: str, limits: SourceLimits) -> Any:
    """Open bytes with GDAL (locked down): the first layer that has geometry."""
    lock_down()
    import pyogrio

    unreadable = f"{name} could not be read as a {label}; it may be damaged or in another format"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers = pyogrio.list_layers(io.BytesIO(data))
            spatial = [str(layer) for layer, geometry in layers if geometry is not None]
            if not spatial:
                raise VectorError(f"{name}: no layer of this {label} has geometry")
            info = pyogrio.read_info(io.BytesIO(data), layer=spatial[0])
            if int(info.get("features") or 0) > limits.records.value:
                count = int(info["features"])
                raise VectorError(f"{name}: " + limits.records.exceeded(f"{count:,} features"))
            if len(info.get("fields", ())) > FIELDS.value:
                count = len(info["fields"])
                raise VectorError(f"{name}: " + FIELDS.exceeded(f"{count:,} fields"))
            return pyogrio.read_dataframe(
                io.BytesIO(data),
                layer=spatial[0],
                max_features=limits.records.value,
                on_invalid="ignore",
            )
    except VectorError:
        raise
    except Exception:  # pyogrio and GDAL raise many types; their text may name paths
        raise VectorError(unreadable) from None
