"""The limits table: every limit is enforced, named in its message, and documented as declared."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from geo.dataset import Dataset
from geo.limits import (
    DIGITS,
    FIELDS,
    FILE_BYTES,
    FILTER_OPTIONS,
    LIMITS,
    NESTING,
    OPERATOR,
    OPERATOR_LIMITS,
    RECORDS,
    TEXT_CHARS,
    UNCOMPRESSED_BYTES,
    UPLOAD,
    VERTICES,
    ZIP_MEMBERS,
    Limit,
    limits_table,
)
from geo.validation import DatasetError, load_events, load_events_from_bytes
from tests.hostile_corpus import BY_NAME, CASES, deep_wkt_csv, zeros_in_features
from tools.peak_rss import CEILING_MB, measure

ROOT = Path(__file__).resolve().parent.parent


def named(limit: Limit) -> str:
    """How every message that a limit answers ends."""
    return f"the limit is {limit.value:,} {limit.unit}"


def refused(data: bytes, name: str) -> str:
    with pytest.raises(DatasetError) as info:
        load_events_from_bytes(data, name)
    return str(info.value)


def test_every_limit_says_what_and_why() -> None:
    for key, limit in LIMITS.items():
        assert key == limit.name
        assert limit.value > 0 and limit.unit and limit.what and len(limit.reason) > 40


def test_the_operator_is_trusted_with_size_and_records_and_nothing_else() -> None:
    assert set(OPERATOR_LIMITS) == {"file_bytes", "uncompressed_bytes", "records"}
    for name, own in OPERATOR_LIMITS.items():
        assert own.value > LIMITS[name].value and own.unit == LIMITS[name].unit
    assert (UPLOAD.file_bytes, UPLOAD.records) == (FILE_BYTES, RECORDS)
    assert OPERATOR.records.value >= 1_000_000


@pytest.mark.parametrize("doc", ["README.md", "SECURITY.md"])
def test_the_docs_hold_the_limits_table_as_declared(doc: str) -> None:
    assert limits_table() in (ROOT / doc).read_text(encoding="utf-8")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(FILE_BYTES.value + 1)  # sparse: nothing is written or read
    with pytest.raises(DatasetError, match=named(FILE_BYTES)) as info:
        load_events(path)
    assert str(tmp_path) not in str(info.value)


def zip_of(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(count):
            archive.writestr(f"part{i}.dbf", b"")
    return out.getvalue()


def test_zip_members_and_unpacked_size() -> None:
    assert named(ZIP_MEMBERS) in refused(zip_of(ZIP_MEMBERS.value + 1), "many.zip")
    assert named(UNCOMPRESSED_BYTES) in BY_NAME["zip-bomb.zip"].message


def test_records_fields_nesting_and_digits_are_refused_before_parsing() -> None:
    over = RECORDS.value + 1
    assert named(RECORDS) in refused(zeros_in_features(over), "zeros.geojson")
    header = ",".join(f"c{i}" for i in range(FIELDS.value + 1))
    assert named(FIELDS) in refused(f"{header}\n".encode(), "wide.csv")
    deep = b'{"type": "FeatureCollection", "features": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert named(NESTING) in refused(deep, "deep.geojson")
    number = b'{"type": "FeatureCollection", "features": [' + b"7" * 41 + b"]}"
    assert named(DIGITS) in refused(number, "long.geojson")
    assert refused(b'{"x": [' + b"7" * 40 + b"]}", "ok.geojson").endswith("at the top level)")


def test_text_is_cut_at_the_limit_and_the_cut_reported() -> None:
    title = "t" * (TEXT_CHARS.value + 5)
    result = load_events_from_bytes(
        f"lat,lon,date,title\n33,44,2020-01-03,{title}\n".encode(), "a.csv"
    )
    assert result.events["title"].iat[0] == "t" * TEXT_CHARS.value
    [problem] = result.problems
    assert (problem.field, problem.dropped) == ("title", False)
    assert named(TEXT_CHARS) in problem.message


def test_text_is_measured_in_characters_not_bytes() -> None:
    # Two bytes a character: at the limit in characters, twice over it in bytes.
    kept, cut = "ب" * TEXT_CHARS.value, "ب" * (TEXT_CHARS.value + 1)
    result = load_events_from_bytes(
        f"lat,lon,date,title,notes\n33,44,2020-01-03,{kept},{cut}\n".encode(), "a.csv"
    )
    assert result.events["title"].iat[0] == kept
    assert result.events["notes"].iat[0] == kept
    [problem] = result.problems
    assert problem.field == "notes"
    assert problem.message.startswith(f"{TEXT_CHARS.value + 1:,} characters; cut to")


@pytest.mark.parametrize("kind", ["geojson", "wkt"])
def test_a_geometry_over_the_vertex_limit_is_left_out(kind: str) -> None:
    count = VERTICES.value + 1
    points = [(44 + i * 1e-5, 33.0) for i in range(count)]
    if kind == "geojson":
        coords = ",".join(f"[{x},{y}]" for x, y in points)
        data = (
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            '{"event_date":"2020-01-03"},"geometry":{"type":"LineString","coordinates":['
            + coords
            + "]}}]}"
        ).encode()
    else:
        wkt = "LINESTRING (" + ", ".join(f"{x} {y}" for x, y in points) + ")"
        data = f'lat,lon,date,geometry_wkt\n33,44,2020-01-03,"{wkt}"\n'.encode()
    result = load_events_from_bytes(data, f"line.{'geojson' if kind == 'geojson' else 'csv'}")
    assert len(result.events) == 0
    assert named(VERTICES) in result.problems[0].message


def test_deep_wkt_never_reaches_the_parser() -> None:
    result = load_events_from_bytes(deep_wkt_csv(NESTING.value + 1), "deep.csv")
    assert named(NESTING) in result.problems[0].message


def test_a_filter_lists_at_most_the_limit(bundled: Dataset) -> None:
    rows = FILTER_OPTIONS.value + 5
    text = "lat,lon,date,actor1\n" + "".join(f"33,44,2020-01-03,a{i}\n" for i in range(rows))
    dataset = Dataset.from_result(load_events_from_bytes(text.encode(), "a.csv"), "a.csv")
    assert len(dataset.filter_options("actor")) == FILTER_OPTIONS.value
    assert len(dataset.filter_options("actor", ["a3", "zz"])) >= FILTER_OPTIONS.value + 1
    assert f"of {rows:,} values" in dataset.filter_note("actor")
    assert bundled.filter_note("actor") == ""


def test_every_limit_is_met_by_the_corpus_or_a_test_here() -> None:
    messages = " ".join(case.message for case in CASES)
    in_corpus = {limit.name for limit in LIMITS.values() if named(limit) in messages}
    tested_here = {"file_bytes", "zip_members", "filter_options"}
    assert in_corpus | tested_here == set(LIMITS)


@pytest.mark.parametrize(
    "name", ["zeros-in-features.geojson", "deep-wkt.csv", "many-tiny-rows.csv"]
)
def test_small_hostile_inputs_stay_under_the_memory_ceiling(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(BY_NAME[name].build())
    assert path.stat().st_size <= 5_200_000
    result = measure(path)
    assert not str(result["outcome"]).startswith("CRASHED")
    assert result["peak_mb"] < CEILING_MB, result


def test_security_md_has_the_peak_rss_of_every_corpus_file() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    names = {p.name for p in (ROOT / "tests" / "corpus").iterdir()} | {c.name for c in CASES}
    missing = sorted(name for name in names if f"| `{name}` |" not in text)
    assert missing == []
