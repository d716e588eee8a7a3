"""Command line: `python -m geo validate PATH [--columns SPEC] [--sheet NAME]
[--dayfirst|--monthfirst] [--story STORY]` and
`python -m geo load-db FILE URL [--table NAME] [--columns SPEC]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from geo.categories import categories_of, category_label, no_category_note, vocabulary_note
from geo.columns import ColumnMap, ColumnSpecError, ColumnUse, parse_columns
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
    print_columns(result.used, out)
    timeline = Timeline.from_events(events)
    if timeline.first is not None:
        print(f"  dates: {timeline.first:%Y-%m-%d} to {timeline.last:%Y-%m-%d}", file=out)
        print("  events per type:", file=out)
        counts = events["event_type"].value_counts().sort_index()
        for event_type, count in counts.items():
            print(f"    {count:>8}  {category_label(str(event_type))}", file=out)
        categories = categories_of(events["event_type"])
        notes = [n for n in (vocabulary_note(categories), no_category_note(categories)) if n]
        for note in notes:
            print(f"  information: {note}", file=out)
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


def print_columns(used: tuple[ColumnUse, ...], out: TextIO) -> None:
    """Name the columns chosen (by --columns) and those found by their names."""
    for chosen, word in ((True, "chosen"), (False, "found")):
        listed = ", ".join(str(use) for use in used if use.chosen == chosen)
        if listed:
            print(f"  columns {word}: {listed}", file=out)


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
    columns: str | None = None,
    *,
    sheet: str | None = None,
    dayfirst: bool | None = None,
) -> int:
    """Validate an incident file (and a story, if given); exit code: valid, problems, unreadable."""
    try:
        mapping: ColumnMap | None = None if columns is None else parse_columns(columns)
    except ColumnSpecError as exc:
        print(f"error: --columns: {exc}", file=err)
        return EXIT_UNREADABLE
    try:
        result = load_events(path, mapping, sheet=sheet, dayfirst=dayfirst)
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


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """`--sheet` and `--dayfirst`/`--monthfirst`, shared with the dashboard's `--data`."""
    parser.add_argument("--sheet", metavar="NAME", help="the sheet of an Excel workbook to read")
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        help="read dates like 03/01/2020 as 3 January where the file does not show the order",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read dates like 03/01/2020 as 1 March where the file does not show the order",
    )


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Entry point of `python -m geo`."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Flashpoint data tools")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "validate",
        help="check an incident file (GeoJSON, ACLED or generic CSV, Excel .xlsx, GeoPackage, "
        "Shapefile)",
    )
    check.add_argument("path", help="the file to check")
    add_reading_options(check)
    check.add_argument(
        "--story", metavar="STORY", help="also check a story (JSON) told over the file's events"
    )
    columns_help = (
        "which column is which field, e.g. date=when,lat=y_coord,lon=x_coord,type=kind "
        '(quote a name holding a comma or "=": date="Event date")'
    )
    check.add_argument("--columns", metavar="SPEC", help=columns_help)
    load = commands.add_parser(
        "load-db",
        help="validate a file and load its good events into a PostGIS table (upsert by id)",
    )
    load.add_argument("path", help="the file to load")
    load.add_argument("url", help="postgresql://USER@HOST:PORT/DB (PG* variables fill the rest)")
    load.add_argument("--table", help="the table to load into (default: events)")
    load.add_argument("--columns", metavar="SPEC", help=columns_help)
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate_command(
            args.path, out, err, args.story, args.columns, sheet=args.sheet, dayfirst=args.dayfirst
        )
    if args.command == "load-db":
        from geo.loaddb import load_db_command

        return load_db_command(args.path, args.url, args.table, out, err, args.columns)
    parser.error(f"unknown command {args.command}")
    return EXIT_UNREADABLE
