"""Chosen columns work the same for an Excel workbook and a Parquet file as for a CSV."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo.cli import EXIT_OK, main
from geo.columns import ColumnsError, parse_columns
from geo.validation import LoadResult, load_events_from_bytes

HEADER = ["when", "y_coord", "x_coord", "kind", "what"]
ROWS = [
    [datetime(2020, 1, 3), 33.26, 44.23, "Airstrike", "Strike at the airport"],
    [datetime(2019, 12, 27), 35.51, 44.28, "Rocket attack", "Rockets on K-1"],
    [datetime(2019, 12, 29), 34.40, 40.90, "Airstrike", "Strikes at Al-Qaim"],
]
SPEC = "date=when,lat=y_coord,lon=x_coord,type=kind,title=what"


def workbook_bytes() -> bytes:
    """A workbook whose columns have names of its own, with date cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parquet_bytes() -> bytes:
    """A Parquet file with the same columns, typed: timestamps and doubles."""
    frame = pd.DataFrame(ROWS, columns=HEADER)
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue()


FILES = {"events.xlsx": workbook_bytes, "events.parquet": parquet_bytes}


@pytest.mark.parametrize("name", sorted(FILES))
def test_chosen_columns_read_a_workbook_and_a_parquet_file(name: str) -> None:
    result: LoadResult = load_events_from_bytes(FILES[name](), name, parse_columns(SPEC))
    events = result.events
    assert result.problems == []
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-12-27",
        "2019-12-29",
        "2020-01-03",
    ]
    assert events["title"].tolist() == [
        "Rockets on K-1",
        "Strikes at Al-Qaim",
        "Strike at the airport",
    ]
    assert sorted(set(events["event_type"])) == ["Airstrike", "Rocket attack"]
    assert [round(p.y, 2) for p in events.geometry] == [35.51, 34.4, 33.26]
    assert ("date", "when") in [(use.target, use.column) for use in result.used]


@pytest.mark.parametrize("name", sorted(FILES))
def test_without_a_mapping_the_file_says_which_columns_it_has(name: str) -> None:
    with pytest.raises(ColumnsError) as info:
        load_events_from_bytes(FILES[name](), name)
    assert "y_coord" in str(info.value)
    assert info.value.columns is not None and "when" in info.value.columns.names


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_command_line_takes_columns_for_both(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(FILES[name]())
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(path), "--columns", SPEC], out, err) == EXIT_OK, err.getvalue()
    assert "date ← when" in out.getvalue()
