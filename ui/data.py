"""Which dataset is shown: the bundled one, `--data PATH`, or an upload; and its report.

Uploads can be turned off for a public, read-only deployment (`FLASHPOINT_UPLOADS=off`):
the upload control is then gone and nothing else changes. A file that cannot be read is
read once; its message is remembered with it, so a rerun shows it again without parsing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from geo.dataset import Dataset
from geo.language import Language
from geo.messages import record_label
from geo.validation import (
    MAX_FILE_BYTES,
    DatasetError,
    Problem,
    load_events,
    load_events_from_bytes,
)
from ui.language import current_language, uploader_styles
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


def data_path_from_args(argv: list[str]) -> Path | None:
    """The dataset named by `-- --data PATH` or the FLASHPOINT_DATA variable, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    return Path(value) if value else None


@st.cache_resource(max_entries=8, show_spinner=False)
def load_file(path: str, mtime_ns: int, size: int) -> Dataset | str:
    """Load a dataset once per process (or its error); a changed file loads again."""
    try:
        return Dataset.from_result(load_events(path), Path(path).name, str(Path(path).parent))
    except DatasetError as exc:
        return str(exc)


@st.cache_resource(max_entries=4, show_spinner=False)
def load_upload(digest: str, name: str, _data: bytes) -> Dataset | str:
    """Validate an upload in memory (nothing is written to disk), or say why it cannot be."""
    try:
        return Dataset.from_result(load_events_from_bytes(_data, name), name)
    except DatasetError as exc:
        return str(exc)


def choose_dataset() -> Dataset | None:
    """Sidebar: the dataset (bundled, --data, or an upload) and its validation report."""
    language = current_language()
    t = language.t
    st.sidebar.markdown(f"## {t('data.heading')}")
    upload = None
    if uploads_enabled():
        uploader_styles(language, MAX_FILE_BYTES // 1_000_000, UPLOAD_TYPES)
        upload = st.sidebar.file_uploader(
            t("data.upload", megabytes=MAX_FILE_BYTES // 1_000_000),
            type=UPLOAD_TYPES,
            key=f"upload_{st.session_state.get('uploads_cleared', 0)}",
        )
    try:
        if upload is not None:
            st.sidebar.button(t("data.back"), key="clear_upload", on_click=clear_upload)
            data = upload.getvalue()
            with st.spinner(t("data.checking")):
                dataset = load_upload(hashlib.sha256(data).hexdigest(), upload.name, data)
        else:
            path = data_path_from_args(sys.argv[1:]) or BUNDLED
            stat = path.stat()
            with st.spinner(t("data.loading")):
                dataset = load_file(str(path), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        _failed(t("data.cannot_open", reason=plain(exc.strerror or "not found")))
        return None
    if isinstance(dataset, str):
        _failed(t("data.cannot_show", reason=plain(dataset, ERROR_CHARS)))
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
    """The validation report: counts and the first problems, in the reader's language."""
    shown, problems = len(dataset), dataset.problems
    language = current_language()
    t = language.t
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
            st.dataframe(problem_table(problems[:200], language), hide_index=True, width="stretch")
        else:
            st.caption(t("data.no_problems"))


def problem_table(problems: Sequence[Problem], language: Language) -> pd.DataFrame:
    """The report's table: each problem's record, field, message and outcome in a language.

    A right-to-left reader reads the columns from the right: the record comes first there.
    """
    t = language.t
    outcome = {True: t("report.left_out"), False: t("report.kept")}
    table = pd.DataFrame(
        {
            t("report.record"): [record_label(p.where, language) for p in problems],
            t("report.field"): [p.field for p in problems],
            t("report.problem"): [p.text(language) for p in problems],
            t("report.outcome"): [outcome[p.dropped] for p in problems],
        }
    )
    return table.iloc[:, ::-1] if language.rtl else table
