"""What a dashboard server says about itself, and what the operating system says about it.

Memory, CPU time and open files come from psutil; the session counts come from Streamlit's
own `/_stcore/metrics` endpoint. Load only ever goes to loopback.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request
from typing import Final
from urllib.error import URLError
from urllib.parse import urlsplit

import psutil

METRICS_PATH: Final = "/_stcore/metrics"
METRICS_TIMEOUT: Final = 20.0
_METRIC_LINE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$")


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
    return int(psutil.Process(pid).memory_info().rss)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def files_open_for_writing(pid: int) -> list[str]:
    """Regular files a process holds open for writing (its standard streams excepted)."""
    return [f.path for f in psutil.Process(pid).open_files() if f.fd > 2 and f.mode != "r"]
