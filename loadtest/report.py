"""The printed figures, and each target with PASS or MISS."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Final

from harness.tables import render_table
from loadtest.measure import MB, percentile
from loadtest.runner import PhaseResult

P95_TARGETS: Final = (0.3, 1.0)
RSS_TARGET: Final = 1.5 * 1024 * MB
IDLE_CPU_TARGET: Final = 0.05


@dataclass(frozen=True, slots=True)
class Verdict:
    """One target: what it asks, what was measured, and whether that meets it."""

    target: str
    measured: str
    passed: bool


def seconds(value: float) -> str:
    """A duration for the table."""
    return "n/a" if math.isnan(value) else f"{value:.2f} s"


def megabytes(value: int | None) -> str:
    """A memory size for the table."""
    return "n/a" if value is None else f"{value / MB:,.0f} MB"


def transferred(value: int) -> str:
    """Bytes over the wire, in KB below a megabyte."""
    return f"{value / 1e3:,.0f} KB" if value < 1e6 else f"{value / 1e6:,.1f} MB"


def cores(value: float) -> str:
    """CPU use, in cores (1.0 = one core fully busy)."""
    return "n/a" if math.isnan(value) else f"{value:.2f} cores"


def live(count: int | None) -> str:
    """Sessions with an open websocket, as the servers count them."""
    return "live sessions unknown" if count is None else f"{count} live"


def p50_p95(values: list[float]) -> str:
    """Median and 95th percentile."""
    if not values:
        return "n/a"
    return (
        f"{seconds(percentile(values, 50))} / {seconds(percentile(values, 95))}  (n={len(values)})"
    )


def per_session(result: PhaseResult) -> str:
    """Memory each live session adds, from RSS at rest to RSS with all viewers connected."""
    rest, loaded = result.rss_rest, result.rss_all_connected
    connected = result.active_all_connected or 0
    if rest is None or loaded is None or connected <= 0:
        return "n/a"
    return f"{(loaded - rest) / connected / MB:.1f} MB"


def saturation(result: PhaseResult) -> str:
    """Date changes per second the fleet serves when viewers change it with no pause at all."""
    if result.saturation is None or not result.saturation.steps:
        return "n/a"
    times = result.saturation.steps
    rate = len(times) / result.saturation_seconds
    failed = len(result.saturation.errors)
    return (
        f"{rate:.1f} changes/s with {result.config.saturate} clients, "
        f"p50 {seconds(percentile(times, 50))}, p95 {seconds(percentile(times, 95))}"
        + (f", {failed} errors" if failed else "")
    )


def figures(result: PhaseResult) -> list[tuple[str, str]]:
    """The rows of one phase's table."""
    cfg = result.config
    browsers = sum(r.kind == "browser" for r in result.records)
    finished = sum(r.finished for r in result.records)
    unfinished = sum(r.unfinished and not r.finished for r in result.records)
    censored = " (steps cut off by the deadline count their wait so far)" if unfinished else ""
    light = [r.received for r in result.records if r.kind == "light" and r.finished]
    received = transferred(sum(light) // len(light)) if light else "n/a"
    window = f"{result.plan.days[0]} -> {result.plan.days[-1]}"
    runs = [s for r in result.records for s in r.runs]
    connected = f"{megabytes(result.rss_all_connected)}, {live(result.active_all_connected)}"
    closed = f"{megabytes(result.rss_after_end)}, {live(result.active_after_end)}"
    vanished = (
        f"{cfg.vanish} clients: {megabytes(result.rss_after_vanish)}, "
        f"{live(result.active_after_vanish)}, CPU {cores(result.cpu_after_vanish)}"
        if cfg.vanish
        else "not run"
    )
    ttl = "not run" if result.rss_after_ttl is None else megabytes(result.rss_after_ttl)
    return [
        ("data", f"{cfg.data.name}; scrub {window}, one day per date change"),
        ("viewers", f"{cfg.sessions} ({browsers} Chromium, {cfg.sessions - browsers} lightweight)"),
        ("pace", f"{cfg.think:.1f} s mean pause between actions, arrivals over {cfg.ramp:.0f} s"),
        ("finished / unfinished / errors", f"{finished} / {unfinished} / {len(result.errors)}"),
        ("scenario wall time", seconds(result.seconds)),
        ("date change p50 / p95, all", p50_p95(result.steps()) + censored),
        ("date change p50 / p95, Chromium", p50_p95(result.steps("browser"))),
        (
            "Chromium: key press to page following",
            p50_p95([s for r in result.records for s in r.shown]),
        ),
        (
            "live check p50 / p95 (each page's timer)",
            p50_p95([t for r in result.records for t in r.ticks]),
        ),
        ("every run p50 / p95", p50_p95(runs)),
        ("runs served per second", f"{len(runs) / result.seconds:.1f}" if runs else "n/a"),
        ("received per lightweight viewer", received),
        ("server RSS at rest (warm)", megabytes(result.rss_rest)),
        ("server RSS peak", megabytes(result.rss_peak)),
        ("server RSS, all viewers connected", connected),
        ("memory per extra live session", per_session(result)),
        ("server CPU mean / peak", f"{cores(result.cpu_mean)} / {cores(result.cpu_peak)}"),
        (
            "load generator CPU mean / loop lag p95",
            f"{cores(result.generator_cpu)} / {seconds(result.generator_lag)}",
        ),
        ("after the tabs closed", closed),
        ("after clients vanished mid-scrub", vanished),
        ("after the disconnected-session TTL", ttl),
        ("files the server holds open for writing", ", ".join(result.files_written) or "none"),
        ("capacity: back-to-back date changes", saturation(result)),
    ]


def error_summary(result: PhaseResult, limit: int = 5) -> list[str]:
    """The most frequent errors, counted."""
    errors = Counter(result.errors + result.side_errors)
    return [f"{n} x {e}" for e, n in errors.most_common(limit)]


def phase_verdicts(result: PhaseResult) -> list[Verdict]:
    """Targets every phase must meet: everyone finishes without an error."""
    cfg = result.config
    finished = sum(r.finished for r in result.records)
    unfinished = sum(r.unfinished and not r.finished for r in result.records)
    errors = len(result.errors)
    verdicts = [
        Verdict(
            f"{cfg.name}: {cfg.sessions} concurrent viewers, 0 errors",
            f"{finished} finished, {unfinished} out of time, {errors} errors",
            finished == cfg.sessions and errors == 0,
        )
    ]
    if cfg.vanish:
        failed = sum(bool(r.errors) for r in result.vanished)
        verdicts.append(
            Verdict(
                f"{cfg.name}: {cfg.vanish} vanished clients leave no live session",
                f"{live(result.active_after_vanish)}, {failed} failed before vanishing",
                result.active_after_vanish == 0 and failed == 0,
            )
        )
    if not math.isnan(result.cpu_after_vanish):
        verdicts.append(
            Verdict(
                f"{cfg.name}: ... and no CPU (< {IDLE_CPU_TARGET} cores)",
                cores(result.cpu_after_vanish),
                result.cpu_after_vanish < IDLE_CPU_TARGET,
            )
        )
    return verdicts


def capacity_verdicts(result: PhaseResult) -> list[Verdict]:
    """The capacity targets: p95 date change (the crowd's and the hard limit), peak memory."""
    p95 = percentile(result.steps(), 95)
    verdicts = [
        Verdict(
            f"{result.config.name}: p95 date change <= {target:g} s",
            seconds(p95),
            not math.isnan(p95) and p95 <= target,
        )
        for target in P95_TARGETS
    ]
    if result.rss_peak is not None:
        verdicts.append(
            Verdict(
                f"{result.config.name}: peak server RSS <= 1.5 GB",
                megabytes(result.rss_peak),
                result.rss_peak <= RSS_TARGET,
            )
        )
    return verdicts


def render_figures(rows: list[tuple[str, str]]) -> str:
    """One phase's figures, as a table."""
    return render_table(("figure", "measured"), rows)


def render_verdicts(verdicts: list[Verdict]) -> str:
    """The PASS/MISS table."""
    if not verdicts:
        return "  (no target was reached before the run stopped)"
    body = [(v.target, v.measured, "PASS" if v.passed else "MISS") for v in verdicts]
    return render_table(("target", "measured", "result"), body)
