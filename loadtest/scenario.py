"""What one viewer does: load the page, scrub the crisis day by day, step with the buttons,
click an event on the map, open a share link. The lightweight version lives here; the
browser version is in `loadtest.browser`.

Each date change is what the page sends once the thumb rests: one rerun of the side panel's
fragment carrying the bridge's trigger. The map's pans cost the server nothing (the map
writes its view into the address itself), so they are no longer runs. Meanwhile, as a real
page's timer does, each viewer runs the live-data fragment every FOLLOW_EVERY_S while it is
connected (`follow_live`).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from geo.validation import load_events
from loadtest.client import ProtocolError, RunResult, Viewer, query_date
from ui.live import FOLLOW_EVERY_S

CRISIS: Final = (date(2019, 12, 27), date(2020, 1, 3))
SCRUB_DAYS: Final = 8
SHARE_LINKS: Final = 3
MAP_VIEW: Final = (33.3, 44.4, 6)


@dataclass(frozen=True, slots=True)
class ShareLink:
    """An event to open by its share address (`?date=...&event=...`)."""

    event_id: str
    day: date

    @property
    def query(self) -> str:
        """The query string of the share address."""
        return f"date={self.day.isoformat()}&event={self.event_id}"


@dataclass(frozen=True, slots=True)
class Plan:
    """The days to scrub through (the first is where the page opens) and the links to open."""

    days: tuple[date, ...]
    shares: tuple[ShareLink, ...]

    @property
    def query(self) -> str:
        """The address the session opens: the first scrub day."""
        return f"date={self.days[0].isoformat()}"


def make_plan(path: Path) -> Plan:
    """The crisis (27 Dec 2019 - 3 Jan 2020) if the data covers it, else its last eight days."""
    events = load_events(path).events.sort_values("event_date", kind="stable")
    days = events["event_date"].dt.date
    first, last = days.min(), days.max()
    start, end = CRISIS
    if not (first <= start and end <= last):
        start, end = last - timedelta(days=SCRUB_DAYS - 1), last
    scrub = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    inside = events[(days >= start) & (days <= end)]
    picks = sorted({round(i * (len(inside) - 1) / (SHARE_LINKS - 1)) for i in range(SHARE_LINKS)})
    shares = tuple(
        ShareLink(str(inside["id"].iat[i]), inside["event_date"].iat[i].date()) for i in picks
    )
    if not shares:
        raise SystemExit(f"{path}: no event between {start} and {end} to open a share link to")
    return Plan(scrub, shares)


@dataclass
class Record:
    """What one session measured and what went wrong in it."""

    kind: str
    steps: list[float] = field(default_factory=list)
    runs: list[float] = field(default_factory=list)
    ticks: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    received: int = 0
    finished: bool = False
    unfinished: bool = False
    step_started: float | None = None

    def add(self, result: RunResult, *, step: bool = False) -> None:
        """Count one run (and, for a date change, its time: it must rerun the fragment only)."""
        if step and not result.fragment:
            raise ProtocolError("a date change reran the whole page, not the side panel")
        self.runs.append(result.seconds)
        self.received += result.size
        if step:
            self.steps.append(result.seconds)
            self.step_started = None

    def add_tick(self, result: RunResult) -> None:
        """Count one run of the live-data fragment (a run of the scenario until it finishes)."""
        self.ticks.append(result.seconds)
        if not self.finished:
            self.runs.append(result.seconds)
            self.received += result.size

    def give_up(self) -> None:
        """The session ran out of time: a step still waiting counts with its wait so far."""
        self.unfinished = True
        if self.step_started is not None:
            self.steps.append(time.perf_counter() - self.step_started)
            self.step_started = None


@dataclass
class Pace:
    """A person's pauses between actions: uniform around a mean, seeded per session."""

    think: float
    seed: int
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    async def pause(self) -> None:
        """Wait as long as a person looks at the map before the next action."""
        if self.think > 0:
            await asyncio.sleep(self._rng.uniform(0.5, 1.5) * self.think)


def expect_day(viewer: Viewer, day: date) -> None:
    """The map (with its events), the page's panels and the address bar all show `day`."""
    if not viewer.map_rows:
        raise ProtocolError("the map has received no events")
    seen = (viewer.map_date, viewer.page_date, query_date(viewer.query_string))
    wanted = (day, day, day.isoformat())
    if seen != wanted:
        raise ProtocolError(f"expected {day}: map/page/address show {seen}")


async def scrub(viewer: Viewer, plan: Plan, pace: Pace, record: Record) -> None:
    """First run, the map's view, one date change per day, prev, next, a marker click."""
    record.add(await viewer.run(fragment=False))
    expect_day(viewer, plan.days[0])
    viewer.report_map_view(*MAP_VIEW)
    for day in plan.days[1:]:
        await pace.pause()
        viewer.set_date(day)
        record.step_started = time.perf_counter()
        record.add(await viewer.run(), step=True)
        expect_day(viewer, day)
    for direction in (-1, +1):
        await pace.pause()
        before = viewer.map_date
        target = viewer.step(direction)
        if target is None or before is None or (target - before).days * direction <= 0:
            raise ProtocolError(f"stepping {direction:+d} from {before} leads to {target}")
        record.add(await viewer.run())
        expect_day(viewer, target)
    await pace.pause()
    shown = viewer.shown_rows()
    if not shown:
        raise ProtocolError("the map shows no event to click")
    viewer.click_marker(shown[-1])
    record.add(await viewer.run())
    if "event=" not in viewer.query_string or not viewer.detail_ids:
        raise ProtocolError("a marker click did not select its event")


async def follow_live(viewer: Viewer, record: Record) -> None:
    """The page's timer: the live-data fragment every FOLLOW_EVERY_S, until the tab closes."""
    try:
        while True:
            await asyncio.sleep(FOLLOW_EVERY_S)
            if viewer.auto_fragments:
                record.add_tick(await viewer.tick())
    except ProtocolError as exc:
        record.errors.append(f"live check: {exc}")


async def open_share_link(base_url: str, link: ShareLink, record: Record) -> None:
    """A new tab on a share address: it must open on that date with that event selected."""
    viewer = await Viewer.open(base_url, link.query)
    try:
        record.add(await viewer.run(fragment=False))
        expect_day(viewer, link.day)
        if (
            link.event_id not in viewer.detail_ids
            or f"event={link.event_id}" not in viewer.query_string
        ):
            raise ProtocolError(f"the share link did not select {link.event_id}")
    finally:
        await viewer.close()


async def light_session(
    base_url: str, plan: Plan, pace: Pace, record: Record, hold: asyncio.Event, index: int
) -> None:
    """One lightweight viewer: the whole scenario, then stay connected until released."""
    viewer: Viewer | None = None
    ticking: asyncio.Task[None] | None = None
    try:
        viewer = await Viewer.open(base_url, plan.query)
        ticking = asyncio.create_task(follow_live(viewer, record))
        await scrub(viewer, plan, pace, record)
        await pace.pause()
        await open_share_link(base_url, plan.shares[index % len(plan.shares)], record)
        record.finished = True
        await hold.wait()
    except Exception as exc:  # every failure of a session is a data point
        record.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if ticking is not None:
            ticking.cancel()
        if viewer is not None:
            await viewer.close()


async def vanishing_session(base_url: str, plan: Plan, record: Record) -> None:
    """A viewer whose network goes away mid-scrub, with a rerun still in flight."""
    viewer: Viewer | None = None
    try:
        viewer = await Viewer.open(base_url, plan.query)
        record.add(await viewer.run(fragment=False))
        for day in plan.days[1:3]:
            viewer.set_date(day)
            record.add(await viewer.run(), step=True)
        viewer.set_date(plan.days[3])
        await viewer.send_run()
        viewer.vanish()
        record.finished = True
    except Exception as exc:  # every failure of a session is a data point
        record.errors.append(f"{type(exc).__name__}: {exc}")
        if viewer is not None:
            viewer.vanish()


async def probe_session(base_url: str, plan: Plan) -> None:
    """One short visit (first run only): a new arrival after the crowd has gone."""
    viewer = await Viewer.open(base_url, plan.query)
    try:
        await viewer.run(fragment=False)
        expect_day(viewer, plan.days[0])
    finally:
        await viewer.close()
