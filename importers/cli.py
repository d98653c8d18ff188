"""Command line: write templates and load filled workbooks (python -m importers --help)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

from importers import layout
from importers.kinds import KIND_CODES
from kpi import cli_support
from kpi.cli_support import EXIT_OK, EXIT_REJECTED, EXIT_STORE
from kpi.config import resolve_database_url
from kpi.store_errors import open_store

# The loader (pandas, openpyxl, SQLAlchemy) is imported by the commands, so --help and a usage error answer at once.

_LOG = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code (see cli_support.EPILOG: 0 all accepted, 1 some input rejected,
    2 usage error, 3 the database could not be used); never shows a traceback."""
    parser = _make_parser()
    args = parser.parse_args(argv)
    cli_support.configure_logging(args.verbose)
    url = resolve_database_url(getattr(args, "db", None) or args.top_db)
    if args.command == "template":
        return cli_support.run_guarded(lambda: _write_template(parser, args, url), url, _LOG)
    if args.command == "demo":
        return cli_support.run_guarded(lambda: _load_demo(url), url, _LOG)
    return cli_support.run_guarded(lambda: _load_files(args, url), url, _LOG)


def _make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m importers", description=__doc__, epilog=cli_support.EPILOG)
    cli_support.add_verbose_option(parser)
    parser.add_argument("--db", dest="top_db", metavar="URL", help="SQLAlchemy database URL, before or after the command "
                                                    "(default: $ACCSM_DATABASE_URL or data/accsm.db)")
    commands = parser.add_subparsers(dest="command", required=True)

    template = commands.add_parser("template", help="write a blank workbook to fill in",
                                   description="Write a blank workbook of one kind.")
    template.add_argument("kind", choices=sorted(KIND_CODES), help="what the workbook is for")
    template.add_argument("--country", help="the AMS (ISO3 code) a return is for, e.g. BRN")
    template.add_argument("--year", type=int, help="the reporting year of a return, e.g. 2018")
    template.add_argument("--project", help="the ARC project title an evaluations workbook is for, as listed in the return")
    template.add_argument("--plan", help="the work plan, e.g. 2016-2020 or 2026-2030 (default: the plan of --year; for "
                                         "targets and the work plan, the plan of the latest year with returns)")
    template.add_argument("--db", help="database whose stored targets or work plan statuses pre-fill the template "
                                       "(default: $ACCSM_DATABASE_URL or data/accsm.db)")
    template.add_argument("-o", "--output", required=True, type=Path, help="the .xlsx file to write")
    cli_support.add_verbose_option(template, hidden=True)

    load = commands.add_parser("load", help="validate workbooks and store them",
                               description="Validate each file and, unless --dry-run, store it. "
                                           "Each file is all-or-nothing.")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--dry-run", action="store_true", help="validate and show what would change; store nothing")
    load.add_argument("--db", help="SQLAlchemy database URL (default: $ACCSM_DATABASE_URL or data/accsm.db)")
    load.add_argument("--user", help="who is loading: a user in the store, whose role decides what they may load "
                                     "(default: $ACCSM_USER, else the local user 'local'; see python -m kpi users)")
    load.add_argument("--reason", help="why a confirmed return is replaced: needed (and kept in the audit trail) when "
                                       "a file is a new version of a confirmed return, which only the secretariat "
                                       "may load")
    cli_support.add_verbose_option(load, hidden=True)

    demo = commands.add_parser("demo", help="load the demo data into a store that was never used",
                               description="Load the fictional demo returns into a store that was never used, as "
                                           "the dashboard does on its first start (scripts/dashboard.sh runs this "
                                           "first, so the first visit is quick). A store with any history is "
                                           "left as it is.")
    demo.add_argument("--db", help="SQLAlchemy database URL (default: $ACCSM_DATABASE_URL or data/accsm.db)")
    cli_support.add_verbose_option(demo, hidden=True)
    return parser


def _write_template(parser: argparse.ArgumentParser, args: argparse.Namespace, url: str) -> int:
    from importers.kinds import gather_template_options, kind_of

    kind = kind_of(args.kind)
    missing = [f"--{o}" for o in kind.template_options if getattr(args, o) is None]
    if missing:
        parser.error(f"template {args.kind} needs {' and '.join(missing)}")
    if "country" in kind.template_options and args.country.upper() not in layout.read_ams_codes():
        parser.error(f"--country {args.country} is not an AMS; use one of {', '.join(layout.read_ams_codes())}")
    if "year" in kind.template_options:
        refusal = layout.describe_membership_refusal(args.country.upper(), args.year)
        if refusal:
            parser.error(f"--country {args.country.upper()} --year {args.year}: {refusal}")
    needs_store = kind.read_stored is not None or (args.plan is None and args.year is None)
    engine = open_store(url) if needs_store else None  # a return template needs no database
    try:
        with (engine.connect() if engine else contextlib.nullcontext()) as connection:
            framework = _choose_plan(parser, args, connection)
            if kind.fills_programmes and args.plan is None:  # the newest plan that has programmes
                framework = _newest_plan_with_programmes(connection) or framework
            options = gather_template_options(kind, connection, framework, vars(args))
    finally:
        if engine is not None:
            engine.dispose()
    if kind.fills_programmes and not options["programmes"]:
        print(f"error: the {framework.code} plan has no programmes in the database yet: its work plan template "
              "needs them (use --plan with a plan that has programmes)", file=sys.stderr)
        return EXIT_REJECTED
    try:
        kind.write_template(args.output, **options)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"wrote {args.output}")
    return EXIT_OK


def _choose_plan(parser: argparse.ArgumentParser, args: argparse.Namespace, connection):
    """Return the framework of --plan (checked against --year), else the plan of --year, else kpi report's default."""
    from kpi.catalogue import FRAMEWORKS
    from kpi.cli import choose_plan
    from kpi.plans import in_plan, plan_for_year, plan_years

    if args.plan is not None and args.plan not in FRAMEWORKS:
        parser.error(f"--plan {args.plan} is not a work plan; use one of {', '.join(FRAMEWORKS)}")
    if args.plan is None and args.year is not None:
        return plan_for_year(args.year)
    framework = FRAMEWORKS[args.plan] if args.plan else choose_plan(connection, None, None)
    if args.year is not None and not in_plan(framework, args.year):
        first, last = plan_years(framework)
        span = f"{first or 'its start'} to {last or 'now'}"
        parser.error(f"--year {args.year} is not a reporting year of the {framework.code} plan ({span}): use the "
                     f"year's own plan, or leave out --plan")
    return framework


def _newest_plan_with_programmes(connection):
    from kpi.catalogue import FRAMEWORKS
    from kpi.store import read_workplan

    with_programmes = [f for f in FRAMEWORKS.values() if not read_workplan(connection, f.code).empty]
    return max(with_programmes, key=lambda f: f.baseline_year, default=None)


def _load_demo(url: str) -> int:
    from importers.demo import load_demo_data

    engine = open_store(url)
    try:
        def say(done: int, total: int, name: str) -> None:
            if done == 1 or done == total or done % 10 == 0:
                print(f"demo data: {done} of {total} files loaded ({name})", file=sys.stderr, flush=True)
        loaded = load_demo_data(engine, progress=say)
    finally:
        engine.dispose()
    print(f"loaded {loaded} demo files" if loaded else "the store has been used already: no demo data loaded")
    return EXIT_OK


def _load_files(args: argparse.Namespace, url: str) -> int:
    from importers.load import load_file
    from kpi.users import resolve_login

    engine = open_store(url)
    user = resolve_login(args.user)
    exit_code = EXIT_OK
    try:
        for number, path in enumerate(args.files):
            try:
                data = path.read_bytes()
            except OSError as exc:
                print(f"rejected: {path} (cannot read the file: {exc.strerror or exc})")
                exit_code = EXIT_REJECTED
                continue
            report = load_file(engine, data, str(path), user, dry_run=args.dry_run, reason=args.reason)
            if report.store_error:
                # The store failed, not the file: the next files would fail the same way, so stop here.
                print(report.summarise())
                for skipped in args.files[number + 1:]:
                    print(f"not loaded: {skipped} (stopped after the database failed)")
                sys.stdout.flush()
                print(f"error: {report.store_error}", file=sys.stderr)  # load_file logged the details
                return EXIT_STORE
            print("\n".join(report.describe_lines()))
            if not report.accepted:
                exit_code = EXIT_REJECTED
    finally:
        engine.dispose()
    sys.stdout.flush()
    return exit_code
