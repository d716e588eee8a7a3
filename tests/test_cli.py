"""`python -m geo validate` on a corpus of hostile files: an exit code, a message, no traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, main
from tests.hostile_corpus import BY_NAME, Case, materialise
from tests.hostile_corpus import CASES as HOSTILE

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"

# corpus file -> exit code, part of what is printed (standard output and error together)
CASES = [
    pytest.param("valid.geojson", EXIT_OK, "no problems found", id="valid"),
    pytest.param("utf8-bom.csv", EXIT_OK, "events shown: 1; left out: 0", id="bom-csv"),
    pytest.param("utf8-bom.geojson", EXIT_OK, "events shown: 2; left out: 0", id="bom-geojson"),
    pytest.param("header-only.csv", EXIT_OK, "events shown: 0; left out: 0", id="header-only"),
    pytest.param("malformed.geojson", EXIT_UNREADABLE, "not valid JSON", id="malformed-json"),
    pytest.param("truncated.geojson", EXIT_UNREADABLE, "looks truncated", id="truncated-json"),
    pytest.param("truncated.csv", EXIT_UNREADABLE, "EOF inside string", id="truncated-csv"),
    pytest.param("deeply-nested.json", EXIT_UNREADABLE, "the limit is 32 levels", id="deep-json"),
    pytest.param("bare-feature.geojson", EXIT_UNREADABLE, "single Feature", id="bare-feature"),
    pytest.param("list-of-features.json", EXIT_UNREADABLE, "found 'list'", id="list"),
    pytest.param("geometry-only.geojson", EXIT_UNREADABLE, "found 'Point'", id="geometry-only"),
    pytest.param("empty.csv", EXIT_UNREADABLE, "empty.csv is empty", id="empty"),
    pytest.param("latin-1.csv", EXIT_UNREADABLE, "not UTF-8 text (byte 0xe9", id="latin-1"),
    pytest.param("binary.csv", EXIT_UNREADABLE, "not UTF-8 text", id="binary"),
    pytest.param(
        "no-coordinates.csv", EXIT_UNREADABLE, "latitude (one of: latitude, lat, y)", id="no-coords"
    ),
    pytest.param("ragged.csv", EXIT_UNREADABLE, "Expected 4 fields in line 3", id="ragged"),
    pytest.param(
        "not-a-geopackage.gpkg", EXIT_UNREADABLE, "could not be read as a GeoPackage", id="gpkg"
    ),
    pytest.param("not-a-zip.zip", EXIT_UNREADABLE, "could not be read as a Shapefile", id="zip"),
    pytest.param(
        "polygons-holes-out-of-range.geojson",
        EXIT_PROBLEMS,
        "feature #1 (id 'P1'): geometry: coordinates out of range",
        id="holes-out-of-range",
    ),
    pytest.param(
        "geometry-collection.geojson",
        EXIT_PROBLEMS,
        "GeometryCollection geometries are not supported",
        id="geometry-collection",
    ),
    pytest.param(
        "coordinates-out-of-range.geojson",
        EXIT_PROBLEMS,
        "feature #3 (id 'OOR2'): geometry: coordinates out of range",
        id="out-of-range",
    ),
    pytest.param(
        "swapped-lat-lon.csv",
        EXIT_PROBLEMS,
        "row 3 (id 'IRQ2'): geometry: point (longitude 33.3045, latitude 44.3987) is outside "
        "Iraq; latitude and longitude look swapped (kept)",
        id="swapped",
    ),
    pytest.param(
        "other-date-formats.csv",
        EXIT_PROBLEMS,
        "events shown: 5; left out: 1",
        id="date-formats",
    ),
    pytest.param(
        "mixed-good-and-bad.geojson", EXIT_PROBLEMS, "events shown: 3; left out: 1", id="mixed"
    ),
]


def run_in_process(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path)], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_every_corpus_file_has_a_case() -> None:
    listed = {p.values[0] for p in CASES} | {c.name for c in HOSTILE if c.committed}
    assert listed == {p.name for p in CORPUS.iterdir()}


@pytest.mark.parametrize("case", [c for c in HOSTILE if c.committed], ids=lambda c: c.name)
def test_committed_hostile_files_are_what_their_builders_make(case: Case) -> None:
    assert (CORPUS / case.name).read_bytes() == case.build()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_validate_hostile_file(case: Case, generated: Path) -> None:
    path = materialise(case, generated)
    got, printed = run_in_process(path)

    assert (got, case.message in printed) == (case.code, True), printed[:3000]
    # Nothing from another file, no folder, no GDAL internals in what people read.
    assert "root:" not in printed
    assert "vsimem" not in printed and "GDAL" not in printed
    if got == EXIT_UNREADABLE:
        assert str(path.parent) not in printed


@pytest.mark.parametrize(("name", "code", "message"), CASES)
def test_validate_corpus_file(name: str, code: int, message: str) -> None:
    got, printed = run_in_process(CORPUS / name)

    assert (got, message in printed) == (code, True), printed
    if code == EXIT_UNREADABLE:
        assert printed.startswith("error: ")


def test_validate_counts_kept_and_dropped_problems() -> None:
    _, printed = run_in_process(CORPUS / "mixed-good-and-bad.geojson")

    assert "problems: 2" in printed
    assert "event_date (left out)" in printed
    assert "fatalities (kept)" in printed


def test_validate_a_path_that_does_not_exist(tmp_path: Path) -> None:
    code, printed = run_in_process(tmp_path / "nowhere.geojson")

    assert (code, "cannot open nowhere.geojson" in printed) == (EXIT_UNREADABLE, True)
    assert str(tmp_path) not in printed, "messages name the file, never its folder"


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        pytest.param("valid.geojson", EXIT_OK, "no problems found", id="ok"),
        pytest.param("swapped-lat-lon.csv", EXIT_PROBLEMS, "look swapped", id="problems"),
        pytest.param("truncated.geojson", EXIT_UNREADABLE, "looks truncated", id="unreadable"),
        pytest.param("vrt-passwd.gpkg", EXIT_UNREADABLE, "not a GeoPackage", id="vrt"),
        pytest.param("deep-wkt.csv", EXIT_PROBLEMS, "the limit is 32 levels", id="deep-wkt"),
        pytest.param("digits-5000.geojson", EXIT_UNREADABLE, "5,000 digits", id="digits"),
    ],
)
def test_validate_in_a_real_process(name: str, code: int, message: str, generated: Path) -> None:
    # The deep WKT used to kill the process (SIGSEGV in the parser): run it for real.
    path = CORPUS / name if (CORPUS / name).exists() else materialise(BY_NAME[name], generated)
    done = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == code, done.stderr
    assert message in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


# ---- 50 MB, made at test time -------------------------------------------------------------

BIG = 50_000_000


def write_big_csv(path: Path) -> int:
    """About 50 MB of ACLED-like rows with long notes; every 10,000th row has a bad date."""
    notes = "Shelling reported near the market; " * 28
    rows = ["event_id_cnty,event_date,event_type,country,latitude,longitude,fatalities,notes"]
    i = 0
    size = 0
    while size < BIG:
        day = "2019-02-30" if i % 10_000 == 9_999 else f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}"
        row = f"IRQ{i},{day},Battles,Iraq,{33 + (i % 100) / 100},{44 + (i % 70) / 100},{i % 5},"
        rows.append(row + f'"{notes}{i}"')
        size += len(rows[-1]) + 1
        i += 1
    path.write_text("\n".join(rows) + "\n")
    return i


def test_validate_a_50_megabyte_csv(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    count = write_big_csv(path)
    bad = count // 10_000

    code, printed = run_in_process(path)

    assert path.stat().st_size >= BIG
    assert code == EXIT_PROBLEMS
    assert f"{count} records" in printed
    assert f"events shown: {count - bad}; left out: {bad}" in printed
    assert "row 10001 (id 'IRQ9999'): event_date: '2019-02-30' is not a real calendar" in printed


def test_validate_a_50_megabyte_truncated_geojson(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"id": "x", "event_date": "2020-01-01", "notes": "n" * 900},
        "geometry": {"type": "Point", "coordinates": [44.3, 33.3]},
    }
    one = json.dumps(feature)
    text = '{"type": "FeatureCollection", "features": [' + ",".join([one] * (BIG // len(one) + 1))
    path = tmp_path / "big.geojson"
    path.write_text(text[: BIG + 10])

    code, printed = run_in_process(path)

    assert path.stat().st_size > BIG
    assert (code, "looks truncated" in printed) == (EXIT_UNREADABLE, True)


RENAMED_CSV = (
    "when,y_coord,x_coord,kind,what happened\n"
    "2021-03-01,33.3,44.4,Protests,March in Baghdad\n"
    "2021-03-02,36.2,43.9,Riots,Unrest in Erbil\n"
)


def run_columns(path: Path, *spec: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path), *spec], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_with_columns_reads_renamed_columns_and_echoes_them(tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(RENAMED_CSV, encoding="utf-8")
    code, _, err = run_columns(path)
    assert code == EXIT_UNREADABLE
    assert "no column found for latitude" in err

    code, out, err = run_columns(
        path, "--columns", 'date=when,lat=y_coord,lon=x_coord,type=kind,title="what happened"'
    )
    assert (code, err) == (EXIT_OK, "")
    assert "events shown: 2; left out: 0" in out
    assert (
        "  columns chosen: date ← when, latitude ← y_coord, longitude ← x_coord, "
        "category ← kind, title ← what happened\n"
    ) in out
    assert "columns found" not in out


def test_validate_names_the_columns_it_found_by_name() -> None:
    code, out = run_in_process(CORPUS / "valid.geojson")
    assert code == EXIT_OK
    assert "  columns found: date ← event_date, geometry ← (each feature's geometry)," in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dat=when", "error: --columns: part 1: unknown target 'dat'"),
        ("date=when,,lat=y", "error: --columns: part 2 of the column mapping is empty"),
        ("date=missing", "renamed.csv has no column 'missing' (chosen for date)"),
        ("date=when,lat=kind,lon=x_coord", "'kind' chosen as latitude holds no numbers"),
        ("x" * 3000, "error: --columns: the column mapping is 3,000 characters long"),
    ],
)
def test_validate_with_bad_columns_exits_unreadable_with_a_message(
    tmp_path: Path, spec: str, message: str
) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(RENAMED_CSV, encoding="utf-8")
    code, out, err = run_columns(path, "--columns", spec)
    assert code == EXIT_UNREADABLE
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_validate_with_columns_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "shapes.csv"
    path.write_text(
        'when,shape\n2021-03-01,"LINESTRING (44 33, 45 34)"\n2021-03-02,POINT (44 33)\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "validate",
            str(path),
            "--columns",
            "date=when,geometry=shape",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert "columns chosen: date ← when, geometry ← shape" in done.stdout
