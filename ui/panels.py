"""The panels of the page: sidebar filters, the map, the detail panel and the event list."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import streamlit as st
from streamlit_folium import st_folium

from geo.categories import category_label
from geo.dataset import Dataset
from geo.detail import count_labels, render_event_html
from geo.export import to_acled_csv_bytes, to_geojson_bytes
from geo.language import GREGORIAN, Language
from geo.maps import build_base_map, build_events_layer, fit_bounds
from geo.payload import (
    EventColumns,
    MapConfig,
    build_event_columns,
    legend_counts,
    without_counts,
)
from geo.share import BASEMAPS, SETTINGS
from geo.timeline import MODES, Filter, Shown
from geo.translations import EventTexts, load_event_texts, translation_of
from ui.language import current_language
from ui.live import is_new, new_rows, seen_key
from ui.state import filter_key, filters, on_table_select, select_event

MAP_HEIGHT: Final = 620
LIST_LIMIT: Final = 50
LIST_SOURCES: Final = ("event_date", "title", "event_type", "location", "fatalities")
LIST_HEADINGS: Final = ("list.date", "list.event", "list.type", "list.place", "list.killed")
LISTED_CELLS: Final = 200_000  # rows whose list cells a dataset and language keep at most
DAY_LIST_LIMIT: Final = 12


def sidebar_controls(dataset: Dataset) -> None:
    """Filters with counts, mode, basemap."""
    lang = current_language()
    t = lang.t
    st.sidebar.markdown(f"## {t('filters.heading')}")
    for label, column, key, options in (
        ("filters.type", "event_type", "types", dataset.type_options),
        ("filters.actor", "actor", "actors", None),
        ("filters.country", "country", "countries", None),
    ):
        counts = dataset.counts(column)
        chosen = st.session_state.get(filter_key(key), ())
        st.sidebar.multiselect(
            t(label),
            dataset.filter_options(column, chosen) if options is None else options,
            key=filter_key(key),
            placeholder=t("filters.placeholder"),
            format_func=lambda value, counts=counts, typed=options is not None: (
                f"{category_label(value, lang)} ({lang.number(dataset.categories.count(value))})"
                if typed
                else f"{value} ({lang.number(counts.get(value, 0))})"
            ),
        )
        note = dataset.filter_note(column, lang) if options is None else dataset.type_note(lang)
        if note:
            st.sidebar.caption(note)
    st.sidebar.markdown(f"## {t('time.heading')}")
    st.sidebar.radio(
        t("time.show"),
        MODES,
        key="mode",
        horizontal=True,
        help=SETTINGS["mode"].help,
        format_func=lambda m: t("time.cumulative") if m == "cumulative" else t("time.window"),
    )
    if st.session_state.mode == "window":
        window = SETTINGS["window"]
        low, high = int(window.low or 1), int(window.high or 1)
        st.sidebar.number_input(t("time.days"), low, high, key="window", help=window.help)
    st.sidebar.markdown(f"## {t('map.heading')}")
    st.sidebar.selectbox(
        t("map.basemap"),
        list(BASEMAPS),
        key="basemap",
        format_func=BASEMAPS.__getitem__,
        help=t("map.basemap_help"),
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def event_texts(token: str, _dataset: Dataset) -> EventTexts:
    """The translations kept in a dataset's file on disk (an upload brings none)."""
    if _dataset.folder is None:
        return {}
    return load_event_texts(Path(_dataset.folder) / _dataset.name)


@st.cache_resource(max_entries=32, show_spinner=False)
def filter_mask(token: str, chosen: tuple[tuple[str, ...], ...], _dataset: Dataset) -> np.ndarray:
    """The events passing a dataset's filters, worked out once for all sessions (read only)."""
    mask = _dataset.filter_mask(*chosen)
    mask.flags.writeable = False
    return mask


@st.cache_resource(max_entries=32, show_spinner=False)
def counted_filter(token: str, chosen: tuple[tuple[str, ...], ...], _dataset: Dataset) -> Filter:
    """A dataset's filters with their running counts, made once for all sessions (read only)."""
    counted = Filter.of(filter_mask(token, chosen, _dataset))
    counted.before.flags.writeable = False
    return counted


def chosen_filter(dataset: Dataset) -> Filter:
    """The filters this session has chosen, counted for date steps."""
    chosen = tuple(tuple(values) for values in filters())
    return counted_filter(st.session_state.dataset_token, chosen, dataset)


@st.cache_resource(max_entries=32, show_spinner=False)
def events_layer_json(
    token: str, chosen: tuple[tuple[str, ...], ...], lang: str, _dataset: Dataset
) -> Any:
    """The event columns for a dataset, filters and language, built once for all sessions."""
    columns = build_event_columns(_dataset.map_data, filter_mask(token, chosen, _dataset))
    texts = event_texts(token, _dataset)
    if texts and "title" in columns:
        ids = _dataset.events["id"].to_numpy()
        columns["title"] = [
            translation_of(texts, str(ids[row]), lang).get("title", title)
            for row, title in zip(columns["row"], columns["title"], strict=True)
        ]
    return columns


@st.cache_resource(max_entries=16, show_spinner=False)
def map_parts(
    token: str, map_token: str, lang: str, _dataset: Dataset
) -> tuple[MapConfig, list[int]]:
    """The base map's configuration and the legend's counts, made once per dataset (each
    version of a source is its own) and language for all sessions.

    The base map leaves the counts out: a new version of the source that fits it (same range,
    categories, focus) updates the events and the legend's counts in place.
    """
    config = _dataset.map_config(map_token, Language(lang))
    return without_counts(config), legend_counts(config)


def draw_map(dataset: Dataset, height: int = MAP_HEIGHT) -> None:
    """The map: a base map that never reloads, and the events of the dataset and filters.

    It returns nothing to Python: a pan never reruns the app (the map writes its view into
    the address itself); the date and clicked markers come back through the bridge, with the
    view riding along.
    """
    state = st.session_state
    language = current_language()
    origin_key = (state.map_token, state.basemap)
    if state.map_origin is None or state.map_origin[0] != origin_key:
        bounds = None
        view = state.map_view
        if view is not None:
            center, zoom = (view[0], view[1]), view[2]
        else:
            data = dataset.map_data
            bounds = fit_bounds(data.x / 1e5, data.y / 1e5)
            center, zoom = (33.3, 44.4), 6
        state.map_origin = (origin_key, center, zoom, bounds)
    _, center, zoom, bounds = state.map_origin
    config, counts = map_parts(state.dataset_token, state.map_token, language.code, dataset)
    base = build_base_map(
        basemap=state.basemap,
        config=config,
        center=center,
        zoom=zoom,
        bounds=bounds,
    )
    chosen = tuple(tuple(values) for values in filters())
    cached: EventColumns = events_layer_json(state.dataset_token, chosen, language.code, dataset)
    columns = cached.copy()  # the cached columns are shared by every session
    columns["counts"] = counts
    columns["dataset"] = state.dataset_token  # a pick names these events, not the next ones
    fresh = new_rows(seen_key(), dataset)
    if len(fresh):
        columns["new"] = fresh.tolist()
    st_folium(
        base,
        key="map",
        height=height,
        use_container_width=True,
        returned_objects=[],
        feature_group_to_add=build_events_layer(columns),
    )


def draw_detail(dataset: Dataset, current: Shown) -> None:
    """The selected event, or what happened on the day."""
    state = st.session_state
    lang = current_language()
    texts = event_texts(state.dataset_token, dataset)
    event = dataset.event(state.event) if state.event else None
    if event is not None:
        if is_new(seen_key(), event.id):
            st.badge(lang.t("live.new"), color="green")
        translation = translation_of(texts, event.id, lang.code)
        st.html(render_event_html(event, lang, translation, dataset.categories))
        if st.button(lang.t("detail.clear"), key="clear_event"):
            select_event(None)
            st.rerun(scope="fragment")
        return
    st.markdown(f"### {lang.t('detail.today')}")
    if len(current):
        ids, titles = list_ids(state.dataset_token, dataset), dataset.map_data.titles
        lines = [
            f"• {translation_of(texts, ids[r], lang.code).get('title', titles[r])}"
            for r in current.oldest(DAY_LIST_LIMIT).tolist()
        ]
        if len(current) > DAY_LIST_LIMIT:
            lines.append(lang.t("detail.more", count=len(current) - DAY_LIST_LIMIT))
        st.text("\n".join(lines))
        st.caption(lang.t("detail.hint"))
    else:
        st.caption(lang.t("detail.none"))


@st.cache_resource(max_entries=8, show_spinner=False)
def list_ids(token: str, _dataset: Dataset) -> np.ndarray:
    """Every event's id as text, in the dataset's order, made once."""
    return _dataset.events["id"].astype(str).to_numpy(dtype=object)


@st.cache_resource(max_entries=16, show_spinner=False)
def listed_cells(token: str, lang: str) -> dict[int, tuple[Any, ...]]:
    """The event list's cells of each row listed so far, per dataset and language, shared by
    all sessions: filled as rows are first listed, so a date step formats only new rows."""
    return {}


def list_columns(dataset: Dataset, rows: np.ndarray, language: Language) -> dict[str, np.ndarray]:
    """The event list's columns for the listed rows only, headed in a language.

    No column is made for every event of a dataset (a large table's window is new per pan):
    a row's cells are made the first time it is listed and kept (up to LISTED_CELLS rows).
    """
    cells = listed_cells(st.session_state.dataset_token, language.code)
    wanted = rows.tolist()
    missing = [r for r in wanted if r not in cells]
    if missing:
        if len(cells) + len(missing) > LISTED_CELLS:
            cells.clear()
        made = _list_cells(dataset, np.asarray(missing, dtype=np.intp), language)
        cells.update(zip(missing, made, strict=True))
    table = [cells[r] for r in wanted]
    return {
        language.t(key): np.asarray([row[k] for row in table], dtype=object)
        for k, key in enumerate(LIST_HEADINGS)
    }


@st.cache_resource(max_entries=8, show_spinner=False)
def list_sources(token: str, _dataset: Dataset) -> dict[str, Any]:
    """The table's columns the event list reads, as arrays to take rows from (Arrow-backed
    ones as they are, no copy): a Series' own row lookup costs far more per call."""
    events = _dataset.events
    arrays: dict[str, Any] = {"event_date": events["event_date"].to_numpy(dtype="datetime64[D]")}
    for name in LIST_SOURCES[1:]:
        values = events[name].array
        arrays[name] = (
            pa.array(values) if hasattr(values, "__arrow_array__") else np.asarray(values)
        )
    return arrays


def _taken(values: Any, rows: np.ndarray) -> list[Any]:
    """Some rows of a column as Python values."""
    if isinstance(values, np.ndarray):
        return list(values[rows].tolist())
    return list(values.take(pa.array(rows, pa.int64())).to_pylist())


def _list_cells(dataset: Dataset, rows: np.ndarray, language: Language) -> list[tuple[Any, ...]]:
    """The event list's cells of some rows, read from the table at those rows alone."""
    token = st.session_state.dataset_token
    at = {name: _taken(values, rows) for name, values in list_sources(token, dataset).items()}
    texts = event_texts(token, dataset)
    ids = list_ids(token, dataset)[rows]
    labels = {key: category_label(key, language) for key in dataset.event_types}
    days = [
        d.isoformat() if language.calendar == GREGORIAN else language.short_day(d)
        for d in at["event_date"]
    ]
    titles = [
        translation_of(texts, i, language.code).get("title", title)
        for i, title in zip(ids, at["title"], strict=True)
    ]
    kinds = [labels.get(key) for key in at["event_type"]]
    killed = [
        language.t("claims.unknown") if v == "unknown" else language.native_digits(v)
        for v in count_labels(at["fatalities"])
    ]
    return list(zip(days, titles, kinds, at["location"], killed, strict=True))


def draw_event_list(dataset: Dataset, visible: Shown) -> None:
    """Visible events, newest first; choosing a row selects the event.

    It is the map's text alternative, and the part of a date change that costs the most,
    so it lists only the newest events and reads the table at their rows alone.
    """
    listed = visible.newest(LIST_LIMIT)
    count = len(visible)
    token = st.session_state.dataset_token
    ids = list_ids(token, dataset)[listed].tolist()
    lang = current_language()
    # An Arrow table straight from the arrays: Streamlit sends it without a pandas round trip.
    listed_columns = list_columns(dataset, listed, lang)
    fresh = np.isin(listed, new_rows(seen_key(), dataset))
    if fresh.any():
        titles = listed_columns[lang.t("list.event")].copy()
        titles[fresh] = [f"{lang.t('live.new')} · {title}" for title in titles[fresh]]
        listed_columns[lang.t("list.event")] = titles
    table = pa.table(
        {name: pa.array(values, pa.string()) for name, values in listed_columns.items()}
    )
    st.markdown(f"### {lang.t('list.heading', count=count)}")
    st.caption(
        lang.t("list.caption_more", listed=LIST_LIMIT, count=count)
        if count > LIST_LIMIT
        else lang.t("list.caption")
    )
    st.dataframe(
        table,
        key="event_table",
        on_select=lambda: on_table_select(ids),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=280,
    )
    st.session_state.setdefault("shown", {})["rows"] = visible


def draw_downloads(dataset: Dataset) -> None:
    """Sidebar: download exactly the events shown, as GeoJSON or as CSV with ACLED's columns.

    The buttons live outside the map's fragment so that a pan or a slider step never
    replaces them under the user's click; what they export is read when clicked.
    """
    shown: dict[str, Any] = st.session_state.setdefault("shown", {})
    stem = f"flashpoint-{Path(dataset.name).stem}"

    def rows() -> Any:
        visible = shown.get("rows")
        return dataset.events if visible is None else dataset.events.iloc[visible.rows()]

    t = current_language().t
    st.sidebar.markdown(f"## {t('export.heading')}")
    st.sidebar.download_button(
        "GeoJSON",
        data=lambda: to_geojson_bytes(rows()),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        key="download_geojson",
        on_click="ignore",
        width="stretch",
    )
    st.sidebar.download_button(
        t("export.csv"),
        data=lambda: to_acled_csv_bytes(rows()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_csv",
        on_click="ignore",
        width="stretch",
    )
