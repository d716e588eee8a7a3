"""Child processes for the benchmark: run with a timeout, read their result, measure memory.

Each heavy measurement runs in its own Python process, so one size's peak memory, caches
and imports never colour another's, and a measurement that hangs is killed, not waited on.
A child prints one line `RESULT {json}`; anything else it prints is kept for error messages.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import psutil

from harness.server import ROOT, stop_process

RESULT_PREFIX: Final = "RESULT "
MIB: Final = 1024 * 1024


@dataclass(slots=True)
class ChildResult:
    """What a child process reported, or why it reported nothing."""

    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    output: str = ""
    ended_at: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the child finished and reported a result."""
        return not self.error


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child: the repository importable, Streamlit quiet."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env["STREAMLIT_LOGGER_LEVEL"] = "error"
    env.update(extra or {})
    return env


def run_child(
    module: str, args: list[str], timeout: float, env: dict[str, str] | None = None
) -> ChildResult:
    """Run `python -m module args` and return its RESULT line, or the reason it failed."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=child_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        ended_at = time.time()
        stop_process(process, group=True)
        output, _ = process.communicate()
        return ChildResult(
            error=f"timed out after {timeout:.0f} s",
            seconds=timeout,
            output=output[-20_000:],
            ended_at=ended_at,
        )
    seconds = time.monotonic() - started
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return ChildResult(json.loads(line[len(RESULT_PREFIX) :]), seconds=seconds)
    tail = " | ".join(line.strip() for line in output.splitlines()[-3:] if line.strip())
    return ChildResult(
        error=f"exit code {process.returncode}: {tail[-300:]}", seconds=seconds, output=output
    )


def emit(result: dict[str, Any]) -> None:
    """Report a child's result to the parent (the last line it prints)."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def rss_mb(pid: int) -> float:
    """A process's current resident memory in MB."""
    return float(psutil.Process(pid).memory_info().rss) / MIB


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine skews timings)."""
    return " ".join(f"{load:.2f}" for load in psutil.getloadavg())


def memory_gb() -> float:
    """The machine's memory in GB."""
    return float(psutil.virtual_memory().total) / MIB / 1024


# psutil tells neither of the next two on Linux, so they are the only reads of /proc left.


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB (VmHWM).

    Not getrusage's ru_maxrss: that survives exec, so a child would report the parent's
    peak at the time of the fork.
    """
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_model() -> str:
    """The CPU's model name, or the machine's architecture where it cannot be read."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def tcp_bytes_sent(port: int) -> dict[str, int] | None:
    """Bytes acknowledged on each open TCP connection from a local port (`ss`), or None.

    This is what really crossed the wire, websocket framing and compression included.
    Keyed by the peer's address, so a connection closing in between does not count.
    """
    ss = shutil.which("ss")
    if ss is None:
        return None
    command = [ss, "-tinH", "state", "established", f"( sport = :{port} )"]
    listing = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    if listing.returncode != 0:
        return None
    pairs = re.findall(r"\S+:\d+\s+(\S+:\d+)[^\n]*\n[^\n]*?bytes_acked:(\d+)", listing.stdout)
    return {peer: int(sent) for peer, sent in pairs}


def bytes_between(before: dict[str, int] | None, after: dict[str, int] | None) -> int | None:
    """Bytes sent between two `tcp_bytes_sent` readings, on the connections open at both."""
    if before is None or after is None:
        return None
    return sum(sent - before[peer] for peer, sent in after.items() if peer in before)
