"""Read one sheet of an Excel workbook (.xlsx) into a table of text, treating the file as hostile.

An .xlsx is a zip of XML parts. Before openpyxl opens it, the zip's end record must declare at
most `workbook_parts` parts and its directory at most `uncompressed_bytes` unpacked in all
(Python's zip reader never inflates a part past the size it declares, so a lying header buys
nothing), and no part may hold macros. openpyxl then reads it in read-only mode with the values
Excel last saved (a formula is never evaluated), no external links, and its XML through
defusedxml (no entity expansion). Rows are counted as they stream: a sheet that claims a
million rows or columns costs only the cells it holds. Messages name the file as given, never
a path or a library's own words.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any, Final

import openpyxl
import pandas as pd
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import from_excel

from geo.dates import EARLIEST_YEAR, LATEST_YEAR
from geo.limits import FIELDS, RECORDS, UNCOMPRESSED_BYTES, WORKBOOK_PARTS
from geo.table import DatasetError

WORKBOOK_SUFFIXES: Final = frozenset({".xlsx"})
_SAVE_AS = "save it as .xlsx (or CSV) and try again"
REFUSED_SUFFIXES: Final[dict[str, str]] = {
    ".xlsm": f"is a macro-enabled workbook, which is not read; {_SAVE_AS}",
    ".xltm": f"is a macro-enabled template, which is not read; {_SAVE_AS}",
    ".xlsb": f"is a binary workbook (.xlsb), which is not read; {_SAVE_AS}",
    ".xls": f"is in the old Excel format (.xls), which is not read; {_SAVE_AS}",
    ".xlt": f"is in the old Excel format (.xlt), which is not read; {_SAVE_AS}",
    ".ods": f"is an OpenDocument spreadsheet, which is not read; {_SAVE_AS}",
}
# Old Excel files and password-protected workbooks are both OLE2 compound files.
OLE_HEADER: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_REFUSAL: Final = (
    f"is an old-format (.xls) or password-protected workbook, which is not read; {_SAVE_AS} "
    "without a password"
)
EXCEL_LAST_ROW: Final = 1_048_576
# The last day Excel can show (31 December 9999) as a serial day.
_LAST_SERIAL: Final = 2_958_465
_END_RECORD: Final = b"PK\x05\x06"
_ZIP64_LOCATOR: Final = b"PK\x06\x07"
_ZIP64_END: Final = b"PK\x06\x06"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet's records as text under its header, with the Excel row number of each."""

    title: str
    frame: pd.DataFrame
    rows: list[int]


def declared_parts(data: bytes) -> int | None:
    """How many parts the zip's end record declares, read before its directory is parsed."""
    tail_start = max(0, len(data) - (0xFFFF + 22))
    at = data.rfind(_END_RECORD, tail_start)
    if at < 0 or len(data) - at < 22:
        return None
    count = int.from_bytes(data[at + 10 : at + 12], "little")
    if count != 0xFFFF:
        return count
    locator = at - 20
    if locator < 0 or data[locator : locator + 4] != _ZIP64_LOCATOR:
        return None
    end = int.from_bytes(data[locator + 8 : locator + 16], "little")
    if data[end : end + 4] != _ZIP64_END:
        return None
    return int.from_bytes(data[end + 32 : end + 40], "little")


def check_container(data: bytes, name: str) -> None:
    """Refuse what is not a plain .xlsx zip within the limits, before any XML is parsed."""
    if data.startswith(OLE_HEADER):
        raise DatasetError(f"{name} {OLE_REFUSAL}")
    parts = declared_parts(data)
    if parts is None or not data.startswith(b"PK"):
        raise DatasetError(f"{name} could not be read as an Excel workbook (.xlsx): it is not one")
    if parts > WORKBOOK_PARTS.value:
        raise DatasetError(f"{name}: " + WORKBOOK_PARTS.exceeded(f"it holds {parts:,} parts"))
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise DatasetError(
            f"{name} could not be read as an Excel workbook; it is damaged"
        ) from None
    if len(infos) > WORKBOOK_PARTS.value:
        raise DatasetError(f"{name}: " + WORKBOOK_PARTS.exceeded(f"it holds {len(infos):,} parts"))
    total = sum(info.file_size for info in infos)
    if total > UNCOMPRESSED_BYTES.value:
        raise DatasetError(
            f"{name}: " + UNCOMPRESSED_BYTES.exceeded(f"it unpacks to {total:,} bytes")
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise DatasetError(f"{name} {OLE_REFUSAL}")
    if any(PurePosixPath(i.filename).name.lower() == "vbaproject.bin" for i in infos):
        raise DatasetError(f"{name} {REFUSED_SUFFIXES['.xlsm']}")


def _open(data: bytes, name: str) -> Any:
    """The workbook, read-only: saved values instead of formulas, no external links."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False, keep_vba=False
            )
    except Exception:  # openpyxl, zipfile and the XML parser raise many types; none for people
        raise DatasetError(
            f"{name} could not be read as an Excel workbook; it may be damaged"
        ) from None


def _choose_sheet(book: Any, name: str, sheet: str | None) -> Any:
    """The sheet asked for (by name, any case), else the first visible worksheet."""
    sheets = list(book.worksheets)
    if not sheets:
        raise DatasetError(f"{name} holds no worksheet")
    if sheet is None:
        return next((s for s in sheets if s.sheet_state == "visible"), sheets[0])
    wanted = sheet.casefold()
    found = next((s for s in sheets if str(s.title).casefold() == wanted), None)
    if found is None:
        listed = ", ".join(repr(str(s.title)[:40]) for s in sheets[:20])
        more = f" and {len(sheets) - 20:,} more" if len(sheets) > 20 else ""
        raise DatasetError(f"{name} has no sheet named {sheet[:40]!r}; its sheets: {listed}{more}")
    return found


def _filled_rows(
    ws: Any, name: str, first: int, width: int
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Each row from `first` on that holds a value, `width` cells of it, with its row number."""
    rows = ws.iter_rows(min_row=first, max_col=width, values_only=True)
    gap: tuple[Any, ...] | None = None
    for number, row in enumerate(rows, start=first):
        if number > EXCEL_LAST_ROW:
            raise DatasetError(f"{name}: the sheet has rows past Excel's last ({EXCEL_LAST_ROW:,})")
        # openpyxl fills a gap before a far row with one shared empty row: seen once, each
        # repeat costs an identity test, so a million missing rows cost a fraction of a second.
        if row is gap:
            continue
        blank = row.count(None)
        if blank == len(row):
            gap = row
        elif blank + row.count("") != len(row):
            yield number, row


def _header(ws: Any, name: str, title: str) -> tuple[int, list[Any]]:
    """The first row that holds a value, and its cells up to the last filled one."""
    ws.reset_dimensions()  # the sheet's <dimension> may lie both ways: too small loses rows
    found = next(_filled_rows(ws, name, 1, FIELDS.value + 1), None)
    if found is None:
        raise DatasetError(f"{name}: the sheet {title!r} is empty")
    number, row = found
    width = max(i + 1 for i, v in enumerate(row) if v is not None and v != "")
    if width > FIELDS.value:
        raise DatasetError(f"{name}: " + FIELDS.exceeded("the header has more columns"))
    return number, list(row[:width])


def _records(ws: Any, name: str, first: int, width: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The filled rows under the header, at most the `records` limit, with their numbers."""
    records: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    for number, row in _filled_rows(ws, name, first, width):
        if len(records) >= RECORDS.value:
            raise DatasetError(f"{name}: " + RECORDS.exceeded(f"more than {len(records):,} rows"))
        records.append(row)
        numbers.append(number)
    return records, numbers


def read_sheet(data: bytes, name: str, sheet: str | None, date_columns: Collection[str]) -> Sheet:
    """One sheet as text: the first filled row is the header, Excel serial days read as dates."""
    check_container(data, name)
    book = _open(data, name)
    try:
        ws = _choose_sheet(book, name, sheet)
        title = str(ws.title)[:40]
        header_row, header = _header(ws, name, title)
        records, numbers = _records(ws, name, header_row + 1, len(header))
        epoch = book.epoch
    except DatasetError:
        raise
    except Exception:  # a part that breaks while it streams: as unreadable as a broken zip
        raise DatasetError(
            f"{name} could not be read as an Excel workbook; it may be damaged"
        ) from None
    finally:
        book.close()
    columns = [_header_text(v, i) for i, v in enumerate(header)]
    dated = [c.strip().lower() in date_columns for c in columns]
    frame = pd.DataFrame(
        {
            i: pd.Series(
                [_date_cell(r[i], epoch) if dated[i] else cell_text(r[i]) for r in records],
                dtype=object,
            )
            for i in range(len(columns))
        }
    )
    frame.columns = pd.Index(columns)
    return Sheet(title, frame, numbers)


def _header_text(value: Any, index: int) -> str:
    """A header cell as a column name; an empty one is named by its column letter."""
    text = cell_text(value).strip()
    return text or f"column {get_column_letter(index + 1)}"


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _date_cell(value: Any, epoch: datetime) -> str:
    """A date column's cell: a serial day becomes a date; a whole number from 1900 to 2100 is
    a year (as a serial day it would fall in 1905-1906, which no event file means)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell_text(value)
    if float(value).is_integer() and EARLIEST_YEAR <= value <= LATEST_YEAR:
        return str(int(value))
    if 0 < value <= _LAST_SERIAL:
        return cell_text(from_excel(value, epoch=epoch))
    return cell_text(value)
