"""Excel workbooks for the hostile corpus: built here (openpyxl stamps the time it saves them,
so they cannot be committed byte for byte), each a real .xlsx with one thing done to it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import openpyxl

SHEET: Final = "xl/worksheets/sheet1.xml"
HEADER: Final = ["id", "event_date", "latitude", "longitude", "event_type", "fatalities"]


def xlsx(rows: list[list[Any]]) -> bytes:
    """A one-sheet workbook as openpyxl saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Events"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def events_xlsx() -> bytes:
    """Three events: a date cell, an Excel serial day and a month written as text."""
    return xlsx(
        [
            HEADER,
            ["X1", datetime(2020, 1, 3, 0, 30), 33.26, 44.23, "Air/drone strike", 10],
            ["X2", 43831, 33.34, 44.39, "Protests", 0],
            ["X3", "2019-12", 33.34, 44.39, "Riots", None],
        ]
    )


def rewritten(data: bytes, edit: Callable[[zipfile.ZipFile, zipfile.ZipFile], None]) -> bytes:
    """A copy of the workbook's parts into a new zip, where `edit` may change or add parts."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as copy,
    ):
        for info in source.infolist():
            copy.writestr(info.filename, source.read(info))
        edit(source, copy)
    return out.getvalue()


def workbook_bomb() -> bytes:
    """A 300 KB workbook with a part that unpacks to 300 MB of zeros."""

    def add(source: zipfile.ZipFile, copy: zipfile.ZipFile) -> None:
        with copy.open("xl/media/image1.png", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _megabyte in range(300):
                member.write(block)

    return rewritten(events_xlsx(), add)


def workbook_many_parts() -> bytes:
    """A workbook with 5,000 empty parts beside its own."""

    def add(_: zipfile.ZipFile, copy: zipfile.ZipFile) -> None:
        for i in range(5_000):
            copy.writestr(f"xl/media/p{i}.bin", b"")

    return rewritten(events_xlsx(), add)


def workbook_with_macros() -> bytes:
    """A workbook carrying a VBA project, named .xlsx."""
    return rewritten(events_xlsx(), lambda _, copy: copy.writestr("xl/vbaProject.bin", b"\0" * 512))


def _with_sheet(body: Callable[[bytes], bytes]) -> bytes:
    """The events workbook with its sheet's XML changed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(events_xlsx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in source.infolist():
            part = source.read(info)
            copy.writestr(info.filename, body(part) if info.filename == SHEET else part)
    return out.getvalue()


def workbook_far_row() -> bytes:
    """A 6 KB workbook with one cell a row past Excel's last (a million rows to fill in)."""
    return _with_sheet(
        lambda xml: xml.replace(
            b"<sheetData>",
            b'<sheetData><row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c>'
            b"</row>",
        )
    )


def workbook_entities() -> bytes:
    """A workbook whose sheet declares XML entities that expand a billionfold."""
    levels = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(10)
    )
    doctype = f"<!DOCTYPE worksheet [{levels}]>".encode()
    return _with_sheet(
        lambda xml: xml.replace(b"?>", b"?>" + doctype, 1).replace(b"<t>X1</t>", b"<t>&l9;</t>")
    )
