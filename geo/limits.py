"""How much work one file may ask for: every limit with its value, its unit and why.

One table drives the checks in the readers, the messages people see when a file goes past a
limit, and the limits table in the README and SECURITY.md (a test keeps those in step).
Each limit is checked before the expensive step it protects: the bytes before decoding,
the text before a parser sees it, the count before Python objects are built.

An upload comes from anyone and is held to every limit. The operator's own file (`--data`,
FLASHPOINT_DATA, `python -m geo validate`) is trusted with its size and its number of
records (`OPERATOR_LIMITS`): a regional ACLED record is over a million events. Every other
limit guards the parsers themselves and holds for both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final


@dataclass(frozen=True, slots=True)
class Limit:
    """One bound on the work a file may cause."""

    name: str
    value: int
    unit: str
    what: str
    reason: str

    def exceeded(self, found: str) -> str:
        """A message for people: what was found, and the limit it passes."""
        return f"{found}; the limit is {self.value:,} {self.unit} ({self.what})"


LIMITS: Final[dict[str, Limit]] = {
    limit.name: limit
    for limit in (
        Limit(
            "file_bytes",
            200_000_000,
            "bytes",
            "size of one file or upload",
            "Streamlit holds an upload in memory; 200 MB covers a full regional ACLED export.",
        ),
        Limit(
            "uncompressed_bytes",
            200_000_000,
            "bytes",
            "a zipped Shapefile's or an Excel workbook's parts, or a Parquet file's data, once "
            "unpacked",
            "A zip or a Parquet file can expand a thousandfold; its sizes are measured before "
            "its data is read.",
        ),
        Limit(
            "zip_members",
            16,
            "members",
            "files in a zipped Shapefile",
            "A Shapefile is a handful of parts (.shp, .shx, .dbf, .prj, .cpg, indexes); "
            "more is something else.",
        ),
        Limit(
            "workbook_parts",
            1_000,
            "parts",
            "files inside an Excel workbook (.xlsx)",
            "A workbook is a few XML parts per sheet; the zip's directory is read before "
            "anything else, and thousands of entries in it are something else.",
        ),
        Limit(
            "records",
            500_000,
            "records",
            "features or rows in one file",
            "Every record is validated and indexed in the shared process; an anonymous visitor's "
            "file may not hold gigabytes of it. The operator's own file may hold ten times as "
            "many (a million events take about 2 GB).",
        ),
        Limit(
            "fields",
            500,
            "fields",
            "distinct columns or properties",
            "Each field becomes a column of the table; ACLED has 31, our format 23.",
        ),
        Limit(
            "text_chars",
            10_000,
            "characters",
            "text in one field",
            "Text is sent to every viewer's browser on each step; ACLED's longest notes are "
            "about 2,000 characters. Longer text is cut and the cut reported.",
        ),
        Limit(
            "vertices",
            20_000,
            "vertices",
            "points in one geometry",
            "Every vertex is drawn on each step; an event's line or area needs far fewer.",
        ),
        Limit(
            "nesting",
            32,
            "levels",
            "nesting of JSON arrays and objects, or of WKT parentheses",
            "Parsers recurse into nested data; a deep enough nest crashes the process. "
            "GeoJSON needs 7 levels, WKT of a multipolygon 3.",
        ),
        Limit(
            "digits",
            40,
            "digits",
            "digits in one number",
            "A coordinate or count never needs more; Python refuses to convert very long "
            "numbers and converting them takes time quadratic in their length.",
        ),
        Limit(
            "filter_options",
            1_000,
            "values",
            "values one filter menu lists",
            "The menu is sent to the browser on every rerun; the most frequent values are "
            "listed and the menu says how many more there are.",
        ),
    )
}

FILE_BYTES: Final = LIMITS["file_bytes"]
UNCOMPRESSED_BYTES: Final = LIMITS["uncompressed_bytes"]
ZIP_MEMBERS: Final = LIMITS["zip_members"]
WORKBOOK_PARTS: Final = LIMITS["workbook_parts"]
RECORDS: Final = LIMITS["records"]
FIELDS: Final = LIMITS["fields"]
TEXT_CHARS: Final = LIMITS["text_chars"]
VERTICES: Final = LIMITS["vertices"]
NESTING: Final = LIMITS["nesting"]
DIGITS: Final = LIMITS["digits"]
FILTER_OPTIONS: Final = LIMITS["filter_options"]

# What the operator's own file may hold, where it differs from an upload (the rest is the same).
OPERATOR_LIMITS: Final[dict[str, Limit]] = {
    limit.name: limit
    for limit in (
        replace(FILE_BYTES, value=3_000_000_000, what="size of the operator's own file"),
        replace(UNCOMPRESSED_BYTES, value=3_000_000_000),
        replace(RECORDS, value=5_000_000, what="features or rows in the operator's own file"),
    )
}


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """The limits that depend on who supplies a file: anyone (an upload) or the operator."""

    who: str
    file_bytes: Limit
    uncompressed_bytes: Limit
    records: Limit


UPLOAD: Final = SourceLimits("upload", FILE_BYTES, UNCOMPRESSED_BYTES, RECORDS)
OPERATOR: Final = SourceLimits(
    "operator",
    OPERATOR_LIMITS["file_bytes"],
    OPERATOR_LIMITS["uncompressed_bytes"],
    OPERATOR_LIMITS["records"],
)


def limits_table() -> str:
    """The limits as a Markdown table, for the README and SECURITY.md."""
    lines = [
        "| limit | upload | operator's own file | applies to | why |",
        "|---|---|---|---|---|",
    ]
    for limit in LIMITS.values():
        own = OPERATOR_LIMITS.get(limit.name)
        trusted = f"{own.value:,} {own.unit}" if own else "same"
        lines.append(
            f"| `{limit.name}` | {limit.value:,} {limit.unit} | {trusted} | {limit.what} "
            f"| {limit.reason} |"
        )
    return "\n".join(lines)
