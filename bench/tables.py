"""The report's tables, built from a run: figures per size, step phases, and the targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from bench.browser import COMMIT_S
from bench.procs import ChildResult
from bench.report import Row, Target, Unit, fmt, size_label
from bench.run import (
    CHANGES,
    FRAMES,
    LOAD_REPEATS_100K,
    NAIVE_STEPS,
    STEPS,
    Run,
    median,
    p95_seconds,
    ratio,
    seconds,
)

MILLION: Final = 1_000_000
# "As fast as at 100k": within this factor of the 100k figure, the spread of repeated runs.
STEP_NOISE: Final = 1.25


def figure_rows(run: Run) -> list[Row]:
    """The figures table's rows, one cell per measured size."""
    rows: list[Row] = []

    def add(label: str, values: dict[int, tuple[float | None, Unit]]) -> None:
        cells = {s: fmt(v, unit) for s, (v, unit) in values.items()}
        rows.append(Row(label, cells))

    def each(
        get: Callable[[int], float | None], unit: Unit, sizes: Iterable[int] | None = None
    ) -> dict[int, tuple[float | None, Unit]]:
        out: dict[int, tuple[float | None, Unit]] = {}
        for size in sizes if sizes is not None else run.sizes:
            try:
                out[size] = (get(size), unit)
            except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
                out[size] = (None, unit)
        return out

    c, a, n, b = run.core, run.apptest, run.naive, run.browser
    add("CSV file size", each(lambda s: run.sets[s].csv_bytes, "bytes"))
    add("GeoParquet file size", each(lambda s: run.sets[s].parquet_bytes, "bytes"))
    add("GeoJSON file size", each(lambda s: run.sets[s].geojson_bytes, "bytes"))
    add(
        "Load + validate CSV (geo.validation.load_events, best run)",
        each(lambda s: c[s].load_csv_s, "s"),
    )
    add("  CPU time of that load (best)", each(lambda s: c[s].load_csv_cpu_s, "s"))
    add("Load + validate GeoParquet (best run)", each(lambda s: c[s].load_parquet_s, "s"))
    add("  CPU time of that load (best)", each(lambda s: c[s].load_parquet_cpu_s, "s"))
    add("Load + validate GeoJSON (best)", each(lambda s: c[s].load_geojson_s, "s"))
    add("Validation problems reported (CSV)", each(lambda s: c[s].problems, "count"))
    add("Index for stepping (Dataset.from_result)", each(lambda s: c[s].index_s, "s"))
    add("  CPU time of that index", each(lambda s: c[s].index_cpu_s, "s"))
    add("Core step (page reads), cumulative", each(lambda s: c[s].step_cumulative_s, "s"))
    add("Core step (page reads), 7-day window", each(lambda s: c[s].step_window_s, "s"))
    add("Once per dataset + filters: event columns", each(lambda s: c[s].payload_s, "s"))
    add(
        "Once per dataset + filters: base map + st_folium",
        each(lambda s: c[s].base_map_s + c[s].layer_s + c[s].st_folium_s, "s"),
    )
    add("Events in the columns (all pass the filters)", each(lambda s: c[s].visible, "count"))
    add(
        "Event columns JSON (once per dataset + filters)",
        each(lambda s: c[s].payload_bytes, "bytes"),
    )
    add("Map component args JSON (AppTest)", each(lambda s: a[s].data["map_args_bytes"], "bytes"))
    add(
        "All elements of a full run (AppTest protos)",
        each(lambda s: sum(a[s].data["element_bytes"].values()), "bytes"),
    )
    add("AppTest first run (load + index + draw)", each(lambda s: a[s].data["first_run_s"], "s"))
    add(
        f"AppTest full rerun, warm (median of {STEPS})",
        each(lambda s: median(a[s].data["steps_s"]), "s"),
    )
    add("  CPU time of that rerun", each(lambda s: median(a[s].data["steps_cpu_s"]), "s"))
    add(
        "Naive app server step (AppTest, median)",
        each(
            lambda s: median(n[s].data["steps_s"]), "s", [s for s in run.sizes if s in NAIVE_STEPS]
        ),
    )
    add(
        "Speed-up per date change over the naive app",
        each(
            lambda s: ratio(
                median(n[s].data.get("steps_cpu_s") or n[s].data["steps_s"]), b[s].cpu_per_change_s
            ),
            "x",
            [s for s in run.sizes if s in NAIVE_STEPS],
        ),
    )
    for size, naive in n.items():
        if naive.data.get("lower_bound"):
            for bounded in rows[-2:]:
                bounded.cells[size] = "≥ " + bounded.cells[size]
    sizes_b = sorted(b)
    add("Chromium: open page → map drawn", each(lambda s: b[s].page_load_s, "s", sizes_b))
    add(
        f"Chromium: server CPU per date change (mean of {CHANGES})",
        each(lambda s: b[s].cpu_per_change_s, "s", sizes_b),
    )
    add(
        "Chromium: websocket bytes per date change (median)",
        each(lambda s: median([float(x) for x in b[s].bytes_per_change]), "bytes", sizes_b),
    )
    add(
        "  those frames deflated (estimate)",
        each(lambda s: median([float(x) for x in b[s].deflated_per_change]), "bytes", sizes_b),
    )
    add(
        "  TCP bytes sent by the server (ss, median)",
        each(lambda s: median([float(x) for x in b[s].wire_per_change]), "bytes", sizes_b),
    )
    add(
        "Chromium: commit → page follows (median)",
        each(lambda s: seconds(b[s].agree_ms), "s", sizes_b),
    )
    add(
        "Chromium: commit → page follows (p95)",
        each(lambda s: p95_seconds(b[s].agree_ms), "s", sizes_b),
    )
    add(
        "Chromium: visible events in the map's view", each(lambda s: b[s].in_view, "count", sizes_b)
    )
    add(
        "Chromium: cluster circles in those frames (0: markers)",
        each(lambda s: b[s].clusters, "count", sizes_b),
    )
    add(
        f"Chromium: drag frame, median of {FRAMES}",
        each(lambda s: seconds(b[s].frame_ms), "s", sizes_b),
    )
    add("Chromium: drag frame, p95", each(lambda s: p95_seconds(b[s].frame_ms), "s", sizes_b))
    add(
        "Peak RSS: load + 2 map builds + 5 steps, own process",
        each(lambda s: run.rss[s].data["peak_rss_mb"], "MB"),
    )
    add(
        "Peak RSS, GeoParquet: load + 2 builds + 5 steps",
        each(lambda s: run.rss_parquet[s].data["peak_rss_mb"], "MB"),
    )
    add(
        "RSS held after load (minus an empty process)",
        each(
            lambda s: run.rss[s].data["after_load_rss_mb"] - run.rss[s].data["baseline_rss_mb"],
            "MB",
        ),
    )
    add(
        "Python peak: load + 5 steps (tracemalloc)",
        each(lambda s: run.traced[s].data["traced_peak_mb"], "MB", sorted(run.traced)),
    )
    add(
        "Python memory held after 5 steps (tracemalloc)",
        each(lambda s: run.traced[s].data["traced_now_mb"], "MB", sorted(run.traced)),
    )
    add("Peak RSS of the AppTest run (2 sessions)", each(lambda s: a[s].data["peak_rss_mb"], "MB"))
    add(
        "Dataset loads for 2 AppTest sessions",
        each(lambda s: a[s].data["loads_two_sessions"], "count"),
    )
    add(
        "Server RSS with one browser session",
        each(lambda s: b[s].rss_one_session_mb, "MB", sizes_b),
    )
    add(
        "Server RSS per extra browser session",
        each(
            lambda s: (b[s].rss_extra_sessions_mb - b[s].rss_one_session_mb) / b[s].extra_sessions,
            "MB",
            [s for s in sizes_b if b[s].extra_sessions],
        ),
    )
    add("Dataset loads for all browser sessions", each(lambda s: b[s].loads, "count", sizes_b))
    return rows


def phase_rows(run: Run) -> list[Row]:
    """Where the dashboard's AppTest step spends its time, per phase (median ms)."""
    labels: list[str] = []
    for size in run.sizes:
        result = run.apptest.get(size)
        for label in result.data.get("phases_s", {}) if result and result.ok else {}:
            if label not in labels:
                labels.append(label)
    rows = []
    for label in labels:
        cells = {}
        for size in run.sizes:
            result = run.apptest.get(size)
            values = result.data.get("phases_s", {}).get(label) if result and result.ok else None
            cells[size] = fmt(median(values), "s")
        rows.append(Row(label, cells))
    total = {
        s: fmt(median(run.apptest[s].data["steps_s"]), "s")
        for s in run.sizes
        if s in run.apptest and run.apptest[s].ok and run.apptest[s].data["steps_s"]
    }
    rows.append(Row("whole run (AppTest rerun)", total))
    return rows


def targets(run: Run) -> list[Target]:
    """The targets, each with the figure that answers it."""

    def get(fn: Callable[[], float | None]) -> float | None:
        try:
            return fn()
        except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
            return None

    quick = "not measured with --quick" if run.quick else "not measured: see problems"
    naive_cut = bool(run.naive.get(10_000, ChildResult()).data.get("lower_bound"))
    b, n = run.browser, run.naive
    chromium = f"Chromium, psutil over {CHANGES} changes"

    def cpu(size: int, limit: float) -> Target:
        return Target(
            f"{size_label(size)}: server CPU per date change",
            limit,
            "s",
            get(lambda: b[size].cpu_per_change_s),
            chromium,
            why_missing=quick,
        )

    def follows(size: int, limit: float) -> Target:
        return Target(
            f"{size_label(size)}: thumb rests → page follows",
            limit,
            "s",
            get(lambda: COMMIT_S + b[size].median_agree_s()),
            f"{COMMIT_S * 1e3:.0f} ms commit delay + commit → page, median",
            why_missing=quick,
        )

    def frame(size: int, limit: float, p95: bool) -> Target:
        return Target(
            f"{size_label(size)}: drag frame{' (p95)' if p95 else ''}",
            limit,
            "s",
            get(lambda: p95_seconds(b[size].frame_ms) if p95 else seconds(b[size].frame_ms)),
            f"Chromium, all events in view, {'p95' if p95 else 'median'} of {FRAMES}",
            why_missing=quick,
        )

    return [
        cpu(10_000, 0.015),
        Target(
            "10k: websocket bytes per date change",
            20e3,
            "bytes",
            get(lambda: median([float(x) for x in b[10_000].bytes_per_change])),
            "frames received by Chromium (CDP), median",
            why_missing=quick,
        ),
        follows(10_000, 0.3),
        frame(10_000, 0.016, p95=False),
        frame(10_000, 0.016, p95=True),
        cpu(100_000, 1.0),
        follows(100_000, 3.0),
        frame(100_000, 0.05, p95=False),
        frame(100_000, 0.05, p95=True),
        Target(
            "100k: CSV load + validate",
            3.0,
            "s",
            get(lambda: run.core[100_000].load_csv_s),
            f"geo.validation.load_events, best of {LOAD_REPEATS_100K}",
            why_missing=quick,
            cpu=get(lambda: run.core[100_000].load_csv_cpu_s),
        ),
        Target(
            "10k: cheaper per date change than naive",
            100.0,
            "x",
            get(
                lambda: ratio(
                    median(n[10_000].data.get("steps_cpu_s") or n[10_000].data["steps_s"]),
                    b[10_000].cpu_per_change_s,
                )
            ),
            "naive AppTest step CPU / dashboard server CPU per change"
            + (" (a lower bound: the naive step was stopped)" if naive_cut else ""),
            at_least=True,
            lower_bound=naive_cut,
            why_missing=quick,
        ),
        *million_targets(run),
    ]


def million_targets(run: Run) -> list[Target]:
    """The 1,000,000-event targets, when that set was measured (`--million`)."""
    if MILLION not in run.sizes:
        return []
    c, b = run.core.get(MILLION), run.browser
    why = "not measured: see problems"

    def get(fn: Callable[[], float | None]) -> float | None:
        try:
            return fn()
        except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError, AttributeError):
            return None

    step_100k = get(lambda: b[100_000].cpu_per_change_s)
    return [
        Target(
            "1M: GeoParquet read + validate + index",
            5.0,
            "s",
            get(lambda: c.load_parquet_s + c.index_s if c else None),
            "load_events + Dataset.from_result, one run",
            why_missing=why,
            cpu=get(lambda: c.load_parquet_cpu_s + c.index_cpu_s if c else None),
        ),
        Target(
            "1M: CSV read + validate + index",
            20.0,
            "s",
            get(lambda: c.load_csv_s + c.index_s if c else None),
            "load_events (CSV) + Dataset.from_result, one run",
            why_missing=why,
            cpu=get(lambda: c.load_csv_cpu_s + c.index_cpu_s if c else None),
        ),
        Target(
            "1M: process RSS (GeoParquet, load + map + steps)",
            2500.0,
            "MB",
            get(lambda: run.rss_parquet[MILLION].data["peak_rss_mb"]),
            "peak RSS: load, index, build the map twice (as full runs do), 5 date steps",
            why_missing=why,
        ),
        Target(
            "1M: process RSS (CSV, load + map + steps)",
            2500.0,
            "MB",
            get(lambda: run.rss[MILLION].data["peak_rss_mb"]),
            "peak RSS: load, index, build the map twice (as full runs do), 5 date steps",
            why_missing=why,
        ),
        Target(
            "1M: server CPU per date change (as at 100k)",
            (step_100k or 0.0) * STEP_NOISE,
            "s",
            get(lambda: b[MILLION].cpu_per_change_s if step_100k else None),
            f"Chromium, psutil over {CHANGES} changes; limit: the 100k figure "
            f"+{STEP_NOISE - 1:.0%} (run-to-run noise)",
            why_missing=why,
        ),
        Target(
            "1M: core step, 7-day window (as at 100k)",
            (get(lambda: run.core[100_000].step_window_s) or 0.0) * STEP_NOISE,
            "s",
            get(lambda: c.step_window_s if c and 100_000 in run.core else None),
            f"the page's step (bench.core.page_step), median of 500, best of 5 rounds; "
            "limit: the 100k figure "
            f"+{STEP_NOISE - 1:.0%}",
            why_missing=why,
        ),
    ]
