"""The event list through AppTest: the newest events of the filters, counted, and kept cells
that follow a file's new versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import geo.live
from tests.test_dashboard_data import GENERIC_CSV, write

App = Callable[..., AppTest]


def test_a_crowded_list_shows_the_newest_events_of_the_filter_and_counts_them_all(
    app: App, tmp_path: Path
) -> None:
    """The event list names the newest events passing the filters, newest first."""
    lines = ["lat,lon,date,category,name"]
    for i in range(130):
        kind = "Protests" if i % 3 else "Riots"
        lines.append(f"33.3,44.4,2021-03-{1 + i // 10:02d},{kind},Event {i:03d}")
    path = write(tmp_path, "crowd.csv", "\n".join(lines) + "\n")
    at = app(data_file=path, date="2021-03-13", types="Protests", mode="cumulative").run()
    assert not at.exception
    protests = [i for i in range(130) if i % 3]
    title = next(m.value for m in at.markdown if m.value.startswith("### Events shown"))
    assert title.endswith(f"({len(protests)})")
    (table,) = [d.value for d in at.dataframe if "Event" in d.value.columns]
    assert list(table["Event"]) == [f"Event {i:03d}" for i in reversed(protests)][:50]

    at.query_params["mode"] = "window"
    at.session_state["mode"] = "window"
    at.session_state["window"] = 2
    at.run()
    recent = [i for i in protests if i >= 110]  # 12 and 13 March
    title = next(m.value for m in at.markdown if m.value.startswith("### Events shown"))
    assert title.endswith(f"({len(recent)})")
    (table,) = [d.value for d in at.dataframe if "Event" in d.value.columns]
    assert list(table["Event"]) == [f"Event {i:03d}" for i in reversed(recent)]


def test_an_edited_title_reaches_the_event_list_whatever_was_listed_before(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's cells are kept per dataset: a new version of a file (same count) lists anew."""
    monkeypatch.setattr(geo.live, "POLL_S", 0.0)
    monkeypatch.setattr(geo.live, "SLOWEST_POLL_S", 0.0)
    path = write(tmp_path, "edited.csv", GENERIC_CSV)
    at = app(data_file=path, date="2021-03-05", mode="cumulative").run()
    for title in ("Unrest in Basra (revised)", "Unrest in Basra (again)", "Unrest in Basra"):
        path.write_text(GENERIC_CSV.replace("Unrest in Basra", title), encoding="utf-8")
        at.run()
        assert not at.exception
        (table,) = [d.value for d in at.dataframe if "Event" in d.value.columns]
        assert list(table["Event"]) == [title, "Strike near Erbil", "March in Baghdad"]
