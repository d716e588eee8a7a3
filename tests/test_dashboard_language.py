"""The page in a language through AppTest: the address, the switch, the data's own translation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.categories import category_label
from geo.language import Language
from geo.translations import load_event_texts, translation_of
from geo.validation import load_events
from tests.test_dashboard import map_columns
from ui.text import plain

App = Callable[..., AppTest]


def map_config(at: AppTest) -> dict[str, object]:
    """The configuration the map was built with (part of the base map's script)."""
    (component,) = at.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    start = script.index("new window.FlashpointMap(")
    start = script.index("{", start)
    config, _ = json.JSONDecoder().raw_decode(script, start)
    return dict(config)


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_lang_draws_the_page_the_map_and_the_data_in_that_language(app: App, code: str) -> None:
    at = app(lang=code, date="2019-12-27", event="k1-rocket-attack").run()
    assert not at.exception
    language = Language(code)
    assert any(m.value == f"## {language.t('filters.heading')}" for m in at.sidebar.markdown)
    config = map_config(at)
    assert config["lang"] == code and config["dir"] == "rtl"
    assert config["digits"] == language.digits
    assert config["focusLabel"] == {"ar": "الأزمة", "fa": "بحران"}[code]
    words = config["words"]
    assert isinstance(words, dict) and words["mapui.play"] == language.t("mapui.play")
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert language.t("detail.original") in html
    titles = map_columns(at)["title"]
    assert all(isinstance(t, str) for t in titles)
    assert not any(t == "Rocket attack on K-1 Air Base near Kirkuk" for t in titles)
    assert at.query_params["lang"] in (code, [code])


def test_an_unknown_lang_falls_back_with_a_notice(app: App) -> None:
    at = app(lang="xx").run()
    assert not at.exception
    assert any("lang='xx'" in t.value for t in at.toast)
    assert map_config(at)["lang"] == "en"
    assert "lang" not in at.query_params


def test_the_switch_puts_the_language_in_the_address(app: App) -> None:
    at = app(date="2020-01-03").run()
    assert "lang" not in at.query_params
    at.sidebar.selectbox(key="lang").select("ar").run()
    assert not at.exception
    assert at.query_params["lang"] in ("ar", ["ar"])
    assert map_config(at)["lang"] == "ar"


# Words a translated message may keep in Latin letters: the address's parameter names and
# values, date and time formats, and the names of file formats and of GeoJSON's types.
KEPT_WORDS = frozenset(
    {
        *("date", "event", "types", "mode", "window", "lat", "lon", "zoom", "story", "basemap"),
        *("lang", "cumulative", "offline", "osm", "light", "dark", "en", "ar", "fa"),
        *("YYYY", "MM", "DD", "HH", "GeoJSON", "JSON", "CSV", "WKT", "Feature", "ACLED"),
        *("GeoPackage", "Shapefile", "monthfirst"),
    }
)
QUOTED = re.compile(r"'[^']*'")


def english_words(text: str, kept: frozenset[str] = frozenset()) -> set[str]:
    """Latin-letter words in a text, leaving out quoted values and the words it may keep."""
    unquoted = QUOTED.sub("", text.replace("\\", ""))
    return {w for w in re.findall(r"[A-Za-z_]{2,}", unquoted) if w not in KEPT_WORDS | kept}


def test_the_english_check_sees_english() -> None:
    assert english_words("Ignored mode='weekly': use cumulative or window.") == {
        "Ignored",
        "use",
        "or",
    }
    assert english_words("تم تجاهل mode='weekly': استخدم cumulative أو window.") == set()


BAD_ADDRESS = {
    "date": "2019-13-01",
    "event": "nope",
    "types": "Bogus",
    "mode": "weekly",
    "window": "0",
    "zoom": "x",
    "lat": "95",
    "lon": "44",
    "basemap": "paper",
}


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_the_addresss_notices_are_in_the_readers_language(app: App, code: str) -> None:
    at = app(lang=code, **BAD_ADDRESS).run()
    assert not at.exception
    notices = [t.value for t in at.toast]
    assert len(notices) == len(BAD_ADDRESS) - 1  # lat and lon make one notice
    for notice in notices:
        assert english_words(notice) == set(), notice
    language = Language(code)
    assert plain(language.t("notice.mode", value="'weekly'")) in notices
    assert plain(language.t("notice.out_of_range", name="window", value=0, low=1, high=3650)) in (
        notices
    )


BAD_ROWS = (
    "id,date,lat,lon,type,fatalities,time,end_date,country\n"
    "a,2019-02-30,33.3,44.4,Protests,1,10:00,,Iraq\n"
    "b,2019-12-27,33.3,44.4,Weird,2,25:00,,Iraq\n"
    "a,2019-12-28,33.3,44.4,Protests,-1,,2019-12-01,Iraq\n"
    "c,2019-12-29,44.4,33.3,Protests,0,,,Iraq\n"
    "d,2019-12-30,95,44,Protests,0,,,Iraq\n"
    "e,3/1/20,33,44,Protests,0,,,Iraq\n"
    "f,Friday,33,44,Protests,0,,,Iraq\n"
    "g,03/01/2020,33,44,Protests,0,,,Iraq\n"
)
# The file's own names: its name, its columns (as fields) and a value it holds.
FILE_WORDS = frozenset(
    {"bad", "csv", "id", "Iraq", "geometry", "event_date", "end_date", "event_type"}
    | {"event_time", "fatalities", "type", "time", "country"}
)


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_the_validation_report_is_in_the_readers_language(app: App, code: str) -> None:
    at = app(lang=code).run()
    at.file_uploader[0].set_value(("bad.csv", BAD_ROWS.encode(), "text/csv")).run()
    assert not at.exception
    language = Language(code)
    (expander,) = [e for e in at.expander if "bad.csv" in e.label.replace("\\", "")]
    table = expander.dataframe[0].value
    # Read from the right in a right-to-left language: the record comes first there.
    assert list(table.columns) == [
        language.t(f"report.{c}") for c in ("outcome", "problem", "field", "record")
    ]
    assert len(table) == 10
    texts = [expander.label, *(c.value for c in expander.caption)]
    texts += [str(cell) for row in table.itertuples(index=False) for cell in row]
    for text in texts:
        assert english_words(text, FILE_WORDS) == set(), text
    problems = list(table[language.t("report.problem")])
    assert language.t("problem.not_real_date", value="'2019-02-30'") in problems
    assert language.t("report.left_out") in set(table[language.t("report.outcome")])
    records = list(table[language.t("report.record")])
    # The warning about the whole date column comes first, naming how many rows it concerns.
    assert records[0] == language.t("record.rows_one", count=1)
    assert language.t("record.with_id", record=language.t("record.row", number="2"), id="'a'") == (
        records[1].translate(str.maketrans(language.digits, "0123456789"))
    )


@pytest.mark.parametrize("code", ["en", "ar", "fa"])
def test_the_event_list_speaks_the_language_newest_first(app: App, code: str) -> None:
    """Dates in the language's calendar and digits, translated titles and types, newest first."""
    bundled = Path(__file__).resolve().parent.parent / "data" / "locations.geojson"
    events = load_events(bundled).events
    texts = load_event_texts(bundled)
    language = Language(code)
    at = app(lang=code, date="2020-01-03", mode="cumulative").run()
    assert not at.exception
    (table,) = [d.value for d in at.dataframe if language.t("list.event") in d.value.columns]
    shown = events[events["event_date"] <= "2020-01-03"].iloc[::-1]
    expected_titles = [
        translation_of(texts, str(i), code).get("title", title)
        for i, title in zip(shown["id"], shown["title"], strict=True)
    ]
    assert list(table[language.t("list.event")]) == expected_titles
    assert list(table[language.t("list.type")]) == [
        category_label(t, language) for t in shown["event_type"]
    ]
    first_day = shown["event_date"].iloc[0].date()
    assert table[language.t("list.date")].iloc[0] == (
        first_day.isoformat() if code != "fa" else language.short_day(first_day)
    )
    if code == "fa":
        digits = "[\\u06f0-\\u06f9]"  # Persian digits
        assert re.fullmatch(
            f"{digits}{{4}}/{digits}{{2}}/{digits}{{2}}", table[language.t("list.date")].iloc[0]
        )
