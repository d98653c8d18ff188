"""`python -m kpi returns list|confirm|query`: the review state of country returns (registered by kpi.cli)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from kpi import access
from kpi.cli_support import EXIT_OK, EXIT_REJECTED

_USER_HELP = "act as this user, whose role is in the store (default: $ACCSM_USER, else the local user 'local')"
# kpi.review.STATES, written out so --help answers without SQLAlchemy (tests/kpi/test_review_cli.py checks they agree).
STATES = ("confirmed", "received", "queried", "with_errors", "missing")
_COLUMNS = ["country", "year", "state", "set_by", "set_at", "note", "submission_id"]


def add_returns_parser(commands) -> argparse.ArgumentParser:
    """Add the `returns` command and its subcommands to the subparsers of `python -m kpi`; return its parser."""
    parser = commands.add_parser(
        "returns", help="the review state of the country returns; confirm or query one",
        description="Each AMS and year's return is missing, received, queried (a question to the focal point, "
                    "answered by a new upload) or confirmed (locked: only the secretariat replaces it, with "
                    "`python -m importers load FILE --reason ...`). Only the secretariat confirms and queries. "
                    "\"with errors\" (a rejected upload) is known only to the dashboard session that saw it: "
                    "rejected files are never stored.")
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    actions = parser.add_subparsers(dest="returns_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the state of each member's return, by year")
    listing.add_argument("--year", type=int, action="append", help="only this year (repeat for more; default: every "
                                                                   "year with a stored return)")
    listing.add_argument("--state", choices=STATES, action="append", help="only returns in this state (repeatable)")
    listing.add_argument("--format", choices=("csv", "json"), default="csv")
    confirm = actions.add_parser("confirm", help="confirm a return: it is then locked")
    query = actions.add_parser("query", help="ask the focal point a question about a return")
    query.add_argument("--question", required=True, help="the question, kept with the return and shown to the AMS")
    for action in (confirm, query):
        action.add_argument("--country", required=True, metavar="ISO3", help="the AMS, e.g. BRN")
        action.add_argument("--year", type=int, required=True, help="the reporting year, e.g. 2019")
    for action in actions.choices.values():
        action.add_argument("--user", help=_USER_HELP)
    return parser


def run_returns(engine, args) -> int:
    """Run one `returns` subcommand; return its exit code (1 when refused or the change cannot be made)."""
    from kpi import review
    from kpi.users import resolve_login

    acting = resolve_login(args.user)
    try:
        if args.returns_command == "list":
            access.check(engine, acting, access.READ)
            with engine.connect() as connection:
                years = args.year or _returned_years(connection)
                states = review.read_states(connection, years)
            if args.state:
                states = [s for s in states if s.state in args.state]
            sys.stdout.write(_format(states, args.format))
            return EXIT_OK
        if args.returns_command == "confirm":
            state = review.apply_review(engine, review.confirm, args.country, args.year, by=acting)
        else:
            state = review.apply_review(engine, review.query, args.country, args.year, args.question, by=acting)
    except access.AccessRefused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_REJECTED
    except review.ReviewError as problem:
        print(f"error: {problem}; nothing was changed", file=sys.stderr)
        return EXIT_REJECTED
    print(state.describe())
    return EXIT_OK


def _returned_years(connection) -> list[int]:
    from kpi.store import read_returned_years
    return read_returned_years(connection)


def _format(states, fmt: str) -> str:
    from kpi.review import format_time
    records = [{"country": s.country, "year": s.year, "state": s.state, "set_by": s.set_by,
                "set_at": format_time(s.set_at) if s.set_at else None, "note": s.note,
                "submission_id": s.submission_id} for s in states]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
    return out.getvalue()
