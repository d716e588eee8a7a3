"""A file's own categories in the dashboard (AppTest): the filter with counts, the notice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.category_files import MANY, MIXED, STRIKES, write_csv
from tests.test_dashboard import map_columns
from ui.text import plain

App = Callable[..., AppTest]


def test_own_categories_are_in_the_type_filter_with_counts(app: App, tmp_path: Path) -> None:
    at = app(data_file=write_csv(tmp_path, "strikes.csv", STRIKES)).run()
    assert not at.exception
    types = next(w for w in at.multiselect if w.label == "Event type")
    assert types.options == ["Airstrike (186)", "SOF (114)"]
    assert types.value == ["Airstrike", "SOF"]
    assert len(map_columns(at)["row"]) == 300
    # Once, as information shown as plain text (the file's names are never Markdown).
    assert [i.value for i in at.info] == [
        plain("Categories not in ACLED's vocabulary, kept as they are: Airstrike 186 · SOF 114")
    ]
    assert not at.dataframe or all("problem" not in d.value.columns for d in at.dataframe)
    assert any(e.label.endswith(": 300 events") for e in at.expander)


def test_a_mixed_file_lists_both_and_no_category(app: App, tmp_path: Path) -> None:
    at = app(data_file=write_csv(tmp_path, "mixed.csv", MIXED), lang="ar").run()
    assert not at.exception
    types = next(w for w in at.multiselect if w.label.startswith("نوع"))
    assert types.options == ["معارك (40)", "احتجاجات (25)", "IED (30)", "SAF (20)", "(بلا فئة) (5)"]


def test_a_grouped_category_stays_selectable_on_its_own(app: App, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "many.csv", MANY)
    last, count = MANY[-1]
    at = app(data_file=path, types=last).run()
    assert not at.exception
    types = next(w for w in at.multiselect if w.label == "Event type")
    assert len(types.options) == len(MANY)
    assert types.value == [last]
    assert len(map_columns(at)["row"]) == count
