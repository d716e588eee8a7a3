"""The report's tables, built from a run: figures per size, step phases, and the targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bench.procs import ChildResult
from bench.report import Row, Target, Unit, fmt, size_label
from bench.run import LOAD_REPEATS_100K, NAIVE_STEPS, STEPS, Run, median, ratio, seconds


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
    add("GeoJSON file size", each(lambda s: run.sets[s].geojson_bytes, "bytes"))
    add(
        "Load + validate CSV (geo.validation.load_events, best run)",
        each(lambda s: c[s].load_csv_s, "s"),
    )
    add("  CPU time of that load (best)", each(lambda s: c[s].load_csv_cpu_s, "s"))
    add("Load + validate GeoJSON (best)", each(lambda s: c[s].load_geojson_s, "s"))
    add("Validation problems reported (CSV)", each(lambda s: c[s].problems, "count"))
    add("Index for stepping (Dataset.from_result)", each(lambda s: c[s].index_s, "s"))
    add("Core step: Dataset.visible, cumulative", each(lambda s: c[s].step_cumulative_s, "s"))
    add("Core step: Dataset.visible, 7-day window", each(lambda s: c[s].step_window_s, "s"))
    add("Map layer: build_step_payload", each(lambda s: c[s].payload_s, "s"))
    add(
        "Map layer: base map + st_folium render/serialise",
        each(lambda s: c[s].base_map_s + c[s].layer_s + c[s].st_folium_s, "s"),
    )
    add("Map layer: total per step", each(lambda s: c[s].map_layer_s, "s"))
    add("Visible events at the measured steps", each(lambda s: c[s].visible, "count"))
    add("Map payload JSON (visible events)", each(lambda s: c[s].payload_bytes, "bytes"))
    add("Map component args JSON (AppTest)", each(lambda s: a[s].data["map_args_bytes"], "bytes"))
    add(
        "All elements of a rerun (AppTest protos)",
        each(lambda s: sum(a[s].data["element_bytes"].values()), "bytes"),
    )
    add(
        "  of which the event table (st.dataframe)",
        each(lambda s: a[s].data["element_bytes"].get("dataframe", 0), "bytes"),
    )
    add(
        "  of which the timeline chart (altair)",
        each(lambda s: a[s].data["element_bytes"].get("vega_lite_chart", 0), "bytes"),
    )
    add("AppTest first run (load + index + draw)", each(lambda s: a[s].data["first_run_s"], "s"))
    add(
        f"Server step, AppTest rerun (median of {STEPS})",
        each(lambda s: median(a[s].data["steps_s"]), "s"),
    )
    add("  CPU time of that step", each(lambda s: median(a[s].data["steps_cpu_s"]), "s"))
    add(
        "Naive app server step (AppTest, median)",
        each(
            lambda s: median(n[s].data["steps_s"]), "s", [s for s in run.sizes if s in NAIVE_STEPS]
        ),
    )
    add(
        "Speed-up per step over the naive app",
        each(
            lambda s: ratio(median(n[s].data["steps_s"]), median(a[s].data["steps_s"])),
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
        f"Chromium: click → data-step (median of {STEPS})",
        each(lambda s: seconds(b[s].step_ms), "s", sizes_b),
    )
    add(
        f"Chromium: click → updated pixels (median of {STEPS})",
        each(lambda s: seconds(b[s].pixels_ms), "s", sizes_b),
    )
    add(
        "Chromium: click → rerun finished (median)",
        each(lambda s: seconds(b[s].done_ms), "s", sizes_b),
    )
    add(
        "Chromium: FlashpointLayer.update in JS (median)",
        each(lambda s: seconds(b[s].js_ms), "s", sizes_b),
    )
    add(
        "Chromium: bytes sent by the server per step (TCP, median)",
        each(lambda s: median([float(x) for x in b[s].wire_per_step]), "bytes", sizes_b),
    )
    add(
        "Chromium: bytes received per step (median)",
        each(lambda s: median([float(x) for x in b[s].bytes_per_step]), "bytes", sizes_b),
    )
    add(
        "  those frames deflated (estimate)",
        each(lambda s: median([float(x) for x in b[s].deflated_per_step]), "bytes", sizes_b),
    )
    add(
        "Peak RSS: load + 5 steps, own process",
        each(lambda s: run.rss[s].data["peak_rss_mb"], "MB"),
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
    rows.append(Row("whole step (AppTest rerun)", total))
    return rows


def targets(run: Run) -> list[Target]:
    """The issue's targets, each with the figure that answers it."""

    def get(fn: Callable[[], float | None]) -> float | None:
        try:
            return fn()
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return None

    quick = "not measured with --quick" if run.quick else "not measured: see problems"
    naive_cut = bool(run.naive.get(10_000, ChildResult()).data.get("lower_bound"))
    a, b, n = run.apptest, run.browser, run.naive
    candidates: list[tuple[str, Callable[[], float | None]]] = [
        (
            "TCP bytes from the server during a step in Chromium (ss)",
            lambda: median([float(x) for x in b[10_000].wire_per_step]),
        ),
        (
            "websocket frames received by Chromium",
            lambda: median([float(x) for x in b[10_000].bytes_per_step]),
        ),
        (
            "AppTest: protos of all elements of a rerun",
            lambda: float(sum(a[10_000].data["element_bytes"].values())),
        ),
    ]
    sent_source, sent = candidates[0][0], None
    for source, reading in candidates:
        sent = get(reading)
        if sent is not None:
            sent_source = source
            break

    def server_step(size: int, limit: float) -> Target:
        return Target(
            f"{size_label(size)}: server step",
            limit,
            "s",
            get(lambda: median(a[size].data["steps_s"])),
            f"AppTest full rerun, median of {STEPS}",
            why_missing=quick,
            cpu=get(lambda: median(a[size].data["steps_cpu_s"])),
        )

    def pixels(size: int, limit: float) -> Target:
        return Target(
            f"{size_label(size)}: click to updated pixels",
            limit,
            "s",
            get(lambda: seconds(b[size].pixels_ms)),
            f"Chromium, median of {STEPS}",
            why_missing=quick,
        )

    return [
        server_step(10_000, 0.1),
        Target("10k: bytes sent per step", 500e3, "bytes", sent, sent_source, why_missing=quick),
        pixels(10_000, 0.5),
        server_step(100_000, 1.0),
        pixels(100_000, 3.0),
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
            "10k: faster per step than naive",
            100.0,
            "x",
            get(
                lambda: ratio(median(n[10_000].data["steps_s"]), median(a[10_000].data["steps_s"]))
            ),
            "naive / dashboard AppTest step, same run"
            + (" (a lower bound: the naive step was stopped)" if naive_cut else ""),
            at_least=True,
            lower_bound=naive_cut,
            cpu=get(
                lambda: ratio(
                    median(n[10_000].data["steps_cpu_s"]), median(a[10_000].data["steps_cpu_s"])
                )
            ),
            why_missing=quick,
        ),
    ]
