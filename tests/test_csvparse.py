"""CSV parsing: pyarrow reads a good file exactly as pandas does; pandas reads the rest."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.csvparse import _parse_with_arrow, _parse_with_pandas, parse_csv
from geo.limits import RECORDS

GOOD = [
    pytest.param(b"id,lat,lon,date\n1,33.3,44.4,2020-01-01\n2,36.2,43.9,2020-01-02\n", id="plain"),
    pytest.param(b'id,notes\r\n1,"a ""quoted"" word"\r\n2,"two\nlines"\r\n', id="quotes-crlf"),
    pytest.param(b"id,notes,x\n1,,\n\n2,\xd8\xa8\xd8\xba\xd8\xaf\xd8\xa7\xd8\xaf,0\n", id="blank"),
    pytest.param(b"id,notes\n007,'=1\n-12,  spaced  \n", id="text-kept-as-text"),
    pytest.param(b"a,b\n", id="header-only"),
]


@pytest.mark.parametrize("body", GOOD)
def test_a_good_file_reads_the_same_with_either_parser(body: bytes) -> None:
    header = body.split(b"\n")[0].decode().rstrip("\r").split(",")
    fast = _parse_with_arrow(body, header)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _parse_with_pandas(io.BytesIO(body)), check_dtype=False)
    assert all(isinstance(v, str) for column in fast.columns for v in fast[column].tolist())


@pytest.mark.parametrize(
    ("body", "header"),
    [
        pytest.param(b"a,b\n1,2,3\n", ["a", "b"], id="row-too-long"),
        pytest.param(b"a,b\n1\n", ["a", "b"], id="row-too-short"),
        pytest.param(b'a,b\n1,"open\n', ["a", "b"], id="open-quote"),
        pytest.param(b"a,a\n1,2\n", ["a", "a"], id="name-twice"),
    ],
)
def test_pandas_reads_what_pyarrow_may_read_differently(body: bytes, header: list[str]) -> None:
    assert _parse_with_arrow(body, header) is None


def test_a_short_row_is_filled_as_pandas_always_did() -> None:
    frame = parse_csv(b"a,b\n1\n", ["a", "b"], "short.csv", RECORDS)
    assert frame.to_dict("list") == {"a": ["1"], "b": [""]}
