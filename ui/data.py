"""Which dataset is shown: the bundled one, `--data PATH|URL`, or an upload; and its report.

`--data` (or FLASHPOINT_DATA) names a file or a PostGIS table (`postgresql://...`, see
`geo.database`). A file or table is followed live (`ui.live`): each version loads once per
process; a database's connections come from one pool per process, shared by all sessions.

Uploads can be turned off for a public, read-only deployment (`FLASHPOINT_UPLOADS=off`):
the upload control is then gone and nothing else changes. A file that cannot be read is
read once; its message is remembered with it, so a rerun shows it again without parsing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Final

import pandas as pd
import psycopg
import streamlit as st
from psycopg_pool import ConnectionPool

from geo.database import (
    UNREACHABLE,
    DatabaseSource,
    is_database_url,
    load_from_pool,
    open_pool,
    plain_error,
    version_from_pool,
)
from geo.dataset import Dataset
from geo.live import FileVersion
from geo.validation import MAX_FILE_BYTES, DatasetError, load_events, load_events_from_bytes
from ui.language import current_language
from ui.live import follow_source, record_ids, watcher
from ui.text import plain

ROOT: Final = Path(__file__).resolve().parent.parent
BUNDLED: Final = ROOT / "data" / "locations.geojson"
DATA_ENV: Final = "FLASHPOINT_DATA"
UPLOAD_TYPES: Final = ["geojson", "json", "csv", "gpkg", "zip"]
UPLOADS_ENV: Final = "FLASHPOINT_UPLOADS"
ERROR_CHARS: Final = 2000  # room for the list of columns a CSV without coordinates names
UPLOADS_OFF: Final = frozenset({"off", "0", "false", "no"})


def uploads_enabled() -> bool:
    """Whether visitors may upload files (FLASHPOINT_UPLOADS=off turns uploads off)."""
    return os.environ.get(UPLOADS_ENV, "on").strip().lower() not in UPLOADS_OFF


def data_value_from_args(argv: list[str]) -> str | None:
    """The source named by `-- --data PATH|URL` or the FLASHPOINT_DATA variable, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    return value or None


def data_path_from_args(argv: list[str]) -> Path | None:
    """The file named by `--data` or FLASHPOINT_DATA, if it names a file."""
    value = data_value_from_args(argv)
    return Path(value) if value and not is_database_url(value) else None


@st.cache_resource(max_entries=8, show_spinner="Loading events…")
def load_file(path: str, version: str) -> Dataset | str:
    """Load a dataset once per process and version (or its error); a changed file loads again."""
    try:
        dataset = Dataset.from_result(load_events(path), Path(path).name, str(Path(path).parent))
    except DatasetError as exc:
        return str(exc)
    record_ids(f"file:{path}", dataset)
    return dataset


@st.cache_resource(show_spinner=False)
def database_pool(source: DatabaseSource) -> ConnectionPool:
    """The process's pool of connections to a database, shared by every session."""
    return open_pool(source)


@st.cache_resource(max_entries=4, show_spinner="Loading events…")
def load_database(source: DatabaseSource, version: str) -> Dataset | str:
    """Read a table once per process and version (or the reason it cannot be read)."""
    try:
        result = load_from_pool(database_pool(source), source)
        dataset = Dataset.from_result(result, source.table)
    except DatasetError as exc:
        return str(exc)
    record_ids(f"db:{source.database}:{source.table}", dataset)
    return dataset


def source_dataset(value: str | None) -> Dataset | str:
    """The dataset of `--data` (or the bundled file), following the source's version."""
    if value is not None and is_database_url(value):
        source = DatabaseSource.from_url(value)
        key = f"db:{source.database}:{source.table}"
        pool = database_pool(source)
        version = watcher(key, lambda: version_from_pool(pool, source)).version()
        dataset = (
            plain_error(psycopg.OperationalError(), source)
            if version == UNREACHABLE
            else load_database(source, version)
        )
    else:
        path = Path(value) if value else BUNDLED
        path.stat()  # an absent file says so plainly
        key = f"file:{path}"
        version = watcher(key, FileVersion(path)).version()
        dataset = load_file(str(path), version)
    st.session_state.source_key = key
    follow_source(key, version)
    return dataset


@st.cache_resource(max_entries=4, show_spinner="Checking the uploaded file…")
def load_upload(digest: str, name: str, _data: bytes) -> Dataset | str:
    """Validate an upload in memory (nothing is written to disk), or say why it cannot be."""
    try:
        return Dataset.from_result(load_events_from_bytes(_data, name), name)
    except DatasetError as exc:
        return str(exc)


def choose_dataset() -> Dataset | None:
    """Sidebar: the dataset (bundled, --data, or an upload) and its validation report."""
    t = current_language().t
    st.sidebar.markdown(f"### {t('data.heading')}")
    upload = None
    if uploads_enabled():
        upload = st.sidebar.file_uploader(
            t("data.upload", megabytes=MAX_FILE_BYTES // 1_000_000),
            type=UPLOAD_TYPES,
            key=f"upload_{st.session_state.get('uploads_cleared', 0)}",
        )
    try:
        if upload is not None:
            st.sidebar.button(t("data.back"), key="clear_upload", on_click=clear_upload)
            data = upload.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            dataset = load_upload(digest, upload.name, data)
            st.session_state.source_key = f"upload:{digest}"  # each upload is its own source
        else:
            dataset = source_dataset(data_value_from_args(sys.argv[1:]))
    except DatasetError as exc:  # a database address that names no table we read
        _failed(f"The dataset cannot be opened: {plain(str(exc), ERROR_CHARS)}")
        return None
    except OSError as exc:
        _failed(f"The dataset cannot be opened: {plain(exc.strerror or 'not found')}")
        return None
    if isinstance(dataset, str):
        what = "table" if st.session_state.get("source_key", "").startswith("db:") else "file"
        _failed(f"This {what} cannot be shown: {plain(dataset, ERROR_CHARS)}")
        return None
    report(dataset)
    if len(dataset) == 0:
        st.warning(t("data.empty"))
        return None
    return dataset


def _failed(message: str) -> None:
    """Show why nothing can be shown; the next dataset then starts from the address bar.

    The page's widgets were not drawn on this run, so Streamlit dropped their state.
    """
    st.error(message)
    st.session_state.pop("dataset_token", None)


def clear_upload() -> None:
    """Forget the upload (a fresh uploader replaces it), which brings back the bundled data."""
    st.session_state.uploads_cleared = st.session_state.get("uploads_cleared", 0) + 1


def report(dataset: Dataset) -> None:
    """The validation report: counts and the first problems."""
    shown, problems = len(dataset), dataset.problems
    t = current_language().t
    name = plain(dataset.name, 120)
    label = (
        t("data.summary_problems", name=name, events=shown, problems=len(problems))
        if problems
        else t("data.summary", name=name, events=shown)
    )
    with st.sidebar.expander(label, expanded=bool(problems) and shown == 0):
        st.caption(t("data.read", kind=plain(dataset.kind), records=dataset.records, shown=shown))
        if problems:
            dropped = len({p.where for p in problems if p.dropped})
            st.caption(t("data.left_out", dropped=dropped))
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "record": p.where,
                            "field": p.field,
                            "problem": p.message,
                            "outcome": "left out" if p.dropped else "kept",
                        }
                        for p in problems[:200]
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(t("data.no_problems"))
