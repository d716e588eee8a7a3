"""`python -m bench --quick` runs end to end and prints its tables (timings are not checked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE_ROWS = (
    "Load + validate CSV (geo.validation.load_events, best run)",
    "Load + validate GeoJSON (best)",
    "Core step: Dataset.visible, cumulative",
    "Map layer: total per step",
    "Map component args JSON (AppTest)",
    "All elements of a rerun (AppTest protos)",
    "Server step, AppTest rerun (median of 5)",
    "Naive app server step (AppTest, median)",
    "Speed-up per step over the naive app",
    "Chromium: click → updated pixels (median of 5)",
    "Chromium: bytes received per step (median)",
    "Chromium: bytes sent by the server per step (TCP, median)",
    "Peak RSS: load + 5 steps, own process",
    "Python peak: load + 5 steps (tracemalloc)",
    "Dataset loads for 2 AppTest sessions",
    "Dataset loads for all browser sessions",
)
TARGET_ROWS = (
    "10k: server step",
    "10k: bytes sent per step",
    "10k: click to updated pixels",
    "100k: server step",
    "100k: click to updated pixels",
    "100k: CSV load + validate",
    "10k: faster per step than naive",
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


def test_one_load_serves_every_session(output: str) -> None:
    assert row(output, "Dataset loads for 2 AppTest sessions") == ["1"]
    assert row(output, "Dataset loads for all browser sessions") == ["1"]
