"""Measure text before a parser sees it: JSON nesting and long numbers, WKT depth and size.

Python's JSON parser and the GEOS WKT parser recurse into nested input, and Python converts
long digit strings in time quadratic in their length; a few hostile bytes can crash the
process or hold it for minutes. These scans run at C speed (byte tables and regular
expressions) and build no Python objects, so a file is measured before it costs anything.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from geo.limits import DIGITS, NESTING, VERTICES
from geo.messages import Note, too_deep_wkt, too_many_vertices

# Byte tables for scanning JSON at C speed: escapes dropped, then all but quotes and brackets
# (so strings can be skipped), and every digit mapped to "0" (to find long runs of digits).
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * (DIGITS.value + 1)
_DEPTH_CHUNK = 1 << 22
_NOT_PAREN = re.compile(rb"[^()]+")


class TooManyDigitsError(ValueError):
    """A JSON number longer than the `digits` limit (raised from inside the parser)."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"it holds a number of {digits:,} digits")
        self.digits = digits


def _bounded_number(convert: Any) -> Any:
    def parse(text: str) -> Any:
        digits = sum(c.isdigit() for c in text)
        if digits > DIGITS.value:
            raise TooManyDigitsError(digits)
        return convert(text)

    return parse


def loads_bounded(text: str, data: bytes) -> Any:
    """json.loads; numbers are checked for length only when the bytes have a long digit run."""
    if _LONG_DIGITS not in data.translate(_DIGITS_AS_ZERO):
        return json.loads(text)
    return json.loads(text, parse_int=_bounded_number(int), parse_float=_bounded_number(float))


def json_depth(data: bytes) -> int:
    """How deeply JSON arrays and objects nest, found without parsing (strings skipped)."""
    structure = _ESCAPE.sub(b"", data).translate(None, _STRUCTURE)
    brackets = _STRING.sub(b"", structure).replace(b'"', b"")
    deepest, level = 0, 0
    for start in range(0, len(brackets), _DEPTH_CHUNK):
        chunk = np.frombuffer(brackets[start : start + _DEPTH_CHUNK], dtype=np.uint8)
        # "[" is 0x5b and "{" 0x7b; "]" and "}" are 0x5d and 0x7d.
        steps = np.where((chunk == 0x5B) | (chunk == 0x7B), 1, -1).astype(np.int32)
        levels = np.cumsum(steps, dtype=np.int64) + level
        deepest = max(deepest, int(levels.max()))
        level = int(levels[-1])
    return deepest


def wkt_problem(text: str) -> Note:
    """Why a WKT text must not reach the parser (too deep, too many vertices), or ""."""
    if text.count(",") >= VERTICES.value:
        return too_many_vertices(None)
    parens = np.frombuffer(_NOT_PAREN.sub(b"", text.encode("utf-8")), dtype=np.uint8)
    if len(parens):
        depth = int(np.cumsum(np.where(parens == 0x28, 1, -1), dtype=np.int64).max())
        if depth > NESTING.value:
            return too_deep_wkt(depth)
    return ""
