"""Which dataset is shown: the bundled one, `--data PATH|URL`, or an upload; and its report.

`--data` (or FLASHPOINT_DATA) names a file or a PostGIS table (`postgresql://...`, see
`ui.database`). A file or a table is followed live (`ui.live`): each version loads once.

Uploads can be turned off for a public, read-only deployment (`FLASHPOINT_UPLOADS=off`):
the upload control is then gone and nothing else changes. A file that cannot be read is
read once; its message is remembered with it, so a rerun shows it again without parsing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from geo.cache import LoadCache
from geo.categories import no_category_note, vocabulary_note
from geo.cli import add_reading_options
from geo.columns import (
    ColumnMap,
    ColumnsError,
    ColumnSpecError,
    FileColumns,
    columns_used,
    parse_columns,
)
from geo.database import is_database_url
from geo.dataset import Dataset
from geo.language import Language
from geo.limits import OPERATOR
from geo.live import FileVersion
from geo.messages import record_label
from geo.progress import Progress
from geo.validation import (
    MAX_FILE_BYTES,
    DatasetError,
    Problem,
    load_events,
    load_events_from_bytes,
)
from ui.columns import choice_for, column_chooser, forget_choice_unless, used_lines
from ui.database import database_dataset, show_stale_notice
from ui.language import current_language, uploader_styles
from ui.live import follow_source, last_good, record_ids, watcher
from ui.progress import LoadBar
from ui.text import plain

ROOT: Final = Path(__file__).resolve().parent.parent
BUNDLED: Final = ROOT / "data" / "locations.geojson"
DATA_ENV: Final = "FLASHPOINT_DATA"
COLUMNS_ENV: Final = "FLASHPOINT_COLUMNS"
UPLOAD_TYPES: Final = ["geojson", "json", "csv", "xlsx", "gpkg", "zip", "parquet"]
UPLOADS_ENV: Final = "FLASHPOINT_UPLOADS"
ERROR_CHARS: Final = 2000  # room for the list of columns a CSV without coordinates names
UPLOADS_OFF: Final = frozenset({"off", "0", "false", "no"})


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a file cannot be shown, and its columns when they are the reason."""

    message: str
    columns: FileColumns | None = None


Loaded = Dataset | Failure
# The server's own files (bundled, --data): loaded once per process, each mapping a few times.
FILE_LOADS: Final = LoadCache[Loaded](max_entries=8, max_bytes=4 * MAX_FILE_BYTES)
# Uploads, shared by every session that uploads the same bytes: a few, bounded in bytes,
# and gone after half an hour unused (the upload itself stays in its session and loads again).
UPLOAD_LOADS: Final = LoadCache[Loaded](
    max_entries=4, max_bytes=2 * MAX_FILE_BYTES, idle_seconds=1800
)


@dataclass(frozen=True, slots=True)
class Source:
    """A file to load: its name, what identifies its content, and its bytes or its path."""

    name: str
    key: tuple[Hashable, ...]
    size: int
    data: bytes | None = None
    path: Path | None = None
    sheet: str | None = None  # a workbook's sheet (--sheet), else its first
    dayfirst: bool | None = None  # --dayfirst / --monthfirst for dates like 03/01/2020
    version: str = ""  # a server file's content version, which the page follows live

    @property
    def server(self) -> bool:
        """The server's own file (bundled or --data), not an upload."""
        return self.path is not None


def uploads_enabled() -> bool:
    """Whether visitors may upload files (FLASHPOINT_UPLOADS=off turns uploads off)."""
    return os.environ.get(UPLOADS_ENV, "on").strip().lower() not in UPLOADS_OFF


def data_args(argv: list[str]) -> tuple[Path | None, str | None]:
    """The dataset and column mapping named by `-- --data PATH --columns SPEC` (or the
    FLASHPOINT_DATA and FLASHPOINT_COLUMNS variables)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    parser.add_argument("--columns")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    columns = args.columns or os.environ.get(COLUMNS_ENV)
    return (Path(value) if value else None), (columns or None)


def reading_options_from_args(argv: list[str]) -> tuple[str | None, bool | None]:
    """`--sheet NAME` and `--dayfirst`/`--monthfirst` beside `--data`, as the CLI takes them."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    add_reading_options(parser)
    try:
        args, _ = parser.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):  # both orders given: neither is applied
        return None, None
    return args.sheet, args.dayfirst


def data_url_from_args(argv: list[str]) -> str | None:
    """The database address named by `--data` or FLASHPOINT_DATA, if it names one (a Path
    would fold its `//`)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    args, _ = parser.parse_known_args(argv)
    value = args.data or os.environ.get(DATA_ENV)
    return value if value and is_database_url(value) else None


def load_source(source: Source, mapping: ColumnMap | None, progress: Progress | None) -> Loaded:
    """Load and index a file (nothing is written to disk), or say why it cannot be shown."""
    sheet, dayfirst = source.sheet, source.dayfirst
    try:
        if source.path is not None:
            # The operator's own file (--data, FLASHPOINT_DATA): held to the operator's limits.
            result = load_events(
                source.path, mapping, progress, sheet=sheet, dayfirst=dayfirst, limits=OPERATOR
            )
            folder = str(source.path.parent)
        else:
            data, name = source.data or b"", source.name
            result = load_events_from_bytes(
                data, name, mapping, progress, sheet=sheet, dayfirst=dayfirst
            )
            folder = None
        return Dataset.from_result(result, source.name, folder, progress)
    except ColumnsError as exc:
        return Failure(str(exc), exc.columns)
    except DatasetError as exc:
        return Failure(str(exc))


def loaded(source: Source, mapping: ColumnMap | None) -> Loaded:
    """A file loaded once per content and mapping, whichever session asks; a bar while it loads."""
    cache = FILE_LOADS if source.server else UPLOAD_LOADS
    key = (*source.key, source.name, mapping.spec() if mapping else "")
    # The bar's slot is made on every run (hidden while empty), so the elements after it keep
    # their places whether the file was cached or not.
    bar = LoadBar(source.size)
    try:
        return cache.get_or_load(key, lambda: load_source(source, mapping, bar), source.size)
    finally:
        bar.close()


def upload_source(upload: Any) -> Source:
    """An upload, identified by its bytes' digest (worked out once per uploaded file)."""
    data = upload.getvalue()
    memo = st.session_state.get("upload_digest")
    if memo is not None and memo[0] == upload.file_id:
        digest = memo[1]
    else:
        digest = hashlib.sha256(data).hexdigest()
        st.session_state.upload_digest = (upload.file_id, digest)
    st.session_state.source_key = f"upload:{digest}"  # each upload is its own source
    return Source(upload.name, ("upload", digest), len(data), data=data)


def file_source(path: Path, sheet: str | None = None, dayfirst: bool | None = None) -> Source:
    """A file on the server, identified by its path and content (a changed file loads again);
    the page follows its changes live, also while the file cannot be read."""
    key = f"file:{path}"
    st.session_state.source_key = key
    version = watcher(key, FileVersion(path)).version()
    follow_source(key, version)
    stat = path.stat()
    identity = ("file", str(path), version, sheet, dayfirst)
    return Source(
        path.name,
        identity,
        stat.st_size,
        path=path,
        sheet=sheet,
        dayfirst=dayfirst,
        version=version,
    )


def open_source(source: Source, given: ColumnMap | None, choosable: bool) -> Loaded:
    """Load with the session's chosen columns (if made for this file's columns), else `given`."""
    chosen = choice_for(None) if choosable else None
    result = loaded(source, chosen or given)
    if chosen is not None and forget_choice_unless(result.columns):
        result = loaded(source, given)
    return result


def choose_dataset() -> Dataset | None:
    """Sidebar: the dataset (bundled, --data, or an upload) and its validation report."""
    language = current_language()
    t = language.t
    for key in ("seen_key", "large_bound", "read_span"):  # set again by this run's source
        st.session_state.pop(key, None)
    st.sidebar.markdown(f"## {t('data.heading')}")
    upload = None
    if uploads_enabled():
        uploader_styles(language, MAX_FILE_BYTES // 1_000_000, UPLOAD_TYPES)
        upload = st.sidebar.file_uploader(
            t("data.upload", megabytes=MAX_FILE_BYTES // 1_000_000),
            type=UPLOAD_TYPES,
            key=f"upload_{st.session_state.get('uploads_cleared', 0)}",
        )
    url = None if upload is not None else data_url_from_args(sys.argv[1:])
    if url is not None:
        return table_dataset(url)
    # A notice that the file cannot be read goes here, in a place kept on every run: an
    # element appearing above the map would shift it in the page's tree and rebuild it.
    slot = st.empty()
    spec = None
    try:
        if upload is not None:
            st.sidebar.button(t("data.back"), key="clear_upload", on_click=clear_upload)
            source = upload_source(upload)
        else:
            path, spec = data_args(sys.argv[1:])
            sheet, dayfirst = reading_options_from_args(sys.argv[1:]) if path else (None, None)
            source = file_source(path or BUNDLED, sheet, dayfirst)
            spec = spec if path is not None else None
    except OSError as exc:
        reason = plain(exc.strerror or "not found")
        if (kept := kept_file(upload, reason, slot)) is None:
            _failed(t("data.cannot_open", reason=reason))
        return kept
    try:
        given = parse_columns(spec) if spec else None
    except ColumnSpecError as exc:
        _failed(t("data.bad_columns", reason=plain(exc)))
        return None
    # Choosing columns loads a file again: offered for uploads and, where visitors may
    # upload anyway, for the file named at start; never for the bundled data.
    choosable = source.path is None or (uploads_enabled() and source.path != BUNDLED)
    result = open_source(source, given, choosable)
    if isinstance(result, Failure):
        reason = plain(result.message, ERROR_CHARS)
        if (kept := kept_file(upload, reason, slot)) is not None:
            return kept
        _failed(t("data.cannot_show", reason=reason))
        if choosable and result.columns is not None:
            with st.container(border=True, key="column_chooser"):
                st.markdown(f"### {t('columns.heading')}")
                mapping = choice_for(result.columns) or given
                column_chooser(result.columns, columns_used(result.columns, mapping), across=3)
        return None
    if source.path is not None:
        record_ids(st.session_state.source_key, result, source.version)
        if choice_for(None) is None:  # kept for readers of the file as its address names it
            last_good(st.session_state.source_key).keep(result, source.version)
    report(result)
    if choosable and result.columns is not None:
        with st.sidebar.expander(t("columns.choose"), expanded=len(result) == 0):
            column_chooser(result.columns, result.used)
    if len(result) == 0:
        st.warning(t("data.empty"))
        return None
    return result


def table_dataset(url: str) -> Dataset | None:
    """The dataset of a PostGIS table and its report (or why it cannot be shown)."""
    try:
        dataset = database_dataset(url)
    except DatasetError as exc:  # an address that names no table we read
        dataset = str(exc)
    if isinstance(dataset, str):
        _failed(current_language().t("data.cannot_show_table", reason=plain(dataset, ERROR_CHARS)))
        return None
    report(dataset)
    if len(dataset) == 0 and dataset.span is None:  # a window of a table may be empty
        st.warning(current_language().t("data.empty"))
        return None
    return dataset


def kept_file(upload: Any, reason: str, slot: Any) -> Dataset | None:
    """The server file's last good dataset while the file cannot be read (say, half written),
    with a notice of why and as of when; None for an upload, or before any good load."""
    kept = last_good(st.session_state.get("source_key", "")).kept()
    if upload is not None or kept is None or choice_for(None) is not None:
        return None
    dataset, _, loaded_at = kept
    with slot:
        show_stale_notice(loaded_at, "data.file_stale", name=plain(dataset.name), reason=reason)
    report(dataset)
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
        for line in used_lines(dataset.used):
            st.caption(line)
        for note in (
            vocabulary_note(dataset.categories, language),
            no_category_note(dataset.categories, language),
        ):
            if note:
                st.info(plain(note, ERROR_CHARS), icon=":material/info:")
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
