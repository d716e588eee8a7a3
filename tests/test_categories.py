"""A dataset's categories: a file's own keep their names and get colours by size, ACLED's keep
ACLED's; the palette's overflow is grouped; a vocabulary of its own is information."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import pytest

from geo.categories import (
    GROUP_COLOR,
    OKABE_ITO,
    TOO_CLOSE,
    assign_categories,
    categories_of,
    category_label,
    colour_distance,
    no_category_note,
    vocabulary_note,
)
from geo.cli import EXIT_OK, EXIT_PROBLEMS, main
from geo.dataset import Dataset
from geo.detail import render_event_html
from geo.export import to_acled_csv_bytes, to_geojson_bytes
from geo.language import Language
from geo.limits import FILTER_OPTIONS
from geo.model import CATEGORY_BY_NAME, EVENT_TYPES, SHAPES
from geo.validation import load_events_from_bytes
from tests.category_files import MANY, MIXED, STRIKES, csv_text, write_csv


def dataset_of(counts: tuple[tuple[str, int], ...], name: str = "file.csv") -> Dataset:
    """A dataset loaded from a generated CSV, the way the dashboard loads an upload."""
    return Dataset.from_result(load_events_from_bytes(csv_text(counts).encode(), name), name)


STRIKES_DATA = dataset_of(STRIKES, "strikes.csv")
MIXED_DATA = dataset_of(MIXED, "mixed.csv")
MANY_DATA = dataset_of(MANY, "many.csv")


# ---- the assignment ------------------------------------------------------------------------


def test_own_categories_get_okabe_ito_by_size_and_cycle_the_shapes() -> None:
    cats = assign_categories({"b": 5, "a": 5, "c": 9})
    assert [(c.key, c.events, c.color, c.shape) for c in cats.entries] == [
        ("c", 9, OKABE_ITO[0], SHAPES[0]),
        ("a", 5, OKABE_ITO[1], SHAPES[1]),  # a tie goes by name
        ("b", 5, OKABE_ITO[2], SHAPES[2]),
    ]
    assert not any(c.acled or c.grouped for c in cats.entries)


def test_acled_types_keep_acled_colours_and_come_first_in_acled_order() -> None:
    cats = assign_categories({"Riots": 1, "SOF": 50, "Battles": 2})
    assert cats.keys == ["Battles", "Riots", "SOF"]
    for key in ("Battles", "Riots"):
        assert (cats.get(key).color, cats.get(key).shape) == (
            CATEGORY_BY_NAME[key].color,
            CATEGORY_BY_NAME[key].shape,
        )
        assert cats.get(key).acled
    assert cats.get("SOF").color == OKABE_ITO[0]


def test_the_same_counts_always_give_the_same_colours() -> None:
    counts = dict(MANY)
    orders = [dict(reversed(list(counts.items()))), dict(sorted(counts.items())), counts]
    assert len({assign_categories(c) for c in orders}) == 1


SUBSETS = [
    pytest.param(set(combo), id="+".join(t.split()[0] for t in combo) or "none")
    for size in range(len(EVENT_TYPES) + 1)
    for combo in itertools.combinations(EVENT_TYPES, size)
]


@pytest.mark.parametrize("acled", SUBSETS)
def test_colours_are_distinct_and_none_close_to_acleds_on_the_same_map(acled: set[str]) -> None:
    counts = {t: 10 for t in acled} | {f"own {i}": 20 - i for i in range(10)}
    coloured = assign_categories(counts).coloured
    ours = [c.color for c in coloured if not c.acled and c.color != GROUP_COLOR]
    assert ours, "at least one own category keeps a palette colour"
    assert len({c.color for c in coloured}) == len(coloured)
    for colour in ours:
        assert all(colour_distance(colour, CATEGORY_BY_NAME[t].color) >= TOO_CLOSE for t in acled)


def test_past_the_palette_the_largest_keep_colours_and_the_rest_are_grouped() -> None:
    cats = MANY_DATA.categories
    assert [c.key for c in cats.coloured] == [name for name, _ in MANY[:7]]
    assert [c.color for c in cats.coloured] == list(OKABE_ITO)
    assert [(c.key, c.events) for c in cats.grouped] == list(MANY[7:])
    assert {c.color for c in cats.grouped} == {GROUP_COLOR}
    # Each stays a category of its own: in the filter's list, with its count.
    assert MANY_DATA.event_types == [name for name, _ in MANY]


def test_a_single_category_past_the_palette_keeps_its_own_name() -> None:
    cats = assign_categories({f"t{i}": 20 - i for i in range(8)})
    assert cats.grouped == ()
    assert (cats.get("t7").color, cats.get("t7").grouped) == (GROUP_COLOR, False)


def test_acled_colours_on_the_map_shrink_the_palette() -> None:
    counts = {t: 1 for t in EVENT_TYPES} | {"x": 30, "y": 20, "z": 10}
    cats = assign_categories(counts)
    # Only Okabe-Ito's yellow is far enough from all six ACLED colours.
    assert cats.get("x").color == OKABE_ITO[3]
    assert [c.key for c in cats.grouped] == ["y", "z"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("#000000", "#000000", 0.0),
        ("#000000", "#ffffff", 100.0),
        # sRGB red is L* 53.24, a* 80.09, b* 67.20 in the published tables.
        ("#000000", "#ff0000", 117.35),
    ],
)
def test_colour_distance_is_cie76(a: str, b: str, distance: float) -> None:
    assert colour_distance(a, b) == pytest.approx(distance, abs=0.1)


# ---- names and the information line --------------------------------------------------------

LABELS = [
    pytest.param("Battles", "en", "Battles", id="acled"),
    pytest.param("Battles", "ar", "معارك", id="acled-arabic"),
    pytest.param("SOF", "ar", "SOF", id="own-as-written"),
    pytest.param("", "en", "(no category)", id="none"),
    pytest.param("", "fa", "(بدون دسته)", id="none-persian"),
]


@pytest.mark.parametrize(("key", "code", "label"), LABELS)
def test_category_label(key: str, code: str, label: str) -> None:
    assert category_label(key, Language(code)) == label


NOTES = [
    pytest.param(
        {"Airstrike": 2446, "SOF": 1492, "Battles": 9},
        "en",
        "Categories not in ACLED's vocabulary, kept as they are: Airstrike 2,446 · SOF 1,492",
        id="strikes",
    ),
    pytest.param({"Battles": 9, "": 3}, "en", "", id="acled-only"),
    pytest.param(
        {f"c{i:02}": 100 - i for i in range(11)},
        "en",
        "Categories not in ACLED's vocabulary, kept as they are: "
        + " · ".join(f"c{i:02} {100 - i}" for i in range(8))
        + " and 3 more",
        id="capped",
    ),
    pytest.param(
        {"SOF": 1492},
        "fa",
        "دسته‌هایی بیرون از واژگان ACLED، همان‌گونه که هستند نگه داشته شدند: SOF ۱٬۴۹۲",  # noqa: RUF001
        id="persian-digits",
    ),
]


@pytest.mark.parametrize(("counts", "code", "note"), NOTES)
def test_vocabulary_note(counts: dict[str, int], code: str, note: str) -> None:
    assert vocabulary_note(assign_categories(counts), Language(code)) == note


def test_no_category_note() -> None:
    assert no_category_note(MIXED_DATA.categories) == (
        "5 events have no category; shown as (no category)"
    )
    assert no_category_note(STRIKES_DATA.categories) == ""


# ---- files with categories of their own ----------------------------------------------------


def test_a_file_of_its_own_categories_loads_them_without_a_problem() -> None:
    assert STRIKES_DATA.problems == ()
    assert len(STRIKES_DATA) == 300
    assert STRIKES_DATA.event_types == ["Airstrike", "SOF"]
    assert [(c.events, c.color) for c in STRIKES_DATA.categories.entries] == [
        (186, OKABE_ITO[0]),
        (114, OKABE_ITO[1]),
    ]
    assert set(STRIKES_DATA.events["sub_event_type"]) == {""}


def test_a_mixed_file_keeps_acled_and_its_own_and_no_category() -> None:
    cats = MIXED_DATA.categories
    assert MIXED_DATA.problems == ()
    assert cats.keys == ["Battles", "Protests", "IED", "SAF", ""]
    assert [cats.count(k) for k in cats.keys] == [40, 25, 30, 20, 5]
    assert cats.get("Battles").color == CATEGORY_BY_NAME["Battles"].color
    # Sky blue and blue sit too near ACLED's protests, bluish green near nothing here.
    assert [cats.get(k).color for k in ("IED", "SAF", "")] == [
        OKABE_ITO[0],
        OKABE_ITO[2],
        OKABE_ITO[3],
    ]


def test_the_map_and_its_chart_draw_each_event_in_its_categorys_style() -> None:
    config = MIXED_DATA.map_config("t")
    styles = config["categories"]
    assert [s["name"] for s in styles] == ["Battles", "Protests", "IED", "SAF", "(no category)"]
    types = MIXED_DATA.events["event_type"].tolist()
    drawn = [styles[t]["name"] for t in MIXED_DATA.map_data.t.tolist()]
    assert drawn == [category_label(t) for t in types]


def test_the_detail_panel_names_the_category_in_its_colour() -> None:
    for dataset, key in ((STRIKES_DATA, "SOF"), (MIXED_DATA, ""), (MIXED_DATA, "Protests")):
        row = dataset.events.index[dataset.events["event_type"] == key][0]
        html = render_event_html(dataset.event_at(row), categories=dataset.categories)
        colour = dataset.categories.get(key).color
        kind = re.search(r'<div class="fp-kind" style="border-color:([^"]+)">([^<]*)</div>', html)
        assert kind is not None
        assert (kind.group(1), kind.group(2)) == (colour, category_label(key))


def test_exports_keep_the_files_own_type_text() -> None:
    events = MIXED_DATA.events
    rows = list(csv.DictReader(io.StringIO(to_acled_csv_bytes(events).decode("utf-8-sig"))))
    assert [r["event_type"] for r in rows] == events["event_type"].tolist()
    assert {r["event_type"] for r in rows} == {"Battles", "Protests", "IED", "SAF", ""}
    features = json.loads(to_geojson_bytes(events))["features"]
    # GeoJSON writes an empty field as null, as for every other field.
    written = [f["properties"]["event_type"] or "" for f in features]
    assert written == events["event_type"].tolist()


# ---- the command line ----------------------------------------------------------------------


def test_validate_exits_0_with_the_information_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "strikes.csv", (("Airstrike", 2446), ("SOF", 1492)))
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(path)], out, err) == EXIT_OK
    text = out.getvalue()
    assert (
        "information: Categories not in ACLED's vocabulary, kept as they are: "
        "Airstrike 2,446 · SOF 1,492"
    ) in text
    assert "no problems found" in text
    assert text.count("Airstrike 2,446") == 1  # once, not once per record


def test_validate_still_exits_1_on_a_real_problem(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(csv_text(MIXED) + "not a date,44.0,33.0,SAF\n", encoding="utf-8")
    out = io.StringIO()
    assert main(["validate", str(path)], out, io.StringIO()) == EXIT_PROBLEMS
    text = out.getvalue()
    assert "information: Categories not in ACLED's vocabulary" in text
    assert "information: 5 events have no category; shown as (no category)" in text
    assert "         5  (no category)" in text
    assert "problems: 1" in text


def test_categories_of_a_column() -> None:
    assert categories_of(STRIKES_DATA.events["event_type"]) == STRIKES_DATA.categories


def test_a_long_name_is_cut_in_the_information_line() -> None:
    note = vocabulary_note(assign_categories({"x" * 5000: 2}))
    assert note.endswith(": " + "x" * 59 + "… 2")


def test_past_the_menus_limit_the_largest_are_listed_and_the_rest_always_shown() -> None:
    limit = FILTER_OPTIONS.value
    counts = (("Battles", 1), *((f"kind {i:04}", 2 if i < 5 else 1) for i in range(limit + 9)))
    dataset = dataset_of(counts)
    assert len(dataset.event_types) == limit + 10
    assert dataset.type_options == dataset.event_types[:limit]
    assert dataset.type_options[:6] == ["Battles", *(f"kind {i:04}" for i in range(5))]
    assert dataset.type_note(Language()) == (
        f"The {limit:,} largest of {limit + 10:,} categories are listed; "
        "the others are always shown."
    )
    only_battles = dataset.filter_mask(types=["Battles"])
    unlisted = ~dataset.events["event_type"].isin(dataset.type_options).to_numpy()
    assert unlisted.sum() == 10
    assert (
        only_battles == (unlisted | (dataset.events["event_type"] == "Battles").to_numpy())
    ).all()
    # The map still draws a handful of styles, whatever the number of categories.
    # Battles, six palette colours (vermillion is too near Battles' red) and the group.
    assert len(dataset.map_config("t")["categories"]) == 1 + 6 + 1
    assert STRIKES_DATA.type_note(Language()) == ""


def test_a_category_column_chosen_by_name_keeps_its_categories(tmp_path: Path) -> None:
    text = csv_text(STRIKES).replace("date,longitude,latitude,type", "when,x_coord,y_coord,kind", 1)
    path = tmp_path / "renamed.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    spec = "date=when,lat=y_coord,lon=x_coord,type=kind"
    assert main(["validate", str(path), "--columns", spec], out, io.StringIO()) == EXIT_OK
    assert "kept as they are: Airstrike 186 · SOF 114" in out.getvalue()
