"""The `python -m kpi` command line: the KPI report (and exports) for scripts."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING

from kpi import cli_support, store_errors
from kpi.catalogue import FRAMEWORKS
from kpi.cli_support import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from kpi.config import resolve_database_url
from kpi.editions_cli import add_edition_parser, run_edition
from kpi.exports.cli import add_export_parser, run_export
from kpi.plans import plan_for_year
from kpi.progress import is_missing
from kpi.returns_cli import add_returns_parser, run_returns
from kpi.users_cli import add_users_parser, run_users

if TYPE_CHECKING:
    import pandas as pd

# pandas, SQLAlchemy and the engine are imported by the commands that use them, so --help and a usage error
# answer at once.

_LOG = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpi", description="ACCSM KPI figures from the store.",
                                     epilog=cli_support.EPILOG)
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: $ACCSM_DATABASE_URL, "
                                                    "else sqlite:///data/accsm.db)")
    cli_support.add_verbose_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser("report", help="every computed value, one row per (indicator, scope, year)")
    report.add_argument("--plan", choices=list(FRAMEWORKS), help="the work plan whose KPIs to report (default: the "
                        "plan of --year, else the plan of the latest year with data, else the newest plan)")
    report.add_argument("--year", type=int, help="only this reporting year")
    report.add_argument("--scope", help="only this scope: ASEAN or an AMS's ISO3 code")
    report.add_argument("--format", choices=("csv", "json"), default="csv")
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    report.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    cli_support.add_verbose_option(report, hidden=True)
    add_export_parser(commands)
    add_users_parser(commands)
    add_edition_parser(commands)
    add_returns_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (see cli_support.EPILOG); never shows a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    cli_support.configure_logging(args.verbose)
    url = resolve_database_url(args.db)
    return cli_support.run_guarded(lambda: _run(parser, args, url), url, _LOG)


def _run(parser, args, url: str) -> int:
    engine = store_errors.open_store(url)
    try:
        if args.command == "report":
            return run_report(engine, args, parser)
        if args.command == "export":
            return run_export(engine, args)
        if args.command == "users":
            return run_users(engine, args)
        if args.command == "edition":
            return run_edition(engine, args)
        if args.command == "returns":
            return run_returns(engine, args)
    finally:
        engine.dispose()
    return EXIT_USAGE


def run_report(engine, args, parser) -> int:
    if args.scope is not None:
        args.scope = args.scope.upper()
    from kpi.engine import compute_report
    from kpi.indicators import ASEAN
    from kpi.store import read_member_states

    with engine.connect() as connection:
        scopes = [ASEAN, *read_member_states(connection)["iso3"]]
        if args.scope is not None and args.scope not in scopes:
            parser.error(f"--scope must be one of {', '.join(scopes)} (got {args.scope})")
        framework = choose_plan(connection, args.plan, args.year)
        report = compute_report(connection, framework, year=args.year, scope=args.scope)
    text = format_report(report, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_REJECTED
    else:
        sys.stdout.write(text)
    return EXIT_OK


def choose_plan(connection, plan: str | None, year: int | None):
    """Return the framework named, else the plan of `year`, else of the latest year with data, else the newest."""
    if plan is not None:
        return FRAMEWORKS[plan]
    if year is None:
        from kpi.store import read_returned_years
        years = read_returned_years(connection)
        year = max(years) if years else None
    return plan_for_year(year)


def format_report(report: pd.DataFrame, fmt: str) -> str:
    """Return the report as CSV (blank for no value) or JSON (null for no value); figures unrounded."""
    if fmt == "json":
        records = [{k: _plain(v) for k, v in row.items()} for row in report.to_dict("records")]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    frame = report.copy()
    frame["coverage"] = frame["coverage"].astype("Int64")
    frame["details"] = [json.dumps(d, sort_keys=True) if d else "" for d in frame["details"]]
    return frame.to_csv(index=False, lineterminator="\n")


def _plain(value):
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
