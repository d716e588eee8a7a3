"""Live data: a source's version asked at most once per interval, file versions, new events."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import geo.live
from geo.live import NEW_FOR_S, RETRY_S, FileVersion, FirstSeen, LastGood, VersionWatcher


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


def test_a_slow_reading_is_repeated_less_often_but_within_the_slowest_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    took = [0.2]

    def read() -> str:
        clock[0] += took[0]
        return "v"

    watcher = VersionWatcher(read)
    watcher.version()
    asked = []
    for _ in range(100):  # 20 s in steps of 0.2 s
        clock[0] += 0.2
        before = clock[0]
        watcher.version()
        asked.append(clock[0] != before)
    # 0.2 s per reading: one reading per 20 x 0.2 = 4 s, not one per POLL_S.
    assert sum(asked) == 5
    took[0] = 3.0  # a hanging source: still read once per SLOWEST_POLL_S
    clock[0] += geo.live.SLOWEST_POLL_S
    watcher.version()
    start = clock[0]
    clock[0] += geo.live.SLOWEST_POLL_S - 0.1
    watcher.version()
    assert clock[0] == start + geo.live.SLOWEST_POLL_S - 0.1
    clock[0] += 0.1
    watcher.version()
    assert clock[0] == start + geo.live.SLOWEST_POLL_S + 3.0


def test_while_one_caller_reads_the_others_get_the_last_reading() -> None:
    release = threading.Event()
    readings = iter(["1", "2"])

    def read() -> str:
        version = next(readings)
        if version == "2":
            release.wait(10)
        return version

    watcher = VersionWatcher(read, interval=0.0)
    assert watcher.version() == "1"
    reader = threading.Thread(target=watcher.version)
    reader.start()
    while not watcher._reading.locked():
        time.sleep(0.001)
    started = time.monotonic()
    assert watcher.version() == "1" and time.monotonic() - started < 1
    release.set()
    reader.join()
    assert watcher.seen_at("2") is not None and watcher.seen_at("1") is None


def test_the_last_good_value_stays_and_a_failed_load_is_retried_after_a_while() -> None:
    kept: LastGood[str] = LastGood()
    assert kept.kept() is None and kept.may_try("v1", now=0.0)
    kept.keep("data 1", "v1", now=50.0)
    kept.fail("v2", "the database cannot be reached", now=100.0)
    assert kept.kept() == ("data 1", "v1", 50.0)
    assert kept.reason() == "the database cannot be reached"
    assert not kept.may_try("v2", now=100.0 + RETRY_S - 0.1)
    assert kept.may_try("v3", now=100.1)  # a new version is tried at once
    assert kept.may_try("v2", now=100.0 + RETRY_S)
    kept.keep("data 2", "v2", now=200.0)
    assert kept.kept() == ("data 2", "v2", 200.0) and kept.reason() == ""
    assert kept.generation == 2  # pages drawn from "data 1" rerun


def test_one_caller_at_a_time_gets_the_process_s_try_at_a_failed_load() -> None:
    kept: LastGood[str] = LastGood()
    kept.fail("v1", "refused", now=0.0)
    assert not kept.claim("v1", now=RETRY_S - 0.1)
    assert [kept.claim("v1", now=RETRY_S) for _ in range(3)] == [True, False, False]
    assert kept.reason() == "refused" and kept.claim("v1", now=2 * RETRY_S)
