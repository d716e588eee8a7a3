"""Live data in the page: each session follows its source's version and reruns when it changes.

The process keeps one watcher per source (`geo.live.VersionWatcher`: the source is asked at
most once per interval, whatever the number of sessions). Each session runs a small fragment
every few seconds that compares that version with the one it drew and, when they differ,
reruns the whole page: the dataset loads again (once per version per process) and
`ui.state.init_state` carries the reader's date, selection, filters and map view over.
When the source cannot be read, the page keeps the last good dataset (`last_good`) and tries
again by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import streamlit as st

from geo.dataset import Dataset
from geo.live import FirstSeen, LastGood, VersionWatcher

FOLLOW_EVERY_S: Final = 3.0


@st.cache_resource(show_spinner=False)
def _watchers() -> dict[str, VersionWatcher]:
    """The process's watchers, one per source key."""
    return {}


@st.cache_resource(show_spinner=False)
def _first_seen() -> dict[str, FirstSeen]:
    """When the process first saw each event, one record per source key."""
    return {}


@st.cache_resource(show_spinner=False)
def _last_good() -> dict[str, LastGood[Dataset]]:
    """The last dataset each source gave, kept for when it cannot be read."""
    return {}


def last_good(key: str) -> LastGood[Dataset]:
    """The process's last good dataset of a source (made on first use)."""
    return _last_good().setdefault(key, LastGood())


def watcher(key: str, read: Callable[[], str]) -> VersionWatcher:
    """The process's watcher of a source (made on first use)."""
    return _watchers().setdefault(key, VersionWatcher(read))


def record_ids(key: str, dataset: Dataset, version: str) -> None:
    """Note the events of a newly loaded version of a source (the work is done once per version)."""
    _first_seen().setdefault(key, FirstSeen()).record(dataset.row_of_id, version=version)


def new_rows(key: str | None, dataset: Dataset) -> np.ndarray:
    """Rows of events that arrived while the process was serving the source, newest first."""
    seen = _first_seen().get(key or "")
    if seen is None:
        return np.zeros(0, dtype=np.int64)
    rows = [dataset.row_of_id[i] for i in seen.new_ids() if i in dataset.row_of_id]
    return np.asarray(sorted(rows, reverse=True), dtype=np.int64)


def seen_key() -> str | None:
    """Where this run's events were recorded as first seen: the source, or a large table's
    window (`ui.pushdown`)."""
    state = st.session_state
    return state.get("seen_key") or state.get("source_key")


def is_new(key: str | None, event_id: str) -> bool:
    """Whether an event arrived while the process was serving the source (recently)."""
    seen = _first_seen().get(key or "")
    return seen is not None and event_id in seen.new_ids()


@st.fragment(run_every=FOLLOW_EVERY_S)
def follow_source(
    key: str, drawn: str, retry: Callable[[], object] | None = None, generation: int = 0
) -> None:
    """Rerun the page when the source's version is no longer the one drawn. A page drawn after
    a failed load (`retry`) also reruns once a load succeeds: its own try (one per process per
    RETRY_S) or another session's (the last good dataset's `generation` moved on)."""
    found = _watchers().get(key)
    if found is None:
        return
    if found.version() != drawn:
        st.rerun()
    if retry is None:
        return
    kept = last_good(key)
    if kept.generation == generation and kept.claim(drawn):
        retry()
    if kept.generation != generation:
        st.rerun()
