"""The timeline chart under the map: events per day by type, with a rule at the current date."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, Final

import altair as alt
import pandas as pd

from geo.model import CATEGORIES

DAY_SELECTION: Final = "day_pick"
DAY_PLACEHOLDER: Final = "__flashpoint_day__"


def build_timeline_chart(counts: pd.DataFrame, at: date, start: date, end: date) -> alt.LayerChart:
    """Stacked bars of events per day by type between two dates; clicking a bar picks its day."""
    return _build(counts, at.isoformat(), start, end)


def build_timeline_spec(counts: pd.DataFrame, start: date, end: date) -> str:
    """The chart as Vega-Lite JSON, built and validated once, with the current day left open.

    Building and validating the spec is most of a chart's cost; a slider step only moves the
    rule, so it fills the day into this text (`timeline_spec_at`) instead.
    """
    return json.dumps(_build(counts, DAY_PLACEHOLDER, start, end).to_dict())


def timeline_spec_at(spec: str, at: date) -> dict[str, Any]:
    """The chart with the rule at a given day."""
    return dict(json.loads(spec.replace(DAY_PLACEHOLDER, at.isoformat())))


def _build(counts: pd.DataFrame, at: str, start: date, end: date) -> alt.LayerChart:
    domain = [c.name for c in CATEGORIES]
    colors = [c.color for c in CATEGORIES]
    frame = counts.copy()
    frame = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]
    # Browsers read "YYYY-MM-DD" as midnight UTC, so days go on a UTC scale and the tooltip's
    # day is written here: in the browser's own time zone, west of UTC showed every day early.
    frame["label"] = frame["day"].dt.strftime("%a %d %b %Y")
    frame["next"] = (frame["day"] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")
    pick = alt.selection_point(name=DAY_SELECTION, fields=["day"], on="click", clear=False)
    # Each day's bar spans the day, so the axis runs to the end of the last day.
    scale = alt.Scale(type="utc", domain=[start.isoformat(), (end + timedelta(days=1)).isoformat()])
    bars = (
        alt.Chart(frame)
        .mark_bar(cursor="pointer", binSpacing=1)
        .encode(
            # A day's bar spans the whole day, so it is wide enough to click.
            x=alt.X("day:T", title=None, scale=scale, axis=alt.Axis(format="%d %b %Y")),
            x2="next:T",
            y=alt.Y("sum(count):Q", title="Events"),
            color=alt.Color(
                "event_type:N",
                scale=alt.Scale(domain=domain, range=colors),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Day"),
                alt.Tooltip("event_type:N", title="Type"),
                alt.Tooltip("count:Q", title="Events"),
            ],
        )
        .add_params(pick)
    )
    rule = (
        alt.Chart(pd.DataFrame({"day": [at]}))
        .mark_rule(color="#ffffff", strokeWidth=2, strokeDash=[4, 3])
        .encode(x=alt.X("day:T", scale=scale))
    )
    return alt.LayerChart(layer=[bars, rule], height=140)
