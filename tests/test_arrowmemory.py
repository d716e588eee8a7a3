"""Arrow's memory pool: jemalloc once files can be read, unless the operator names another."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW_POOL = "import geo.reading, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def pool_after_import(named: str | None) -> str:
    """The pool a fresh process uses once geo.reading is imported."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if named is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = named
    done = subprocess.run(
        [sys.executable, "-c", SHOW_POOL], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_reading_files_takes_arrow_memory_from_jemalloc() -> None:
    assert pool_after_import(None) == "jemalloc"


@pytest.mark.parametrize("named", ["system", "mimalloc"])
def test_a_pool_the_operator_names_is_kept(named: str) -> None:
    assert pool_after_import(named) == named
