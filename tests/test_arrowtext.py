"""Text stripped by looking at each value's ends gives what stripping every value gives."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.arrowtext import byte_lengths, numbers_in, stripped_text

EDGES = [" ", "\t", "\n", "\x1c", "\u00a0", "\u3000", "\u2003", "\u200b", "\x00", "é", "ب", "x"]
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from([*EDGES, "a", "b", " "]), max_size=6),
    st.text(max_size=8),
)


def arrow_series(values: list[str | None], chunks: int = 1) -> pd.Series:
    """A column of text held by Arrow, in `chunks` pieces (as a CSV or Parquet read gives)."""
    step = max(1, -(-len(values) // chunks))
    pieces = [values[i : i + step] for i in range(0, len(values), step)] or [[]]
    series: pd.Series = pa.chunked_array(
        [pa.array(piece, pa.large_string()) for piece in pieces], pa.large_string()
    ).to_pandas()
    return series


def full_strip(values: pd.Series) -> list[str]:
    return [str(v) for v in values.where(values.notna(), "").astype(str).str.strip()]


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=40), st.integers(1, 3), st.integers(0, 200))
def test_stripping_the_edged_values_only_equals_stripping_all(
    values: list[str | None], chunks: int, clean: int
) -> None:
    # Mostly clean values, as in a real file, so that only a few are stripped one by one.
    column = arrow_series([*(["clean value"] * clean), *values], chunks)
    got = stripped_text(column)
    assert got.tolist() == full_strip(column)
    assert got.dtype == column.dtype
    assert column.isna().sum() == sum(v is None for v in values)  # the input is left alone


def test_a_column_without_spaces_at_its_ends_is_returned_as_it_is() -> None:
    column = arrow_series(["a b", "c", "", "Raqqa"], chunks=2)
    got = stripped_text(column)
    assert got.tolist() == ["a b", "c", "", "Raqqa"]


def test_a_column_not_held_by_arrow_is_stripped_all_the_same() -> None:
    column = pd.Series([" a ", None, "\u00a0b"], dtype=object)
    assert stripped_text(column).tolist() == ["a", "", "b"]
    assert byte_lengths(column) is None


def test_byte_lengths_count_utf8_bytes_never_fewer_than_characters() -> None:
    column = arrow_series(["", "abc", "بغداد", "é"], chunks=2)
    lengths = byte_lengths(column)
    assert lengths is not None
    assert lengths.tolist() == [0, 3, 10, 2]
    assert all(b >= len(v) for b, v in zip(lengths.tolist(), column.tolist(), strict=True))


SPELLINGS = ["1e5", "+1", ".5", "5.", "inf", "-Infinity", "nan", "NaN", "00012", "-0", "1e400"]
NOT_NUMBERS = ["1_0", "0x1A", "1,5", "\u22121", "١٢", "1d5", "e5", "1.2.3", "many", "none"]


def coerced(values: pd.Series) -> list[float]:
    """What pandas makes of the values, blanks as missing."""
    number = pd.to_numeric(values.where(values != ""), errors="coerce").astype(float)
    return [float(v) for v in number]


def same_floats(a: list[float], b: list[float]) -> bool:
    return all((x != x and y != y) or x == y for x, y in zip(a, b, strict=True))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False).map(repr),
            st.integers(-(10**12), 10**12).map(str),
            st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
            st.sampled_from(["", *SPELLINGS]),
        ),
        max_size=30,
    ),
    st.lists(st.sampled_from(NOT_NUMBERS), max_size=2),
)
def test_numbers_in_text_read_as_pandas_reads_them(numbers: list[str], words: list[str]) -> None:
    # All numbers (Arrow's fast path), then with a word or two (pandas' path).
    for values in (numbers, numbers + words):
        column = arrow_series(list(values), chunks=2)
        got = numbers_in(column)
        assert got.dtype == float
        assert same_floats(got.tolist(), coerced(column))
