"""Bringing data to the dashboard through AppTest: --data / FLASHPOINT_DATA, uploads, bad files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import geo.live
import ui.data
from geo.limits import FILTER_OPTIONS
from geo.validation import DatasetError, load_events, load_events_from_bytes
from tests.hostile_workbooks import HEADER, xlsx
from tests.test_dashboard import map_columns
from ui.text import plain

App = Callable[..., AppTest]
CORPUS = Path(__file__).resolve().parent / "corpus"

GENERIC_CSV = (
    "lat,lon,date,category,name\n"
    "33.3,44.4,2021-03-01,Protests,March in Baghdad\n"
    "36.2,43.9,2021-03-02,Air/drone strike,Strike near Erbil\n"
    "30.5,47.8,2021-03-05,Riots,Unrest in Basra\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dataset_from_the_environment_is_shown(app: App, tmp_path: Path) -> None:
    at = app(data_file=write(tmp_path, "events.csv", GENERIC_CSV)).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 3
    assert any(plain("events.csv") + ": 3 events" in e.label for e in at.expander)


def test_upload_replaces_and_back_restores_the_bundled_data(app: App) -> None:
    at = app().run()
    bundled_rows = len(map_columns(at)["row"])
    at.file_uploader[0].set_value(("mine.csv", GENERIC_CSV.encode(), "text/csv")).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 3
    assert any(plain("mine.csv") + ": 3 events" in e.label for e in at.expander)
    at.button(key="clear_upload").click().run()
    assert len(map_columns(at)["row"]) == bundled_rows


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in CORPUS.iterdir() if p.is_file()),
)
def test_corpus_file_gives_the_cli_message_on_screen(app: App, name: str) -> None:
    path = CORPUS / name
    try:
        result = load_events(path)
    except DatasetError as exc:
        expected_error: str | None = str(exc)
        problems = []
    else:
        expected_error = None
        problems = result.problems
    at = app().run()
    at.file_uploader[0].set_value((name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception
    if expected_error is not None:
        assert [e.value for e in at.error] == [
            f"This file cannot be shown: {plain(expected_error, ui.data.ERROR_CHARS)}"
        ]
    elif problems:
        expander = next(e for e in at.expander if plain(name) in e.label)
        assert f"{len(problems):,} problems" in expander.label
        table = expander.dataframe[0].value
        assert list(table["problem"][:5]) == [p.message for p in problems[:5]]


def test_a_query_parameter_cannot_name_a_file(app: App, tmp_path: Path) -> None:
    secret = write(tmp_path, "other.csv", GENERIC_CSV)
    at = app(**{"data": str(secret), "path": str(secret)}).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) > 3
    assert not any(plain("other.csv") in e.label for e in at.expander)


def test_report_lists_problems_of_a_partly_bad_file(app: App, tmp_path: Path) -> None:
    text = GENERIC_CSV + "95,44,2021-03-06,Protests,Bad latitude\n33,44,2021-02-30,Riots,Bad day\n"
    at = app(data_file=write(tmp_path, "mixed.csv", text)).run()
    assert len(map_columns(at)["row"]) == 3
    expander = next(e for e in at.expander if plain("mixed.csv") in e.label)
    assert "2 problems" in expander.label
    frame = expander.dataframe[0].value
    assert set(frame["field"]) == {"geometry", "event_date"}
    assert set(frame["outcome"]) == {"left out"}


@pytest.mark.parametrize("row", range(3))
def test_events_without_optional_fields_show_details(app: App, tmp_path: Path, row: int) -> None:
    path = write(tmp_path, "events.csv", GENERIC_CSV)
    event_id = str(load_events(path).events["id"].iat[row])
    at = app(data_file=path, event=event_id).run()
    assert not at.exception
    assert any(f'data-event-id="{event_id}"' in h.proto.body for h in at.html)


def test_template_syntax_in_data_is_just_text(app: App, tmp_path: Path) -> None:
    title = "Sit-in {% raw %} at the gate {{ 7*7 }} {# note"
    path = write(tmp_path, "jinja.csv", f'lat,lon,date,name\n33.3,44.4,2021-03-01,"{title}"\n')
    at = app(data_file=path, event="row-1").run()
    assert not at.exception
    assert map_columns(at)["title"] == [title]
    assert any("Sit-in {% raw %} at the gate {{ 7*7 }} {# note" in h.proto.body for h in at.html)


# ---- uploads off, failures read once, hostile names --------------------------------------


@pytest.mark.parametrize("setting", ["off", "OFF", "0", "false", "no"])
def test_uploads_off_removes_the_upload_control_and_nothing_else(
    app: App, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    on = app().run()
    monkeypatch.setenv(ui.data.UPLOADS_ENV, setting)
    off = app().run()

    assert not off.exception
    assert (len(on.file_uploader), len(off.file_uploader)) == (1, 0)
    assert map_columns(off) == map_columns(on)
    assert [e.label for e in off.expander] == [e.label for e in on.expander]
    assert [w.label for w in off.multiselect] == [w.label for w in on.multiselect]
    assert len(off.button) == len(on.button)


def test_uploads_stay_on_for_other_values(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ui.data.UPLOADS_ENV, "on")
    assert len(app().run().file_uploader) == 1


def test_a_failed_upload_is_read_once_shown_once_and_the_bundled_data_is_one_click_away(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(data: bytes, name: str, *options: Any, **settings: Any) -> object:
        calls.append(name)
        return load_events_from_bytes(data, name, *options, **settings)

    monkeypatch.setattr(ui.data, "load_events_from_bytes", counting)
    at = app().run()
    bundled_rows = len(map_columns(at)["row"])
    bad = b"lat,lon,when\n1,2,3\n# read once " + str(id(calls)).encode()
    at.file_uploader[0].set_value(("once.csv", bad, "text/csv")).run()
    at.run()
    at.run()

    assert calls == ["once.csv"]
    assert len(at.error) == 1
    assert "no column found for date" in at.error[0].value
    at.button(key="clear_upload").click().run()
    assert not at.error
    assert len(map_columns(at)["row"]) == bundled_rows


MARKDOWN_NAMES = [
    "[Session expired - sign in](https://evil.example/login)",
    "![x](https://evil.example/x.png)",
    "<img src=https://evil.example/y.png>",
    ":red[alarm] :material/warning:",
    "https://evil.example/bare www.evil.example",
]


@pytest.mark.parametrize("column", MARKDOWN_NAMES)
def test_a_column_name_in_an_error_is_shown_as_text(app: App, column: str) -> None:
    text = f'"{column}",b\n1,2\n'
    at = app().run()
    at.file_uploader[0].set_value(("cols.csv", text.encode(), "text/csv")).run()

    assert not at.exception
    [error] = at.error
    assert plain(column.lower()) in error.value
    assert "](" not in error.value.replace("\\](", "").replace("\\(", "")


@pytest.mark.parametrize("name", MARKDOWN_NAMES)
def test_a_file_name_in_the_report_is_shown_as_text(app: App, name: str) -> None:
    at = app().run()
    at.file_uploader[0].set_value((name + ".csv", GENERIC_CSV.encode(), "text/csv")).run()

    assert not at.exception
    assert any(e.label.startswith(plain(name + ".csv", 120)) for e in at.expander)


def test_a_hostile_focus_label_is_shown_as_text(app: App, tmp_path: Path) -> None:
    label = "[Sign in](https://evil.example)"
    doc = {
        "type": "FeatureCollection",
        "flashpoint": {"focus": {"start": "2021-03-01", "end": "2021-03-02", "label": label}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
                "properties": {"id": f"e{i}", "event_date": f"2021-03-0{i}", "title": "x"},
            }
            for i in (1, 2, 5)
        ],
    }
    at = app(data_file=write(tmp_path, "focus.geojson", json.dumps(doc))).run()

    assert not at.exception
    # The label is a button of the map's time control, which sets it as text (textContent).
    (component,) = at.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    config = re.search(r"new window\.FlashpointMap\(map_div, (\{.*\})\);", script)
    assert config is not None and json.loads(config.group(1))["focusLabel"] == label
    assert not any(label in m.value for m in at.markdown)


def test_a_filter_lists_at_most_the_limit_and_says_so(app: App, tmp_path: Path) -> None:
    many = FILTER_OPTIONS.value + 200
    # The first 1,000 actors have two events each, the others one: they are left out.
    rows = "".join(
        f"33.3,44.4,2021-03-01,Protests,e{i},actor {i % many:05d}\n"
        for i in range(many + FILTER_OPTIONS.value)
    )
    path = write(tmp_path, "actors.csv", "lat,lon,date,category,name,actor1\n" + rows)
    at = app(data_file=path, actor="actor 01150").run()

    assert not at.exception
    actors = next(w for w in at.multiselect if w.label.startswith("Actor"))
    assert len(actors.options) == FILTER_OPTIONS.value + 1
    assert actors.value == ["actor 01150"]
    assert any(f"most frequent of {many:,} values" in c.value for c in at.caption)


ARGENTINA_CSV = (
    "lat,lon,date,category,name\n"
    "-31.42,-64.19,2022-06-01,Protests,March in Cordoba\n"
    "-32.89,-68.85,2022-06-02,Protests,March in Mendoza\n"
    "-26.82,-65.22,2022-06-03,Riots,Unrest in Tucuman\n"
)


def origin_bounds(at: AppTest) -> tuple[tuple[float, float], tuple[float, float]] | None:
    _, _, _, bounds = at.session_state["map_origin"]
    return bounds  # type: ignore[no-any-return]


def test_an_upload_opens_on_its_events_not_on_the_old_address(app: App) -> None:
    at = app(
        date="2020-01-01", lat="33.3", lon="44.4", zoom="7", basemap="dark", mode="window"
    ).run()
    assert at.session_state["map_view"] == (33.3, 44.4, 7)
    at.file_uploader[0].set_value(("argentina.csv", ARGENTINA_CSV.encode(), "text/csv")).run()
    assert not at.exception
    state = at.session_state
    assert state["map_view"] is None, "the old dataset's view was kept"
    assert str(state["date"]) == "2022-06-03"
    assert (state["basemap"], state["mode"]) == ("dark", "window"), "choices not about data stay"
    bounds = origin_bounds(at)
    assert bounds is not None
    (south, west), (north, east) = bounds
    assert south < -32.89 and north > -26.82 and west < -68.85 and east > -64.19
    assert "lat" not in at.query_params and at.query_params["date"] == "2022-06-03"

    at.button(key="clear_upload").click().run()
    assert at.session_state["map_view"] is None
    assert str(at.session_state["date"]) == "2020-01-03", "back on the crisis"
    bounds = origin_bounds(at)
    assert bounds is not None
    (south, west), (north, east) = bounds
    assert south < 33.31 < north and west < 44.36 < east, "back over Iraq"


@pytest.mark.parametrize(
    ("params", "view"),
    [({}, None), ({"lat": "-30", "lon": "-60", "zoom": "5"}, (-30.0, -60.0, 5))],
)
def test_data_named_at_start_fits_its_events_unless_the_address_has_a_view(
    app: App, tmp_path: Path, params: dict[str, str], view: tuple[float, float, int] | None
) -> None:
    at = app(data_file=write(tmp_path, "argentina.csv", ARGENTINA_CSV), **params).run()
    assert not at.exception
    assert at.session_state["map_view"] == view
    assert (origin_bounds(at) is None) == (view is not None)


# ---- Excel workbooks and the order of slashed dates --------------------------------------


def test_an_uploaded_workbook_is_read_and_its_ambiguous_dates_are_reported_once(app: App) -> None:
    data = xlsx(
        [
            HEADER,
            ["a", "03/01/2020", 33.3, 44.4, "Protests", 1],
            ["b", 43833, 33.3, 44.4, "Riots", 0],
        ]
    )
    at = app().run()
    at.file_uploader[0].set_value(("book.xlsx", data, "application/octet-stream")).run()

    assert not at.exception
    assert len(map_columns(at)["row"]) == 2
    expander = next(e for e in at.expander if plain("book.xlsx") in e.label)
    assert "2 events, 1 problems" in expander.label
    assert any("Excel workbook, sheet 'Events'" in c.value for c in expander.caption)
    table = expander.dataframe[0].value
    assert list(table["record"]) == ["1 row"]
    assert "dates like 03/01/2020 are ambiguous; read as day-first" in table["problem"][0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--data", "a.xlsx"], (None, None), id="nothing"),
        pytest.param(["--data", "a.xlsx", "--sheet", "Events"], ("Events", None), id="sheet"),
        pytest.param(["--data", "a.csv", "--monthfirst"], (None, False), id="monthfirst"),
        pytest.param(["--dayfirst", "--data", "a.csv"], (None, True), id="dayfirst"),
        pytest.param(["--dayfirst", "--monthfirst"], (None, None), id="both-is-neither"),
    ],
)
def test_reading_options_beside_data(
    argv: list[str], expected: tuple[str | None, bool | None]
) -> None:
    assert ui.data.reading_options_from_args(argv) == expected


def test_a_file_that_cannot_be_read_keeps_its_last_data_with_a_notice(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file half written, broken or gone leaves its last good data on the page, said so;
    the page follows the file again once it can be read."""
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    path = write(tmp_path, "kept.csv", GENERIC_CSV)
    at = app(data_file=path, date="2021-03-02", event="").run()
    assert not at.exception and not at.warning
    rows = map_columns(at)["row"]
    date, rev = at.session_state.date, at.session_state.date_rev

    broken = ["name,notes\n**bold** <b>x</b>,no coordinates\n", None]  # then: the file is gone
    for content in broken:
        if content is None:
            path.unlink()
        else:
            path.write_text(content, encoding="utf-8")
        at.run()
        assert not at.exception and not at.error
        (warning,) = at.warning
        assert warning.value.startswith("The file kept.csv cannot be read now (")
        assert "showing its data as of" in warning.value
        assert "<b>" not in warning.value and "**bold**" not in warning.value
        assert map_columns(at)["row"] == rows
        assert (at.session_state.date, at.session_state.date_rev) == (date, rev)

    path.write_text(GENERIC_CSV + "31.0,47.0,2021-03-02,Protests,Added when mended\n", "utf-8")
    at.run()
    assert not at.exception and not at.warning
    assert len(map_columns(at)["row"]) == 4
    assert at.session_state.date == date
