"""`python -m kpi edition freeze|list|compare|pack`: SOM editions for scripts (registered by kpi.cli)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

from kpi import cli_support
from kpi.catalogue import FRAMEWORKS
from kpi.cli_support import EXIT_OK, EXIT_REJECTED, EXIT_USAGE

if TYPE_CHECKING:
    import pandas as pd

# pandas and kpi.editions are imported when an edition command runs, so `python -m kpi --help` stays quick.


def add_edition_parser(commands) -> argparse.ArgumentParser:
    """Add the `edition` command and its subcommands to the subparsers of `python -m kpi`; return its parser."""
    parser = commands.add_parser("edition", help="freeze, list and compare SOM editions (what a SOM was shown)")
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    cli_support.add_verbose_option(parser, hidden=True)
    actions = parser.add_subparsers(dest="edition_command", required=True, metavar="ACTION")
    freeze = actions.add_parser("freeze", help="freeze the KPI table, returns, targets and pack as an edition")
    freeze.add_argument("--name", required=True, help='e.g. "22nd ACCSM SOM, 2019" (unique)')
    freeze.add_argument("--som-date", required=True, type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    freeze.add_argument("--year", required=True, type=int, help="the reporting year shown at the SOM")
    freeze.add_argument("--plan", choices=list(FRAMEWORKS), default=None)
    freeze.add_argument("--note")
    freeze.add_argument("--no-pack", action="store_true", help="do not build and store the briefing pack")
    freeze.add_argument("--user", help="act as this user, a secretariat user in the store (default: $ACCSM_USER, "
                                       "else the local user 'local')")
    listing = actions.add_parser("list", help="the editions, newest SOM first")
    listing.add_argument("--format", choices=("csv", "json"), default="csv")
    compare = actions.add_parser("compare", help="what changed since an edition (one given) or between two")
    compare.add_argument("editions", nargs="+", metavar="EDITION", help="edition id or name (one or two)")
    compare.add_argument("--format", choices=("csv", "json"), default="csv")
    pack = actions.add_parser("pack", help="write an edition's briefing pack as it was shown")
    pack.add_argument("edition", metavar="EDITION")
    pack.add_argument("-o", "--output", required=True, metavar="FILE")
    return parser


def run_edition(engine, args) -> int:
    """Run one `edition` subcommand; return its exit code (1 when refused, 2 for an unknown edition)."""
    import pandas as pd

    from kpi import editions
    from kpi.users import resolve_login

    if args.edition_command == "freeze":
        framework = FRAMEWORKS[args.plan] if args.plan else None
        kwargs = {"framework": framework} if framework else {}
        try:
            if args.no_pack:
                edition_id = editions.freeze_edition(engine, args.name, args.som_date, args.year, resolve_login(args.user),
                                                     note=args.note, **kwargs)
            else:
                edition_id = editions.freeze_with_pack(engine, args.name, args.som_date, args.year, resolve_login(args.user),
                                                       note=args.note, **kwargs)
        except editions.EditionError as problem:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_REJECTED
        print(f"frozen edition {edition_id}: {' '.join(args.name.split())}")
        return EXIT_OK
    with engine.connect() as connection:
        listed = editions.list_editions(connection)
        if args.edition_command == "list":
            _write(listed.drop(columns=["note"]), args.format)
            return EXIT_OK
        chosen = [_find(listed, e) for e in (args.editions if args.edition_command == "compare" else [args.edition])]
        if None in chosen:
            print(f"error: no edition {args.editions if args.edition_command == 'compare' else args.edition}; "
                  "`python -m kpi edition list` lists them", file=sys.stderr)
            return EXIT_USAGE
        if args.edition_command == "pack":
            pack = editions.read_edition(connection, chosen[0])["pack_pptx"]
            if pack is None:
                print("error: this edition was frozen without its pack", file=sys.stderr)
                return EXIT_REJECTED
            with open(args.output, "wb") as handle:
                handle.write(pack)
            return EXIT_OK
        if len(chosen) > 2:
            print("error: compare takes one edition (changes since it) or two", file=sys.stderr)
            return EXIT_USAGE
        changes = (editions.changes_since(connection, chosen[0]) if len(chosen) == 1
                   else editions.compare_editions(connection, chosen[0], chosen[1]))
    print(editions.describe_changes(changes), file=sys.stderr)
    frame = pd.concat([changes.values.assign(section="value"), changes.targets.assign(section="target"),
                       changes.returns.assign(section="return")], ignore_index=True)
    _write(frame[["section", *[c for c in frame.columns if c != "section"]]], args.format)
    return EXIT_OK


def _find(listed: pd.DataFrame, wanted: str) -> int | None:
    for record in listed.to_dict("records"):
        if str(record["id"]) == str(wanted) or record["name"] == " ".join(str(wanted).split()):
            return int(record["id"])
    return None


def _write(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
