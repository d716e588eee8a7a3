"""Measuring text before a parser sees it: JSON depth, long numbers, WKT depth and size."""

from __future__ import annotations

import json

import pytest

from geo.limits import NESTING, VERTICES
from geo.prescan import TooManyDigitsError, json_depth, loads_bounded, wkt_problem

DEPTHS = [
    pytest.param(b"", 0, id="empty"),
    pytest.param(b"1", 0, id="scalar"),
    pytest.param(b"[]", 1, id="list"),
    pytest.param(b'{"a": [[1], {"b": []}]}', 4, id="mixed"),
    pytest.param(b'["[[[[", "]]"]', 1, id="brackets-in-strings"),
    pytest.param(b'["\\"[[[[", "\\\\", [[]]]', 3, id="escaped-quotes-and-backslashes"),
    pytest.param(b'["\\u005b\\n{"]', 1, id="unicode-escapes"),
    pytest.param(b"[" * 100_000, 100_000, id="unclosed"),
]


@pytest.mark.parametrize(("data", "depth"), DEPTHS)
def test_json_depth(data: bytes, depth: int) -> None:
    assert json_depth(data) == depth


def test_json_depth_agrees_with_the_parser_across_chunks() -> None:
    doc = {"features": [{"p": "x" * (1 << 22), "g": [[[1, 2]]]}]}
    assert json_depth(json.dumps(doc).encode()) == 6


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("[" + "9" * 40 + "]", True),
        ("[" + "9" * 41 + "]", False),
        # A float's digits cost little to convert; only a run longer than the limit is refused.
        ("[-" + "1" * 30 + "." + "2" * 11 + "]", True),
        ("[0." + "2" * 41 + "]", False),
        ('["' + "9" * 400 + '"]', True),
    ],
)
def test_loads_bounded_refuses_only_long_numbers(text: str, ok: bool) -> None:
    if ok:
        assert loads_bounded(text, text.encode()) == json.loads(text)
    else:
        with pytest.raises(TooManyDigitsError):
            loads_bounded(text, text.encode())


@pytest.mark.parametrize(
    ("wkt", "limit"),
    [
        ("POINT (1 2)", None),
        ("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", None),
        ("GEOMETRYCOLLECTION (" * (NESTING.value + 1) + ")" * (NESTING.value + 1), NESTING),
        ("LINESTRING (" + ", ".join(["1 2"] * (VERTICES.value + 1)) + ")", VERTICES),
    ],
)
def test_wkt_problem(wkt: str, limit: object) -> None:
    problem = wkt_problem(wkt)
    assert (problem == "") == (limit is None)
    if limit is not None:
        assert f"the limit is {limit.value:,}" in str(problem)  # type: ignore[attr-defined]
