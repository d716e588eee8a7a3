"""Dates as people write them: one table per rule, a file's slashed dates read by one order."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, main
from geo.dataset import Dataset
from geo.detail import format_when
from geo.language import Language
from geo.messages import record_label
from geo.model import MONTH_PRECISION, YEAR_PRECISION
from geo.validation import LoadResult, load_events_from_bytes

# text -> the day it names, its precision (3 month, 4 year, None a day), or part of the problem
VALUES: list[Any] = [
    pytest.param("2020-01-03", date(2020, 1, 3), None, id="iso"),
    pytest.param("2020-01-03T14:30:00+03:00", date(2020, 1, 3), None, id="iso-offset"),
    pytest.param("03 January 2020", date(2020, 1, 3), None, id="acled"),
    pytest.param("January 3, 2020", date(2020, 1, 3), None, id="us-words"),
    pytest.param("2014-06", date(2014, 6, 1), MONTH_PRECISION, id="year-month"),
    pytest.param("2014-6", date(2014, 6, 1), MONTH_PRECISION, id="year-month-short"),
    pytest.param("June 2014", date(2014, 6, 1), MONTH_PRECISION, id="month-name"),
    pytest.param("Jun 2014", date(2014, 6, 1), MONTH_PRECISION, id="month-abbr"),
    pytest.param("Sept. 2014", "is not a date", None, id="month-abbr-unknown"),
    pytest.param("06/2014", date(2014, 6, 1), MONTH_PRECISION, id="month-slash-year"),
    pytest.param("2014/06", date(2014, 6, 1), MONTH_PRECISION, id="year-slash-month"),
    pytest.param("2017", date(2017, 1, 1), YEAR_PRECISION, id="year"),
    pytest.param("25/12/2019", date(2019, 12, 25), None, id="day-first-by-itself"),
    pytest.param("12/25/2019", date(2019, 12, 25), None, id="month-first-by-itself"),
    pytest.param("25.12.2019", date(2019, 12, 25), None, id="dots"),
    pytest.param("25-12-2019", date(2019, 12, 25), None, id="dashes"),
    pytest.param("05/05/2019", date(2019, 5, 5), None, id="same-either-way"),
    pytest.param("2019/12/25", date(2019, 12, 25), None, id="year-first-slashes"),
    pytest.param("03/01/2020", date(2020, 1, 3), None, id="ambiguous-day-first"),
    pytest.param("13/13/2019", "is not a real calendar date", None, id="no-month"),
    pytest.param("31/02/2020", "is not a real calendar date", None, id="feb-31"),
    pytest.param("2020-02-30", "is not a real calendar date", None, id="iso-feb-30"),
    pytest.param("3/1/20", "has a two-digit year", None, id="short-year"),
    pytest.param("1850", "is outside 1900-2100", None, id="too-early"),
    pytest.param("1899-12-31", "is outside 1900-2100", None, id="last-day-too-early"),
    pytest.param("1900-01-01", date(1900, 1, 1), None, id="first-day-allowed"),
    pytest.param("2100-12-31T23:59", date(2100, 12, 31), None, id="last-day-allowed"),
    pytest.param("2101-01-01", "is outside 1900-2100", None, id="first-day-too-late"),
    pytest.param("2101", "is outside 1900-2100", None, id="year-too-late"),
    pytest.param("Friday", "is not a date", None, id="words"),
    pytest.param("43833", "is not a date", None, id="serial-in-a-csv"),
]


def csv(*rows: str, header: str = "id,lat,lon,date") -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def load(data: bytes, **options: Any) -> LoadResult:
    return load_events_from_bytes(data, "events.csv", **options)


def days(result: LoadResult) -> dict[str, date]:
    return {
        str(i): d.date()
        for i, d in zip(result.events["id"], result.events["event_date"], strict=True)
    }


def test_typed_dates_are_held_to_the_same_years() -> None:
    stamps = ["1899-12-31T23:59", "1900-01-01", "2100-12-31T23:59", "2101-01-01"]
    sink = io.BytesIO()
    table = pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "lat": [33.3] * 4,
            "lon": [44.4] * 4,
            "date": pa.array(pd.to_datetime(stamps, format="ISO8601"), pa.timestamp("us")),
        }
    )
    pq.write_table(table, sink)
    result = load_events_from_bytes(sink.getvalue(), "events.parquet")
    assert days(result) == {"b": date(1900, 1, 1), "c": date(2100, 12, 31)}
    assert [(p.where, p.message) for p in result.problems] == [
        ("row 1 (id 'a')", "'1899-12-31T23:59:00' is outside 1900-2100"),
        ("row 4 (id 'd')", "'2101-01-01T00:00:00' is outside 1900-2100"),
    ]


@pytest.mark.parametrize(("text", "expected", "precision"), VALUES)
def test_one_value(text: str, expected: date | str, precision: int | None) -> None:
    result = load(csv(f'a,33.3,44.4,"{text}"'))

    if isinstance(expected, str):
        assert [p.field for p in result.problems] == ["event_date"]
        assert expected in result.problems[0].message
        assert len(result.events) == 0
        return
    assert days(result) == {"a": expected}
    got = result.events.at[0, "time_precision"]
    assert (None if pd.isna(got) else int(got)) == precision
    assert all(p.where == "1 row" for p in result.problems), "at most the column's warning"


# ---- the order of a file's slashed dates -------------------------------------------------

ORDER: list[Any] = [
    pytest.param(
        ["03/01/2020", "25/12/2019"],
        None,
        ["2020-01-03", "2019-12-25"],
        False,
        id="shows-day-first",
    ),
    pytest.param(
        ["03/01/2020", "12/25/2019"],
        None,
        ["2020-03-01", "2019-12-25"],
        False,
        id="shows-month-first",
    ),
    pytest.param(
        ["03/01/2020", "04/01/2020"], None, ["2020-01-03", "2020-01-04"], True, id="ambiguous"
    ),
    pytest.param(
        ["03/01/2020", "04/01/2020"], False, ["2020-03-01", "2020-04-01"], False, id="monthfirst"
    ),
    pytest.param(
        ["03/01/2020", "04/01/2020"], True, ["2020-01-03", "2020-01-04"], False, id="dayfirst"
    ),
    pytest.param(
        ["03/01/2020", "25/12/2019", "12/26/2019"],
        None,
        ["2020-01-03", "2019-12-25", "2019-12-26"],
        True,
        id="both-shown-each-by-itself-the-rest-day-first",
    ),
    pytest.param(
        ["25/12/2019", "2019-12-26", "27 December 2019", "2020-01"],
        None,
        ["2019-12-25", "2019-12-26", "2019-12-27", "2020-01-01"],
        False,
        id="mixed-forms",
    ),
    pytest.param(
        ["12/25/2019", "25/12/2019"], True, ["2019-12-25", "2019-12-25"], False, id="option-vs-text"
    ),
]


@pytest.mark.parametrize(("values", "dayfirst", "expected", "warned"), ORDER)
def test_a_columns_slashed_dates_follow_one_rule(
    values: list[str], dayfirst: bool | None, expected: list[str], warned: bool
) -> None:
    rows = [f"r{i},33.3,44.4,{v}" for i, v in enumerate(values)]
    result = load(csv(*rows), dayfirst=dayfirst)

    assert days(result) == {f"r{i}": date.fromisoformat(d) for i, d in enumerate(expected)}
    warnings = [p for p in result.problems if "ambiguous" in p.message]
    assert len(warnings) == int(warned)
    assert len(result.problems) == len(warnings)


def test_one_warning_for_the_whole_file_names_the_rule_and_the_way_out() -> None:
    rows = [f"r{i},33.3,44.4,0{i % 9 + 1}/01/2020,0{i % 9 + 1}/02/2020" for i in range(40)]
    result = load(csv(*rows, header="id,lat,lon,date,end_date"))

    assert [str(p) for p in result.problems] == [
        "40 rows: event_date: dates like 02/01/2020 are ambiguous; read as day-first "
        "(2 January 2020); --monthfirst reads them month-first (kept)"
    ]
    assert result.events["end_date"].dt.month.unique().tolist() == [2]
    (warning,) = result.problems
    assert warning.text(Language("ar")) == (
        "تواريخ مثل 02/01/2020 ملتبسة؛ قُرئت على أن اليوم أولًا (2 كانون الثاني 2020)؛ "
        "الخيار --monthfirst يقرؤها على أن الشهر أولًا"
    )
    assert record_label(warning.where, Language("fa")) == "۴۰ ردیف"


def test_end_dates_share_the_start_dates_order() -> None:
    result = load(
        csv("a,33.3,44.4,03/01/2020,12/25/2020", header="id,lat,lon,date,end_date"),
    )
    assert result.problems == []
    assert days(result) == {"a": date(2020, 3, 1)}
    assert result.events.at[0, "end_date"] == pd.Timestamp("2020-12-25")


# ---- months and years ----------------------------------------------------------------------

PERIODS: list[Any] = [
    pytest.param("2014-06", "2014-08", "2014-06-01", "2014-08-31", id="months"),
    pytest.param("June 2014", "June 2014", "2014-06-01", "2014-06-30", id="one-month"),
    pytest.param("2016", "2017", "2016-01-01", "2017-12-31", id="years"),
    pytest.param("2024-02", "2024-02", "2024-02-01", "2024-02-29", id="leap-february"),
]


@pytest.mark.parametrize(("start", "end", "first", "last"), PERIODS)
def test_a_month_or_year_ends_on_its_last_day(start: str, end: str, first: str, last: str) -> None:
    result = load(csv(f"a,33.3,44.4,{start},{end}", header="id,lat,lon,date,end_date"))

    assert result.problems == []
    assert (result.events.at[0, "event_date"], result.events.at[0, "end_date"]) == (
        pd.Timestamp(first),
        pd.Timestamp(last),
    )


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        pytest.param("2014-06", "1", MONTH_PRECISION, id="month-over-exact-day"),
        pytest.param("2017", "2", YEAR_PRECISION, id="year-over-week"),
        pytest.param("2017", "", YEAR_PRECISION, id="year-over-nothing"),
        pytest.param("2014-06-02", "2", 2, id="a-day-keeps-the-files-precision"),
        pytest.param("2014-06", "4", YEAR_PRECISION, id="coarser-given-stays"),
    ],
)
def test_a_month_or_year_is_at_most_that_precise(text: str, given: str, expected: int) -> None:
    result = load(csv(f"a,33.3,44.4,{text},{given}", header="id,lat,lon,date,time_precision"))

    assert result.problems == []
    assert int(result.events.at[0, "time_precision"]) == expected


WHEN: list[Any] = [
    pytest.param("2014-06", "en", "June 2014", id="month-en"),
    # Arabic months as the Iraqi press names them.
    pytest.param("2014-06", "ar", "حزيران 2014", id="month-ar"),
    # A Gregorian month overlaps two Solar Hijri months; the Gregorian month stands beside them.
    pytest.param("2014-06", "fa", "خرداد\N{EN DASH}تیر ۱۳۹۳ (ژوئن ۲۰۱۴)", id="month-fa"),
    pytest.param(
        "2014-03", "fa", "اسفند ۱۳۹۲\N{EN DASH}فروردین ۱۳۹۳ (مارس ۲۰۱۴)", id="month-fa-new-year"
    ),
    pytest.param("2017", "en", "2017", id="year-en"),
    pytest.param("2017", "ar", "2017", id="year-ar"),
    pytest.param("2017", "fa", "۱۳۹۵\N{EN DASH}۱۳۹۶ (۲۰۱۷)", id="year-fa"),
    pytest.param("2017-03-05", "en", "Sun 5 Mar 2017", id="day-en"),
]


@pytest.mark.parametrize(("text", "code", "expected"), WHEN)
def test_the_detail_panel_names_the_month_or_year_not_a_day(
    text: str, code: str, expected: str
) -> None:
    dataset = Dataset.from_result(load(csv(f"a,33.3,44.4,{text}")), "events.csv")
    event = dataset.event_at(0)

    assert format_when(event, Language(code)) == expected


# ---- the command line ----------------------------------------------------------------------


def run(path: Path, *options: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path), *options], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_the_cli_warns_once_and_takes_the_order_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "slashed.csv"
    path.write_bytes(csv("a,33.3,44.4,03/01/2020", "b,33.3,44.4,04/01/2020"))

    code, printed = run(path)
    assert code == EXIT_PROBLEMS
    assert "2 rows: event_date: dates like 03/01/2020 are ambiguous; read as day-first" in printed
    assert "dates: 2020-01-03 to 2020-01-04" in printed
    code, printed = run(path, "--monthfirst")
    assert (code, "dates: 2020-03-01 to 2020-04-01" in printed) == (EXIT_OK, True)
    code, printed = run(path, "--dayfirst")
    assert (code, "dates: 2020-01-03 to 2020-01-04" in printed) == (EXIT_OK, True)


def test_the_cli_takes_one_order_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run(tmp_path / "x.csv", "--dayfirst", "--monthfirst")
    assert exited.value.code == EXIT_UNREADABLE
    assert "not allowed with argument" in capsys.readouterr().err
