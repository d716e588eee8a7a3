"""How much work one file may ask for: every limit with its value, its unit and why.

One table drives the checks in the readers, the messages people see when a file goes past a
limit, and the limits table in the README and SECURITY.md (a test keeps those in step).
Each limit is checked before the expensive step it protects: the bytes before decoding,
the text before a parser sees it, the count before Python objects are built.
"""

from __future__ import annotations

from dataclasses import dataclass
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
            "a zipped Shapefile's or an Excel workbook's parts once unpacked",
            "A zip can expand a thousandfold; its members are measured before they are read.",
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
            "Every record is validated and indexed; more than this cannot be scrubbed smoothly "
            "and would hold gigabytes of memory.",
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


def limits_table() -> str:
    """The limits as a Markdown table, for the README and SECURITY.md."""
    lines = ["| limit | value | applies to | why |", "|---|---|---|---|"]
    lines += [
        f"| `{limit.name}` | {limit.value:,} {limit.unit} | {limit.what} | {limit.reason} |"
        for limit in LIMITS.values()
    ]
    return "\n".join(lines)
