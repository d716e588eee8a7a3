"""Sampling a server process while the load runs, and summarising the numbers."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from loadtest.fleet import Fleet

MB = 1024 * 1024


def percentile(values: Iterable[float], q: int) -> float:
    """The q-th percentile (q from 1 to 99), interpolated between the nearest values; NaN for
    no values."""
    data = list(values)
    if len(data) < 2:
        return data[0] if data else math.nan
    return statistics.quantiles(data, n=100, method="inclusive")[q - 1]


def fingerprint(paths: Iterable[Path]) -> dict[str, str]:
    """SHA-256 and modification time of each file: proof that nothing rewrote the data."""
    found: dict[str, str] = {}
    for path in paths:
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found[str(path)] = f"{digest}:{stat.st_mtime_ns}"
    return found


@dataclass
class Sampler:
    """Resident memory and CPU time of the fleet's servers, every `interval` seconds."""

    fleet: Fleet
    interval: float = 0.5
    samples: list[tuple[float, int, float]] = field(default_factory=list)
    # This process (the lightweight viewers' event loop): its CPU, and how late its timers fire.
    own: list[tuple[float, float]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)

    def take(self) -> tuple[float, int, float]:
        """One sample now: (monotonic time, RSS bytes, CPU seconds used so far)."""
        now = time.monotonic()
        sample = (now, self.fleet.rss(), self.fleet.cpu())
        self.samples.append(sample)
        times = psutil.Process().cpu_times()
        self.own.append((now, times.user + times.system))
        return sample

    async def run(self, stop: asyncio.Event) -> None:
        """Sample every `interval` until `stop` is set."""
        while not stop.is_set():
            self.take()
            due = time.monotonic() + self.interval
            try:
                await asyncio.wait_for(stop.wait(), self.interval)
            except TimeoutError:
                self.lags.append(max(0.0, time.monotonic() - due))
                continue

    def generator(self) -> tuple[float, float]:
        """The load generator's mean CPU use in cores, and its event loop's p95 lag in s.

        A step time includes the lag: with the generator short of CPU, steps look slower
        than the server makes them.
        """
        if len(self.own) < 2 or self.own[-1][0] <= self.own[0][0]:
            return math.nan, math.nan
        mean = (self.own[-1][1] - self.own[0][1]) / (self.own[-1][0] - self.own[0][0])
        return mean, percentile(self.lags, 95)

    @property
    def peak_rss(self) -> int:
        """The highest RSS seen."""
        return max((s[1] for s in self.samples), default=0)

    def cpu_cores(self) -> tuple[float, float]:
        """Mean and peak CPU use over the samples, in cores (1.0 = one core busy)."""
        window = self.samples
        if len(window) < 2:
            return math.nan, math.nan
        span = window[-1][0] - window[0][0]
        mean = (window[-1][2] - window[0][2]) / span if span > 0 else math.nan
        # CPU time moves in clock ticks: rates over short gaps would be noise.
        rates = [
            (b[2] - a[2]) / (b[0] - a[0])
            for a, b in itertools.pairwise(window)
            if b[0] - a[0] >= 0.8 * self.interval
        ]
        return mean, max(rates, default=math.nan)


async def idle_cpu(fleet: Fleet, seconds: float) -> float:
    """CPU cores the servers use over the next `seconds` (about 0 when they are idle)."""
    start_t, start_cpu = time.monotonic(), fleet.cpu()
    await asyncio.sleep(seconds)
    return (fleet.cpu() - start_cpu) / (time.monotonic() - start_t)
