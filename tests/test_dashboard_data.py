"""Bringing data to the dashboard through AppTest: --data / FLASHPOINT_DATA, uploads, bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.io import DatasetError, load_events
from tests.test_dashboard import map_columns

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
    assert any("events.csv: 3 events" in e.label for e in at.expander)


def test_upload_replaces_and_back_restores_the_bundled_data(app: App) -> None:
    at = app().run()
    bundled_rows = len(map_columns(at)["row"])
    at.file_uploader[0].set_value(("mine.csv", GENERIC_CSV.encode(), "text/csv")).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) == 3
    assert any("mine.csv: 3 events" in e.label for e in at.expander)
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
        assert [e.value for e in at.error] == [f"This file cannot be shown: {expected_error}"]
    elif problems:
        expander = next(e for e in at.expander if name in e.label)
        assert f"{len(problems):,} problems" in expander.label
        table = expander.dataframe[0].value
        assert list(table["problem"][:5]) == [p.message for p in problems[:5]]


def test_a_query_parameter_cannot_name_a_file(app: App, tmp_path: Path) -> None:
    secret = write(tmp_path, "other.csv", GENERIC_CSV)
    at = app(**{"data": str(secret), "path": str(secret)}).run()
    assert not at.exception
    assert len(map_columns(at)["row"]) > 3
    assert not any("other.csv" in e.label for e in at.expander)


def test_report_lists_problems_of_a_partly_bad_file(app: App, tmp_path: Path) -> None:
    text = GENERIC_CSV + "95,44,2021-03-06,Protests,Bad latitude\n33,44,2021-02-30,Riots,Bad day\n"
    at = app(data_file=write(tmp_path, "mixed.csv", text)).run()
    assert len(map_columns(at)["row"]) == 3
    expander = next(e for e in at.expander if "mixed.csv" in e.label)
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
