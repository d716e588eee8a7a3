"""Command line: `python -m geo validate PATH [--story STORY] [--as-upload]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from geo.limits import OPERATOR, UPLOAD
from geo.story import Story, check_story, dates_by_id, load_story
from geo.timeline import Timeline
from geo.validation import DatasetError, LoadResult, load_events, problem_summary

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2
MAX_LISTED = 50


def summarise(result: LoadResult, name: str, out: TextIO) -> None:
    """Print events, date range, counts per type, then the problems."""
    events = result.events
    print(f"{name}: {result.kind}, {result.records} records", file=out)
    print(f"  events shown: {len(events)}; left out: {result.dropped}", file=out)
    timeline = Timeline.from_events(events)
    if timeline.first is not None:
        print(f"  dates: {timeline.first:%Y-%m-%d} to {timeline.last:%Y-%m-%d}", file=out)
        print("  events per type:", file=out)
        for event_type, count in events["event_type"].value_counts().sort_index().items():
            print(f"    {count:>8}  {event_type}", file=out)
    if not result.problems:
        print("  no problems found", file=out)
        return
    print(f"  problems: {len(result.problems)}", file=out)
    for row in problem_summary(result.problems).itertuples(index=False):
        print(f"    {row.count:>8}  {row.field} ({row.outcome})", file=out)
    for problem in result.problems[:MAX_LISTED]:
        print(f"  - {problem}", file=out)
    if len(result.problems) > MAX_LISTED:
        print(f"  … and {len(result.problems) - MAX_LISTED} more", file=out)


def summarise_story(story: Story, problems: list[str], name: str, out: TextIO) -> None:
    """Print the story's steps, then its problems."""
    prologue = len(story.prologue_steps)
    print(
        f"{name}: {story.title!r}, {len(story)} steps "
        f"({prologue} prologue, {len(story) - prologue} main)",
        file=out,
    )
    for step in story.steps:
        tag = "prologue, " if step.prologue else ""
        count = len(step.events)
        print(
            f"  {step.number:>3}. {step.date:%Y-%m-%d}  {step.title}  "
            f"[{tag}{count} event{'s' if count != 1 else ''}]",
            file=out,
        )
    if not problems:
        print("  no problems found", file=out)
        return
    print(f"  problems: {len(problems)}", file=out)
    for problem in problems[:MAX_LISTED]:
        print(f"  - {problem}", file=out)
    if len(problems) > MAX_LISTED:
        print(f"  … and {len(problems) - MAX_LISTED} more", file=out)


def validate_command(
    path: str,
    out: TextIO,
    err: TextIO,
    story_path: str | None = None,
    as_upload: bool = False,
) -> int:
    """Validate an incident file (and a story, if given); exit code: valid, problems, unreadable.

    The file is held to the operator's limits, or to an upload's with `as_upload`.
    """
    try:
        result = load_events(path, UPLOAD if as_upload else OPERATOR)
    except DatasetError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_UNREADABLE
    summarise(result, path, out)
    code = EXIT_PROBLEMS if result.problems else EXIT_OK
    if story_path is None:
        return code
    story, problems = load_story(story_path)
    if story is None:
        for problem in problems:
            print(f"error: {problem}", file=err)
        return EXIT_UNREADABLE
    dates = dates_by_id(result.events)
    problems += check_story(story, dates.keys(), dates)
    summarise_story(story, problems, story_path, out)
    return EXIT_PROBLEMS if problems else code


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Entry point of `python -m geo`."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Flashpoint data tools")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "validate",
        help="check an incident file (GeoJSON, ACLED or generic CSV, Parquet or GeoParquet, "
        "GeoPackage, Shapefile)",
    )
    check.add_argument("path", help="the file to check")
    check.add_argument(
        "--story", metavar="STORY", help="also check a story (JSON) told over the file's events"
    )
    check.add_argument(
        "--as-upload",
        action="store_true",
        help="hold the file to an upload's limits (size, records) instead of the operator's",
    )
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate_command(args.path, out, err, args.story, args.as_upload)
    parser.error(f"unknown command {args.command}")
    return EXIT_UNREADABLE
