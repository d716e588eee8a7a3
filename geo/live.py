"""Live data: a source's version, polled at most once per interval per process, and new events.

Every open session asks its process for the source's version every few seconds; the process
asks the source at most once per interval (one tiny query on the change marker of a database
table, or its change signature, see `geo.database`; one `stat` of a file — and a hash of its
bytes only when the stat changed). A reading that takes long is repeated less often (at most
1/COST_SHARE of the time goes to reading, and at least once per SLOWEST_POLL_S), and while one
session reads, the others get the last reading instead of waiting for a source that hangs.
A session whose drawn version differs reloads the dataset, which the process loads once per
version; when the source cannot be read, the last good dataset (`LastGood`) is shown instead.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final, Generic, TypeVar

POLL_S: Final = 2.0
SLOWEST_POLL_S: Final = 5.0  # a slow signature is still read this often: changes show in < 10 s
COST_SHARE: Final = 20  # a reading may take at most 1/20 of the time between readings
RETRY_S: Final = 5.0  # a failed load is tried again after this long
NEW_FOR_S: Final = 600.0  # how long an event that arrived while the page was open is "new"

T = TypeVar("T")


class VersionWatcher:
    """The latest version of a source, asked of the source at most once per interval."""

    def __init__(self, read: Callable[[], str], interval: float | None = None) -> None:
        self._read = read
        self._interval = interval
        self._state = threading.Lock()
        self._reading = threading.Lock()
        self._checked = -math.inf
        self._took = 0.0
        self._version = ""
        self._seen: tuple[str, float] = ("", 0.0)

    def _due(self, now: float) -> bool:
        """Whether the last reading is older than the interval (longer after slow readings)."""
        if self._interval is not None:
            wait = self._interval
        else:
            wait = min(max(POLL_S, COST_SHARE * self._took), max(POLL_S, SLOWEST_POLL_S))
        return now - self._checked >= wait

    def version(self) -> str:
        """The version, re-read when the last reading is older than the interval; while another
        caller reads, the last reading (only the very first reading is waited for)."""
        with self._state:
            if not self._due(time.monotonic()):
                return self._version
            first = self._checked == -math.inf
        if not self._reading.acquire(blocking=first):
            with self._state:
                return self._version
        try:
            if not self._due(time.monotonic()):  # another caller has just read it
                return self._version
            started = time.monotonic()
            version = self._read()
            with self._state:
                self._version, self._checked = version, time.monotonic()
                self._took = self._checked - started
                self._seen = (version, time.time())
            return version
        finally:
            self._reading.release()

    def seen_at(self, version: str) -> float | None:
        """When (epoch seconds) the last reading, if it found this version, was made."""
        with self._state:
            found, at = self._seen
        return at if found == version and at else None


class LastGood(Generic[T]):
    """The last dataset a source gave, shown while the source cannot be read, and when a failed
    load may be tried again (at most once per RETRY_S for the whole process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version = ""
        self._at = 0.0
        self._failed: tuple[str, float, str] | None = None
        self.generation = 0  # counts the good loads: a page drawn from an older one reruns

    def keep(self, value: T, version: str, now: float | None = None) -> None:
        """Note a good load (it ends any failure)."""
        with self._lock:
            if value is not self._value:
                self._value, self._version = value, version
                self._at = time.time() if now is None else now
                self.generation += 1
            self._failed = None

    def kept(self) -> tuple[T, str, float] | None:
        """The last good value, its version and when it was loaded (None before any)."""
        with self._lock:
            return None if self._value is None else (self._value, self._version, self._at)

    def fail(self, version: str, reason: str, now: float | None = None) -> None:
        """Note that loading this version failed, and why."""
        with self._lock:
            self._failed = (version, time.monotonic() if now is None else now, reason)

    def reason(self) -> str:
        """Why the last load failed ("" when the last load was good)."""
        with self._lock:
            return "" if self._failed is None else self._failed[2]

    def may_try(self, version: str, now: float | None = None) -> bool:
        """Whether loading this version may be tried (it has not failed within RETRY_S)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._may_try(version, now)

    def claim(self, version: str, now: float | None = None) -> bool:
        """Take the process's next try at loading this version (True for one caller only)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if not self._may_try(version, now):
                return False
            reason = "" if self._failed is None else self._failed[2]
            self._failed = (version, now, reason)
            return True

    def _may_try(self, version: str, now: float) -> bool:
        failed = self._failed
        return failed is None or failed[0] != version or now - failed[1] >= RETRY_S


class FileVersion:
    """A file's version: its size, modification time and, when those change, its SHA-256."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stat: tuple[int, int] | None = None
        self._digest = ""

    def __call__(self) -> str:
        """The version now ("" when the file cannot be read)."""
        try:
            stat = self._path.stat()
            key = (stat.st_mtime_ns, stat.st_size)
            if key != self._stat:
                self._digest = hashlib.sha256(self._path.read_bytes()).hexdigest()
                self._stat = key
        except OSError:
            return ""
        return self._digest


class FirstSeen:
    """When each event id was first seen by this process; ids of the first load count as old.

    Only the arrivals keep a time, so asking which events are new costs nothing per event.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[str] | None = None
        self._arrived: dict[str, float] = {}
        self._version: str | None = None

    def record(self, ids: Iterable[str], now: float | None = None, version: str = "") -> None:
        """Note the ids of a loaded version (the first version's are not new); a version
        already recorded is skipped."""
        now = time.time() if now is None else now
        with self._lock:
            if version and version == self._version:
                return
            self._version = version or None
            if self._known is None:
                self._known = set(ids)
                return
            fresh = [event_id for event_id in ids if event_id not in self._known]
            self._known.update(fresh)
            self._arrived.update(dict.fromkeys(fresh, now))

    def new_ids(self, now: float | None = None) -> frozenset[str]:
        """The ids that arrived within the last NEW_FOR_S seconds."""
        now = time.time() if now is None else now
        with self._lock:
            return frozenset(i for i, t in self._arrived.items() if now - t < NEW_FOR_S)
