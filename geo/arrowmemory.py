"""Where Arrow takes its memory from: jemalloc, unless the operator names another pool.

jemalloc keeps the pages a load frees for the next one (a reload of a changed file, the next
upload), where mimalloc, Arrow's default, hands them back and takes them again page by page.
On the benchmark's 2-core machine that made a million events' load two to three times
slower in wall time, nearly all of it the kernel's, and its peak memory higher. An operator
picks another pool with Arrow's own ARROW_DEFAULT_MEMORY_POOL (mimalloc, system).
"""

from __future__ import annotations

import contextlib
import os
from typing import Final

import pyarrow as pa

POOL_VARIABLE: Final = "ARROW_DEFAULT_MEMORY_POOL"


def use_jemalloc() -> None:
    """Take Arrow's memory from jemalloc, unless a pool is named or jemalloc is not built in."""
    if os.environ.get(POOL_VARIABLE):
        return
    with contextlib.suppress(NotImplementedError):  # a build without it keeps its default
        pa.set_memory_pool(pa.jemalloc_memory_pool())
