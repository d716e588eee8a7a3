"""A bounded cache of loaded datasets, shared by every session of one process.

A file is loaded once per content (its bytes' digest and the options that change what is
loaded); sessions asking for the same key at the same time wait for the one load. Entries
are bounded in number and in the bytes of the files behind them, and an entry nobody has
asked for within `idle_seconds` goes: a crowd uploading files cannot fill the memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class _Entry(Generic[T]):
    value: T
    size: int
    used: float


class LoadCache(Generic[T]):
    """Least recently used values, each loaded once however many ask for it at once."""

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        idle_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries, self.max_bytes, self.idle_seconds = max_entries, max_bytes, idle_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[T]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}
        self.loads = 0  # how many times a value was loaded (a miss), for tests and figures

    def get_or_load(self, key: Hashable, load: Callable[[], T], size: int) -> T:
        """The value for a key, loading it (once, whoever else is waiting) when absent."""
        found = self._get(key)
        if found is not None:
            return found.value
        with self._lock:
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            found = self._get(key)
            if found is not None:
                return found.value
            try:
                value = load()
            finally:
                with self._lock:
                    self._loading.pop(key, None)
            with self._lock:
                self.loads += 1
                self._entries[key] = _Entry(value, size, self._clock())
                self._evict(keep=key)
        return value

    def __contains__(self, key: Hashable) -> bool:
        return self._get(key, touch=False) is not None

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._entries.clear()

    def _get(self, key: Hashable, touch: bool = True) -> _Entry[T] | None:
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            if entry is not None and touch:
                entry.used = self._clock()
                self._entries.move_to_end(key)
            return entry

    def _expire(self) -> None:
        if self.idle_seconds is None:
            return
        oldest = self._clock() - self.idle_seconds
        for key in [k for k, e in self._entries.items() if e.used < oldest]:
            del self._entries[key]

    def _evict(self, keep: Hashable) -> None:
        """Drop the least recently used entries until the bounds hold (never `keep`)."""
        total = sum(e.size for e in self._entries.values())
        for key in list(self._entries):
            if len(self._entries) <= self.max_entries and total <= self.max_bytes:
                return
            if key != keep:
                total -= self._entries.pop(key).size
