"""The printed tables of the benchmark and the load script: Markdown tables, padded to line up."""

from __future__ import annotations

from collections.abc import Container, Sequence


def render_table(
    heads: Sequence[str], body: Sequence[Sequence[str]], right: Container[int] = ()
) -> str:
    """A Markdown table that also reads as plain text; the columns in `right` align right."""
    widths = [max(len(row[i]) for row in [heads, *body]) for i in range(len(heads))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(heads), rule, *(line(row) for row in body)])
