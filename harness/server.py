"""A Flashpoint dashboard on a free loopback port, ready once its health check answers.

The one way the browser tests, the scale-out test, the benchmark and the load script start
`streamlit run dashboard.py`: on 127.0.0.1 only, headless, without usage statistics, with the
data named on the command line (never inherited from FLASHPOINT_DATA), and in a process group
of its own, so that stopping it stops everything it started.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, Self

ROOT: Final = Path(__file__).resolve().parent.parent
DASHBOARD: Final = ROOT / "dashboard.py"
LOOPBACK: Final = "127.0.0.1"
HEALTH_PATH: Final = "/_stcore/health"
DATA_ENV: Final = "FLASHPOINT_DATA"
COLUMNS_ENV: Final = "FLASHPOINT_COLUMNS"  # the mapping for FLASHPOINT_DATA, never inherited
START_TIMEOUT: Final = 90.0
STOP_TIMEOUT: Final = 10.0
POLL_S: Final = 0.2


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def is_healthy(url: str) -> bool:
    """Whether the health endpoint under `url` answers `ok` right now."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + HEALTH_PATH, timeout=2) as answer:
            body: bytes = answer.read()
            return body.strip() == b"ok"
    except (OSError, http.client.HTTPException):
        return False


def wait_healthy(
    url: str, process: subprocess.Popen[Any] | None = None, timeout: float = START_TIMEOUT
) -> None:
    """Poll the health endpoint under `url` until it answers `ok`; fail at once if `process`
    (the server behind it) exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with code {process.returncode}")
        if is_healthy(url):
            return
        time.sleep(POLL_S)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[Any], *, group: bool = False) -> None:
    """SIGTERM, then SIGKILL if it is still there after STOP_TIMEOUT.

    With `group`, the signals go to the whole process group of a child started with
    `start_new_session=True`: the child and everything it started.
    """
    if process.poll() is not None:
        return

    def send(signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(process.pid, signum)
            else:
                process.send_signal(signum)

    send(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


class DashboardServer:
    """`python -m streamlit run dashboard.py` on a loopback port; as a context manager, it is
    started on entry and always stopped on exit.

    `options` are more Streamlit options; `env` adds to the inherited environment; `log_path`
    collects the server's output (else it is discarded); `runner` is the module run with
    `python -m` in place of `streamlit` (it must take Streamlit's command line).
    """

    def __init__(
        self,
        data: Path | str | None = None,
        *,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        runner: str = "streamlit",
        port: int | None = None,
        timeout: float = START_TIMEOUT,
    ) -> None:
        self.data = data
        self.options = tuple(options)
        self.env = dict(env or {})
        self.log_path = log_path
        self.runner = runner
        self.port = free_port() if port is None else port
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base address."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self.process is None:
            raise RuntimeError("the server is not running")
        return self.process.pid

    def command(self) -> list[str]:
        """The command line: loopback only, headless, no usage statistics, the data named."""
        command = [
            sys.executable, "-m", self.runner, "run", str(DASHBOARD),
            "--server.address", LOOPBACK,
            "--server.port", str(self.port),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            *self.options,
        ]  # fmt: skip
        if self.data is not None:
            command += ["--", "--data", str(self.data)]
        return command

    def environment(self) -> dict[str, str]:
        """The inherited environment plus `env`, without FLASHPOINT_DATA (or its columns)."""
        inherited = {k: v for k, v in os.environ.items() if k != COLUMNS_ENV}
        merged = {**inherited, **self.env}
        return {name: value for name, value in merged.items() if name != DATA_ENV}

    def start(self) -> None:
        """Start the server and wait until it is healthy (stopped again if it never is)."""
        if self.log_path is not None:
            self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._log else subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_healthy(self.url, self.process, self.timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server and anything it started, and close its log."""
        if self.process is not None:
            stop_process(self.process, group=True)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """A new process on the same port: what a deploy or a crash-and-restart does."""
        self.stop()
        self.start()

    def last_traceback(self, lines: int = 12) -> str:
        """The end of the last traceback in the server's log (the app hides details from users)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        starts = [i for i, line in enumerate(text) if line.startswith("Traceback")]
        if not starts:
            return ""
        block = text[starts[-1] :]
        end = next((i for i, line in enumerate(block[1:], 1) if not line.startswith(" ")), 0)
        return "\n".join(block[: end + 1][-lines:])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
