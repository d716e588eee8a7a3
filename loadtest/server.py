"""Dashboard servers on loopback ports, and what the operating system says about them.

Memory and CPU come from /proc (Linux), which is where psutil reads them too; the session
counts come from Streamlit's own `/_stcore/metrics` endpoint.
"""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final
from urllib.error import URLError
from urllib.parse import urlsplit

ROOT: Final = Path(__file__).resolve().parent.parent
DASHBOARD: Final = ROOT / "dashboard.py"
HEALTH_PATH: Final = "/_stcore/health"
METRICS_PATH: Final = "/_stcore/metrics"
DATA_ENV: Final = "FLASHPOINT_DATA"
START_TIMEOUT: Final = 60.0
STOP_TIMEOUT: Final = 10.0
METRICS_TIMEOUT: Final = 20.0
PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
_METRIC_LINE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$")
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def wait_healthy(
    url: str, timeout: float = START_TIMEOUT, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll `/_stcore/health` until it answers `ok`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with code {proc.returncode}")
        try:
            if http_get(url.rstrip("/") + HEALTH_PATH, timeout=2).strip() == b"ok":
                return
        except (URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


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


@dataclass
class DashboardServer:
    """`streamlit run dashboard.py` on a loopback port, with its log in a file."""

    port: int
    log_path: Path
    data: Path | None = None
    session_ttl: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base address."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self.proc is None:
            raise RuntimeError("the server is not running")
        return self.proc.pid

    def command(self) -> list[str]:
        """The command line: loopback only, headless, no usage statistics."""
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(DASHBOARD),
            "--server.address", "127.0.0.1",
            "--server.port", str(self.port),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        if self.session_ttl is not None:
            cmd += ["--server.disconnectedSessionTTL", str(self.session_ttl)]
        if self.data is not None:
            cmd += ["--", "--data", str(self.data)]
        return cmd

    def start(self) -> None:
        """Start the server and wait until it is healthy."""
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            # The data is named on the command line, never inherited from FLASHPOINT_DATA.
            env={k: v for k, v in os.environ.items() if k != DATA_ENV},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(self.url, proc=self.proc)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and close its log."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None

    def last_traceback(self, lines: int = 12) -> str:
        """The end of the last traceback in the server log (the app hides details from users)."""
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        starts = [i for i, line in enumerate(text) if line.startswith("Traceback")]
        if not starts:
            return ""
        block = text[starts[-1] :]
        end = next((i for i, line in enumerate(block[1:], 1) if not line.startswith(" ")), 0)
        return "\n".join(block[: end + 1][-lines:])

    def restart(self) -> None:
        """A new process on the same port: what a deploy or a crash-and-restart does."""
        self.stop()
        self.start()

    def __enter__(self) -> DashboardServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
