"""One load phase: many viewers against one server, with the server watched throughout.

The order is fixed so every figure means one thing: warm the server (dataset loaded), take
memory at rest, let the viewers arrive over the ramp and play the scenario, take memory with
all of them connected, release them, then watch what is left: after the crowd closes its
tabs, after clients vanish mid-scrub, and after the disconnected sessions' TTL.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from playwright.async_api import Browser

from loadtest.browser import browser_session
from loadtest.client import ProtocolError, Viewer
from loadtest.fleet import Fleet
from loadtest.measure import Sampler, idle_cpu
from loadtest.scenario import (
    Pace,
    Plan,
    Record,
    light_session,
    make_plan,
    probe_session,
    vanishing_session,
)

RELEASE_TIMEOUT: Final = 30.0
SETTLE: Final = 2.0
IDLE_WINDOW: Final = 3.0
SATURATION_WINDOW: Final = 6.0


class WarmUpError(Exception):
    """The dashboard failed its first visit: there is no point loading it."""


@dataclass(frozen=True, slots=True)
class PhaseConfig:
    """How many viewers, of which kind, on which data, at what pace."""

    name: str
    data: Path
    sessions: int
    browsers: int
    think: float
    ramp: float
    vanish: int
    deadline: float
    saturate: int = 8

    def is_browser(self, index: int) -> bool:
        """Browsers are spread through the arrivals, so they see the crowd at its peak too."""
        if self.browsers <= 0:
            return False
        spacing = max(1, self.sessions // self.browsers)
        return index % spacing == 0 and index // spacing < self.browsers


@dataclass
class PhaseResult:
    """Everything one phase measured (None: not measurable, e.g. a server we did not start)."""

    config: PhaseConfig
    plan: Plan
    records: list[Record] = field(default_factory=list)
    vanished: list[Record] = field(default_factory=list)
    seconds: float = math.nan
    rss_rest: int | None = None
    rss_peak: int | None = None
    rss_all_connected: int | None = None
    rss_after_end: int | None = None
    rss_after_vanish: int | None = None
    rss_after_ttl: int | None = None
    active_all_connected: int | None = None
    active_after_end: int | None = None
    active_after_vanish: int | None = None
    cpu_mean: float = math.nan
    cpu_peak: float = math.nan
    generator_cpu: float = math.nan
    generator_lag: float = math.nan
    cpu_after_vanish: float = math.nan
    files_written: list[str] = field(default_factory=list)
    saturation: Record | None = None
    saturation_seconds: float = math.nan
    server_traceback: str = ""

    @property
    def errors(self) -> list[str]:
        """The viewers' errors."""
        return [e for r in self.records for e in r.errors]

    @property
    def side_errors(self) -> list[str]:
        """Errors of the vanishing clients and of the capacity probe, labelled."""
        vanish = [f"vanishing client: {e}" for r in self.vanished for e in r.errors]
        probe = self.saturation.errors if self.saturation is not None else []
        return vanish + [f"capacity probe: {e}" for e in probe]

    def steps(self, kind: str | None = None) -> list[float]:
        """Slider-step times (rerun sent -> script_finished), of one kind of viewer or all."""
        return [s for r in self.records if kind in (None, r.kind) for s in r.steps]


async def start_after(delay: float, job: Awaitable[None]) -> None:
    """Arrive `delay` seconds into the ramp."""
    await asyncio.sleep(delay)
    await job


async def wait_until(done: Callable[[], bool], timeout: float) -> bool:
    """Poll `done` every half second for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.5)
    return True


async def run_phase(config: PhaseConfig, fleet: Fleet, browser: Browser | None) -> PhaseResult:
    """Run one phase against the fleet (watching its servers if we started them)."""
    url = fleet.url
    plan = make_plan(config.data)
    result = PhaseResult(config, plan)
    # Warm every replica (code imported, dataset loaded) before memory "at rest" is taken.
    for warm_url in [s.url for s in fleet.servers] or [url]:
        try:
            await probe_session(warm_url, plan)
        except ProtocolError as exc:
            raise WarmUpError(f"{warm_url}: {exc}\n{fleet.last_traceback()}") from exc
    await asyncio.sleep(SETTLE)
    if fleet.watched:
        result.rss_rest = fleet.rss()
    result.records = [
        Record("browser" if config.is_browser(i) else "light") for i in range(config.sessions)
    ]
    sampler = Sampler(fleet) if fleet.watched else None
    stop, hold = asyncio.Event(), asyncio.Event()
    viewers: list[asyncio.Task[None]] = []
    sampling = asyncio.create_task(sampler.run(stop)) if sampler is not None else None
    try:
        for i, record in enumerate(result.records):
            pace = Pace(config.think, seed=i)
            job: Awaitable[None]
            if record.kind == "browser":
                if browser is None:
                    raise RuntimeError("browser sessions need a launched browser")
                job = browser_session(browser, url, plan, pace, record, hold, i)
            else:
                job = light_session(url, plan, pace, record, hold, i)
            delay = i * config.ramp / max(1, config.sessions)
            viewers.append(asyncio.create_task(start_after(delay, job)))
        await play(config, fleet, result, hold)
        for task, record in zip(viewers, result.records, strict=True):
            if record.unfinished:
                task.cancel()
        stop.set()
        await asyncio.wait([*viewers, *([sampling] if sampling else [])], timeout=RELEASE_TIMEOUT)
    finally:
        # Whatever happened (a deadline, Ctrl-C), no viewer outlives its phase.
        pending = [*viewers, *([sampling] if sampling else [])]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    if sampler is not None:
        result.rss_peak = sampler.peak_rss
        result.cpu_mean, result.cpu_peak = sampler.cpu_cores()
        result.generator_cpu, result.generator_lag = sampler.generator()

    await asyncio.sleep(SETTLE)
    result.active_after_end = await asyncio.to_thread(fleet.live_sessions)
    if fleet.watched:
        result.rss_after_end = fleet.rss()
    if config.vanish:
        await check_vanishing(config, fleet, plan, result)
    if config.saturate:
        await saturate(fleet.url, plan, config.saturate, SATURATION_WINDOW, result)
    if result.errors or result.side_errors:
        result.server_traceback = fleet.last_traceback()
    return result


async def play(config: PhaseConfig, fleet: Fleet, result: PhaseResult, hold: asyncio.Event) -> None:
    """Wait for the viewers (or the deadline), measure with all of them connected, release them."""
    started = time.monotonic()
    settled = await wait_until(
        lambda: all(r.finished or r.errors for r in result.records), config.deadline
    )
    result.seconds = time.monotonic() - started
    result.active_all_connected = await asyncio.to_thread(fleet.live_sessions)
    if fleet.watched:
        result.rss_all_connected = fleet.rss()
        result.files_written = fleet.files_written()
    if not settled:
        for record in result.records:
            if not (record.finished or record.errors):
                record.give_up()
    hold.set()


async def saturate(url: str, plan: Plan, clients: int, seconds: float, result: PhaseResult) -> None:
    """Capacity: `clients` viewers stepping back to back with no pause, for `seconds`."""
    deadline = time.monotonic() + seconds
    record = Record("saturate")

    async def stepper() -> None:
        viewer: Viewer | None = None
        try:
            viewer = await Viewer.open(url, plan.query)
            await viewer.run(fragment=False)
            for i in itertools.count():
                if time.monotonic() >= deadline:
                    return
                viewer.set_date(plan.days[1 + i % (len(plan.days) - 1)])
                record.add(await viewer.run(), step=True)
        except Exception as exc:  # every failure of a session is a data point
            record.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            if viewer is not None:
                await viewer.close()

    started = time.monotonic()
    await asyncio.gather(*(stepper() for _ in range(clients)))
    result.saturation_seconds = time.monotonic() - started
    result.saturation = record


async def check_vanishing(
    config: PhaseConfig, fleet: Fleet, plan: Plan, result: PhaseResult
) -> None:
    """Clients that vanish mid-scrub must leave no running session and no busy CPU behind;
    once the disconnected-session TTL has passed, their memory must be released."""
    result.vanished = [Record("vanish") for _ in range(config.vanish)]
    await asyncio.gather(*(vanishing_session(fleet.url, plan, r) for r in result.vanished))
    await asyncio.sleep(SETTLE)
    result.active_after_vanish = await asyncio.to_thread(fleet.live_sessions)
    if not fleet.watched:
        return
    result.cpu_after_vanish = await idle_cpu(fleet, IDLE_WINDOW)
    result.rss_after_vanish = fleet.rss()
    if fleet.session_ttl is not None:
        # Expired sessions are dropped lazily, when the store is next written: a visitor
        # leaving after the TTL does that on each replica, as one would on a live server.
        await asyncio.sleep(fleet.session_ttl + 1)
        for server in fleet.servers:
            await probe_session(server.url, plan)
        await asyncio.sleep(SETTLE)
        result.rss_after_ttl = fleet.rss()
