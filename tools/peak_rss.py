"""Print the peak memory (RSS) of loading every corpus file, one child process per file.

`python -m tools.peak_rss [--markdown]` loads each file of tests/corpus/ and each built hostile
input (tests/hostile_corpus.py) the way the dashboard does — read, validate, index — in a
fresh Python process, and prints the file's size, what loading it gives, the child's peak
RSS (`ru_maxrss`, which in a fresh process is the peak of that one load) and the time taken.
The first row is a child that imports everything and loads nothing: the floor under every row.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from tests.hostile_corpus import CASES, CORPUS, materialise

ROOT: Final = Path(__file__).resolve().parent.parent
CEILING_MB: Final = 1024
SMALL_BYTES: Final = 5_000_000
CHILD: Final = """
import json, resource, sys, time
from pathlib import Path
from geo.dataset import Dataset
from geo.validation import DatasetError, load_events
outcome, started = "imports only", time.perf_counter()
if len(sys.argv) > 1:
    path = Path(sys.argv[1])
    try:
        result = load_events(path)
        Dataset.from_result(result, path.name)
        outcome = f"{len(result.events):,} events, {len(result.problems):,} problems"
    except DatasetError as exc:
        message = str(exc).removeprefix(path.name).lstrip(": ")
        outcome = "refused: " + (message[:70] + "…" if len(message) > 70 else message)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "peak_mb": peak, "seconds": time.perf_counter() - started}))
"""


def measure(path: Path | None) -> dict[str, Any]:
    """Load one file in a fresh process; what it gave, its peak RSS in MB and its time."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *([str(path)] if path else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return {"outcome": f"CRASHED (exit {done.returncode})", "peak_mb": 0.0, "seconds": 0.0}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def corpus_files(folder: Path) -> list[Path]:
    """Every committed corpus file, then every hostile input built into `folder`."""
    committed = sorted(p for p in CORPUS.iterdir() if p.is_file())
    built = [materialise(case, folder) for case in CASES if not case.committed]
    return committed + built


def rows(folder: Path) -> list[tuple[str, int, dict[str, Any]]]:
    """One measurement per file, after the imports-only floor."""
    measured = [("(imports only)", 0, measure(None))]
    for path in corpus_files(folder):
        measured.append((path.name, path.stat().st_size, measure(path)))
    return measured


def as_markdown(measured: list[tuple[str, int, dict[str, Any]]]) -> str:
    """A Markdown table of the measurements."""
    lines = ["| file | size | outcome | peak RSS | time |", "|---|---:|---|---:|---:|"]
    for name, size, m in measured:
        outcome = str(m["outcome"]).replace("|", "/")
        lines.append(
            f"| `{name}` | {size:,} B | {outcome} | {m['peak_mb']:.0f} MB | {m['seconds']:.2f} s |"
        )
    return "\n".join(lines)


def main() -> int:
    """Measure, print, and fail when a file of 5 MB or less goes past 1 GB or crashes."""
    parser = argparse.ArgumentParser(prog="python -m tools.peak_rss", description=__doc__)
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measured = rows(Path(folder))
    print(as_markdown(measured))
    over = [
        name
        for name, size, m in measured
        if m["outcome"].startswith("CRASHED") or (size <= SMALL_BYTES and m["peak_mb"] > CEILING_MB)
    ]
    if over:
        print(f"\nOver {CEILING_MB} MB or crashed: {', '.join(over)}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
