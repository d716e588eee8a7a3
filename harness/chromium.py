"""Where Chromium is and how it is started, for the benchmark, the load test and the tests.

Playwright cannot download a browser here, so every run uses Debian's Chromium with the same
flags (no background networking: this machine has no internet to reach).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

CHROMIUM_ENV: Final = "FLASHPOINT_CHROMIUM"
DEFAULT_CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path:
    """Debian's Chromium, or the one FLASHPOINT_CHROMIUM names."""
    return Path(os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM))
