"""In-process measurements of the core: loading, a slider step, and building the map layer.

These call geo/ directly (and st_folium in Streamlit's bare mode, which renders and
serialises exactly as in a run but sends nothing), so they show what the server does for
a step without the rest of the page.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np

from bench.synthetic import SyntheticSet
from geo.dataset import Dataset
from geo.limits import OPERATOR
from geo.maps import build_base_map, build_events_layer, safe_json
from geo.payload import build_event_columns, build_map_config
from geo.timeline import Filter, Mode
from geo.validation import LoadResult, load_events
from ui.panels import DAY_LIST_LIMIT, LIST_LIMIT

T = TypeVar("T")
CORE_STEPS: Final = 500
STEP_ROUNDS: Final = 5
LAYER_STEPS: Final = 5


@dataclass(slots=True)
class CoreResult:
    """Figures for one incident set, in seconds and bytes."""

    size: int
    load_csv_s: float = 0.0
    load_csv_cpu_s: float = 0.0
    load_parquet_s: float = 0.0
    load_parquet_cpu_s: float = 0.0
    load_geojson_s: float | None = None
    index_s: float = 0.0
    index_cpu_s: float = 0.0
    problems: int = 0
    step_cumulative_s: float = 0.0
    step_window_s: float = 0.0
    payload_s: float = 0.0
    layer_s: float = 0.0
    base_map_s: float = 0.0
    st_folium_s: float = 0.0
    payload_bytes: int = 0
    visible: int = 0

    @property
    def map_layer_s(self) -> float:
        """Everything the server does to turn a step into the map's message."""
        return self.payload_s + self.layer_s + self.base_map_s + self.st_folium_s


def timed(func: Callable[[], T], repeats: int) -> tuple[float, float, T]:
    """Best wall time and CPU time of `repeats` calls, and the last call's value.

    The best, not the median: on a shared machine the slower runs measure the neighbours.
    """
    wall, cpu = [], []
    value: Any = None
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        value = func()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return min(wall), min(cpu), value


def quiet_streamlit() -> None:
    """Streamlit warns on every call made outside a run ("bare mode"); nothing to see here."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    logging.getLogger("streamlit").setLevel(logging.ERROR)


def load_file(path: Path) -> LoadResult:
    """Load and validate a file as the dashboard does the operator's own (`--data`)."""
    return load_events(path, limits=OPERATOR)


def measure_load(
    data: SyntheticSet, repeats: int, geojson_repeats: int
) -> tuple[CoreResult, Dataset]:
    """Load and validate each file; index the Parquet file's events as the dashboard does."""
    result = CoreResult(data.size)
    result.load_csv_s, result.load_csv_cpu_s, loaded = timed(lambda: load_file(data.csv), repeats)
    result.problems = len(loaded.problems)
    del loaded  # a million events' worth: not held while the next file loads
    if data.geojson is not None and geojson_repeats:
        geojson = data.geojson
        result.load_geojson_s, _, _ = timed(lambda: load_file(geojson), geojson_repeats)
    timings = timed(lambda: load_file(data.parquet), repeats)
    result.load_parquet_s, result.load_parquet_cpu_s, parquet_result = timings
    result.index_s, result.index_cpu_s, dataset = timed(
        lambda: Dataset.from_result(parquet_result, data.parquet.name), 1
    )
    return result, dataset


def page_step(dataset: Dataset, day: date, mode: Mode, mask: Filter) -> None:
    """What the page reads from the data for a date change: the shown events' count and
    newest rows (the event list) and the day's count and first rows (the detail panel)."""
    shown = dataset.shown(day, mode, 7, mask)
    len(shown)
    shown.newest(LIST_LIMIT)
    today = dataset.shown_on(day, mask)
    len(today)
    today.oldest(DAY_LIST_LIMIT)


def measure_steps(result: CoreResult, dataset: Dataset, seed: int = 7) -> None:
    """The page's core step at random dates, cumulative and 7-day window: the median over the
    dates, in the best of STEP_ROUNDS rounds (as timeit: a step costs microseconds, and other
    work on the machine only ever adds to a round)."""
    timeline = dataset.timeline
    assert timeline.first is not None and timeline.last is not None
    span = (timeline.last - timeline.first).days
    rng = np.random.default_rng(seed)
    days = [
        date.fromordinal(timeline.first.toordinal() + int(d))
        for d in rng.integers(0, span, CORE_STEPS)
    ]
    mask = Filter.of(dataset.filter_mask(dataset.event_types))  # once per filters, as the page
    best: dict[Mode, float] = {}
    for _ in range(STEP_ROUNDS):
        for mode in ("cumulative", "window"):
            times = []
            for day in days:
                started = time.perf_counter()
                page_step(dataset, day, mode, mask)
                times.append(time.perf_counter() - started)
            best[mode] = min(best.get(mode, float("inf")), statistics.median(times))
    result.step_cumulative_s, result.step_window_s = best["cumulative"], best["window"]


def measure_layer(result: CoreResult, dataset: Dataset, days: list[date]) -> None:
    """Event columns, layer, base map and st_folium for a full run (medians); their size.

    These run when the dataset or the filters change, never when the date moves: the date is
    applied in the browser.
    """
    quiet_streamlit()
    from streamlit_folium import st_folium

    mask = dataset.filter_mask(dataset.event_types)
    timeline = dataset.timeline
    assert timeline.first is not None and timeline.last is not None
    config = build_map_config(
        categories=dataset.categories,
        token=f"{dataset.name}:{len(dataset)}",
        first=timeline.first,
        last=timeline.last,
        focus=None,
    )
    phases: dict[str, list[float]] = {"payload": [], "layer": [], "base": [], "st_folium": []}
    for _ in days:
        started = time.perf_counter()
        columns = build_event_columns(dataset.map_data, mask)
        built = time.perf_counter()
        layer = build_events_layer(columns)
        layered = time.perf_counter()
        base = build_base_map(basemap="offline", config=config, center=(33.3, 44.4), zoom=6)
        based = time.perf_counter()
        st_folium(base, key="map", height=600, width=None, feature_group_to_add=layer)
        done = time.perf_counter()
        phases["payload"].append(built - started)
        phases["layer"].append(layered - built)
        phases["base"].append(based - layered)
        phases["st_folium"].append(done - based)
        result.payload_bytes = len(safe_json(columns).encode())
        result.visible = int(mask.sum())
    result.payload_s = statistics.median(phases["payload"])
    result.layer_s = statistics.median(phases["layer"])
    result.base_map_s = statistics.median(phases["base"])
    result.st_folium_s = statistics.median(phases["st_folium"])
