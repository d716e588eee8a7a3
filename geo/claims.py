"""Casualty figures that say who claims them: parsing, checking, the most conservative figure.

A record may carry `claims`, a list of objects (in a CSV, the same list as JSON text)::

    {"figure": "killed" | "injured", "value": 25, "source": "Reuters, citing ...",
     "url": "https://...", "note": "optional", "scope": "site" | "group"}

A claim of scope "group" is a total a source gave for the record's whole `group` (five
strike sites together, say): it is shown with every member but is never a figure for one
site. The record's single `fatalities` / `injured` then mean the most conservative (lowest)
figure a source gives for that site, or unknown (empty) when no source gives one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from geo.messages import Message, Numeral, joined, message

# The claimed figure and the column of the events table it stands behind.
FIGURE_COLUMNS: Final[dict[str, str]] = {"killed": "fatalities", "injured": "injured"}
SCOPES: Final[tuple[str, ...]] = ("site", "group")
REQUIRED_KEYS: Final[tuple[str, ...]] = ("figure", "value", "source", "url")
CLAIM_KEYS: Final[frozenset[str]] = frozenset({*REQUIRED_KEYS, "note", "scope"})
MAX_CLAIMS: Final = 50
MAX_VALUE: Final = 10_000_000
MAX_TEXT: Final[dict[str, int]] = {"source": 300, "url": 2000, "note": 1000}

Report = Callable[[np.ndarray, str, Any, bool], None]


@dataclass(frozen=True, slots=True)
class Claim:
    """One figure as one source reports it."""

    figure: str
    value: int
    source: str
    url: str
    note: str = ""
    scope: str = "site"

    @property
    def is_group(self) -> bool:
        """True for a total reported for the record's whole group, not for this site."""
        return self.scope == "group"

    def to_json(self) -> dict[str, Any]:
        """The claim as the JSON object it was read from (defaults left out)."""
        data: dict[str, Any] = {
            "figure": self.figure,
            "value": self.value,
            "source": self.source,
            "url": self.url,
        }
        if self.note:
            data["note"] = self.note
        if self.is_group:
            data["scope"] = self.scope
        return data


def conservative(claims: Iterable[Claim], figure: str) -> int | None:
    """The lowest value a source gives for this site, or None when no source gives one."""
    values = [c.value for c in claims if c.figure == figure and not c.is_group]
    return min(values) if values else None


def claims_to_json(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """Claims as a JSON-ready list (the GeoJSON `claims` property)."""
    return [c.to_json() for c in claims]


def claims_to_text(claims: Sequence[Claim]) -> str:
    """Claims as compact JSON text for one CSV cell; empty when there are none."""
    if not claims:
        return ""
    return json.dumps(claims_to_json(claims), ensure_ascii=False, separators=(",", ":"))


def parse_claims(value: Any) -> tuple[tuple[Claim, ...], list[Message]]:
    """Claims from a record's `claims` value (a list, or JSON text); problems as sentences."""
    if _blank(value):
        return (), []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = message(
                "problem.claims_json",
                "not valid JSON ({error}); no claims kept",
                error=str(exc)[:80],
            )
            return (), [why]
    if isinstance(value, tuple) and all(isinstance(c, Claim) for c in value):
        return value, []
    if not isinstance(value, list):
        why = message(
            "problem.claims_not_list",
            "must be a list of claims, not {kind}; no claims kept",
            kind=type(value).__name__,
        )
        return (), [why]
    problems: list[Message] = []
    if len(value) > MAX_CLAIMS:
        problems.append(
            message(
                "problem.claims_too_many",
                "{count} claims; only the first {limit} are kept",
                count=Numeral(len(value)),
                limit=Numeral(MAX_CLAIMS),
            )
        )
    claims: dict[Claim, int] = {}
    for number, item in enumerate(value[:MAX_CLAIMS], start=1):
        claim, found = _parse_claim(item)
        if claim is not None and claim in claims:
            again = Numeral(claims[claim])
            found = [
                *found,
                message("problem.claim_repeats", "repeats claim {number}; left out", number=again),
            ]
        elif claim is not None:
            claims[claim] = number
        problems.extend(
            message("problem.claim", "claim {number}: {problem}", number=Numeral(number), problem=p)
            for p in found
        )
    return tuple(claims), problems


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _parse_claim(item: Any) -> tuple[Claim | None, list[Message]]:
    """One claim, or None (left out) with the reasons; unknown keys are reported, not fatal."""
    if not isinstance(item, dict):
        kind = type(item).__name__
        return None, [
            message(
                "problem.claim_not_object", "must be an object, not {kind}; left out", kind=kind
            )
        ]
    problems = [
        message("problem.claim_unknown_key", "unknown key {key} ignored", key=repr(str(k)[:40]))
        for k in item
        if k not in CLAIM_KEYS
    ]
    fatal = _fatal_problems(item)
    if fatal:
        left_out = message("problem.claim_left_out", "{problems}; left out", problems=joined(fatal))
        return None, [*problems, left_out]
    texts = {key: item.get(key, "") for key in MAX_TEXT}
    figure, scope = item.get("figure"), item.get("scope", "site")
    claim = Claim(
        figure=str(figure),
        value=int(item["value"]),
        source=texts["source"].strip(),
        url=texts["url"].strip(),
        note=texts["note"].strip(),
        scope=str(scope),
    )
    return claim, problems


def _fatal_problems(item: dict[str, Any]) -> list[Message]:
    """Why a claim cannot be kept (nothing when it can)."""
    fatal = [
        message("problem.claim_missing", "missing {key}", key=key)
        for key in REQUIRED_KEYS
        if key not in item
    ]
    figure, value = item.get("figure"), item.get("value")
    if "figure" in item and figure not in FIGURE_COLUMNS:
        fatal.append(
            message(
                "problem.claim_figure",
                "figure {value} is not 'killed' or 'injured'",
                value=repr(str(figure)[:40]),
            )
        )
    if "value" in item and not _whole_number(value):
        fatal.append(
            message(
                "problem.claim_value",
                "value {value} is not a whole number from 0 to {high}",
                value=repr(str(value)[:40]),
                high=Numeral(MAX_VALUE),
            )
        )
    texts = {key: item.get(key, "") for key in MAX_TEXT}
    for key, text in texts.items():
        if key in item and (not isinstance(text, str) or len(text) > MAX_TEXT[key]):
            fatal.append(
                message(
                    "problem.claim_text",
                    "{key} must be text of at most {limit} characters",
                    key=key,
                    limit=Numeral(MAX_TEXT[key]),
                )
            )
    if isinstance(texts["source"], str) and "source" in item and not texts["source"].strip():
        fatal.append(message("problem.claim_no_source", "source is empty"))
    if isinstance(texts["url"], str) and "url" in item and not _web_address(texts["url"]):
        fatal.append(
            message(
                "problem.claim_url",
                "url {value} is not an http(s) address",
                value=repr(texts["url"][:60]),
            )
        )
    scope = item.get("scope", "site")
    if scope not in SCOPES:
        fatal.append(
            message(
                "problem.claim_scope",
                "scope {value} is not 'site' or 'group'",
                value=repr(str(scope)[:40]),
            )
        )
    return fatal


def _whole_number(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_VALUE


def _web_address(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def check_claims(frame: pd.DataFrame, out: pd.DataFrame, report: Report) -> None:
    """Read every record's claims into `out`, derive its figures from them, report problems.

    Records are always kept: a bad claim is left out, and a stated figure that disagrees
    with the claims gives way to the most conservative claimed one (or to unknown).
    """
    n = len(out)
    parsed: list[tuple[Claim, ...]] = [()] * n
    if "claims" in frame.columns:
        groups = [str(g) for g in out["group"].tolist()]
        messages = np.full(n, "", dtype=object)
        for i, value in enumerate(frame["claims"].tolist()):
            claims, problems = parse_claims(value)
            parsed[i], orphan = _group_claims_need_a_group(claims, groups[i])
            messages[i] = joined([*problems, *orphan]) if problems or orphan else ""
        report(messages != "", "claims", messages, False)
        rows = [i for i, claims in enumerate(parsed) if claims]
        for figure, column in FIGURE_COLUMNS.items():
            _derive_figure(out, parsed, rows, figure, column, report)
        _check_groups_agree(out, parsed, rows, report)
    cells = np.empty(n, dtype=object)
    cells[:] = parsed
    out["claims"] = cells


def _group_claims_need_a_group(
    claims: tuple[Claim, ...], group: str
) -> tuple[tuple[Claim, ...], list[Message]]:
    if group or not any(c.is_group for c in claims):
        return claims, []
    kept = tuple(c for c in claims if not c.is_group)
    return kept, [
        message(
            "problem.claim_needs_group",
            "a claim of scope 'group' needs the record's group; left out",
        )
    ]


def _derive_figure(
    out: pd.DataFrame,
    parsed: Sequence[tuple[Claim, ...]],
    rows: Iterable[int],
    figure: str,
    column: str,
    report: Report,
) -> None:
    """Set the column to the lowest site claim (or unknown) wherever the figure is claimed."""
    stated = out[column].astype("Int64").astype(object).tolist()
    derived = list(stated)
    messages = np.full(len(out), "", dtype=object)
    for i in rows:
        if not any(c.figure == figure for c in parsed[i]):
            continue
        lowest = conservative(parsed[i], figure)
        given = None if stated[i] is pd.NA else int(stated[i])
        if lowest is None and given is not None:
            messages[i] = message(
                "problem.claim_only_group",
                "{given} is not a figure any source gives for this site (only group totals "
                "are claimed); left unknown",
                given=Numeral(given),
            )
        elif lowest is not None and given is not None and given != lowest:
            messages[i] = message(
                "problem.claim_not_lowest",
                "{given} is not the most conservative claimed figure; {lowest} used",
                given=Numeral(given),
                lowest=Numeral(lowest),
            )
        derived[i] = lowest
    report(messages != "", column, messages, False)
    out[column] = pd.array([pd.NA if v is None or v is pd.NA else v for v in derived], "Int64")


def _check_groups_agree(
    out: pd.DataFrame, parsed: Sequence[tuple[Claim, ...]], rows: Iterable[int], report: Report
) -> None:
    """Members of one group that carry group claims must carry the same ones."""
    groups = [str(g) for g in out["group"].tolist()]
    ids = [str(v) for v in out["id"].tolist()]
    first: dict[str, tuple[str, frozenset[Claim]]] = {}
    messages = np.full(len(out), "", dtype=object)
    for i in rows:
        shared = frozenset(c for c in parsed[i] if c.is_group)
        if not shared:
            continue
        if groups[i] not in first:
            first[groups[i]] = (ids[i], shared)
        elif first[groups[i]][1] != shared:
            messages[i] = message(
                "problem.claim_groups_differ",
                "the group claims differ from those of {id}, the first record of group {group}",
                id=repr(first[groups[i]][0]),
                group=repr(groups[i]),
            )
    report(messages != "", "claims", messages, False)
