"""Choosing a file's columns in the dashboard, a long load's progress bar, and the load cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui.data
import ui.progress
from geo.cache import LoadCache
from geo.validation import load_events, load_events_from_bytes
from tests.test_dashboard import map_columns
from ui.data import data_args
from ui.text import plain

App = Callable[..., AppTest]

RENAMED = (
    "when,y_coord,x_coord,kind,headline\n"
    "2021-03-01,33.3,44.4,Airstrike,Strike near Baghdad\n"
    "2021-03-02,36.2,43.9,SOF,Raid near Erbil\n"
    "2021-03-05,30.5,47.8,Airstrike,Strike near Basra\n"
)
OTHER = "a,b,c\n1,2,3\n"


def upload(at: AppTest, name: str, text: str) -> AppTest:
    return at.file_uploader[0].set_value((name, text.encode(), "text/csv")).run()


def pick(at: AppTest, **choices: str) -> AppTest:
    """Choose columns in the chooser's menus (others as they are) and apply."""
    for box in at.selectbox:
        target = (box.key or "").split(":")[1] if (box.key or "").startswith("column_pick:") else ""
        if target in choices:
            box.set_value(choices[target])
    return at.button(key="columns_apply").click().run()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_unrecognised_columns_open_the_chooser_and_the_choice_loads_the_events(app: App) -> None:
    at = upload(app().run(), "renamed.csv", RENAMED + "# " + str(id(app)))
    assert not at.exception
    assert "no column found for latitude" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["column"]) == ["when", "y_coord", "x_coord", "kind", "headline"]
    assert list(table["examples"])[3] == "Airstrike · SOF"
    labels = [box.label for box in at.selectbox if (box.key or "").startswith("column_pick:")]
    assert labels[:5] == ["Date", "Latitude", "Longitude", "Geometry (WKT or GeoJSON)", "Category"]

    at = pick(at, date="when", lat="y_coord", lon="x_coord", type="kind")
    assert not at.exception and not at.error
    assert len(map_columns(at)["row"]) == 3
    # The menus start from the columns found by name (here the title): applied with the rest.
    listed = (
        "Date ← when, Latitude ← y_coord, Longitude ← x_coord, Category ← kind, Title ← headline"
    )
    assert "Columns chosen: " + plain(listed) in captions(at)

    at.run()  # kept across reruns
    assert len(map_columns(at)["row"]) == 3
    assert "Columns chosen: " + plain(listed) in captions(at)
    assert at.session_state["column_choice"][1] == (
        "date=when,lat=y_coord,lon=x_coord,type=kind,title=headline"
    )


def test_the_choice_is_kept_for_a_file_with_the_same_columns_and_dropped_for_others(
    app: App,
) -> None:
    at = upload(app().run(), "march.csv", RENAMED)
    at = pick(at, date="when", lat="y_coord", lon="x_coord")
    assert len(map_columns(at)["row"]) == 3

    april = RENAMED.replace("2021-03", "2021-04") + "2021-04-09,33.1,44.2,SOF,Raid\n"
    at = upload(at, "april.csv", april)
    assert not at.exception and not at.error
    assert len(map_columns(at)["row"]) == 4

    at = upload(at, "other.csv", OTHER)
    assert not at.exception
    assert "column_choice" not in at.session_state
    assert "no column found" in at.error[0].value
    assert list(at.dataframe[0].value["column"]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            {"date": "when", "lat": "kind", "lon": "x_coord"},
            "the column 'kind' chosen as latitude holds no numbers",
        ),
        ({"date": "kind", "lat": "y_coord", "lon": "x_coord"}, "chosen as date holds no dates"),
        ({"date": "when", "geometry": "headline"}, "chosen as geometry holds no WKT"),
    ],
)
def test_a_bad_choice_says_why_and_keeps_the_chooser(
    app: App, choices: dict[str, str], message: str
) -> None:
    at = pick(upload(app().run(), "renamed.csv", RENAMED), **choices)
    assert not at.exception
    assert message in at.error[0].value.replace("\\", "")
    assert at.button(key="columns_apply") is not None
    assert list(at.dataframe[0].value["column"])[:2] == ["when", "y_coord"]


def test_choices_that_cannot_go_together_are_refused_in_the_form(app: App) -> None:
    at = pick(
        upload(app().run(), "renamed.csv", RENAMED),
        date="when",
        lat="y_coord",
        lon="x_coord",
        geometry="headline",
    )
    assert not at.exception
    assert any("not both" in e.value for e in at.error)
    assert "column_choice" not in at.session_state


def test_a_recognised_file_offers_to_choose_other_columns(app: App) -> None:
    text = "date,lat,lon,name,summary\n2021-03-01,33.3,44.4,Rally,Thousands marched\n"
    at = upload(app().run(), "known.csv", text)
    assert [e.label for e in at.expander if e.label == "Choose columns…"] == ["Choose columns…"]
    assert any("Title ← name" in c for c in captions(at))
    at = pick(at, title="summary")
    assert not at.exception
    assert any("Title ← summary" in c and "chosen" in c for c in captions(at))
    assert "Thousands marched" in str(map_columns(at))


def test_the_bundled_data_offers_no_chooser(app: App) -> None:
    at = app().run()
    assert not [e for e in at.expander if e.label == "Choose columns…"]


def test_data_named_at_start_takes_a_column_mapping(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(RENAMED, encoding="utf-8")
    monkeypatch.setenv("FLASHPOINT_COLUMNS", "date=when,lat=y_coord,lon=x_coord")
    at = app(data_file=path).run()
    assert not at.exception and not at.error
    assert len(map_columns(at)["row"]) == 3
    monkeypatch.setenv("FLASHPOINT_COLUMNS", "date=when,,lat=y")
    at = app(data_file=path).run()
    assert not at.exception
    [error] = at.error
    assert "The column mapping given with --columns cannot be used" in error.value
    assert "part 2 of the column mapping is empty" in error.value


def test_the_command_line_names_the_data_and_its_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASHPOINT_DATA", raising=False)
    monkeypatch.delenv("FLASHPOINT_COLUMNS", raising=False)
    argv = ["--data", "a.csv", "--columns", 'date="Event date",lat=y,lon=x']
    assert data_args(argv) == (Path("a.csv"), 'date="Event date",lat=y,lon=x')
    assert data_args([]) == (None, None)


def test_the_same_bytes_uploaded_in_two_sessions_load_once(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(data: bytes, name: str, *options: Any, **settings: Any) -> object:
        calls.append(name)
        return load_events_from_bytes(data, name, *options, **settings)

    monkeypatch.setattr(ui.data, "load_events_from_bytes", counting)
    monkeypatch.setattr(ui.data, "UPLOAD_LOADS", LoadCache[ui.data.Loaded](4, 10**9))
    text = "date,lat,lon\n2021-03-01,33.3,44.4\n2021-03-02,36.2,43.9\n"
    first = upload(app().run(), "shared.csv", text)
    second = upload(app().run(), "shared.csv", text)
    assert len(map_columns(first)["row"]) == len(map_columns(second)["row"]) == 2
    second.run()
    assert calls == ["shared.csv"]
    upload(second, "shared.csv", text + "2021-03-03,30.5,47.8\n")
    assert calls == ["shared.csv", "shared.csv"]  # other bytes: another load


def test_the_file_named_at_start_loads_once_per_process(
    app: App, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str] = []

    def counting(path: Any, *options: Any, **settings: Any) -> object:
        calls.append(str(path))
        return load_events(path, *options, **settings)

    path = tmp_path / "events.csv"
    path.write_text("date,lat,lon\n2021-03-01,33.3,44.4\n", encoding="utf-8")
    monkeypatch.setattr(ui.data, "load_events", counting)
    monkeypatch.setattr(ui.data, "FILE_LOADS", LoadCache[ui.data.Loaded](8, 10**9))
    for _ in range(3):
        assert len(map_columns(app(data_file=path).run())["row"]) == 1
    assert calls == [str(path)]


class KeptBar(ui.progress.LoadBar):
    """A bar left on the page when the load is done, so the test can read it."""

    made: list[KeptBar] = []  # noqa: RUF012 - the bars made in this test

    def __init__(self, size: int) -> None:
        super().__init__(size)
        KeptBar.made.append(self)

    def close(self) -> None:
        return None


def test_a_big_load_shows_a_progress_bar_with_its_stages(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui.progress, "SHOW_FROM_BYTES", 0)  # as if the file were big
    monkeypatch.setattr(ui.data, "LoadBar", KeptBar)
    KeptBar.made.clear()
    text = "date,lat,lon\n" + "2021-03-01,33.3,44.4\n" * 50 + f"# {id(KeptBar)}\n"
    at = upload(app().run(), "big.csv", text)
    [bar] = at.get("progress")
    assert bar.proto.value == 100
    assert bar.proto.text == "Preparing the map…"
    # The upload's bar is the last one that heard of a load (the bundled data may load first).
    assert [b.stages for b in KeptBar.made if b.stages][-1] == ["reading", "validating", "indexing"]


def test_hostile_column_names_are_shown_and_echoed_as_text(app: App) -> None:
    names = ["[Sign in](https://evil.example)", "<img src=x onerror=alert(1)>", ":red[when]"]
    text = f'"{names[0]}","{names[1]}","{names[2]}"\n33.3,44.4,2021-03-01\n'
    at = upload(app().run(), "evil.csv", text)
    assert not at.exception
    assert list(at.dataframe[0].value["column"]) == names
    at = pick(at, lat=names[0], lon=names[1], date=names[2])
    assert not at.exception and not at.error
    assert len(map_columns(at)["row"]) == 1
    listed = f"Date ← {names[2]}, Latitude ← {names[0]}, Longitude ← {names[1]}"
    assert "Columns chosen: " + plain(listed, 1000) in captions(at)
