"""The launcher the tests, the benchmark and the load script share: command, environment, failure.

Starting a real dashboard is exercised by the browser tests and the scale-out test; these cover
what they cannot show: what the server is told, and how a server that never comes up fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from harness.server import (
    DASHBOARD,
    DATA_ENV,
    DashboardServer,
    free_port,
    stop_process,
    wait_healthy,
)


def test_the_data_is_named_after_streamlits_options() -> None:
    server = DashboardServer(Path("/data/events.csv"), options=("--server.x", "1"), port=8765)
    command = server.command()
    assert command[command.index("run") + 1] == str(DASHBOARD)
    assert command[-3:] == ["--", "--data", "/data/events.csv"]
    assert command.index("--server.x") < command.index("--")
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8765"
    assert server.url == "http://127.0.0.1:8765"


def test_without_data_the_dashboard_gets_no_data_flag() -> None:
    assert "--data" not in DashboardServer().command()


def test_the_data_is_never_inherited_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, "/elsewhere/events.csv")
    server = DashboardServer(env={DATA_ENV: "/also/elsewhere.csv", "EXTRA": "1"})
    environment = server.environment()
    assert DATA_ENV not in environment
    assert environment["EXTRA"] == "1"


def test_free_port_is_free() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_a_server_that_exits_fails_at_once_with_its_exit_code(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = DashboardServer(runner="harness.no_such_module", log_path=log, timeout=60)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="exited with code 1"):
        server.start()
    assert time.monotonic() - started < 30
    assert "No module named harness.no_such_module" in log.read_text()
    assert server.process is not None and server.process.returncode == 1


def test_waiting_on_a_port_nobody_answers_times_out() -> None:
    with pytest.raises(RuntimeError, match="did not become healthy within 1 s"):
        wait_healthy(f"http://127.0.0.1:{free_port()}", timeout=1)


def test_stopping_a_group_stops_what_the_child_started() -> None:
    shell = subprocess.Popen(
        ["sh", "-c", "sleep 60 & echo $!; wait"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert shell.stdout is not None
        grandchild = psutil.Process(int(shell.stdout.readline()))
        stop_process(shell, group=True)
        assert shell.returncode is not None
        deadline = time.monotonic() + 5
        while not ended(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ended(grandchild)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)


def ended(process: psutil.Process) -> bool:
    """Gone, or a zombie waiting for whoever adopted it to reap it."""
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True
