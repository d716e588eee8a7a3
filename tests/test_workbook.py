"""Excel workbooks (.xlsx): made with openpyxl here, read like a CSV, and refused when hostile."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

import geo.workbook
from geo.cli import EXIT_OK, EXIT_UNREADABLE, main
from geo.limits import FIELDS, RECORDS, UNCOMPRESSED_BYTES, WORKBOOK_PARTS
from geo.reading import read_raw, sniff_kind
from geo.table import DatasetError
from geo.validation import LoadResult, load_events_from_bytes
from geo.workbook import cell_text, declared_parts

HEADER = ["ID", "Event_Date", "Latitude", "Longitude", "Event_Type", "Fatalities", "Notes"]
Rows = list[list[Any]]


def workbook(sheets: dict[str, Rows], *, date1904: bool = False, hidden: str = "") -> bytes:
    """An .xlsx with these sheets in order, as Excel would save it."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title == hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def events(*rows: list[Any]) -> bytes:
    """A one-sheet workbook of events under HEADER."""
    return workbook({"Events": [HEADER, *rows]})


def edit_part(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The same workbook with one part changed (or added, when `part` is new)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        names = source.namelist()
        for name in names:
            body = source.read(name)
            copy.writestr(name, edit(body) if name == part else body)
        if part not in names:
            copy.writestr(part, edit(b""))
    return out.getvalue()


def declare_size(data: bytes, part: str, size: int) -> bytes:
    """The zip with the unpacked size its directory declares for one part changed."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + length].decode() == part:
            struct.pack_into("<I", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 46)
    return bytes(out)


def load(data: bytes, name: str = "events.xlsx", **options: Any) -> LoadResult:
    return load_events_from_bytes(data, name, **options)


def refusal(data: bytes, name: str = "events.xlsx", **options: Any) -> str:
    with pytest.raises(DatasetError) as caught:
        load(data, name, **options)
    return str(caught.value)


def column(result: LoadResult, field: str) -> dict[str, Any]:
    return dict(zip(result.events["id"], result.events[field], strict=True))


# ---- cells and dates ---------------------------------------------------------------------


def test_every_way_a_workbook_holds_a_date() -> None:
    result = load(
        events(
            ["cell", datetime(2020, 1, 3), 33.3, 44.4, "Protests", 2, "a date cell"],
            ["timed", datetime(2020, 1, 3, 14, 30), 33.3, 44.4, "Protests", 2.0, ""],
            ["serial", 43833, 33.3, 44.4, "Protests", None, "Excel's day 43833"],
            ["serial-noon", 43833.5, 33.3, 44.4, "Protests", None, ""],
            ["iso", "2020-01-03", 33.3, 44.4, "Protests", None, ""],
            ["acled", "03 January 2020", 33.3, 44.4, "Protests", None, ""],
            ["month", "2014-06", 33.3, 44.4, "Protests", None, ""],
            ["month-name", "June 2014", 33.3, 44.4, "Protests", None, ""],
            ["year", 2017, 33.3, 44.4, "Protests", None, "a number that is a year"],
            ["year-text", "2017", 33.3, 44.4, "Protests", None, ""],
        )
    )

    assert result.problems == []
    assert result.kind == "Excel workbook, sheet 'Events'"
    days = {k: v.date() for k, v in column(result, "event_date").items()}
    assert days == {
        "cell": date(2020, 1, 3),
        "timed": date(2020, 1, 3),
        "serial": date(2020, 1, 3),
        "serial-noon": date(2020, 1, 3),
        "iso": date(2020, 1, 3),
        "acled": date(2020, 1, 3),
        "month": date(2014, 6, 1),
        "month-name": date(2014, 6, 1),
        "year": date(2017, 1, 1),
        "year-text": date(2017, 1, 1),
    }
    times = column(result, "event_time")
    assert (times["timed"], times["serial-noon"], times["cell"]) == ("14:30", "12:00", "")
    precision = {
        k: (None if pd.isna(v) else int(v)) for k, v in column(result, "time_precision").items()
    }
    assert {k for k, v in precision.items() if v == 3} == {"month", "month-name"}
    assert {k for k, v in precision.items() if v == 4} == {"year", "year-text"}
    assert column(result, "fatalities")["cell"] == column(result, "fatalities")["timed"] == 2


def test_a_1904_workbook_keeps_its_dates() -> None:
    rows: Rows = [
        HEADER,
        ["cell", datetime(2020, 1, 3), 33.3, 44.4, "Protests", None, ""],
        ["serial", 43833 - 1462, 33.3, 44.4, "Protests", None, "day 42371 counted from 1904"],
    ]
    result = load(workbook({"Events": rows}, date1904=True))

    assert result.problems == []
    assert {v.date() for v in result.events["event_date"]} == {date(2020, 1, 3)}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(None, "", id="empty"),
        pytest.param(True, "TRUE", id="bool"),
        pytest.param(5.0, "5", id="whole-float"),
        pytest.param(33.3152, "33.3152", id="float"),
        pytest.param(datetime(2020, 1, 3), "2020-01-03", id="midnight"),
        pytest.param(datetime(2020, 1, 3, 9, 5), "2020-01-03T09:05:00", id="date-time"),
        pytest.param(time(9, 5), "09:05:00", id="time"),
        pytest.param("=SUM(A1)", "=SUM(A1)", id="text-that-looks-like-a-formula"),
    ],
)
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_header_is_the_first_filled_row_and_rows_are_named_as_excel_numbers_them() -> None:
    rows: Rows = [
        [],
        [None, None],
        HEADER,
        ["a", "2020-01-03", 33.3, 44.4, "Protests", None, ""],
        [],
        ["b", "2020-01-04", "north", 44.4, "Protests", None, ""],
    ]
    result = load(workbook({"Events": rows}))

    assert result.records == 2
    assert [str(p) for p in result.problems] == [
        "row 6 (id 'b'): geometry: latitude='north', longitude='44.4' are not numbers (left out)"
    ]


def test_first_visible_sheet_is_read_and_sheet_picks_another() -> None:
    data = workbook(
        {
            "Hidden": [HEADER, ["h", "2020-01-01", 33.3, 44.4, "Protests", None, ""]],
            "Events": [HEADER, ["e", "2020-01-02", 33.3, 44.4, "Protests", None, ""]],
            "Other events": [HEADER, ["o", "2020-01-03", 33.3, 44.4, "Riots", None, ""]],
        },
        hidden="Hidden",
    )

    assert list(load(data).events["id"]) == ["e"]
    assert list(load(data, sheet="other EVENTS").events["id"]) == ["o"]
    assert list(load(data, sheet="Hidden").events["id"]) == ["h"]


def test_a_missing_sheet_is_named_with_the_sheets_there_are() -> None:
    data = workbook({"Events": [HEADER], "Notes": [["x"]]})

    assert refusal(data, sheet="Incidents") == (
        "events.xlsx has no sheet named 'Incidents'; its sheets: 'Events', 'Notes'"
    )


def test_an_empty_sheet_is_refused_and_a_header_alone_loads_nothing() -> None:
    data = workbook({"Events": [HEADER], "Blank": [[], [None]]})

    assert refusal(data, sheet="Blank") == "events.xlsx: the sheet 'Blank' is empty"
    assert load(data).records == 0


def test_a_sheet_without_coordinates_names_its_columns() -> None:
    message = refusal(workbook({"Events": [["when", "where"], ["2020-01-03", "Baghdad"]]}))
    assert "no column found for latitude" in message
    assert "Columns in the file: when, where" in message


def test_a_sheet_named_for_a_csv_is_a_mistake() -> None:
    csv = b"lat,lon,date\n33,44,2020-01-03\n"
    with pytest.raises(DatasetError, match="a sheet was named, but this is not an Excel"):
        read_raw(csv, "events.csv", sheet="Events")


# ---- formulas and links ------------------------------------------------------------------


def test_formulas_are_never_evaluated_only_their_saved_values_read() -> None:
    data = events(
        ["saved", "2020-01-03", 33.3, 44.4, "Protests", "=1+1", '=HYPERLINK("http://x")'],
        ["unsaved", "2020-01-03", 33.3, 44.4, "Protests", "=1+1", ""],
        ["linked", "2020-01-03", 33.3, 44.4, "Protests", "=1+1", ""],
    )
    sheet = "xl/worksheets/sheet1.xml"

    def cache(body: bytes) -> bytes:
        # Excel saves a formula with its last value: a cached 3 for 1+1 proves nothing ran it.
        body = re.sub(rb'(<c r="F2"[^>]*>)<f>1\+1</f><v\s*/>', rb"\1<f>1+1</f><v>3</v>", body)
        body = re.sub(
            rb'(<c r="F4"[^>]*>)<f>1\+1</f><v\s*/>', rb"\1<f>[1]Sheet1!A1</f><v>7</v>", body
        )
        return body

    result = load(edit_part(data, sheet, cache))
    fatalities = column(result, "fatalities")

    assert fatalities["saved"] == 3, "the saved value, not 1+1 computed"
    assert pd.isna(fatalities["unsaved"]), "no saved value: empty, never computed"
    assert fatalities["linked"] == 7, "an external reference keeps its saved value"
    assert column(result, "notes")["saved"] == ""


# ---- hostile workbooks -------------------------------------------------------------------


def test_declared_parts_reads_the_end_record() -> None:
    data = events()
    assert declared_parts(data) == len(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert declared_parts(b"not a zip") is None


HOSTILE: list[Any] = [
    pytest.param(
        lambda: declare_size(events(), "xl/worksheets/sheet1.xml", 300_000_000),
        "events.xlsx",
        f"the limit is {UNCOMPRESSED_BYTES.value:,} bytes",
        id="declared-bomb",
    ),
    pytest.param(
        lambda: declare_size(
            events(["a", "2020-01-03", 33, 44, "", 1, "x" * 5000]), "xl/worksheets/sheet1.xml", 200
        ),
        "events.xlsx",
        "could not be read as an Excel workbook; it may be damaged",
        id="part-larger-than-declared",
    ),
    pytest.param(
        lambda: edit_part(events(), "xl/vbaProject.bin", lambda _: b"\0" * 64),
        "events.xlsx",
        "is a macro-enabled workbook, which is not read; save it as .xlsx",
        id="macros-inside",
    ),
    pytest.param(lambda: events(), "events.xlsm", "is a macro-enabled workbook", id="xlsm"),
    pytest.param(lambda: events(), "events.xlsb", "is a binary workbook (.xlsb)", id="xlsb"),
    pytest.param(
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "events.xls",
        "is in the old Excel format (.xls)",
        id="xls",
    ),
    pytest.param(
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "events.xlsx",
        "is an old-format (.xls) or password-protected workbook",
        id="ole-named-xlsx",
    ),
    pytest.param(
        lambda: b"id,lat,lon\n1,2,3\n", "events.xlsx", "it is not one", id="csv-named-xlsx"
    ),
    pytest.param(
        lambda: edit_part(
            events(),
            "xl/worksheets/sheet1.xml",
            lambda body: body.replace(
                b"<sheetData>",
                b'<sheetData><row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is>'
                b"</c></row>",
            ),
        ),
        "events.xlsx",
        "the sheet has rows past Excel's last (1,048,576)",
        id="row-past-the-last",
    ),
    pytest.param(
        lambda: edit_part(
            events(["a", "2020-01-03", 33, 44, "", 1, ""]),
            "xl/worksheets/sheet1.xml",
            lambda body: re.sub(rb"<t>a</t>", b"<t>&lol3;</t>", body).replace(
                b"?>",
                b'?><!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">'
                b'<!ENTITY lol3 "&lol2;&lol2;&lol2;">]>',
                1,
            ),
        ),
        "events.xlsx",
        "could not be read as an Excel workbook; it may be damaged",
        id="xml-entities",
    ),
]


@pytest.mark.parametrize(("build", "name", "message"), HOSTILE)
def test_hostile_workbooks_are_refused_with_a_plain_message(
    build: Callable[[], bytes], name: str, message: str
) -> None:
    text = refusal(build(), name)
    assert text.startswith(name)
    assert message in text, text
    assert "Traceback" not in text and "openpyxl" not in text and "/" not in text.split(";")[0]


def test_too_many_parts_are_refused_before_the_directory_is_read() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(WORKBOOK_PARTS.value + 1):
            archive.writestr(f"xl/p{i}.xml", b"")
    message = refusal(out.getvalue())
    assert WORKBOOK_PARTS.exceeded(f"it holds {WORKBOOK_PARTS.value + 1:,} parts") in message


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geo.workbook, "RECORDS", replace(RECORDS, value=3))
    rows = [["r", "2020-01-03", 33, 44, "", None, ""]] * 4
    assert "more than 3 rows; the limit is 3 records" in refusal(events(*rows))
    assert load(events(*rows[:3])).records == 3


def test_too_many_columns_are_refused() -> None:
    header = [f"c{i}" for i in range(FIELDS.value + 1)]
    message = refusal(workbook({"Wide": [header, ["x"] * len(header)]}))
    assert "the header has more columns; the limit is 500 fields" in message


def test_a_lying_dimension_loses_no_row() -> None:
    rows = [[str(i), "2020-01-03", 33, 44, "", None, ""] for i in range(5)]
    data = edit_part(
        events(*rows),
        "xl/worksheets/sheet1.xml",
        lambda body: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B2"/>', body),
    )
    assert load(data).records == 5


def test_a_far_cell_costs_nothing() -> None:
    data = edit_part(
        events(["a", "2020-01-03", 33, 44, "", None, ""]),
        "xl/worksheets/sheet1.xml",
        lambda body: body.replace(
            b"</row></sheetData>",
            b'<c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row></sheetData>',
        ),
    )
    result = load(data)
    assert result.records == 1 and result.problems == []


# ---- sniffing, the command line ----------------------------------------------------------


def test_sniff_kind_knows_a_workbook_by_its_name() -> None:
    assert sniff_kind(b"PK\x03\x04", "Events.XLSX") == "xlsx"
    assert sniff_kind(b"PK\x03\x04", "events.zip") == "shapefile"


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *args], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_the_cli_reads_a_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        workbook(
            {
                "Notes": [["read me"]],
                "Events": [HEADER, ["a", datetime(2020, 1, 3), 33.3, 44.4, "Protests", 1, ""]],
            }
        )
    )

    assert run(str(path), "--sheet", "Events")[0] == EXIT_OK
    code, printed = run(str(path), "--sheet", "Events")
    assert "book.xlsx: Excel workbook, sheet 'Events', 1 records" in printed
    code, printed = run(str(path), "--sheet", "Nope")
    assert (code, printed) == (
        EXIT_UNREADABLE,
        "error: book.xlsx has no sheet named 'Nope'; its sheets: 'Notes', 'Events'\n",
    )
    code, printed = run(str(path))
    assert code == EXIT_UNREADABLE and "Columns in the file: read me" in printed


def test_the_cli_refuses_a_macro_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    path.write_bytes(events())
    code, printed = run(str(path))
    assert code == EXIT_UNREADABLE
    assert printed.startswith("error: book.xlsm is a macro-enabled workbook")
    assert str(tmp_path) not in printed
