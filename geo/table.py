"""The raw table every reader makes: records in source order with our column names.

Also the one kind of reading failure (`DatasetError`) and the other names our fields go by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.messages import Note

if TYPE_CHECKING:
    from geo.columns import ColumnUse, FileColumns

BOM: Final = b"\xef\xbb\xbf"


class DatasetError(Exception):
    """The file cannot be read as incident data at all (nothing in it can be shown)."""


@dataclass(frozen=True, slots=True)
class RawProblem:
    """A record that could not even be turned into a row (e.g. a feature that is not an object)."""

    label: str
    field: str
    message: str


@dataclass(slots=True)
class RawTable:
    """Records in source order: our column names, geometries, labels and early problems."""

    frame: pd.DataFrame
    geometry: list[BaseGeometry | None]
    geometry_errors: list[Note]
    labels: list[str]
    problems: list[RawProblem]
    kind: str
    meta: dict[str, Any] = field(default_factory=dict)
    columns: FileColumns | None = None  # the file's own columns, with examples
    used: tuple[ColumnUse, ...] = ()  # which column filled each main field


# Other names for our fields, as used by ACLED exports and common GeoJSON/CSV producers.
ALIASES: Final[dict[str, str]] = {
    "event_id_cnty": "id",
    "event_id": "id",
    "uid": "id",
    "name": "title",
    "headline": "title",
    "date": "event_date",
    "start_date": "event_date",
    "datetime": "event_date",
    "time": "event_time",
    "type": "event_type",
    "category": "event_type",
    "subtype": "sub_event_type",
    "sub_type": "sub_event_type",
    "description": "notes",
    "summary": "notes",
    "deaths": "fatalities",
    "killed": "fatalities",
    "wounded": "injured",
    "place": "location",
    "url": "source_urls",
    "link": "source_urls",
}


def rename_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case column names and map known aliases onto ours, never overwriting a value.

    The first alias listed in ALIASES for a field becomes the column; a record that lacks a
    value there (a GeoJSON feature written with another property name than its neighbours)
    takes it from the next alias.
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for alias, ours in ALIASES.items():
        if alias not in frame.columns:
            continue
        if ours in frame.columns:
            frame[ours] = frame[ours].where(frame[ours].notna(), frame[alias])
        else:
            frame = frame.rename(columns={alias: ours})
    return frame


def labels_of(frame: pd.DataFrame, prefix: str, numbers: Sequence[int]) -> list[str]:
    """Name each record for the report by its number (row or feature) and its id."""
    if "id" not in frame.columns:
        return [f"{prefix}{n}" for n in numbers]
    ids = frame["id"].where(frame["id"].notna(), "").astype(str).tolist()
    return [
        f"{prefix}{n} (id {v[:80]!r})" if v else f"{prefix}{n}"
        for n, v in zip(numbers, ids, strict=True)
    ]


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), or explain that the file is in another encoding."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None
