"""`streamlit run` in this very process, with a counter of dataset loads.

The benchmark starts the dashboard through this module so that it can tell whether a
file loaded by one browser session is reused by the next (st.cache_resource) or loaded
again: every load appends a line to the file named by FLASHPOINT_BENCH_LOADS.
Usage: python -m bench.serve run dashboard.py [streamlit options] [-- --data PATH]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.instrument import LOADS_ENV, count_dataset_builds


def main() -> int:
    """Install the counter, then hand over to Streamlit's own command line."""
    log = os.environ.get(LOADS_ENV)
    if log:
        count_dataset_builds(Path(log))
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
