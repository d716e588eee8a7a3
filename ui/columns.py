"""Choosing a file's columns: its columns with examples, a menu per field, kept in the session.

The choice is a column mapping (`geo.columns`) kept with the names of the file's columns it
was made for: another file with the same columns (next month's export) keeps it, a file with
other columns drops it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from geo.columns import (
    MAIN_TARGETS,
    TARGET_BY_KEY,
    ColumnMap,
    ColumnSpecError,
    ColumnUse,
    FileColumns,
    parse_columns,
)
from ui.language import current_language
from ui.text import plain

CHOICE_KEY: Final = "column_choice"
ERROR_KEY: Final = "column_error"
FORM_KEY: Final = "column_form"


def choice_for(columns: FileColumns | None) -> ColumnMap | None:
    """The mapping chosen in this session, if it was made for these columns (or any, if None)."""
    kept = st.session_state.get(CHOICE_KEY)
    if kept is None:
        return None
    names, spec = kept
    if columns is not None and tuple(names) != columns.names:
        return None
    try:
        return parse_columns(spec)
    except ColumnSpecError:
        return None


def forget_choice_unless(columns: FileColumns | None) -> bool:
    """Drop a choice made for other columns; True when one was dropped."""
    kept = st.session_state.get(CHOICE_KEY)
    if kept is None or columns is None or tuple(kept[0]) == columns.names:
        return False
    del st.session_state[CHOICE_KEY]
    return True


def _widget_key(target: str, columns: FileColumns) -> str:
    """Menus are keyed per set of columns, so another file starts from its own columns."""
    digest = hashlib.sha1("\x00".join(columns.names).encode(), usedforsecurity=False)
    return f"column_pick:{target}:{digest.hexdigest()[:10]}"


def examples_table(columns: FileColumns) -> pd.DataFrame:
    """One row per column of the file: its name and a few of its values, all as text."""
    return pd.DataFrame(
        {
            "column": list(columns.names),
            "examples": [" · ".join(values) for values in columns.examples],
        },
        dtype=object,
    )


def column_chooser(columns: FileColumns, used: Sequence[ColumnUse], across: int = 1) -> None:
    """The file's columns with examples and a menu per field (`across` to a row); Apply
    loads the file again."""
    t = current_language().t
    st.caption(t("columns.intro"))
    st.dataframe(
        examples_table(columns),
        hide_index=True,
        width="stretch",
        column_config={
            "column": st.column_config.TextColumn(t("columns.column")),
            "examples": st.column_config.TextColumn(t("columns.examples")),
        },
    )
    current = {use.target: use.column for use in used}
    options = ["", *columns.names]
    with st.form(FORM_KEY, border=False):
        cells = [cell for _ in range(0, len(MAIN_TARGETS), across) for cell in st.columns(across)]
        for cell, target in zip(cells, MAIN_TARGETS, strict=False):
            start = current.get(target, "")
            cell.selectbox(
                t(f"columns.target.{target}"),
                options,
                index=options.index(start) if start in options else 0,
                key=_widget_key(target, columns),
                format_func=lambda value: value or t("columns.none"),
                help=t("columns.geometry_help") if target == "geometry" else None,
            )
        apply, automatic = st.columns(2)
        apply.form_submit_button(
            t("columns.apply"),
            type="primary",
            key="columns_apply",
            on_click=apply_choice,
            args=(columns,),
        )
        automatic.form_submit_button(
            t("columns.automatic"), key="columns_automatic", on_click=clear_choice
        )
    error = st.session_state.get(ERROR_KEY)
    if error and tuple(error[0]) == columns.names:
        st.error(t("columns.invalid", reason=plain(error[1])))


def apply_choice(columns: FileColumns) -> None:
    """Keep the menus' choice for these columns (the next run loads the file with it)."""
    state: Any = st.session_state
    picked = {target: state.get(_widget_key(target, columns)) or "" for target in MAIN_TARGETS}
    try:
        mapping = ColumnMap.from_choices(picked)
    except ColumnSpecError as exc:
        state[ERROR_KEY] = (columns.names, str(exc))
        return
    state.pop(ERROR_KEY, None)
    state[CHOICE_KEY] = (columns.names, mapping.spec())


def clear_choice() -> None:
    """Go back to the columns found by their names."""
    st.session_state.pop(CHOICE_KEY, None)
    st.session_state.pop(ERROR_KEY, None)


def target_label(target: str) -> str:
    """A field's name in the page's language (the chooser's fields are translated)."""
    if target in MAIN_TARGETS:
        return current_language().t(f"columns.target.{target}")
    return TARGET_BY_KEY[target].label


def used_lines(used: Sequence[ColumnUse]) -> list[str]:
    """The report's lines: the columns chosen, then those found by name (as text)."""
    t = current_language().t
    lines = []
    for chosen, key in ((True, "data.columns_chosen"), (False, "data.columns_found")):
        listed = ", ".join(
            f"{target_label(u.target)} ← {u.column}" for u in used if u.chosen == chosen
        )
        if listed:
            lines.append(t(key, columns=plain(listed, 1000)))
    return lines
