"""A PostGIS table as the dataset: one connection pool per process, one load per version.

The table is named by `--data postgresql://...` (see `geo.database`); its changes are followed
live (`ui.live`) like a file's. When the database cannot be reached or read after a good load,
the page keeps the last good data with a notice saying as of when, and recovers by itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from ui.live import follow_source, last_good, record_ids, watcher
from ui.pushdown import extent_at, window_dataset


@st.cache_resource(show_spinner=False)
def database_pool(source: DatabaseSource) -> ConnectionPool:
    """The process's pool of connections to a database, shared by every session."""
    return open_pool(source)


@st.cache_resource(max_entries=4, show_spinner=False)
def load_database(source: DatabaseSource, version: str) -> Dataset:
    """Read a table once per process and version; a failure raises DatasetError and, not being
    cached, is tried again on a later run."""
    result = load_from_pool(database_pool(source), source)
    dataset = Dataset.from_result(result, source.table)
    record_ids(f"db:{source.database}:{source.table}", dataset, version)
    return dataset


def database_dataset(url: str) -> Dataset | str:
    """The table an address names, at its current version; the last good data while it cannot
    be read (with a notice); or why it cannot be shown."""
    source = DatabaseSource.from_url(url)
    key = f"db:{source.database}:{source.table}"
    st.session_state.source_key = key
    # The notice's place is kept on every run: an element appearing above the map would
    # shift it in the page's tree, and the browser would build the map anew.
    slot = st.empty()
    pool = database_pool(source)
    watch = watcher(key, lambda: version_from_pool(pool, source))
    version = watch.version()
    kept = last_good(key)
    if version == UNREACHABLE:  # no connection: the table is not even tried
        error = plain_error(psycopg.OperationalError(), source)
    elif not kept.may_try(version):  # it failed a moment ago: one try per process at a time
        error = kept.reason()
    else:
        try:
            extent = extent_at(pool, source, version)
            held = extent.count <= source.hold
            if held:
                with st.spinner(current_language().t("data.loading")):
                    dataset = load_database(source, version)
        except DatasetError as exc:
            kept.fail(version, str(exc))
            error = str(exc)
        else:
            follow_source(key, version)
            if not held:  # too large to hold: each reader's view is read
                return window_dataset(pool, source, version, extent)
            kept.keep(dataset, version)
            st.session_state.seen_key = key
            return dataset

    def attempt() -> None:
        """One more try at loading the version that failed (from the page's live check)."""
        try:
            if extent_at(pool, source, version).count > source.hold:
                st.rerun()  # too large to hold: the page reads its view afresh
            kept.keep(load_database(source, version), version)
        except DatasetError as exc:
            kept.fail(version, str(exc))

    follow_source(key, version, None if version == UNREACHABLE else attempt, kept.generation)
    stale = kept.kept()
    if stale is None:
        return error
    st.session_state.seen_key = key
    dataset, shown, loaded_at = stale
    with slot:
        show_stale_notice(max(loaded_at, watch.seen_at(shown) or 0.0))
    return dataset


def show_stale_notice(as_of: float, key: str = "data.stale", **values: str) -> None:
    """Say that the data shown is the last good data, as of the reader's local time."""
    language = current_language()
    zone = st.context.timezone
    try:
        when = datetime.fromtimestamp(as_of, ZoneInfo(zone) if zone else UTC)
    except (ZoneInfoNotFoundError, ValueError):
        when, zone = datetime.fromtimestamp(as_of, UTC), None
    time_text = f"{when:%H:%M}" if zone else f"{when:%H:%M} UTC"
    st.warning(
        language.t(key, time=language.native_digits(time_text), **values),
        icon=":material/cloud_off:",
    )
