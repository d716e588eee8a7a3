"""`python -m bench`: what Flashpoint costs with 1k, 10k and 100k events (and 1M, opt-in).

Synthetic ACLED-like sets are written to a temporary folder as CSV, GeoParquet and GeoJSON, then
measured: loading, the core's visible-events step, the one-time costs of a dataset and its
filters (the map's event columns, a full run through AppTest), a naive markers-on-a-new-map
app for comparison, memory, and the dashboard in Chromium: the server's CPU, the websocket
bytes and the time until the page follows, per date change, and the map's frame time while
the date moves. Prints a figures table and the targets with PASS/MISS.
`--quick` measures 1k events only (a smoke run for the test suite); `--million` adds a
1,000,000-event set (no GeoJSON: CSV and GeoParquet), which takes several minutes more.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Final

from bench.apptest import STEP_STARTED
from bench.browser import measure
from bench.core import measure_layer, measure_load, measure_steps, quiet_streamlit
from bench.procs import ChildResult, cpu_model, load_average, memory_gb, run_child
from bench.report import render_figures, render_targets, size_label
from bench.run import CHANGES, FRAMES, LOAD_REPEATS, LOAD_REPEATS_100K, NAIVE_STEPS, STEPS, Run
from bench.synthetic import SyntheticSet, make_set
from bench.tables import figure_rows, phase_rows, targets
from harness.chromium import chromium_path

FULL_SIZES: Final = (1_000, 10_000, 100_000)
QUICK_SIZES: Final = (1_000,)
MILLION: Final = 1_000_000
FULL_BUDGET_S: Final = 420.0
MILLION_BUDGET_S: Final = 900.0
QUICK_BUDGET_S: Final = 150.0
EXTRA_SESSIONS: Final = 5
NAIVE_TIMEOUT_S: Final = 150.0
# Rough cost of the optional phases, to skip them rather than overrun the budget.
BROWSER_COST_S: Final = {1_000: 40.0, 10_000: 50.0, 100_000: 90.0, MILLION: 240.0}
# How long a child may take per size: at a million events a load alone takes seconds.
CHILD_TIMEOUT_S: Final = {MILLION: 600.0}
BROWSER_10K_COST_S: Final = BROWSER_COST_S[1_000] + BROWSER_COST_S[10_000]
NAIVE_10K_COST_S: Final = 60.0


def dates_arg(dates: list[date]) -> str:
    """Dates for a child's command line."""
    return ",".join(d.isoformat() for d in dates)


def repeats_at(size: int) -> int:
    """Loads of each file per size: best of three, of two at 100k, one at a million."""
    return LOAD_REPEATS if size <= 10_000 else LOAD_REPEATS_100K if size <= 100_000 else 1


def served_file(data: SyntheticSet) -> Path:
    """The file the dashboard is given: the CSV, or the GeoParquet at a million events."""
    return data.parquet if data.size >= MILLION else data.csv


def measure_core(run: Run) -> None:
    """Loading, core steps and the map layer, in this process."""
    measure_load(run.sets[run.sizes[0]], 1, 1)  # imports and first calls, not counted
    for size in run.sizes:
        data = run.sets[size]
        repeats = repeats_at(size)
        result, dataset = measure_load(data, repeats, repeats - 1)
        run.core[size] = result
        measure_steps(result, dataset)
        days = data.event_dates[-(STEPS if size < MILLION else 2) :]
        measure_layer(result, dataset, days)
        del dataset


def measure_memory(run: Run) -> None:
    """Peak RSS (all sizes, CSV and Parquet) and tracemalloc (up to 10k: it slows 100k 4x)."""
    for size in run.sizes:
        data = str(run.sets[size].csv)
        timeout = CHILD_TIMEOUT_S.get(size, 180.0)
        result = run_child("bench.memory", ["--data", data, "--steps", str(STEPS)], timeout)
        run.child(run.rss, size, "memory (RSS)", result)
        parquet = str(run.sets[size].parquet)
        result = run_child("bench.memory", ["--data", parquet, "--steps", str(STEPS)], timeout)
        run.child(run.rss_parquet, size, "memory (RSS, Parquet)", result)
        if size <= 10_000:
            traced = run_child(
                "bench.memory", ["--data", data, "--steps", str(STEPS), "--tracemalloc"], 180
            )
            run.child(run.traced, size, "memory (tracemalloc)", traced)


def measure_apptest(run: Run) -> None:
    """The dashboard's server-side step through AppTest, for each size."""
    for size in run.sizes:
        data = run.sets[size]
        timeout = CHILD_TIMEOUT_S.get(size, 240.0)
        args = ["--app", "dashboard", "--data", str(served_file(data)), "--phases"]
        args += ["--dates", dates_arg(data.event_dates[-STEPS:])]
        args += ["--timeout", str(timeout - 120)]
        result = run_child("bench.apptest", args, timeout)
        run.child(run.apptest, size, "AppTest (dashboard)", result)


def measure_naive(run: Run) -> None:
    """The naive app's server-side step, at 1k and (time allowing) 10k."""
    for size in run.sizes:
        if size not in NAIVE_STEPS:
            continue
        if size > 1_000 and run.remaining() < NAIVE_10K_COST_S + BROWSER_10K_COST_S:
            run.problems.append(f"naive app at {size_label(size)}: skipped, out of time")
            continue
        steps = 1 if run.quick else NAIVE_STEPS[size]
        data = run.sets[size]
        # Leave room for Chromium; a step still running then is cut short, and bounded below.
        timeout = max(30.0, min(NAIVE_TIMEOUT_S, run.remaining() - BROWSER_10K_COST_S - 30))
        args = ["--app", "naive", "--data", str(data.csv), "--timeout", str(timeout)]
        args += ["--dates", dates_arg(data.event_dates[-STEPS : -STEPS + steps])]
        result = run_child("bench.apptest", args, timeout + 20)
        starts = [
            float(line.split()[1])
            for line in result.output.splitlines()
            if line.startswith(STEP_STARTED + " ")
        ]
        if not result.ok and result.ended_at and starts:
            bound = result.ended_at - starts[-1]
            run.naive[size] = ChildResult({"steps_s": [bound], "lower_bound": True})
            run.problems.append(
                f"naive app at {size_label(size)}: a step ran over {bound:.0f} s and was "
                "stopped; its time and the speed-up are lower bounds"
            )
            continue
        run.child(run.naive, size, "AppTest (naive app)", result)


def measure_browser(run: Run) -> None:
    """The dashboard in Chromium at every size (1k only when quick), time allowing."""
    if not chromium_path().is_file():
        run.problems.append(f"Chromium: not found at {chromium_path()}; browser figures missing")
        return
    for size in run.sizes:
        cost = BROWSER_COST_S.get(size, 0.0)
        if not run.quick and run.remaining() < cost:
            run.problems.append(
                f"Chromium at {size_label(size)}: skipped, {run.remaining():.0f} s left of the "
                "time budget"
            )
            continue
        data = run.sets[size]
        # Near the end, so that (everything so far) nearly all the events are in play.
        start = data.event_dates[-1] - timedelta(days=CHANGES + 10)
        extra = EXTRA_SESSIONS if size == 10_000 else int(run.quick)
        timeout = CHILD_TIMEOUT_S.get(size, 180.0)
        result = run.attempt(
            f"Chromium at {size_label(size)}",
            functools.partial(measure, served_file(data), start, CHANGES, FRAMES, extra, timeout),
        )
        if result is not None:
            run.browser[size] = result
            run.chromium = result.chromium


def machine() -> str:
    """CPU, cores, memory, and the versions that matter."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("streamlit", "folium", "streamlit-folium", "geopandas", "pandas", "playwright")
    )
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gb():.0f} GB RAM; "
        f"Python {platform.python_version()}; "
        f"{versions}"
    )


def main(argv: list[str] | None = None) -> int:
    """Generate the sets, measure, print the report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k events only (smoke run)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    parser.add_argument(
        "--million", action="store_true", help="add a 1,000,000-event set (several minutes more)"
    )
    args = parser.parse_args(argv)
    if args.quick and args.million:
        parser.error("--million and --quick do not go together")
    started = time.monotonic()
    sizes = QUICK_SIZES if args.quick else FULL_SIZES + ((MILLION,) if args.million else ())
    budget = QUICK_BUDGET_S if args.quick else FULL_BUDGET_S
    budget += MILLION_BUDGET_S if args.million else 0.0
    run = Run(sizes=sizes, quick=args.quick, deadline=started + budget)
    quiet_streamlit()
    print(
        f"Flashpoint benchmark, {datetime.now():%Y-%m-%d %H:%M}{' (--quick)' if args.quick else ''}"
    )
    print(machine())
    start_load = load_average()
    print(f"Load average at the start: {start_load} (1, 5, 15 min)", flush=True)
    with tempfile.TemporaryDirectory(prefix="flashpoint-bench-") as folder:
        for size in sizes:
            run.sets[size] = make_set(size, Path(folder))
        _progress(started, "synthetic sets written")
        run.attempt("core measurements", lambda: measure_core(run))
        _progress(started, "load, core step and map layer measured")
        run.attempt("memory", lambda: measure_memory(run))
        _progress(started, "memory measured")
        run.attempt("AppTest (dashboard)", lambda: measure_apptest(run))
        _progress(started, "server-side steps measured")
        run.attempt("AppTest (naive app)", lambda: measure_naive(run))
        _progress(started, "naive app measured")
        if args.no_browser:
            run.problems.append("Chromium: skipped (--no-browser)")
        else:
            run.attempt("Chromium", lambda: measure_browser(run))
            _progress(started, "Chromium measured")
    print(flush=True)
    print("Figures")
    print(render_figures(figure_rows(run), sizes))
    print()
    print("Where a full run goes (dashboard, AppTest whole rerun, median per run)")
    print(render_figures(phase_rows(run), sizes, first="Phase (wrapped function)"))
    print()
    print("Targets (verdicts on the measured figure; CPU time alongside where it applies)")
    print(render_targets(targets(run)))
    print()
    for size, result in sorted(run.browser.items()):
        for note in result.notes:
            print(f"Note (Chromium, {size_label(size)}): {note}")
    for problem in run.problems:
        print(f"Problem: {problem}")
    end_load = load_average()
    print(f"Load average at the end: {end_load}")
    busiest = max(float(start_load.split()[0]), float(end_load.split()[0]))
    if busiest > (os.cpu_count() or 1):
        print(
            f"Warning: load average up to {busiest:.1f} on {os.cpu_count()} cores: other work "
            "competed for the CPU, so wall times are inflated; the CPU figures are the "
            "better guide to the code's own cost."
        )
    if run.chromium:
        print(f"Chromium {run.chromium} (headless, software rendering)")
    print(f"Total time {time.monotonic() - started:.0f} s (budget {budget:.0f} s)")
    return 0


def _progress(started: float, what: str) -> None:
    print(f"[{time.monotonic() - started:5.0f} s] {what}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
