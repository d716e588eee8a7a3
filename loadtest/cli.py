"""`python -m loadtest`: the phases in order, then the figures and the PASS/MISS table."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import signal
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from playwright.async_api import Browser, async_playwright

from bench.synthetic import make_set
from geo.loaddb import load_db_command
from harness.postgis import ThrowawayPostgis
from harness.server import ROOT
from loadtest.browser import check_restart, launch
from loadtest.fleet import Fleet
from loadtest.measure import fingerprint
from loadtest.metrics import require_loopback
from loadtest.report import (
    Verdict,
    capacity_verdicts,
    error_summary,
    figures,
    phase_verdicts,
    render_figures,
    render_verdicts,
)
from loadtest.runner import PhaseConfig, PhaseResult, WarmUpError, run_phase

BUNDLED: Final = ROOT / "data" / "locations.geojson"
DATA_DIR: Final = ROOT / "data"
# Time budget: the main phase's scenario gets this share of --max-seconds; the synthetic
# phase gets what is left after the main phase, minus its own fixed costs and a reserve.
MAIN_SHARE: Final = 0.35
RESERVE: Final = 10.0
SYNTHETIC_EXTRAS: Final = 45.0
MIN_DEADLINE: Final = 30.0

Ending = Literal["done", "out of time", "interrupted"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m loadtest",
        description="Many concurrent viewers against the Flashpoint dashboard (loopback only).",
    )
    add = parser.add_argument
    add("--sessions", type=int, default=50, help="concurrent viewers (default 50)")
    add("--browsers", type=int, default=3, help="of which real Chromium pages (default 3)")
    add("--data", type=Path, help="dataset for the main phase (default: the bundled one)")
    add("--url", help="use this running server (loopback) instead of starting one")
    add("--replicas", type=int, default=1, help="dashboard replicas; 2+ run behind nginx")
    add(
        "--postgis",
        action="store_true",
        help="serve the main phase's data from one throwaway PostGIS table all replicas read",
    )
    add("--think", type=float, default=3.0, help="mean pause between a viewer's actions, s")
    add("--ramp", type=float, default=10.0, help="viewers arrive over this many seconds")
    add("--vanish", type=int, default=10, help="clients that vanish mid-scrub (default 10)")
    add("--session-ttl", type=int, default=10, help="server's disconnectedSessionTTL, s")
    add("--synthetic-events", type=int, default=10_000, help="size of the synthetic set")
    add("--synthetic-sessions", type=int, default=20, help="viewers on it (0: skip the phase)")
    add("--synthetic-browsers", type=int, default=1, help="of which Chromium pages")
    add("--max-seconds", type=float, default=290.0, help="stop everything after this long")
    args = parser.parse_args(argv)
    if args.url:
        require_loopback(args.url)
        args.url = args.url.rstrip("/")
    if args.synthetic_sessions == 0:
        args.synthetic_browsers = 0
    if args.browsers > args.sessions or args.synthetic_browsers > args.synthetic_sessions:
        parser.error("there cannot be more browsers than sessions")
    return args


async def run_fleet_phase(
    config: PhaseConfig, fleet: Fleet, browser: Browser | None, restart: bool
) -> tuple[PhaseResult, list[str] | None]:
    """Start the fleet, run the phase on it, optionally check a restart, stop the fleet."""
    await asyncio.to_thread(fleet.start)
    try:
        result = await run_phase(config, fleet, browser)
        problems = None
        if restart and browser is not None and fleet.watched:
            shares = result.plan.shares
            problems = await check_restart(browser, fleet, shares[len(shares) // 2])
        return result, problems
    finally:
        await asyncio.to_thread(fleet.stop)


@contextmanager
def table_of(data: Path) -> Iterator[str]:
    """A throwaway PostGIS cluster holding the data as table `events`; its read-only address."""
    with ThrowawayPostgis() as cluster:
        if load_db_command(str(data), cluster.url(), None, io.StringIO(), sys.stderr) == 2:
            raise RuntimeError(f"{data.name} could not be loaded into PostGIS")
        yield cluster.url(reader=True)


def synthetic_set(size: int, directory: Path) -> Path:
    """The bench package's seeded synthetic incident set, written as GeoJSON."""
    return make_set(size, directory).geojson


@dataclass
class Outcome:
    """What the run has found so far (printed even if the time budget runs out)."""

    results: list[PhaseResult] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


async def run_all(args: argparse.Namespace, workdir: Path, outcome: Outcome) -> None:
    """Every phase in turn, adding results and PASS/MISS verdicts to `outcome` as they come."""
    main_data: Path = (args.data or BUNDLED).resolve()
    watched = [p for p in DATA_DIR.rglob("*") if p.is_file()] + [main_data.resolve()]
    before = fingerprint(watched)
    finish_by = time.monotonic() + args.max_seconds - RESERVE
    main = PhaseConfig(
        "main", main_data, args.sessions, args.browsers, args.think, args.ramp, args.vanish,
        deadline=args.max_seconds * MAIN_SHARE,
    )  # fmt: skip
    async with AsyncExitStack() as stack:
        browser: Browser | None = None
        if args.browsers or args.synthetic_browsers:
            playwright = await stack.enter_async_context(async_playwright())
            browser = await launch(playwright)
            stack.push_async_callback(browser.close)
        served: Path | str | None = None if main_data == BUNDLED else main_data
        if args.postgis and not args.url:
            served = stack.enter_context(table_of(main_data))
        fleet = Fleet(
            "main", workdir, served, args.replicas, args.session_ttl, external_url=args.url,
        )  # fmt: skip
        result, restart_problems = await run_fleet_phase(main, fleet, browser, restart=True)
        outcome.results.append(result)
        outcome.verdicts += phase_verdicts(result) + capacity_verdicts(result)
        if restart_problems is not None:
            outcome.verdicts.append(
                Verdict(
                    "restart: tab reconnects; reload shows the same date + event",
                    "; ".join(restart_problems) or "same view",
                    not restart_problems,
                )
            )
        if args.synthetic_sessions and not args.url:
            data = await asyncio.to_thread(synthetic_set, args.synthetic_events, workdir)
            synthetic = PhaseConfig(
                f"synthetic {args.synthetic_events:,}", data, args.synthetic_sessions,
                args.synthetic_browsers, args.think, args.ramp, vanish=0,
                deadline=max(MIN_DEADLINE, finish_by - time.monotonic() - SYNTHETIC_EXTRAS),
            )  # fmt: skip
            fleet = Fleet("synthetic", workdir, data, args.replicas, args.session_ttl)
            result, _ = await run_fleet_phase(synthetic, fleet, browser, restart=False)
            outcome.results.append(result)
            outcome.verdicts += phase_verdicts(result)
    after = fingerprint(watched)
    changed = [path for path in before if before[path] != after.get(path)]
    written = [f for r in outcome.results for f in r.files_written]
    outcome.verdicts.append(
        Verdict(
            "the server writes none of the data it shows",
            f"{len(changed)} data files changed, {len(written)} files open for writing",
            not changed and not written,
        )
    )


def print_report(
    results: list[PhaseResult], verdicts: list[Verdict], elapsed: float, load: str
) -> None:
    """The figures of each phase, then the targets."""
    for result in results:
        print(f"\n== {result.config.name} ==")
        print(render_figures(figures(result)))
        for line in error_summary(result):
            print(f"  ! {line}")
        if result.server_traceback:
            print("  server log, last traceback:")
            print("\n".join(f"    {line}" for line in result.server_traceback.splitlines()))
    cpus = os.cpu_count()
    print(f"\n== targets ({cpus} CPUs, load average {load}, {elapsed:.0f} s in all) ==")
    print(render_verdicts(verdicts))


async def bounded(job: Coroutine[Any, Any, None], seconds: float) -> Ending:
    """Run `job` for at most `seconds`, or until SIGTERM; say how it ended.

    Both stop it by cancelling it, so every `finally` runs: each server, nginx and browser
    started for the run is stopped. (Ctrl-C does the same through asyncio.run.)
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        async with asyncio.timeout(seconds) as scope:
            await job
    except TimeoutError:
        if not scope.expired():
            raise
        return "out of time"
    except asyncio.CancelledError:
        return "interrupted"
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    return "done"


def main(argv: list[str] | None = None) -> int:
    """Run the load test; exit 1 if any target is missed, 2 if it could not finish."""
    args = parse_args(argv)
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="flashpoint-load-") as tmp:
        try:
            ending = asyncio.run(bounded(run_all(args, Path(tmp), outcome), args.max_seconds))
        except WarmUpError as exc:
            print(f"stopped: the dashboard fails on its first visit, before any load:\n{exc}")
            return 2
        except KeyboardInterrupt:
            ending = "interrupted"
    if ending == "interrupted":
        print("interrupted: every server started for the run has been stopped")
        return 130
    if ending == "out of time":
        print(f"INCOMPLETE: stopped after {args.max_seconds:.0f} s; what was measured so far:")
    load = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    print_report(outcome.results, outcome.verdicts, time.monotonic() - started, load)
    if ending != "done":
        return 2
    return 0 if all(v.passed for v in outcome.verdicts) else 1
