"""The naive dashboard the benchmark compares against: a fresh map of markers on every rerun.

A new `folium.Map` with one `folium.Marker` per visible event, handed whole to `st_folium`
each time the slider moves. Same data loading (cached) and the same slider key as the real
dashboard, so only the cost of a step differs. Run it with FLASHPOINT_DATA=PATH.
"""

from __future__ import annotations

import os
from datetime import timedelta

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.validation import load_events


@st.cache_resource
def load(path: str) -> pd.DataFrame:
    """The validated events, loaded once per process like the dashboard's."""
    events: pd.DataFrame = load_events(path).events
    return events


events = load(os.environ["FLASHPOINT_DATA"])
days = events["event_date"].dt.date
day = st.slider(
    "Date", min_value=days.iloc[0], max_value=days.iloc[-1], key="date", step=timedelta(days=1)
)
shown = events.loc[(days <= day).to_numpy()]
fmap = folium.Map(location=[33.0, 47.0], zoom_start=5)
points = shown.geometry.representative_point()
for x, y, title in zip(points.x, points.y, shown["title"], strict=True):
    folium.Marker([y, x], tooltip=title, popup=title).add_to(fmap)
st_folium(fmap, key="naive", height=600, width=None, returned_objects=[])
