"""A progress bar for a long load: the stages the loader in `geo` reports, as they happen."""

from __future__ import annotations

import time
from typing import Final

import streamlit as st

from ui.language import current_language

# A load this much into its work, or of a file this big, gets a bar: a 2.3 MB CSV of 20,000
# rows took 2.1 s to load on a busy 2-core machine, one of 0.6 MB 0.7 s; a bar that only
# flashes is noise.
SHOW_AFTER_SECONDS: Final = 0.3
SHOW_FROM_BYTES: Final = 2_000_000


class LoadBar:
    """Hands `geo`'s loader a `progress(stage, fraction)` callable that draws a bar."""

    def __init__(self, size: int) -> None:
        self._start = time.monotonic()
        self._slot = st.empty()
        self._shown = size >= SHOW_FROM_BYTES
        self.stages: list[str] = []  # the stages reported, in order

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.stages or self.stages[-1] != stage:
            self.stages.append(stage)
        if not self._shown and time.monotonic() - self._start < SHOW_AFTER_SECONDS:
            return
        self._shown = True
        t = current_language().t
        self._slot.progress(min(max(fraction, 0.0), 1.0), text=t(f"load.{stage}"))

    def close(self) -> None:
        """Take the bar away once the load is done."""
        self._slot.empty()
