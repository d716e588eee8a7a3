"""Child process: peak memory of loading one file, drawing its map and stepping its dates.

`python -m bench.memory --data PATH --steps N [--tracemalloc]` loads and validates the file,
indexes it (geo.dataset.Dataset), builds the map as a full run of the dashboard does (twice:
a first visit and a change of filters), then steps through the last N event dates as the
date fragment does (the visible and current events: the date itself is applied in the
browser, so a step never rebuilds the map). Reports the process's peak RSS and, with
--tracemalloc, the peak of memory allocated by Python (slower; run separately so RSS is not
inflated).
"""

from __future__ import annotations

import argparse
import logging
import time
import tracemalloc
from pathlib import Path
from typing import Any, Final

from bench.procs import emit, peak_rss_mb, rss_mb

FULL_RUNS: Final = 2  # the map is built on a first visit and on each change of the filters


def run(data: Path, steps: int, trace: bool) -> dict[str, Any]:
    """Load, index and step; measure memory on the way."""
    import os

    from geo.dataset import Dataset
    from geo.limits import OPERATOR
    from geo.maps import build_base_map, build_events_layer
    from geo.payload import build_event_columns, build_map_config
    from geo.timeline import Timeline
    from geo.validation import load_events

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit_folium import st_folium

    baseline = rss_mb(os.getpid())
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    dataset = Dataset.from_result(load_events(data, limits=OPERATOR), data.name)
    loaded = time.perf_counter() - started
    after_load = rss_mb(os.getpid())
    traced_load = tracemalloc.get_traced_memory()[1] if trace else 0
    timeline: Timeline = dataset.timeline
    mask = dataset.filter_mask(dataset.event_types)
    assert timeline.first is not None and timeline.last is not None
    config = build_map_config(
        categories=dataset.categories,
        token=dataset.name,
        first=timeline.first,
        last=timeline.last,
        focus=None,
    )
    for _ in range(FULL_RUNS):
        columns = build_event_columns(dataset.map_data, mask)
        base = build_base_map(basemap="offline", config=config, center=(33.0, 44.0), zoom=6)
        st_folium(base, key="map", feature_group_to_add=build_events_layer(columns))
        del columns, base
    for value in timeline.dates[-steps:]:
        day = value.astype("datetime64[D]").item()
        dataset.visible(day, "cumulative", 7, mask)
        timeline.current(day)
    result: dict[str, Any] = {
        "baseline_rss_mb": baseline,
        "after_load_rss_mb": after_load,
        "peak_rss_mb": peak_rss_mb(),
        "load_s": loaded,
    }
    if trace:
        result["traced_peak_load_mb"] = traced_load / 1e6
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        result["traced_now_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
    return result


def main() -> None:
    """Parse the arguments, run, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    emit(run(args.data, args.steps, args.tracemalloc))


if __name__ == "__main__":
    main()
