"""The one table renderer of the benchmark and the load script."""

from __future__ import annotations

from harness.tables import render_table


def test_columns_line_up_and_align_as_asked() -> None:
    table = render_table(
        ("figure", "1k", "10k"),
        [("load", "5 ms", "40 ms"), ("step", "1 ms", "")],
        right=range(1, 3),
    )
    assert table.splitlines() == [
        "| figure |   1k |   10k |",
        "|--------|------|-------|",
        "| load   | 5 ms | 40 ms |",
        "| step   | 1 ms |       |",
    ]


def test_left_aligned_by_default() -> None:
    assert render_table(("a", "b"), [("long value", "x")]).splitlines()[2] == "| long value | x |"
