"""Live data: a source's version asked at most once per interval, file versions, new events."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import geo.live
from geo.live import NEW_FOR_S, FileVersion, FirstSeen, VersionWatcher


def test_the_source_is_asked_at_most_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    asked: list[int] = []

    def read() -> str:
        asked.append(1)
        return str(len(asked))

    watcher = VersionWatcher(read)
    assert [watcher.version() for _ in range(50)] == ["1"] * 50
    clock[0] += geo.live.POLL_S - 0.01
    assert watcher.version() == "1" and len(asked) == 1
    clock[0] += 0.02
    assert watcher.version() == "2" and len(asked) == 2


def test_a_file_version_follows_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("a", encoding="utf-8")
    version = FileVersion(path)
    first = version()
    assert version() == first != ""
    path.write_text("b", encoding="utf-8")  # same size
    os.utime(path, ns=(1, 1))
    assert version() not in ("", first)
    path.unlink()
    assert version() == ""


def test_events_of_the_first_load_are_not_new_and_later_ones_are_for_a_while() -> None:
    seen = FirstSeen()
    seen.record(["a", "b"], now=1000.0)
    assert seen.new_ids(now=1000.0) == frozenset()
    seen.record(["a", "b", "c"], now=2000.0)
    seen.record(["a", "b", "c", "d"], now=2100.0)
    assert seen.new_ids(now=2100.0) == {"c", "d"}
    assert seen.new_ids(now=2000.0 + NEW_FOR_S + 1) == {"d"}
    assert seen.new_ids(now=2100.0 + NEW_FOR_S + 1) == frozenset()
