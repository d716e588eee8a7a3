"""The load cache: one load per key however many ask at once, and bounds that hold."""

from __future__ import annotations

import threading

import pytest

from geo.cache import LoadCache


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_loaded_once_and_then_served_from_the_cache() -> None:
    cache = LoadCache[str](max_entries=4, max_bytes=100)
    calls: list[str] = []

    def load() -> str:
        calls.append("a")
        return "value"

    assert cache.get_or_load("a", load, 1) == "value"
    assert cache.get_or_load("a", load, 1) == "value"
    assert calls == ["a"]
    assert cache.loads == 1


def test_sessions_asking_for_the_same_key_at_once_share_one_load() -> None:
    cache = LoadCache[int](max_entries=4, max_bytes=100)
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_load("k", slow, 1)))
        for _ in range(4)
    ]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == [42, 42, 42, 42]
    assert calls == [1]


def test_other_keys_do_not_wait_for_a_slow_load() -> None:
    cache = LoadCache[str](max_entries=4, max_bytes=100)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "slow"

    thread = threading.Thread(target=lambda: cache.get_or_load("slow", slow, 1))
    thread.start()
    assert started.wait(10)
    assert cache.get_or_load("quick", lambda: "quick", 1) == "quick"
    release.set()
    thread.join(10)


def test_the_least_recently_used_entry_goes_when_there_are_too_many() -> None:
    cache = LoadCache[str](max_entries=2, max_bytes=100)
    cache.get_or_load("a", lambda: "a", 1)
    cache.get_or_load("b", lambda: "b", 1)
    cache.get_or_load("a", lambda: "a", 1)  # a is now the most recent
    cache.get_or_load("c", lambda: "c", 1)
    assert ("a" in cache, "b" in cache, "c" in cache) == (True, False, True)
    assert len(cache) == 2


def test_entries_are_bounded_by_the_bytes_behind_them_but_the_newest_stays() -> None:
    cache = LoadCache[str](max_entries=10, max_bytes=100)
    cache.get_or_load("a", lambda: "a", 60)
    cache.get_or_load("b", lambda: "b", 30)
    cache.get_or_load("c", lambda: "c", 30)
    assert ("a" in cache, "b" in cache, "c" in cache) == (False, True, True)
    cache.get_or_load("huge", lambda: "huge", 500)
    assert len(cache) == 1 and "huge" in cache


def test_an_entry_nobody_asked_for_in_a_while_goes() -> None:
    clock = Clock()
    cache = LoadCache[str](max_entries=4, max_bytes=100, idle_seconds=60, clock=clock)
    cache.get_or_load("a", lambda: "a", 1)
    clock.now = 50
    cache.get_or_load("a", lambda: "again", 1)  # asked for: its idle time starts again
    clock.now = 100
    assert "a" in cache
    clock.now = 111
    assert "a" not in cache
    assert cache.get_or_load("a", lambda: "reloaded", 1) == "reloaded"
    assert cache.loads == 2


def test_a_failed_load_is_not_kept_and_the_next_ask_loads_again() -> None:
    cache = LoadCache[str](max_entries=4, max_bytes=100)

    def broken() -> str:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        cache.get_or_load("a", broken, 1)
    assert cache.get_or_load("a", lambda: "fine", 1) == "fine"
