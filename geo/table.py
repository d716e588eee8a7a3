"""The raw table every reader makes: records in source order with our column names.

Also the one kind of reading failure (`DatasetError`) and the other names our fields go by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

import numpy as np
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


class Located(NamedTuple):
    """Where each record is: its geometry (or None) and why it has none, and the x and y of
    the records given as plain points, whose geometry is None (NaN in other rows), if any."""

    geometry: list[BaseGeometry | None]
    errors: list[Note]
    points: np.ndarray | None = None


@dataclass(slots=True)
class RawTable:
    """Records in source order: our column names, geometries, labels and early problems.

    A million points are cheaper as two columns of numbers than as a million shapes, so a
    reader may give plain points as `points` (see `Located`), made into shapes only once the
    records are checked and in order.
    """

    frame: pd.DataFrame
    geometry: list[BaseGeometry | None]
    geometry_errors: list[Note]
    labels: Sequence[str]
    problems: list[RawProblem]
    kind: str
    meta: dict[str, Any] = field(default_factory=dict)
    columns: FileColumns | None = None  # the file's own columns, with examples
    used: tuple[ColumnUse, ...] = ()  # which column filled each main field
    points: np.ndarray | None = None  # (n, 2) x and y of the plain points, else NaN


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


class RowLabels(Sequence[str]):
    """Each record's name for the report, by position and id, made only when asked for.

    A report names a few records of a million: making every label up front took half a second.
    """

    def __init__(self, ids: pd.Series | None, numbers: Sequence[int], prefix: str) -> None:
        self._ids, self._numbers, self._prefix = ids, numbers, prefix
        self._count = len(numbers)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        index %= self._count
        where = f"{self._prefix}{self._numbers[index]}"
        value: Any = self._ids.iat[index] if self._ids is not None else None
        text = "" if value is None or bool(pd.isna(value)) else str(value)
        return f"{where} (id {text[:80]!r})" if text else where


def labels_of(frame: pd.DataFrame, prefix: str, numbers: Sequence[int] | int) -> RowLabels:
    """Name each record for the report by its number (row or feature; the first of a run, or
    each one's) and its id."""
    ids = frame["id"] if "id" in frame.columns else None
    if isinstance(numbers, int):
        numbers = range(numbers, numbers + len(frame))
    return RowLabels(ids, numbers, prefix)


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
