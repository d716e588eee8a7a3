"""Which dataset is shown: the bundled one, `--data PATH`, or an upload; and its report."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from geo.dataset import Dataset
from geo.io import MAX_FILE_BYTES, DatasetError, load_events, load_events_from_bytes
from ui.language import current_language

ROOT: Final = Path(__file__).resolve().parent.parent
BUNDLED: Final = ROOT / "data" / "locations.geojson"
DATA_ENV: Final = "FLASHPOINT_DATA"
UPLOAD_TYPES: Final = ["geojson", "json", "csv", "gpkg", "zip"]


def data_path_from_args(argv: list[str]) -> Path | None:
    """The dataset named by `-- --data PATH` or the FLASHPOINT_DATA variable, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    return Path(value) if value else None


@st.cache_resource(max_entries=8, show_spinner="Loading events…")
def load_file(path: str, mtime_ns: int, size: int) -> Dataset:
    """Load a dataset once per process; a changed file (mtime/size) loads again."""
    return Dataset.from_result(load_events(path), Path(path).name, str(Path(path).parent))


@st.cache_resource(max_entries=4, show_spinner="Checking the uploaded file…")
def load_upload(digest: str, name: str, _data: bytes) -> Dataset:
    """Validate an upload in memory; nothing is written to disk."""
    return Dataset.from_result(load_events_from_bytes(_data, name), name)


def choose_dataset() -> Dataset | None:
    """Sidebar: the dataset (bundled, --data, or an upload) and its validation report."""
    t = current_language().t
    st.sidebar.markdown(f"### {t('data.heading')}")
    upload = st.sidebar.file_uploader(
        t("data.upload", megabytes=MAX_FILE_BYTES // 1_000_000),
        type=UPLOAD_TYPES,
        key=f"upload_{st.session_state.get('uploads_cleared', 0)}",
    )
    try:
        if upload is not None:
            st.sidebar.button(t("data.back"), key="clear_upload", on_click=clear_upload)
            data = upload.getvalue()
            dataset = load_upload(hashlib.sha256(data).hexdigest(), upload.name, data)
        else:
            path = data_path_from_args(sys.argv[1:]) or BUNDLED
            stat = path.stat()
            dataset = load_file(str(path), stat.st_mtime_ns, stat.st_size)
    except DatasetError as exc:
        st.error(f"This file cannot be shown: {exc}")
        return None
    except OSError as exc:
        st.error(f"The dataset cannot be opened: {exc.strerror or exc}")
        return None
    report(dataset)
    if len(dataset) == 0:
        st.warning(t("data.empty"))
        return None
    return dataset


def clear_upload() -> None:
    """Forget the upload (a fresh uploader replaces it), which brings back the bundled data."""
    st.session_state.uploads_cleared = st.session_state.get("uploads_cleared", 0) + 1


def report(dataset: Dataset) -> None:
    """The validation report: counts and the first problems."""
    shown, problems = len(dataset), dataset.problems
    t = current_language().t
    label = (
        t("data.summary_problems", name=dataset.name, events=shown, problems=len(problems))
        if problems
        else t("data.summary", name=dataset.name, events=shown)
    )
    with st.sidebar.expander(label, expanded=bool(problems) and shown == 0):
        st.caption(t("data.read", kind=dataset.kind, records=dataset.records, shown=shown))
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
