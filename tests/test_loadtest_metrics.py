"""What the load script reads about a server (memory, CPU time, files open for writing), and
how it summarises step times."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from loadtest.measure import percentile
from loadtest.metrics import cpu_seconds, files_open_for_writing, rss_bytes


def test_resident_memory_grows_with_what_the_process_holds() -> None:
    before = rss_bytes(os.getpid())
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    assert rss_bytes(os.getpid()) - before > 32 * 1024 * 1024
    assert block[0] == ord("x")


def test_cpu_time_counts_work_done() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert cpu_seconds(os.getpid()) - before >= 0.2


def test_files_open_for_writing_leave_out_files_only_read(tmp_path: Path) -> None:
    written, appended, read = tmp_path / "w.log", tmp_path / "a.log", tmp_path / "r.txt"
    read.write_text("data")
    with written.open("w"), appended.open("a"), read.open("r"):
        found = files_open_for_writing(os.getpid())
    assert str(written) in found
    assert str(appended) in found
    assert str(read) not in found


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, math.nan),
        ([0.4], 95, 0.4),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([float(n) for n in range(1, 101)], 95, 95.05),
        ([float(n) for n in range(100, 0, -1)], 50, 50.5),
        ([0.1] * 19 + [9.0], 95, 0.545),
    ],
)
def test_percentile(values: list[float], q: int, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected, nan_ok=True)
