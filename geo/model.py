"""The event record and ACLED's vocabulary of event types (with their colours), defined once.

A dataset's own categories are derived from its data in geo.categories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from shapely.geometry.base import BaseGeometry

from geo.claims import Claim


@dataclass(frozen=True, slots=True)
class Category:
    """How one ACLED event type is drawn: colour, marker shape and its sub-types."""

    name: str
    color: str
    shape: str
    sub_types: tuple[str, ...]


CATEGORIES: Final[tuple[Category, ...]] = (
    Category(
        "Battles",
        "#e4572e",
        "circle",
        ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    ),
    Category(
        "Explosions/Remote violence",
        "#f3a712",
        "diamond",
        (
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ),
    ),
    Category(
        "Violence against civilians",
        "#c03fbc",
        "triangle",
        ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    ),
    Category(
        "Protests",
        "#4fb3ff",
        "square",
        ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    ),
    Category("Riots", "#ff6f91", "star", ("Violent demonstration", "Mob violence")),
    Category(
        "Strategic developments",
        "#3ddc97",
        "hexagon",
        (
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ),
    ),
)

CATEGORY_BY_NAME: Final[dict[str, Category]] = {c.name: c for c in CATEGORIES}
EVENT_TYPES: Final[tuple[str, ...]] = tuple(c.name for c in CATEGORIES)
SHAPES: Final[tuple[str, ...]] = ("circle", "diamond", "triangle", "square", "star", "hexagon")

# ACLED's codes 1-3, and 4 for a date that names only its year (ACLED has no such events; the
# next code keeps "a higher number is a coarser date"). A date written as a month ("2014-06")
# gets 3 and one written as a year ("2017") gets 4: the event sits on the first day of it.
MONTH_PRECISION: Final = 3
YEAR_PRECISION: Final = 4
TIME_PRECISION_WORDS: Final[dict[int, str]] = {
    1: "exact day",
    2: "within a week",
    MONTH_PRECISION: "within a month",
    YEAR_PRECISION: "within a year",
}
GEO_PRECISION_WORDS: Final[dict[int, str]] = {
    1: "exact site or town",
    2: "near the named place",
    3: "region or province",
}

# Columns of the events table, in order. Geometry is the GeoDataFrame's own column.
TEXT_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "title",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "notes",
    "source",
    "source_quote",
    "group",
    "discrepancy",
    "event_time",
)
INT_FIELDS: Final[tuple[str, ...]] = ("time_precision", "geo_precision", "fatalities", "injured")
FLOAT_FIELDS: Final[tuple[str, ...]] = ("uncertainty_m",)
DATE_FIELDS: Final[tuple[str, ...]] = ("event_date", "end_date")
LIST_FIELDS: Final[tuple[str, ...]] = ("source_urls",)
# Casualty figures with who claims them (geo.claims); `fatalities` and `injured` hold the most
# conservative of them, or nothing when no source gives a figure for the event itself.
CLAIMS_FIELD: Final = "claims"
FIELDS: Final[tuple[str, ...]] = (
    TEXT_FIELDS + DATE_FIELDS + INT_FIELDS + FLOAT_FIELDS + LIST_FIELDS + (CLAIMS_FIELD,)
)


def _missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA (which refuses to be a bool) all mean "not given"."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _optional_int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _optional_float(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _optional_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        try:
            return value.date()  # type: ignore[no-any-return]
        except ValueError:  # NaT
            return None
    return value if isinstance(value, date) else None


def _claims(value: Any) -> tuple[Claim, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(c for c in value if isinstance(c, Claim))
    return ()


@dataclass(frozen=True, slots=True)
class Event:
    """One incident, as the dashboard shows it in the detail panel."""

    id: str
    title: str
    event_date: date
    end_date: date | None
    event_time: str
    time_precision: int | None
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    location: str
    admin1: str
    country: str
    geo_precision: int | None
    uncertainty_m: float | None
    fatalities: int | None
    injured: int | None
    notes: str
    source: str
    source_quote: str
    source_urls: tuple[str, ...]
    group: str
    discrepancy: str
    geometry: BaseGeometry
    claims: tuple[Claim, ...] = ()
    title_made: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Event:
        """Build an event from one validated row of the events table."""
        start = _optional_date(row["event_date"])
        if start is None:
            raise ValueError(f"event {row.get('id')!r} has no event_date")
        urls = row.get("source_urls")
        return cls(
            id=_text(row["id"]),
            title=_text(row.get("title")),
            event_date=start,
            end_date=_optional_date(row.get("end_date")),
            event_time=_text(row.get("event_time")),
            time_precision=_optional_int(row.get("time_precision")),
            event_type=_text(row.get("event_type")),
            sub_event_type=_text(row.get("sub_event_type")),
            actor1=_text(row.get("actor1")),
            actor2=_text(row.get("actor2")),
            location=_text(row.get("location")),
            admin1=_text(row.get("admin1")),
            country=_text(row.get("country")),
            geo_precision=_optional_int(row.get("geo_precision")),
            uncertainty_m=_optional_float(row.get("uncertainty_m")),
            fatalities=_optional_int(row.get("fatalities")),
            injured=_optional_int(row.get("injured")),
            notes=_text(row.get("notes")),
            source=_text(row.get("source")),
            source_quote=_text(row.get("source_quote")),
            source_urls=tuple(str(u) for u in urls) if isinstance(urls, (list, tuple)) else (),
            group=_text(row.get("group")),
            discrepancy=_text(row.get("discrepancy")),
            geometry=row["geometry"],
            claims=_claims(row.get(CLAIMS_FIELD)),
            title_made=bool(row.get("title_made", False)),
        )

    @property
    def is_movement(self) -> bool:
        """True for events drawn as a line from origin to destination."""
        return self.geometry.geom_type in ("LineString", "MultiLineString")
