"""The page in a language through AppTest: the address, the switch, the data's own translation."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from geo.language import Language
from tests.test_dashboard import map_columns

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
    assert any(m.value == f"### {language.t('filters.heading')}" for m in at.sidebar.markdown)
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
