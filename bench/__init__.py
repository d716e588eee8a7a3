"""The benchmark of the "Speed and scale" issue: `python -m bench` (see BENCHMARKS.md)."""
