"""What a dashboard server says about itself, and what the operating system says about it.

Memory and CPU come from /proc (Linux), which is where psutil reads them too; the session
counts come from Streamlit's own `/_stcore/metrics` endpoint. Load only ever goes to loopback.
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.request
from pathlib import Path
from typing import Final
from urllib.error import URLError
from urllib.parse import urlsplit

METRICS_PATH: Final = "/_stcore/metrics"
METRICS_TIMEOUT: Final = 20.0
PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
_METRIC_LINE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$")
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR


def require_loopback(url: str) -> None:
    """Refuse any address that is not this machine: load is only ever sent to loopback."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"refusing {url}: the load test only talks to loopback addresses")


def http_get(url: str, timeout: float = 5.0) -> bytes:
    """The body of a GET (raises on errors)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def read_metrics(url: str) -> dict[str, float]:
    """Streamlit's Prometheus text, as `name{labels}` -> value."""
    text = http_get(url.rstrip("/") + METRICS_PATH, timeout=METRICS_TIMEOUT).decode()
    values: dict[str, float] = {}
    for line in text.splitlines():
        match = _METRIC_LINE.match(line)
        if match and not line.startswith("#"):
            values[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return values


def active_sessions(url: str) -> int | None:
    """Sessions with a live websocket, by the server's own count (None: it did not answer)."""
    try:
        return int(read_metrics(url).get("active_sessions", 0))
    except (URLError, OSError):
        return None


def rss_bytes(pid: int) -> int:
    """Resident memory of one process."""
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * PAGE_SIZE


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def files_open_for_writing(pid: int) -> list[str]:
    """Regular files a process holds open for writing (its stdout/stderr excepted)."""
    found: list[str] = []
    fd_dir = Path(f"/proc/{pid}/fd")
    for entry in fd_dir.iterdir():
        if entry.name in {"0", "1", "2"}:
            continue
        try:
            target = os.readlink(entry)
            flags = int(Path(f"/proc/{pid}/fdinfo/{entry.name}").read_text().split()[3], 8)
        except (OSError, IndexError, ValueError):
            continue
        if flags & _WRITE_FLAGS and target.startswith("/") and Path(target).is_file():
            found.append(target)
    return found
