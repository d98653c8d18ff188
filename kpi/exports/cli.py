"""`python -m kpi export …`: the dashboard's chart, table and briefing exports, for scripts."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kpi import cli_support, store_errors
from kpi.catalogue import FRAMEWORKS

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STORE = 0, 1, 2, cli_support.EXIT_STORE
_LOG = logging.getLogger(__name__)
CHART_KINDS = ("trend", "ranking", "matrix")
TABLES = ("kpis", "scorecard", "returns")


def add_export_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `export` command (chart, table, briefing) to a subparsers object; return its parser."""
    export = subparsers.add_parser("export", help="charts (PNG/SVG), tables (CSV/Excel) and the SOM briefing pack",
                                   description="The same exports the dashboard offers, for scripting.",
                                   epilog=cli_support.EPILOG)
    export.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    cli_support.add_verbose_option(export, hidden=True)
    what = export.add_subparsers(dest="export_what", required=True, metavar="WHAT")

    chart = what.add_parser("chart", help="one chart as PNG (print resolution) or SVG")
    chart.add_argument("--indicator", metavar="CODE", help="indicator code, e.g. A.1.1 (trend and ranking)")
    chart.add_argument("--kind", choices=CHART_KINDS, default="trend")
    chart.add_argument("--year", type=int, help="reporting year (ranking, matrix; default: the latest with data)")
    chart.add_argument("--format", choices=("png", "svg"), help="default: from the file name, else png")
    chart.add_argument("--width", type=int, help="width in CSS pixels (default 1200)")
    chart.add_argument("--height", type=int, help="height in CSS pixels (default: the chart's own)")
    chart.add_argument("--scale", type=float, default=2.0, help="PNG pixels per CSS pixel (default 2)")
    chart.add_argument("-o", "--output", metavar="FILE", required=True)

    table = what.add_parser("table", help="a table as CSV (UTF-8 with BOM) or Excel")
    table.add_argument("--what", choices=TABLES, required=True,
                       help="kpis: the full KPI table; scorecard: ASEAN by indicator for a year; returns: every "
                            "stored return (Excel: values and list sheets; CSV: the single values)")
    table.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name, else csv")
    table.add_argument("--year", type=int, help="kpis: only this year; scorecard: this year (default latest)")
    table.add_argument("-o", "--output", metavar="FILE", required=True)

    briefing = what.add_parser("briefing", help="the SOM briefing pack as PowerPoint (and PDF via LibreOffice)")
    briefing.add_argument("--year", type=int, help="reporting year (default: the latest with data)")
    briefing.add_argument("-o", "--output", metavar="FILE.pptx", required=True)
    briefing.add_argument("--pdf", metavar="FILE.pdf", help="also write the deck as PDF (needs LibreOffice)")

    for parser in (chart, table, briefing):
        parser.add_argument("--plan", choices=list(FRAMEWORKS),
                            help="the work plan whose KPIs to export (default: the plan of --year, else of the latest "
                                 "year with data); a provisional plan is marked so in every file")
        parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        cli_support.add_verbose_option(parser, hidden=True)
    return export


def run_export(engine, args) -> int:
    """Run one export with the parsed arguments; return 0 ok, 1 when it failed, 2 on a usage error, 3 store failure."""
    # Imported here so `python -m kpi report` does not pay for plotly, kaleido and python-pptx.
    from kpi.exports.briefing import BriefingError
    from kpi.exports.images import RenderError, RendererUnavailable

    runners = {"chart": _export_chart, "table": _export_table, "briefing": _export_briefing}
    try:
        return runners[args.export_what](engine, args)
    except _UsageError as exc:
        print(f"usage error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (RendererUnavailable, RenderError, BriefingError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        if not store_errors.is_store_error(exc):
            raise
        # The database failed while reading the figures: one sentence about the store, details in the log.
        return cli_support.report_store_failure(store_errors.explain(exc, engine.url), _LOG, exc)


class _UsageError(Exception):
    pass


def _export_chart(engine, args) -> int:
    from kpi import charts, store
    from kpi.engine import compute_report
    from kpi.exports.images import render_figure

    fmt = args.format or _format_from_name(args.output, ("png", "svg"), "png")
    with engine.connect() as connection:
        framework = _choose_plan(connection, args)
        if args.kind in ("trend", "ranking"):
            if not args.indicator:
                raise _UsageError(f"--indicator is required for a {args.kind} chart")
            if args.indicator not in framework.codes:
                raise _UsageError(f"unknown indicator {args.indicator!r}; known: {', '.join(framework.codes)}")
        report = compute_report(connection, framework)
        as_of = store.data_as_of(connection)
        states = store.read_member_states(connection)
        demo = store.has_demo_data(connection)
    names = dict(zip(states["iso3"], states["name"]))
    year = _pick_year(report, args.year) if args.kind != "trend" else None
    if args.kind == "trend":
        fig = charts.trend_figure(report, args.indicator, framework, as_of, names=names)
    elif args.kind == "ranking":
        fig = charts.ranking_figure(report, args.indicator, year, framework, as_of, names=names)
    else:
        fig = charts.status_matrix_figure(report, year, framework, as_of, names=names)
    data = render_figure(fig, fmt, width=args.width, height=args.height, scale=args.scale, demo=demo,
                         framework=framework)
    _write(args.output, data)
    print(f"wrote {args.output} ({args.kind} chart, {fmt.upper()}, {len(data):,} bytes){_marks(demo, framework)}")
    return EXIT_OK


def _export_table(engine, args) -> int:
    from kpi import store
    from kpi.charts import scorecard_table
    from kpi.engine import compute_report
    from kpi.exports import tables
    from kpi.membership import Membership

    fmt = args.format or _format_from_name(args.output, ("csv", "xlsx"), "csv")
    with engine.connect() as connection:
        demo = store.has_demo_data(connection)
        states = store.read_member_states(connection)
        names = dict(zip(states["iso3"], states["name"]))
        if args.what == "returns":
            framework = None  # the returns as stored: they belong to no one plan
            if fmt == "xlsx":
                data = tables.returns_workbook(connection)
            else:
                data = tables.table_to_csv(tables.read_all_return_values(connection), demo)
        else:
            framework = _choose_plan(connection, args)
            report = compute_report(connection, framework)
            units = {i.code: i.unit for i in framework.indicators}
            if args.what == "kpis":
                if args.year is not None:
                    _pick_year(report, args.year)
                    report = report[report["year"] == args.year]
                frame = tables.format_kpi_table(report)
                sheet = "KPI table"
            else:
                year = _pick_year(report, args.year)
                members = Membership.from_frame(states).members_in(year)
                frame = tables.label_columns(scorecard_table(report, year, framework, ams_count=len(members)),
                                             names, units)
                sheet = f"Scorecard {year}"
            data = (tables.table_to_csv(frame, demo, framework) if fmt == "csv"
                    else tables.table_to_excel(frame, sheet, demo, framework))
    _write(args.output, data)
    print(f"wrote {args.output} ({args.what}, {fmt}, {len(data):,} bytes){_marks(demo, framework)}")
    return EXIT_OK


def _export_briefing(engine, args) -> int:
    from kpi.engine import compute_report
    from kpi.exports.briefing import build_briefing

    if not args.output.lower().endswith(".pptx"):
        raise _UsageError(f"the briefing is a PowerPoint deck: -o must end in .pptx (got {args.output})")
    if args.pdf and not args.pdf.lower().endswith(".pdf"):
        raise _UsageError(f"--pdf must end in .pdf (got {args.pdf})")
    with engine.connect() as connection:
        framework = _choose_plan(connection, args)
        year = _pick_year(compute_report(connection, framework), args.year)
        result = build_briefing(connection, year, args.output, args.pdf, framework=framework)
    made = f"{result.pptx_path}" + (f" and {result.pdf_path}" if result.pdf_path else "")
    print(f"wrote {made}: {result.slide_count} slides, {result.figure_count} charts, "
          f"{result.timings['total']:.1f} s")
    return EXIT_OK


def _choose_plan(connection, args):
    # The rule of `python -m kpi report`: the plan named, else the plan of --year, else of the latest year with data.
    from kpi.cli import choose_plan
    return choose_plan(connection, getattr(args, "plan", None), getattr(args, "year", None))


def _marks(demo: bool, framework) -> str:
    marks = [m for m in ("marked DEMO DATA" if demo else "",
                         "marked PROVISIONAL" if framework is not None and framework.is_provisional else "") if m]
    return f", {' and '.join(marks)}" if marks else ""


def _pick_year(report, year: int | None) -> int:
    years = sorted(int(y) for y in set(report["year"])) if len(report) else []
    if not years:
        raise _UsageError("the store holds no returns for the years of this plan yet: load some with python -m "
                          "importers load, or choose another plan with --plan")
    if year is None:
        return years[-1]
    if year not in years:
        raise _UsageError(f"no figures for {year}; years with data: {years[0]}–{years[-1]}")
    return year


def _format_from_name(path: str, formats: tuple[str, ...], default: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in formats else default


def _write(path: str, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
