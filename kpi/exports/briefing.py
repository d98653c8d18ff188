"""The SOM briefing pack: a 16:9 PowerPoint deck (scorecard, indicators, AMS, completeness) and its PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt
from sqlalchemy import Connection

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK, Framework, Indicator
from kpi.charts import (
    RETURN_STATE_COLOURS, build_completeness_matrix, describe_source, format_as_of, format_value, scorecard_table,
    status_colour, trend_figure,
)
from kpi.engine import compute_report
from kpi.exports.images import render_figures, start_renderer
from kpi.indicators import ASEAN
from kpi.progress import (
    ACHIEVED, BASELINE_YEAR, BEFORE_BASELINE, INCOMPLETE_DATA, JUDGED_STATUSES, NO_BASELINE, NO_DATA, NO_TARGET,
    is_missing,
)

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.35)
CHART_WIDTH_PX = 1100  # 1100×560 px on a 5 in high picture: the charts' 13 px fonts print at ≈8.5 pt
CHART_SCALE = 2
CHART_HEIGHT_PX = 560
DEMO_MARKER = "DEMO DATA"
DEMO_NOTE = f"{DEMO_MARKER} – illustrative returns, not official figures"
NOT_JUDGED_YES_NO = "yes/no answer (judged regionally)"
SOFFICE_TIMEOUT_SECONDS = 300
WORDING_LENGTH = 72  # one line of a 9 pt table cell, so 17 rows fit a slide
SCORECARD_WORDING_LENGTH = 62

_DARK, _MUTED, _WHITE = RGBColor(0x1F, 0x29, 0x33), RGBColor(0x52, 0x60, 0x6D), RGBColor(0xFF, 0xFF, 0xFF)
_HEADER_FILL, _DEMO_RED = RGBColor(0x1F, 0x4E, 0x9E), RGBColor(0xC5, 0x30, 0x30)
_LIGHT_STATES = ("missing",)  # completeness states drawn light, so their label is dark


class BriefingError(RuntimeError):
    """The briefing pack could not be made (no data for the year, LibreOffice missing or failing)."""


@dataclass
class BriefingResult:
    """What build_briefing made: the files, how many slides and figures, and seconds per step."""

    pptx_path: Path
    pdf_path: Path | None
    slide_count: int
    figure_count: int
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Context:
    framework: Framework
    year: int
    as_of: object
    is_demo: bool
    names: dict[str, str]
    report: pd.DataFrame

    @property
    def ams(self) -> list[str]:
        return list(self.names)

    def footnote(self) -> str:
        text = (f"{describe_source(self.as_of)} · {self.framework.title}: baseline {self.framework.baseline_year}, "
                f"target {self.framework.target_year} · status rules: Open SDG progress measure")
        return f"{text} · {DEMO_NOTE}" if self.is_demo else text


def build_briefing(connection: Connection, year: int, output_pptx: str | Path, output_pdf: str | Path | None = None,
                   framework: Framework = CURRENT_FRAMEWORK) -> BriefingResult:
    """Write the SOM briefing deck for `year` (and its PDF when asked); return paths, counts and timings.

    Raises BriefingError when the store has no data for the year or LibreOffice cannot make the PDF, and
    kpi.exports.images.RendererUnavailable without Chromium.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    context = _read_context(connection, year, framework)
    timings["compute"] = time.perf_counter() - started

    step = time.perf_counter()
    figures = build_indicator_figures(context.report, framework, context.as_of, context.names)
    timings["figures"] = time.perf_counter() - step
    timings["renderer_start"] = start_renderer()
    step = time.perf_counter()
    pictures = render_figures(list(figures.values()), "png", width=CHART_WIDTH_PX, scale=CHART_SCALE)
    timings["render"] = time.perf_counter() - step

    step = time.perf_counter()
    deck = _build_deck(connection, context, dict(zip(figures, pictures)))
    output_pptx = Path(output_pptx)
    output_pptx.parent.mkdir(parents=True, exist_ok=True)
    deck.save(output_pptx)
    timings["deck"] = time.perf_counter() - step

    pdf_path = None
    if output_pdf is not None:
        step = time.perf_counter()
        pdf_path = convert_to_pdf(output_pptx, Path(output_pdf))
        timings["pdf"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return BriefingResult(output_pptx, pdf_path, len(deck.slides), len(figures), timings)


def build_indicator_figures(report: pd.DataFrame, framework: Framework, as_of,
                            names: dict[str, str] | None = None) -> dict[str, object]:
    """Return {indicator code: trend figure sized for a slide} for every indicator, in framework order."""
    return {i.code: fit_for_slide(trend_figure(report, i, framework, as_of, names=names))
            for i in framework.indicators}


def fit_for_slide(fig, height: int = CHART_HEIGHT_PX):
    """Return the figure at the height of a slide's chart area (its footnote is placed in pixels and follows)."""
    fig.update_layout(height=height)
    return fig


def read_briefing_report(connection: Connection, year: int, framework: Framework = CURRENT_FRAMEWORK) -> pd.DataFrame:
    """Return the KPI table up to `year` (a briefing never shows later years); raise BriefingError if none."""
    report = compute_report(connection, framework)
    if not len(report) or year not in set(report["year"]):
        years = sorted(set(report["year"])) if len(report) else []
        known = f"years with data: {years[0]}–{years[-1]}" if years else "the store holds no returns"
        raise BriefingError(f"no KPI figures for {year} ({known})")
    return report[report["year"] <= year].reset_index(drop=True)


def describe_indicator(row: dict | None, indicator: Indicator, year: int, framework: Framework,
                       ams_count: int = 10) -> tuple[str, str]:
    """Return the two summary lines of an indicator's ASEAN figure: value with coverage and change; status.

    E.g. ("ASEAN 2019: 62.5 % (8 of 10 AMS), +12.5 points since 2014.", "Status: acceleration needed.").
    """
    row = row or {}
    value, coverage = _present(row.get("value")), _present(row.get("coverage"))
    status = row.get("status") or NO_DATA
    reported = int(coverage) if coverage is not None else 0
    if value is None:
        who = "no AMS reported" if reported == 0 else f"{reported} of {ams_count} AMS reported"
        return f"ASEAN {year}: no data ({who}).", "Status: no data."
    shown = _format_amount(value, indicator)
    change = _present(row.get("change"))
    if change is None:
        since = f"no {framework.baseline_year} baseline to compare with"
    else:
        since = f"{_format_change(change, indicator)} since {framework.baseline_year}"
    first = f"ASEAN {year}: {shown} ({reported} of {ams_count} AMS), {since}."
    return first, _status_line(row, indicator, status, reported, ams_count, framework)


def convert_to_pdf(pptx_path: Path, pdf_path: Path) -> Path:
    """Convert a deck to PDF with LibreOffice headless (private profile); return the PDF path.

    Raises BriefingError when soffice is missing, fails or times out.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise BriefingError("the PDF needs LibreOffice: install Debian's libreoffice-impress package")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-briefing-") as work:
        # A private profile: a user's open LibreOffice (or a parallel export) would otherwise lock the default one.
        profile = Path(work) / f"profile-{uuid.uuid4().hex}"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", work, str(Path(pptx_path).resolve())]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise BriefingError(f"LibreOffice took more than {SOFFICE_TIMEOUT_SECONDS} s to convert the deck") from exc
        produced = Path(work) / (Path(pptx_path).stem + ".pdf")
        if finished.returncode != 0 or not produced.is_file():
            detail = (finished.stderr or finished.stdout).strip().splitlines()
            raise BriefingError(f"LibreOffice could not convert the deck to PDF (exit {finished.returncode}): "
                                f"{detail[-1] if detail else 'no output'}")
        shutil.move(str(produced), pdf_path)
    return pdf_path


# --- reading ----------------------------------------------------------------------------------

def _read_context(connection: Connection, year: int, framework: Framework) -> _Context:
    report = read_briefing_report(connection, year, framework)
    states = store.read_member_states(connection)
    return _Context(framework=framework, year=year, as_of=store.data_as_of(connection),
                    is_demo=store.has_demo_data(connection), names=dict(zip(states["iso3"], states["name"])),
                    report=report)


# --- slides -----------------------------------------------------------------------------------

def _build_deck(connection: Connection, context: _Context, pictures: dict[str, bytes]) -> Presentation:
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _add_title_slide(deck, context)
    _add_scorecard_slide(deck, context)
    for indicator in context.framework.indicators:
        _add_indicator_slide(deck, context, indicator, pictures[indicator.code])
    for iso3, name in context.names.items():
        _add_ams_slide(deck, context, iso3, name)
    _add_completeness_slide(deck, connection, context)
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        _add_footer(slide, context, number, total)
    return deck


def _new_slide(deck: Presentation, title: str, subtitle: str | None = None):
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: every shape is placed here
    _add_text(slide, title, MARGIN, Inches(0.25), SLIDE_WIDTH - 2 * MARGIN, Inches(0.55), size=22, bold=True)
    if subtitle:
        _add_text(slide, subtitle, MARGIN, Inches(0.8), SLIDE_WIDTH - 2 * MARGIN, Inches(0.4), size=12,
                  colour=_MUTED)
    return slide


def _add_title_slide(deck: Presentation, context: _Context) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    width = SLIDE_WIDTH - 2 * Inches(0.8)
    _add_text(slide, "ACCSM KPI briefing", Inches(0.8), Inches(1.6), width, Inches(1.0), size=40, bold=True)
    _add_text(slide, f"{context.framework.title} · Senior Officials Meeting", Inches(0.8), Inches(2.6), width,
              Inches(0.6), size=22)
    _add_text(slide, f"Reporting year {context.year} · data as of {format_as_of(context.as_of)}", Inches(0.8),
              Inches(3.25), width, Inches(0.5), size=20, colour=_MUTED)
    _add_text(slide, f"Baseline {context.framework.baseline_year}, target {context.framework.target_year}; "
                     f"KPI areas A–E, {len(context.framework.indicators)} indicators, ten ASEAN Member States (AMS).",
              Inches(0.8), Inches(3.85), width, Inches(0.5), size=16, colour=_MUTED)
    if context.is_demo:
        box = slide.shapes.add_shape(1, Inches(0.8), Inches(4.8), Inches(9.5), Inches(0.8))  # 1: rectangle
        box.fill.solid()
        box.fill.fore_color.rgb = _DEMO_RED
        box.line.fill.background()
        _fill_text(box.text_frame, DEMO_NOTE, size=20, bold=True, colour=_WHITE)


def _add_scorecard_slide(deck: Presentation, context: _Context) -> None:
    framework, year = context.framework, context.year
    card = scorecard_table(context.report, year, framework)
    slide = _new_slide(deck, f"Scorecard {year}: ASEAN against the {framework.target_year} targets",
                       "One row per KPI, areas A–E. Status colour and label: green achieved/on track, amber "
                       "acceleration needed, red limited progress/deterioration, grey not judged.")
    headers = ["Code", "Indicator", f"ASEAN {year}", "Coverage", f"Baseline {framework.baseline_year}",
               f"Target {framework.target_year}", "Progress", "Status"]
    widths = [0.65, 4.1, 1.45, 1.1, 1.45, 1.45, 0.8, 1.65]
    rows = []
    for record in card.to_dict("records"):
        indicator = framework.indicator(record["code"])
        progress = _present(record["progress_pct"])
        rows.append([record["code"], _shorten(record["wording"], SCORECARD_WORDING_LENGTH),
                     _format_amount(record["value"], indicator), record["coverage"] or "–",
                     _format_amount(record["baseline"], indicator, blank="–"),
                     _format_amount(record["target"], indicator, blank="–"),
                     "–" if progress is None else f"{progress:.0f} %", record["status"]])
    _add_table(slide, headers, rows, widths, Inches(1.3), status_column=7, font_size=9)


def _add_indicator_slide(deck: Presentation, context: _Context, indicator: Indicator, picture: bytes) -> None:
    row = _report_row(context.report, indicator.code, ASEAN, context.year)
    first, second = describe_indicator(row, indicator, context.year, context.framework, len(context.ams))
    slide = _new_slide(deck, _shorten(f"{indicator.code} · {context.framework.areas.get(indicator.area, '')}", 64),
                       _shorten(indicator.wording, 170))
    summary = slide.shapes.add_textbox(MARGIN, Inches(1.2), SLIDE_WIDTH - 2 * MARGIN, Inches(0.7))
    frame = summary.text_frame
    frame.word_wrap = True
    _fill_text(frame, first, size=16, bold=True, align=PP_ALIGN.LEFT)
    paragraph = frame.add_paragraph()
    _style_run(paragraph.add_run(), second, size=16, colour=_status_rgb(row.get("status") if row else NO_DATA))
    picture_shape = _add_picture(slide, picture, MARGIN, Inches(1.95), SLIDE_WIDTH - 2 * MARGIN, Inches(5.0))
    picture_shape._element.nvPicPr.cNvPr.set("descr", f"{indicator.code} trend chart. {first} {second}")


def _add_ams_slide(deck: Presentation, context: _Context, iso3: str, name: str) -> None:
    framework, year = context.framework, context.year
    rows_of_ams = context.report[(context.report["scope"] == iso3) & (context.report["year"] == year)]
    by_code = {r["indicator"]: r for r in rows_of_ams.to_dict("records")}
    reported = sum(1 for r in by_code.values() if _present(r["value"]) is not None)
    statuses = [r["status"] for r in by_code.values() if r["status"] in JUDGED_STATUSES]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in JUDGED_STATUSES if statuses.count(s))
    subtitle = (f"{reported} of {len(framework.indicators)} indicators with a value for {year}"
                + (f"; judged against its targets: {counts}." if counts else "; none judged against a target."))
    if reported == 0:
        subtitle = f"No return for {year}: every indicator shows no data."
    slide = _new_slide(deck, f"{name} ({iso3}) · {year}", subtitle)
    headers = ["Code", "Indicator", str(year), f"Baseline {framework.baseline_year}",
               f"Target {framework.target_year}", f"Change since {framework.baseline_year}", "Status"]
    widths = [0.65, 5.35, 1.3, 1.3, 1.0, 1.35, 1.7]
    rows = []
    for indicator in framework.indicators:
        row = by_code.get(indicator.code, {})
        value = _present(row.get("value"))
        if indicator.is_yes_count:
            shown = NO_DATA if value is None else ("yes" if value == 1 else "no")
            rows.append([indicator.code, _shorten(indicator.wording, WORDING_LENGTH), shown, "–", "–", "–",
                         NO_DATA if value is None else NOT_JUDGED_YES_NO])
            continue
        change = _present(row.get("change"))
        rows.append([indicator.code, _shorten(indicator.wording, WORDING_LENGTH), _format_amount(value, indicator),
                     _format_amount(row.get("baseline"), indicator, blank="–"),
                     _format_amount(row.get("target"), indicator, blank="–"),
                     "–" if change is None else _format_change(change, indicator),
                     row.get("status") or NO_DATA])
    _add_table(slide, headers, rows, widths, Inches(1.3), status_column=6, font_size=9)


def _add_completeness_slide(deck: Presentation, connection: Connection, context: _Context) -> None:
    years = sorted(int(y) for y in set(context.report["year"]))
    matrix = build_completeness_matrix(store.read_submissions(connection, kind="return"), context.ams, years)
    latest = matrix[context.year] if context.year in matrix.columns else pd.Series(dtype=object)
    missing = [context.names[iso3] for iso3, state in latest.items() if state == "missing"]
    received = len(latest) - len(missing)
    subtitle = (f"Returns for {context.year}: {received} of {len(context.ams)} AMS"
                + (f" (missing: {', '.join(missing)})." if missing else " (all received)."))
    slide = _new_slide(deck, "Data completeness: country returns by AMS and year", subtitle)
    headers = ["AMS", *[str(y) for y in years]]
    name_width = 2.6
    year_width = min(1.6, (12.6 - name_width) / max(len(years), 1))
    rows = [[context.names[iso3], *[matrix.loc[iso3, y] for y in years]] for iso3 in context.ams]
    table = _add_table(slide, headers, rows, [name_width] + [year_width] * len(years), Inches(1.3), font_size=11)
    for row_index, iso3 in enumerate(context.ams, start=1):
        for column_index, y in enumerate(years, start=1):
            state = matrix.loc[iso3, y]
            light = state in _LIGHT_STATES
            _colour_cell(table.cell(row_index, column_index), RETURN_STATE_COLOURS[state],
                         _DARK if light else _WHITE)


def _add_footer(slide, context: _Context, number: int, total: int) -> None:
    top = SLIDE_HEIGHT - Inches(0.5)
    _add_text(slide, context.footnote(), MARGIN, top, SLIDE_WIDTH - 2 * MARGIN - Inches(1.0), Inches(0.4),
              size=9, colour=_DEMO_RED if context.is_demo else _MUTED)
    _add_text(slide, f"{number} / {total}", SLIDE_WIDTH - MARGIN - Inches(0.9), top, Inches(0.9), Inches(0.4),
              size=9, colour=_MUTED, align=PP_ALIGN.RIGHT)


# --- shapes -----------------------------------------------------------------------------------

def _add_text(slide, text: str, left, top, width, height, size: int, bold: bool = False, colour=_DARK,
              align=PP_ALIGN.LEFT):
    box = slide.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    _fill_text(box.text_frame, text, size=size, bold=bold, colour=colour, align=align)
    return box


def _fill_text(frame, text: str, size: int, bold: bool = False, colour=_DARK, align=PP_ALIGN.LEFT) -> None:
    frame.clear()
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    _style_run(paragraph.add_run(), text, size=size, bold=bold, colour=colour)


def _style_run(run, text: str, size: int, bold: bool = False, colour=_DARK) -> None:
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Arial"
    run.font.color.rgb = colour


def _add_table(slide, headers: list[str], rows: list[list[str]], widths_in: list[float], top,
               status_column: int | None = None, font_size: int = 10):
    height = Inches(0.3) * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), MARGIN, top, Inches(sum(widths_in)), height)
    table = shape.table
    for index, width in enumerate(widths_in):
        table.columns[index].width = Inches(width)
    for row in table.rows:
        row.height = Inches(0.29)
    for column_index, header in enumerate(headers):
        cell = table.cell(0, column_index)
        _set_cell(cell, header, font_size, bold=True, colour=_WHITE)
        cell.fill.solid()
        cell.fill.fore_color.rgb = _HEADER_FILL
    for row_index, row in enumerate(rows, start=1):
        for column_index, text in enumerate(row):
            cell = table.cell(row_index, column_index)
            _set_cell(cell, str(text), font_size)
            if column_index == status_column:
                # The label is always printed in the coloured cell: colour alone fails colour-blind readers.
                _colour_cell(cell, status_colour(text), _WHITE, bold=True)
    return table


def _set_cell(cell, text: str, size: int, bold: bool = False, colour=_DARK) -> None:
    cell.margin_left = cell.margin_right = Inches(0.05)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    _fill_text(frame, text, size=size, bold=bold, colour=colour)


def _colour_cell(cell, hex_colour: str, text_colour, bold: bool = False) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(hex_colour.lstrip("#"))
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = text_colour
            run.font.bold = bold or run.font.bold


def _add_picture(slide, png: bytes, left, top, max_width, max_height):
    width_px, height_px = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    scale = min(max_width / width_px, max_height / height_px)
    width, height = Emu(int(width_px * scale)), Emu(int(height_px * scale))
    return slide.shapes.add_picture(io.BytesIO(png), left + (max_width - width) // 2, top, width, height)


# --- wording ----------------------------------------------------------------------------------

def _status_line(row: dict, indicator: Indicator, status: str, reported: int, ams_count: int,
                 framework: Framework) -> str:
    target = _present(row.get("target"))
    progress = _present(row.get("progress"))
    target_text = "" if target is None else f"{framework.target_year} target {_format_amount(target, indicator)}"
    if status == INCOMPLETE_DATA:
        return (f"Status: incomplete data – only {reported} of {ams_count} AMS reported, so the regional "
                f"{'count' if indicator.is_yes_count else 'sum'} is a lower bound and is not judged.")
    if status == NO_TARGET:
        return "Status: no target – no target is set, so progress is not judged."
    if status == NO_BASELINE:
        return (f"Status: no baseline – no {framework.baseline_year} value from all AMS and none entered, "
                f"so progress is not judged{'' if not target_text else f' ({target_text})'}.")
    if status in (BASELINE_YEAR, BEFORE_BASELINE):
        return f"Status: {status}{'' if not target_text else f' ({target_text})'}."
    if status in JUDGED_STATUSES and progress is not None:
        covered = "target reached" if status == ACHIEVED else f"{100 * progress:.0f} % of the way to the {target_text}"
        return f"Status: {status} ({covered})."
    return f"Status: {status}."


def _format_amount(value, indicator: Indicator, blank: str = NO_DATA) -> str:
    value = _present(value)
    if value is None:
        return blank
    shown = format_value(value, indicator.unit)
    return shown if indicator.is_percent else f"{shown} {indicator.unit}"


def _format_change(change: float, indicator: Indicator) -> str:
    if indicator.is_percent:
        return f"{change:+.1f} points"
    shown = f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.1f}"
    return f"{shown} {indicator.unit}"


def _status_rgb(status: str | None) -> RGBColor:
    return RGBColor.from_string(status_colour(status or NO_DATA).lstrip("#"))


def _report_row(report: pd.DataFrame, code: str, scope: str, year: int) -> dict | None:
    rows = report[(report["indicator"] == code) & (report["scope"] == scope) & (report["year"] == year)]
    return rows.iloc[0].to_dict() if len(rows) else None


def _present(value):
    return None if value is None or value is pd.NA or is_missing(value) else value


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"
