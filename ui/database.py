"""A PostGIS table as the dataset: one connection pool per process, one load per version.

The table is named by `--data postgresql://...` (see `geo.database`); its changes are followed
live (`ui.live`) like a file's.
"""

from __future__ import annotations

import psycopg
import streamlit as st
from psycopg_pool import ConnectionPool

from geo.database import (
    UNREACHABLE,
    DatabaseSource,
    load_from_pool,
    open_pool,
    plain_error,
    version_from_pool,
)
from geo.dataset import Dataset
from geo.table import DatasetError
from ui.language import current_language
from ui.live import follow_source, record_ids, watcher
from ui.pushdown import extent_at, window_dataset


@st.cache_resource(show_spinner=False)
def database_pool(source: DatabaseSource) -> ConnectionPool:
    """The process's pool of connections to a database, shared by every session."""
    return open_pool(source)


@st.cache_resource(max_entries=4, show_spinner=False)
def load_database(source: DatabaseSource, version: str) -> Dataset | str:
    """Read a table once per process and version (or the reason it cannot be read)."""
    try:
        result = load_from_pool(database_pool(source), source)
        dataset = Dataset.from_result(result, source.table)
    except DatasetError as exc:
        return str(exc)
    record_ids(f"db:{source.database}:{source.table}", dataset, version)
    return dataset


def database_dataset(url: str) -> Dataset | str:
    """The table an address names, at its current version (or why it cannot be shown)."""
    source = DatabaseSource.from_url(url)
    key = f"db:{source.database}:{source.table}"
    st.session_state.source_key = key
    pool = database_pool(source)
    version = watcher(key, lambda: version_from_pool(pool, source)).version()
    follow_source(key, version)
    if version == UNREACHABLE:  # no connection: the table is not even tried
        return plain_error(psycopg.OperationalError(), source)
    try:
        extent = extent_at(pool, source, version)
    except DatasetError as exc:
        return str(exc)
    if extent.count > source.hold:  # too large to hold: each reader's view is read
        return window_dataset(pool, source, version, extent)
    st.session_state.seen_key = key
    with st.spinner(current_language().t("data.loading")):
        return load_database(source, version)
