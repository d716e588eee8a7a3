"""`python -m bench --quick` runs end to end and prints its tables (timings are not checked)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE_ROWS = (
    "Load + validate CSV (geo.validation.load_events, best run)",
    "Load + validate GeoParquet (best run)",
    "Load + validate GeoJSON (best)",
    "Core step (page reads), cumulative",
    "Once per dataset + filters: event columns",
    "Event columns JSON (once per dataset + filters)",
    "Map component args JSON (AppTest)",
    "All elements of a full run (AppTest protos)",
    "AppTest first run (load + index + draw)",
    "AppTest full rerun, warm (median of 5)",
    "Naive app server step (AppTest, median)",
    "Speed-up per date change over the naive app",
    "Chromium: server CPU per date change (mean of 20)",
    "Chromium: websocket bytes per date change (median)",
    "Chromium: commit → page follows (median)",
    "Chromium: drag frame, median of 40",
    "Chromium: drag frame, p95",
    "Peak RSS: load + 2 map builds + 5 steps, own process",
    "Peak RSS, GeoParquet: load + 2 builds + 5 steps",
    "Python peak: load + 5 steps (tracemalloc)",
    "Dataset loads for 2 AppTest sessions",
    "Dataset loads for all browser sessions",
)
TARGET_ROWS = (
    "10k: server CPU per date change",
    "10k: websocket bytes per date change",
    "10k: thumb rests → page follows",
    "10k: drag frame",
    "10k: drag frame (p95)",
    "100k: server CPU per date change",
    "100k: thumb rests → page follows",
    "100k: drag frame",
    "100k: drag frame (p95)",
    "100k: CSV load + validate",
    "10k: cheaper per date change than naive",
)


@pytest.fixture(scope="module")
def output() -> str:
    """What `python -m bench --quick` prints (it runs once for all the tests here)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def row(output: str, label: str) -> list[str]:
    """The cells of the table row that starts with `label`."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{output}")


@pytest.mark.parametrize("label", FIGURE_ROWS)
def test_figure_is_measured_at_1k(output: str, label: str) -> None:
    (cell,) = row(output, label)
    assert cell != "—", f"{label} was not measured:\n{output}"


@pytest.mark.parametrize("label", TARGET_ROWS)
def test_target_is_listed_with_a_limit(output: str, label: str) -> None:
    _, _, limit, verdict, _ = row(output, label)
    assert limit.startswith(("≤", "≥"))
    assert verdict in {"PASS", "MISS", "NOT MEASURED", "UNKNOWN"}


def test_nothing_went_wrong(output: str) -> None:
    problems = [line for line in output.splitlines() if line.startswith("Problem:")]
    assert not problems, output


def test_the_drag_frames_have_every_event_in_view(output: str) -> None:
    # The frame time is taken at the end of the year with the whole region in view.
    (in_view,) = row(output, "Chromium: visible events in the map's view")
    assert int(in_view.replace(",", "")) == 1_000, output


def test_one_load_serves_every_session(output: str) -> None:
    assert row(output, "Dataset loads for 2 AppTest sessions") == ["1"]
    assert row(output, "Dataset loads for all browser sessions") == ["1"]


def test_the_million_event_set_is_left_out_unless_asked_for(output: str) -> None:
    assert "1M events" not in output and "1M:" not in output


def test_the_large_table_benchmark_prints_every_window_and_the_pan() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.pushdown", "--rows", "3000", "--hold", "500"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "3,000 rows inserted" in out
    for row in ("the whole table (first page)", "view at zoom 9", "zoom 5, three months"):
        line = next(line for line in out.splitlines() if line.startswith(f"| {row}"))
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert all(cells), line
    line = next(line for line in out.splitlines() if line.startswith("| the whole table"))
    assert [cell.strip() for cell in line.strip("|").split("|")][1:3] == ["3,000", "500"]
    for row in ("first page: map drawn", "pan to Baghdad at zoom 7: the new box's events drawn"):
        assert re.search(rf"\| {row}[^|]*\| +\d+\.\d s", out), out
    assert "the same map" in out
