"""Live data: a source's version, polled at most once per interval per process, and new events.

Every open session asks its process for the source's version every few seconds; the process
asks the source at most once per `POLL_S` (one tiny query on the change marker of a database
table, one `stat` of a file — and a hash of its bytes only when the stat changed). A session
whose drawn version differs reloads the dataset, which the process loads once per version.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

POLL_S: Final = 2.0
NEW_FOR_S: Final = 600.0  # how long an event that arrived while the page was open is "new"


class VersionWatcher:
    """The latest version of a source, asked of the source at most once per interval."""

    def __init__(self, read: Callable[[], str], interval: float | None = None) -> None:
        self._read = read
        self._interval = interval
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._version = ""

    def version(self) -> str:
        """The version, re-read when the last reading is older than the interval."""
        with self._lock:
            now = time.monotonic()
            interval = POLL_S if self._interval is None else self._interval
            if now - self._checked >= interval:
                self._version = self._read()
                self._checked = now
            return self._version


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
    """When each event id was first seen by this process; ids of the first load count as old."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, float] | None = None
        self._version: str | None = None

    def record(self, ids: Iterable[str], now: float | None = None, version: str = "") -> None:
        """Note the ids of a loaded version (the first version's are not new); a version
        already recorded is skipped."""
        now = time.time() if now is None else now
        with self._lock:
            if version and version == self._version:
                return
            self._version = version or None
            if self._seen is None:
                self._seen = dict.fromkeys(ids, 0.0)
                return
            for event_id in ids:
                self._seen.setdefault(event_id, now)

    def new_ids(self, now: float | None = None) -> frozenset[str]:
        """The ids that arrived within the last NEW_FOR_S seconds."""
        now = time.time() if now is None else now
        with self._lock:
            seen = self._seen or {}
            return frozenset(i for i, t in seen.items() if t and now - t < NEW_FOR_S)
