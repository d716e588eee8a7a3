"""Child process: server-side runs through Streamlit's AppTest, for one app and file.

`python -m bench.apptest --app dashboard|naive --data PATH --dates D1,D2,...` runs the app
once, then once per date: the naive app with its date slider set to that date (its step), the
dashboard as a whole rerun (what a filter or dataset change costs it; a date change reruns
only its side panel, which AppTest cannot do, and is measured in Chromium). Reports the
run times, what a full run sends (sizes of the elements' protos, the map's args JSON), where
the time goes, peak memory, and whether a second session reuses the loaded file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Final

from bench.instrument import PHASES, PhaseTimers, count_dataset_builds, count_lines
from bench.procs import emit, peak_rss_mb
from harness.server import ROOT

APPS: Final = {"dashboard": ROOT / "dashboard.py", "naive": ROOT / "bench" / "naive_app.py"}
DATA_ENV: Final = "FLASHPOINT_DATA"
STEP_STARTED: Final = "STEP_STARTED"


def element_sizes(at: Any) -> dict[str, int]:
    """Bytes of each element type's protos in the app's current tree (what a rerun sends)."""
    sizes: defaultdict[str, int] = defaultdict(int)

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            sizes[str(getattr(node, "type", type(node).__name__))] += int(proto.ByteSize())
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return dict(sizes)


def run(app: str, data: Path, dates: list[date], timeout: float, phases: bool) -> dict[str, Any]:
    """Time the first run and each step; measure sizes, phases, memory and cache sharing."""
    os.environ[DATA_ENV] = str(data)
    log = Path(tempfile.mkstemp(prefix="flashpoint-loads-")[1])
    count_dataset_builds(log)
    timers = PhaseTimers()
    installed = timers.install(PHASES) if phases else []
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APPS[app]), default_timeout=timeout)
    started = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - started
    errors = [str(e.value)[:300] for e in at.exception]
    steps: list[float] = []
    cpu: list[float] = []
    per_phase: defaultdict[str, list[float]] = defaultdict(list)
    for day in dates:
        if errors:
            break
        before = timers.snapshot()
        # Lets the parent bound a step it had to kill: it ran at least from here.
        print(f"{STEP_STARTED} {time.time():.3f}", flush=True)
        started, cpu_started = time.perf_counter(), time.process_time()
        if app == "naive":
            at.slider(key="date").set_value(day).run()
        else:
            at.run()
        steps.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        after = timers.snapshot()
        for label in installed:
            per_phase[label].append(after.get(label, 0.0) - before.get(label, 0.0))
        errors = [str(e.value)[:300] for e in at.exception]
    components = at.get("component_instance")
    map_args = len(components[0].proto.json_args.encode()) if components else 0
    sizes = element_sizes(at)
    loads_after_first = count_lines(log)
    second = AppTest.from_file(str(APPS[app]), default_timeout=timeout)
    started = time.perf_counter()
    second.run()
    second_run = time.perf_counter() - started
    result = {
        "app": app,
        "first_run_s": first_run,
        "steps_s": steps,
        "steps_cpu_s": cpu,
        "errors": errors,
        "map_args_bytes": map_args,
        "element_bytes": sizes,
        "phases_s": dict(per_phase),
        "loads_first_session": loads_after_first,
        "loads_two_sessions": count_lines(log),
        "second_session_first_run_s": second_run,
        "peak_rss_mb": peak_rss_mb(),
    }
    log.unlink(missing_ok=True)
    return result


def main() -> None:
    """Parse the arguments, run, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", choices=sorted(APPS), required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--dates", required=True, help="comma-separated YYYY-MM-DD")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--phases", action="store_true", help="time the step's phases")
    args = parser.parse_args()
    dates = [date.fromisoformat(d) for d in args.dates.split(",") if d]
    emit(run(args.app, args.data.resolve(), dates, args.timeout, args.phases))


if __name__ == "__main__":
    main()
