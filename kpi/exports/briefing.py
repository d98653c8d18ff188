"""The SOM briefing pack: a 16:9 PowerPoint deck on the slide master's layouts, with speaker notes, and its PDF.

Slides: title; what was revised since the latest SOM edition (when one was frozen); key messages written from
the data; the scorecard and the AMS × indicator status matrix (split by KPI area where one slide would not hold
them at 12 pt); a map; per indicator its ranking against targets and its trend; per AMS a profile with a chart;
the work plan's status and the ARCs' projects and evaluations (kpi.exports.cycle_slides); completeness; method.
Every title is in a title placeholder and every text in a body placeholder (outline view, accessibility checker,
re-theming), every picture has its alternative text, and every slide's speaker notes say its figures in words.
Texts are measured before they are placed (kpi.exports.slides), so nothing is cut, nothing runs over the footer
and nothing is under 12 pt but the 10 pt source line.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt
from sqlalchemy import Connection

from kpi import review, store
from kpi.catalogue import CURRENT_FRAMEWORK, Framework, Indicator
from kpi.charts import (NOT_MEMBER, RETURN_STATE_COLOURS, apply_membership, build_completeness_matrix,
                        describe_provisional, describe_source, format_as_of, provisional_marker)
from kpi.completeness import indicator_gaps, return_completeness
from kpi.engine import compute_report
from kpi.exports import cycle_slides, pack_charts, pdf
from kpi.exports.images import start_renderer, submit_figures, wait_for_picture
from kpi.exports.messages import (
    compute_key_messages, describe_leaders, format_amount, format_change, rank_members, write_key_messages,
)
from kpi.exports.slides import (
    CONTENT_BOTTOM, CONTENT_WIDTH, DARK, FOOTER_HEIGHT, FOOTER_TOP, GAP, MARGIN, MIN_TEXT_PT, MUTED, SLIDE_WIDTH,
    SOURCE_PT, WHITE, Box, Cell, Column, DoesNotFit, Para, add_picture, add_table, content_top, fill_text,
    fit_paragraphs, layout_table, new_deck, new_slide, paginate_rows, para, paras_height, place, set_body,
    set_notes,
)
from kpi.indicators import ASEAN
from kpi.maps import NO_COLOUR, YES_COLOUR
from kpi.membership import Membership
from kpi.progress import (
    ACHIEVED, BASELINE_YEAR, BEFORE_BASELINE, GREY, INCOMPLETE_DATA, JUDGED_STATUSES, NO_BASELINE, NO_DATA,
    NO_TARGET, STATUS_COLOURS, explain_status_rules, is_missing,
)

RANKING_WIDTH = Inches(5.5)  # the ranking table beside an indicator's trend chart
AMS_TABLE_WIDTH = Inches(5.7)  # an AMS's indicator table beside its profile chart
MIN_CHART_HEIGHT = Inches(3.4)
NUMBER_WIDTH = Inches(0.9)
BODY_SIZES = (20, 18, 17, 16, 15, 14)
LEAD_SIZES = (14, 13, 12)
CHART_PX_PER_PT = pack_charts.CHART_PX_PER_PT
# The return column of the completeness slide: the review state in words, each with its own fill ("queried" amber,
# never like "confirmed"). A rejected upload is never stored, so the pack knows no "with errors".
_REVIEW_FILLS = {review.CONFIRMED: "#1a365d", review.RECEIVED: RETURN_STATE_COLOURS["received"],
                 review.QUERIED: "#d69e2e", review.MISSING: RETURN_STATE_COLOURS["missing"]}
CHART_SCALE = 3  # PNG pixels per CSS pixel: ≈ 216 dpi on the slide
CHART_WIDTH_PX = round(Emu(CONTENT_WIDTH - RANKING_WIDTH - GAP).pt * CHART_PX_PER_PT)  # an indicator's trend
CHART_HEIGHT_PX = round(Inches(4.0).pt * CHART_PX_PER_PT)  # its usual height (the text above it decides)

DEMO_MARKER = "DEMO DATA"
DEMO_NOTE = f"{DEMO_MARKER} – illustrative returns, not official figures"
NOT_JUDGED_YES_NO = "answer (not judged)"
_DEMO_RED = RGBColor(0xC5, 0x30, 0x30)
_PROVISIONAL_ORANGE = RGBColor(0x9C, 0x42, 0x21)  # kpi.charts.PROVISIONAL_COLOUR
_NOT_JUDGED_FILL = pack_charts.NOT_JUDGED_FILL  # grey, light enough for dark text: never red


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
    names: dict[str, str]  # the AMS of the year, in ASEAN's order
    report: pd.DataFrame
    values: pd.DataFrame  # the store's current single values (completeness)
    submissions: pd.DataFrame
    membership: Membership | None = None  # who reports in which year ("not a member" before joining)
    review: dict[str, str] | None = None  # AMS -> the review state of its return of the year (kpi.review)

    @property
    def ams(self) -> list[str]:
        return list(self.names)

    def footnote(self) -> str:
        plan = (f"{self.framework.title}: baseline {self.framework.baseline_year}, "
                f"target {self.framework.target_year}")
        if self.framework.is_provisional:
            # First, so no slide can lose it: the whole pack is judged against a framework not yet adopted.
            text = f"{provisional_marker(self.framework)} · {describe_source(self.as_of)} · {plan}"
        else:
            text = f"{describe_source(self.as_of)} · {plan} · status rules: Open SDG progress measure"
        return f"{text} · {DEMO_NOTE}" if self.is_demo else text


@dataclass
class _ChartSlide:
    """A slide whose chart must be sized before it is drawn: its title, text above and the boxes below."""

    title: str
    lead: list[Para]
    lead_box: Box
    chart_box: Box
    side_box: Box | None = None  # the table beside the chart


# --- the pack -----------------------------------------------------------------------------------

def build_briefing(connection: Connection, year: int, output_pptx: str | Path, output_pdf: str | Path | None = None,
                   framework: Framework = CURRENT_FRAMEWORK) -> BriefingResult:
    """Write the SOM briefing deck for `year` (and its PDF when asked); return paths, counts and timings.

    Raises BriefingError when the store has no data for the year or LibreOffice cannot make the PDF, and
    kpi.exports.images.RendererUnavailable without Chromium.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    context = _read_context(connection, year, framework)
    cycle = cycle_slides.read_cycle_inputs(connection, year, framework)
    timings["compute"] = time.perf_counter() - started

    timings["renderer_start"] = start_renderer()
    with _pdf_converter(output_pdf) as converter:
        deck, pictures = _write_deck(context, cycle, output_pptx, timings,
                                     converter.start_ahead if converter is not None else None)
        pdf_path = None
        if converter is not None:
            step = time.perf_counter()
            pdf_path = convert_to_pdf(output_pptx, Path(output_pdf), converter)
            timings["pdf"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return BriefingResult(Path(output_pptx), pdf_path, len(deck.slides), len(pictures), timings)


def _write_deck(context: _Context, cycle, output_pptx: str | Path, timings: dict[str, float],
                figures_sent: Callable[[], None] | None = None):
    # Each figure is sent to Chromium as soon as it is built, and the deck is built while Chromium draws them:
    # a slide waits only for its own picture (kpi/exports/images.submit_figures), so the pack costs little more
    # than rendering its figures.
    step = time.perf_counter()
    plans = _plan_chart_slides(context)
    pictures = _Pictures()
    for key, figure in _build_figures(context, plans):
        pictures.submit(key, figure)
    timings["figures"] = time.perf_counter() - step
    if figures_sent is not None:
        figures_sent()

    step = time.perf_counter()
    deck = _build_deck(context, plans, pictures, cycle)
    timings["render"] = pictures.rendered_after(step)
    output_pptx = Path(output_pptx)
    output_pptx.parent.mkdir(parents=True, exist_ok=True)
    deck.save(output_pptx)
    timings["deck"] = time.perf_counter() - step
    return deck, pictures


@contextlib.contextmanager
def _pdf_converter(output_pdf) -> Iterator[pdf.Converter | None]:
    # LibreOffice starts while the charts render, so it is ready when the deck is written (kpi.exports.pdf).
    if output_pdf is None:
        yield None
        return
    try:
        converter = pdf.Converter()
    except pdf.PdfError as exc:
        raise BriefingError(str(exc)) from exc
    with converter:
        yield converter


def build_pack_figures(connection: Connection, year: int,
                       framework: Framework = CURRENT_FRAMEWORK) -> dict[str, go.Figure]:
    """Return every chart of the pack for `year`, sized for its box: "trend CODE", "profile ISO3", "map CODE".

    Raises BriefingError when the store has no data for the year.
    """
    context = _read_context(connection, year, framework)
    return dict(_build_figures(context, _plan_chart_slides(context)))


def build_indicator_figures(report: pd.DataFrame, framework: Framework, as_of,
                            names: dict[str, str] | None = None) -> dict[str, go.Figure]:
    """Return {indicator code: its trend chart as the pack draws it} for every indicator, in framework order.

    Each is CHART_WIDTH_PX × CHART_HEIGHT_PX CSS pixels (the pack sizes each to the room its slide leaves).
    """
    return {i.code: pack_charts.trend_chart(report, i, framework, as_of, names, CHART_WIDTH_PX, CHART_HEIGHT_PX)
            for i in framework.indicators}


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
    shown = format_amount(value, indicator)
    change = _present(row.get("change"))
    if change is None:
        since = f"no {framework.baseline_year} baseline to compare with"
    else:
        since = f"{format_change(change, indicator)} since {framework.baseline_year}"
    first = f"ASEAN {year}: {shown} ({reported} of {ams_count} AMS), {since}."
    return first, _status_line(row, indicator, status, reported, ams_count, framework)


def convert_to_pdf(pptx_path: Path, pdf_path: Path, converter: pdf.Converter | None = None) -> Path:
    """Convert a deck to PDF with LibreOffice (kpi.exports.pdf; through `converter` when one was started ahead);
    return the PDF path.

    Raises BriefingError when soffice is missing, fails or times out.
    """
    try:
        return converter.convert(pptx_path, pdf_path) if converter else pdf.convert_to_pdf(pptx_path, pdf_path)
    except pdf.PdfError as exc:
        raise BriefingError(str(exc)) from exc


# --- reading ------------------------------------------------------------------------------------

def _read_context(connection: Connection, year: int, framework: Framework) -> _Context:
    report = read_briefing_report(connection, year, framework)
    states = store.read_member_states(connection)
    all_names = dict(zip(states["iso3"], states["name"]))
    members = Membership.from_frame(states).members_in(year)
    return _Context(framework=framework, year=year, as_of=store.data_as_of(connection),
                    is_demo=store.has_demo_data(connection), names={c: all_names[c] for c in members},
                    report=report, values=store.read_current_values(connection),
                    submissions=store.read_submissions(connection, kind="return"),
                    membership=Membership.from_frame(states),
                    review={s.country: s.state for s in review.read_states(connection, [year])})


# --- planning: slides whose charts need a size before they are drawn ----------------------------

def _plan_chart_slides(context: _Context) -> dict[str, _ChartSlide]:
    framework, plans = context.framework, {}
    for indicator in framework.indicators:
        title = _indicator_title(framework, indicator)
        plans[f"trend {indicator.code}"] = _plan_beside(
            title, lambda size, i=indicator: _indicator_lead(context, i, size), RANKING_WIDTH)
    for iso3, name in context.names.items():
        title = _ams_title(context, iso3, name)
        plans[f"profile {iso3}"] = _plan_table_left(title, lambda size, c=iso3: _ams_lead(context, c, size),
                                                    AMS_TABLE_WIDTH)
    headline = _headline_indicator(context)
    title = f"{headline.code} by Member State, {context.year}: map"
    top = content_top(title)
    lead, height = _fit_lead(lambda size: _map_lead(headline, size), top)
    chart_top = top + Pt(height) + GAP
    plans[f"map {headline.code}"] = _ChartSlide(title, lead, Box(MARGIN, top, CONTENT_WIDTH, Pt(height)),
                                                Box(MARGIN, chart_top, CONTENT_WIDTH, CONTENT_BOTTOM - chart_top))
    return plans


def _plan_beside(title: str, make, side_width: int) -> _ChartSlide:
    top = content_top(title)
    lead, height = _fit_lead(make, top)
    below = top + Pt(height) + GAP
    side = Box(MARGIN, below, side_width, CONTENT_BOTTOM - below)
    chart = Box(MARGIN + side_width + GAP, below, CONTENT_WIDTH - side_width - GAP, CONTENT_BOTTOM - below)
    return _ChartSlide(title, lead, Box(MARGIN, top, CONTENT_WIDTH, Pt(height)), chart, side)


def _plan_table_left(title: str, make, table_width: int) -> _ChartSlide:
    """Plan a slide with a table the full height on the left, and the text above the chart on the right."""
    top = content_top(title)
    right, width = MARGIN + table_width + GAP, CONTENT_WIDTH - table_width - GAP
    lead, height = _fit_lead(make, top, width)
    below = top + Pt(height) + GAP
    return _ChartSlide(title, lead, Box(right, top, width, Pt(height)),
                       Box(right, below, width, CONTENT_BOTTOM - below), Box(MARGIN, top, table_width,
                                                                             CONTENT_BOTTOM - top))


def _fit_lead(make, top: int, width: int = CONTENT_WIDTH) -> tuple[list[Para], float]:
    """Return the text above a chart at the largest size that leaves the chart MIN_CHART_HEIGHT (else 12 pt)."""
    fitted = fit_paragraphs(make, width, Emu(CONTENT_BOTTOM - top - MIN_CHART_HEIGHT - GAP).pt, LEAD_SIZES)
    if fitted is None:
        paras = make(LEAD_SIZES[-1])
        return paras, paras_height(paras, width)
    return fitted


class _Pictures:
    """The pack's pictures by slide key, each rendered in the background and waited for when its slide is built."""

    def __init__(self) -> None:
        self._futures: dict = {}
        self._done: dict[str, float] = {}

    def submit(self, key: str, figure: go.Figure) -> None:
        future = submit_figures([figure], "png", scale=CHART_SCALE)[0]
        future.add_done_callback(lambda _, k=key: self._done.setdefault(k, time.perf_counter()))
        self._futures[key] = future

    def __getitem__(self, key: str) -> bytes:
        return wait_for_picture(self._futures[key], f"the chart of {key}")

    def __len__(self) -> int:
        return len(self._futures)

    def rendered_after(self, start: float) -> float:
        """Return the seconds from `start` until the last picture was ready (0 when all were ready before)."""
        return max(0.0, max(self._done.values(), default=start) - start)


def _build_figures(context: _Context, plans: dict[str, _ChartSlide]):
    """Yield (slide key, figure) in the deck's order (the map, the trends, the AMS profiles), each sized to its box."""
    framework = context.framework
    for key in sorted(plans, key=lambda k: ("map", "trend", "profile").index(k.split(" ", 1)[0])):
        plan = plans[key]
        kind, code = key.split(" ", 1)
        # Rounded down: the picture is then placed at least as large as drawn, never smaller.
        width = int(Emu(plan.chart_box.width).pt * CHART_PX_PER_PT)
        height = int(Emu(plan.chart_box.height).pt * CHART_PX_PER_PT)
        if kind == "trend":
            yield key, pack_charts.trend_chart(context.report, framework.indicator(code), framework,
                                               context.as_of, context.names, width, height)
        elif kind == "profile":
            yield key, pack_charts.ams_profile_chart(context.report, code, context.year, framework,
                                                     context.as_of, context.names, width, height)
        else:
            yield key, pack_charts.map_chart(context.report, framework.indicator(code), context.year, framework,
                                             context.as_of, context.ams, context.names, width, height)


def _headline_indicator(context: _Context) -> Indicator:
    """Return the indicator the map shows: the one with the most AMS judged against their own targets."""
    rows = context.report[(context.report["year"] == context.year) & (context.report["scope"].isin(context.ams))]
    candidates = [i for i in context.framework.indicators if not i.is_yes_count] or list(context.framework.indicators)
    judged = {i.code: int((rows["indicator"].eq(i.code) & rows["status"].isin(JUDGED_STATUSES)).sum())
              for i in candidates}
    return max(candidates, key=lambda i: (judged[i.code], -candidates.index(i)))


# --- the deck -----------------------------------------------------------------------------------

def _build_deck(context: _Context, plans: dict[str, _ChartSlide], pictures: dict[str, bytes],
                cycle: cycle_slides.CycleInputs | None = None) -> Presentation:
    deck = new_deck()
    _add_title_slide(deck, context)
    if cycle is not None:
        cycle_slides.add_revisions_slide(deck, cycle)
    _add_key_messages(deck, context)
    _add_scorecard(deck, context)
    _add_status_matrix(deck, context)
    map_key = next(k for k in plans if k.startswith("map "))
    _add_map_slide(deck, context, plans[map_key], pictures[map_key])
    for indicator in context.framework.indicators:
        key = f"trend {indicator.code}"
        _add_indicator_slide(deck, context, indicator, plans[key], pictures[key])
    for iso3, name in context.names.items():
        key = f"profile {iso3}"
        _add_ams_slide(deck, context, iso3, name, plans[key], pictures[key])
    if cycle is not None:
        cycle_slides.add_workplan_slide(deck, cycle)
        cycle_slides.add_arc_slide(deck, cycle)
    _add_completeness_slides(deck, context)
    _add_method_slides(deck, context)
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        _add_footer(slide, context, number, total)
    return deck


def _add_title_slide(deck: Presentation, context: _Context) -> None:
    framework = context.framework
    slide = deck.slides.add_slide(next(item for item in deck.slide_layouts if item.name == "Title Slide"))
    width = SLIDE_WIDTH - Inches(1.6)
    place(slide.shapes.title, Box(Inches(0.8), Inches(1.3), width, Inches(1.2)))
    fill_text(slide.shapes.title.text_frame, [para("ACCSM KPI briefing", 40, bold=True)], anchor=MSO_ANCHOR.BOTTOM)
    members = len(context.ams)
    lines = [para(f"{framework.title} · Senior Officials Meeting", 24),
             para(f"Reporting year {context.year} · data as of {format_as_of(context.as_of)}", 20, colour=MUTED,
                  space_before=8),
             para(f"Baseline {framework.baseline_year}, target {framework.target_year}; KPI areas "
                  f"{_area_span(framework)}, {len(framework.indicators)} indicators, {members} ASEAN Member "
                  f"States (AMS).", 16, colour=MUTED, space_before=8)]
    set_body(slide, lines, Box(Inches(0.8), Inches(2.6), width, Pt(paras_height(lines, width))))
    banners = [("Provisional framework", _PROVISIONAL_ORANGE, provisional_marker(framework)),
               ("Demo data", _DEMO_RED, DEMO_NOTE if context.is_demo else "")]
    top = Inches(4.6)
    for name, colour, text in banners:
        if not text:
            continue
        box = slide.shapes.add_shape(1, Inches(0.8), top, Inches(11.0), Inches(0.8))  # 1: rectangle
        box.name = name
        box.fill.solid()
        box.fill.fore_color.rgb = colour
        box.line.fill.background()
        fill_text(box.text_frame, [para(text, 20, bold=True, colour=WHITE)], anchor=MSO_ANCHOR.MIDDLE)
        top += Inches(0.95)
    set_notes(slide, [f"ACCSM KPI briefing for the Senior Officials Meeting: {framework.title}, reporting year "
                      f"{context.year}, data as of {format_as_of(context.as_of)}.",
                      f"{len(framework.indicators)} indicators in areas {_area_span(framework)}, judged against the "
                      f"{framework.baseline_year} baseline and the {framework.target_year} targets; {members} AMS.",
                      *([f"{provisional_marker(framework)}: {describe_provisional(framework)}"]
                        if framework.is_provisional else []),
                      *([DEMO_NOTE + "."] if context.is_demo else [])])


def _add_key_messages(deck: Presentation, context: _Context) -> None:
    messages = compute_key_messages(context.report, context.framework, context.year, context.ams, context.values)
    sentences = write_key_messages(messages, context.framework, context.names)
    title = f"Key messages, {context.year}"
    top = content_top(f"{title} (continued)")
    pages = _paginate_bullets(sentences, Emu(CONTENT_BOTTOM - top).pt)
    for number, paras in enumerate(pages):
        slide, top = new_slide(deck, title + (" (continued)" if number else ""))
        set_body(slide, paras, Box(MARGIN, top, CONTENT_WIDTH, Pt(paras_height(paras, CONTENT_WIDTH))))
        spoken = [p.text for p in paras]
        if number == len(pages) - 1:
            spoken += ["The figures behind them:"] + [_scorecard_note(context, i) for i in context.framework.indicators]
        set_notes(slide, spoken)


def _paginate_bullets(texts: list[str], height_pt: float) -> list[list[Para]]:
    """Return the bullets on as few slides as they fit, at the largest size that fits (else the smallest)."""
    def bullets(items: list[str], size: float) -> list[Para]:
        return [para(t, size, bullet=True, space_before=0 if n == 0 else size * 0.45) for n, t in enumerate(items)]

    fitted = fit_paragraphs(lambda size: bullets(texts, size), CONTENT_WIDTH, height_pt, BODY_SIZES)
    if fitted is not None:
        return [fitted[0]]
    size, pages, current = BODY_SIZES[-1], [], []
    for text in texts:
        if current and paras_height(bullets([*current, text], size), CONTENT_WIDTH) > height_pt:
            pages.append(bullets(current, size))
            current = []
        current.append(text)
    pages.append(bullets(current, size))
    return pages


def _add_scorecard(deck: Presentation, context: _Context) -> None:
    framework, year = context.framework, context.year
    columns = [Column("Code"), Column("Indicator", wrap=True, grow=True), Column(f"ASEAN {year}", wrap=True),
               Column("Coverage", wrap=True), Column(f"Baseline {framework.baseline_year}", wrap=True),
               Column(f"Target {framework.target_year}", wrap=True), Column("Progress"), Column("Status", wrap=True)]
    rows, areas = [], []
    members = len(context.ams)
    for indicator in framework.indicators:
        row = _report_row(context.report, indicator.code, ASEAN, year) or {}
        progress, coverage = _present(row.get("progress")), _present(row.get("coverage"))
        rows.append([Cell(indicator.code, bold=True), Cell(indicator.wording),
                     Cell(format_amount(row.get("value"), indicator)),
                     Cell("–" if coverage is None else f"{int(coverage)} of {members} AMS"),
                     Cell(format_amount(row.get("baseline"), indicator, blank="–")),
                     Cell(format_amount(row.get("target"), indicator, blank="–")),
                     Cell("–" if progress is None else f"{100 * progress:.0f} %", align=PP_ALIGN.RIGHT),
                     _status_cell(row.get("status") or NO_DATA)])
        areas.append(indicator.area)
    lead = [para(f"ASEAN against the {framework.target_year} targets. Progress: the share of the way from baseline "
                 "to target covered. Status: " + _legend_sentence(), 13, colour=MUTED)]
    _add_table_slides(deck, f"Scorecard {year}", lead, columns,
                      rows, areas, [_scorecard_note(context, i) for i in framework.indicators])


def _add_status_matrix(deck: Presentation, context: _Context) -> None:
    framework, year = context.framework, context.year
    rows_of_year = context.report[context.report["year"] == year]
    by_key = {(r["scope"], r["indicator"]): r for r in rows_of_year.to_dict("records")}
    scopes = [ASEAN, *context.ams]
    lead = [para("Each cell: the status of the scope against its own target (values on the scorecard and the AMS "
                 "slides). Yes/no answers of one AMS are answers, not statuses: blue yes, yellow no. Status: "
                 + _legend_sentence(), 13, colour=MUTED)]
    for codes in _matrix_groups(context, by_key, scopes):
        columns, rows = _matrix_table(context, by_key, scopes, codes)
        areas = list(dict.fromkeys(framework.indicator(c).area for c in codes))
        title = f"Status by AMS and indicator, {year}: {_areas_words(areas)}"
        notes = []
        for code in codes:
            indicator = framework.indicator(code)
            notes.append(f"{code} {indicator.wording}: " + "; ".join(
                f"{'ASEAN' if s == ASEAN else context.names[s]} {_cell_words(indicator, s, by_key)}"
                for s in scopes) + ".")
        _add_table_slides(deck, title, lead, columns, rows, [0] * len(rows), notes, fill=True,
                          notes_per_row=False)


def _matrix_groups(context: _Context, by_key: dict, scopes: list[str]) -> list[list[str]]:
    """Return the indicator codes of each matrix slide: whole areas side by side while every cell fits a line."""
    by_area: dict[str, list[str]] = {}
    for indicator in context.framework.indicators:
        by_area.setdefault(indicator.area, []).append(indicator.code)
    groups: list[list[str]] = []
    for codes in by_area.values():
        if groups and _fits_one_line(context, by_key, scopes, groups[-1] + codes):
            groups[-1] = groups[-1] + codes
        else:
            groups.append(codes)
    return groups


def _fits_one_line(context: _Context, by_key: dict, scopes: list[str], codes: list[str]) -> bool:
    columns, rows = _matrix_table(context, by_key, scopes, codes)
    try:
        layout_table([Column(c.header) for c in columns], rows, Emu(CONTENT_WIDTH).pt, strict=True)
    except DoesNotFit:
        return False
    return True


def _matrix_table(context: _Context, by_key: dict, scopes: list[str],
                  codes: list[str]) -> tuple[list[Column], list[list[Cell]]]:
    columns = [Column("Scope", wrap=True), *[Column(code, wrap=True) for code in codes]]
    rows = []
    for scope in scopes:
        row = [Cell("ASEAN" if scope == ASEAN else context.names[scope], bold=scope == ASEAN)]
        for code in codes:
            indicator = context.framework.indicator(code)
            record = by_key.get((scope, code)) or {}
            value = _present(record.get("value"))
            if indicator.is_yes_count and scope != ASEAN:
                row.append(_answer_cell(value, align=PP_ALIGN.CENTER))
            else:
                row.append(_status_cell(NO_DATA if value is None else (record.get("status") or NO_DATA),
                                        align=PP_ALIGN.CENTER))
        rows.append(row)
    return columns, rows


def _cell_words(indicator: Indicator, scope: str, by_key: dict) -> str:
    record = by_key.get((scope, indicator.code)) or {}
    value = _present(record.get("value"))
    if value is None:
        return NO_DATA
    if indicator.is_yes_count and scope != ASEAN:
        return "answers yes" if value == 1 else "answers no"
    return f"{format_amount(value, indicator)}, {record.get('status') or NO_DATA}"


def _add_map_slide(deck: Presentation, context: _Context, plan: _ChartSlide, picture: bytes) -> None:
    indicator = _headline_indicator(context)
    slide, _ = new_slide(deck, plan.title)
    set_body(slide, plan.lead, plan.lead_box)
    rows = context.report[(context.report["indicator"] == indicator.code) & (context.report["year"] == context.year)]
    by_key = {(r["scope"], indicator.code): r for r in rows.to_dict("records")}
    labels = [f"{context.names[c]}: {_cell_words(indicator, c, by_key)}" for c in context.ams]
    add_picture(slide, picture, plan.chart_box,
                f"Map of the ASEAN Member States coloured by their {indicator.code} status in {context.year}, "
                "each labelled beside the map. " + "; ".join(labels) + ".")
    set_notes(slide, [p.text for p in plan.lead] + labels)


def _map_lead(indicator: Indicator, size: float) -> list[Para]:
    what = ("each AMS's yes/no answer: blue yes, yellow no (answers, not statuses)" if indicator.is_yes_count
            else "each AMS's status against its own target, in colour and in words beside the map")
    return [para(f"{indicator.code}: {indicator.wording}", size, bold=True),
            para(f"The map shows {what}. It is the indicator with the most AMS judged against their own targets.",
                 size, colour=MUTED, space_before=4)]


def _add_indicator_slide(deck: Presentation, context: _Context, indicator: Indicator, plan: _ChartSlide,
                         picture: bytes) -> None:
    framework, year = context.framework, context.year
    slide, _ = new_slide(deck, plan.title)
    set_body(slide, plan.lead, plan.lead_box)
    ranked = rank_members(context.report, indicator, year, context.ams)
    for label in (lambda iso3: context.names[iso3], lambda iso3: iso3):
        # AMS names that would make the table taller than its box (very long ones) give way to ISO codes.
        if indicator.is_yes_count:
            columns = [Column("AMS", wrap=True), Column(f"Answer {year}")]
            rows = [[Cell(label(r["scope"])), _answer_cell(r["value"])] for r in ranked]
        else:
            columns = [Column("Rank"), Column("AMS", wrap=True), Column(str(year), wrap=True),
                       Column(f"Target {framework.target_year}", wrap=True), Column("Status", wrap=True)]
            rows = [[Cell(str(n) if r["value"] is not None else "–", align=PP_ALIGN.RIGHT),
                     Cell(label(r["scope"])), Cell(format_amount(r["value"], indicator)),
                     Cell(format_amount(r["target"], indicator, blank="–")), _status_cell(r["status"] or NO_DATA)]
                    for n, r in enumerate(ranked, start=1)]
        widths, heights = layout_table(columns, rows, Emu(plan.side_box.width).pt, fill=True)
        if sum(heights) <= Emu(plan.side_box.height).pt:
            break
    add_table(slide, plan.side_box.left, plan.side_box.top, columns, rows, widths, heights)
    first, second = describe_indicator(_report_row(context.report, indicator.code, ASEAN, year), indicator, year,
                                       framework, len(context.ams))
    drawn = "the ASEAN total" if indicator.is_count_or_sum else "ASEAN (black) and each AMS (grey)"
    add_picture(slide, picture, plan.chart_box,
                f"Trend of {indicator.code} from {framework.baseline_year} to {framework.target_year}: {drawn}, "
                f"with the baseline, the target and the straight path to it. {first} {second}")
    notes = [f"{indicator.code}: {indicator.wording}.", first, second,
             describe_leaders(context.report, indicator, year, context.ams, context.names)]
    notes += [f"{context.names[r['scope']]}: {_ranked_words(indicator, r)}." for r in ranked]
    set_notes(slide, notes)


def _indicator_title(framework: Framework, indicator: Indicator) -> str:
    return f"{indicator.code} · {framework.areas.get(indicator.area, indicator.area)}"


def _indicator_lead(context: _Context, indicator: Indicator, size: float) -> list[Para]:
    row = _report_row(context.report, indicator.code, ASEAN, context.year)
    first, second = describe_indicator(row, indicator, context.year, context.framework, len(context.ams))
    status = (row or {}).get("status") or NO_DATA
    leaders = describe_leaders(context.report, indicator, context.year, context.ams, context.names)
    return [para(indicator.wording, size + 1, bold=True),
            Para([(first + " ", True, DARK), (second, True, _status_text_rgb(status))], size, space_before=4),
            para(leaders, size, space_before=3)]


def _ranked_words(indicator: Indicator, ranked: dict) -> str:
    if ranked["value"] is None:
        return NO_DATA
    if indicator.is_yes_count:
        return "yes" if ranked["value"] == 1 else "no"
    target = "" if ranked["target"] is None else f", target {format_amount(ranked['target'], indicator)}"
    return f"{format_amount(ranked['value'], indicator)}{target}, {ranked['status'] or NO_DATA}"


def _add_ams_slide(deck: Presentation, context: _Context, iso3: str, name: str, plan: _ChartSlide,
                   picture: bytes) -> None:
    framework, year = context.framework, context.year
    slide, _ = new_slide(deck, plan.title)
    set_body(slide, plan.lead, plan.lead_box)
    by_code = _rows_of(context.report, iso3, year)
    columns = [Column("Code"), Column(str(year), wrap=True), Column(f"Target {framework.target_year}", wrap=True),
               Column("Status", wrap=True)]
    rows, notes = [], [p.text for p in plan.lead]
    for indicator in framework.indicators:
        row = by_code.get(indicator.code, {})
        value = _present(row.get("value"))
        if indicator.is_yes_count:
            rows.append([Cell(indicator.code, bold=True), Cell(NO_DATA) if value is None else _answer_cell(value),
                         Cell("–"), _status_cell(NO_DATA) if value is None else Cell(NOT_JUDGED_YES_NO)])
            notes.append(f"{indicator.code} {indicator.wording}: "
                         f"{NO_DATA if value is None else ('yes' if value == 1 else 'no')}.")
            continue
        status = row.get("status") or NO_DATA
        rows.append([Cell(indicator.code, bold=True), Cell(format_amount(value, indicator)),
                     Cell(format_amount(row.get("target"), indicator, blank="–")), _status_cell(status)])
        change, target = _present(row.get("change")), _present(row.get("target"))
        since = "" if change is None else f", {format_change(change, indicator)} since {framework.baseline_year}"
        judged = "" if value is None else f", {status}"
        notes.append(f"{indicator.code} {indicator.wording}: {format_amount(value, indicator)}{since}"
                     + ("" if target is None else f", target {format_amount(target, indicator)}") + f"{judged}.")
    widths, heights = layout_table(columns, rows, Emu(plan.side_box.width).pt, fill=True)
    add_table(slide, plan.side_box.left, plan.side_box.top, columns, rows, widths, heights)
    add_picture(slide, picture, plan.chart_box,
                f"{name}'s percentage indicators in {year}: its value as a bar coloured by its status, the ASEAN "
                f"value and its own target. " + " ".join(n for n in notes[1:] if "%" in n))
    set_notes(slide, notes)


def _ams_title(context: _Context, iso3: str, name: str) -> str:
    return f"{name} ({iso3}) · {context.year}"


def _ams_lead(context: _Context, iso3: str, size: float) -> list[Para]:
    framework, year = context.framework, context.year
    by_code = _rows_of(context.report, iso3, year)
    reported = sum(1 for r in by_code.values() if _present(r["value"]) is not None)
    statuses = [r["status"] for r in by_code.values() if r["status"] in JUDGED_STATUSES]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in JUDGED_STATUSES if statuses.count(s))
    if reported == 0:
        text = f"No return for {year}: every indicator shows no data."
    else:
        text = (f"{reported} of {len(framework.indicators)} indicators with a value for {year}"
                + (f"; judged against its own targets: {counts}." if counts else "; none judged against a target."))
    return [para(text, size + 1)]


def _add_completeness_slides(deck: Presentation, context: _Context) -> None:
    framework, year, names = context.framework, context.year, context.names
    completeness = return_completeness(context.values, framework, context.ams, [year])
    gaps = indicator_gaps(context.values, framework, context.ams, year)
    missing_codes = list(completeness.loc[~completeness["has_return"], "country"])
    missing = [names[c] for c in missing_codes]
    received = len(context.ams) - len(missing)
    lead_text = (f"Returns for {year}: {received} of {len(context.ams)} AMS"
                 + (f" (missing: {', '.join(missing)})." if missing else " (all received)."))
    states = {c: (context.review or {}).get(c) or (review.RECEIVED if c not in missing_codes else review.MISSING)
              for c in context.ams}
    counts = {state: list(states.values()).count(state) for state in review.STATES}
    lead = [para(lead_text, 15, bold=True),
            para(f"Confirmed by the secretariat: {counts[review.CONFIRMED]} of {len(context.ams)}; received, not yet "
                 f"confirmed: {counts[review.RECEIVED]}; queried: {counts[review.QUERIED]}; missing: "
                 f"{counts[review.MISSING]}.", 13, space_before=4),
            para("Needed fields filled: of the return fields the indicators need, how many the AMS's return fills. "
                 "A missing return or a blank field leaves the AMS out of that indicator.", 13, colour=MUTED,
                 space_before=4)]
    columns = [Column("AMS", wrap=True), Column(f"Return {year}"), Column("Needed fields filled", wrap=True),
               Column("Indicators without this AMS's figure", wrap=True, grow=True)]
    rows, notes = [], []
    for record in completeness.itertuples():
        lacking = [r.indicator for r in gaps.itertuples()
                   if record.country in r.missing_no_return or record.country in r.missing_blank]
        state = states[record.country]
        lacking_text = "all (no return)" if not record.has_return else (", ".join(lacking) if lacking else "none")
        rows.append([Cell(names[record.country]), Cell(state, fill=_REVIEW_FILLS[state]),
                     Cell(f"{record.filled} of {record.needed} needed"), Cell(lacking_text)])
        notes.append(f"{names[record.country]}: return {state}, {record.filled} of {record.needed} needed fields "
                     f"filled; indicators without its figure: {lacking_text}.")
    _add_table_slides(deck, f"Data completeness {year}: returns and fields by AMS", lead, columns, rows,
                      [0] * len(rows), notes)

    years = sorted(int(y) for y in set(context.report["year"]))
    matrix = build_completeness_matrix(context.submissions, context.ams, years)
    if context.membership is not None:
        matrix = apply_membership(matrix, context.membership.members_in)  # Timor-Leste before 2026: not a member
    fills = {**RETURN_STATE_COLOURS, NOT_MEMBER: "#ffffff"}
    columns = [Column("AMS", wrap=True), *[Column(str(y), wrap=True, same_width_as_next=y != years[-1])
                                           for y in years]]
    rows = [[Cell(names[c]), *[Cell(matrix.loc[c, y], fill=fills[matrix.loc[c, y]],
                                    align=PP_ALIGN.CENTER) for y in years]] for c in context.ams]
    lead = [para(f"The current return of each AMS for each year, {years[0]}–{years[-1]}: received, accepted with "
                 "warnings, missing, or not a member yet.", 13, colour=MUTED)]
    notes = [f"{names[c]}: " + "; ".join(f"{y} {matrix.loc[c, y]}" for y in years) + "." for c in context.ams]
    _add_table_slides(deck, "Country returns by AMS and year", lead, columns, rows, [0] * len(rows), notes,
                      fill=True)


def _add_method_slides(deck: Presentation, context: _Context) -> None:
    framework = context.framework
    rules = explain_status_rules(framework.baseline_year, framework.target_year)
    judged = [_status_cell(s, align=PP_ALIGN.CENTER) for s in JUDGED_STATUSES]
    grey = [_status_cell(s, align=PP_ALIGN.CENTER)
            for s in (NO_DATA, NO_TARGET, NO_BASELINE, INCOMPLETE_DATA, BASELINE_YEAR)]
    answers = [Cell("yes (an answer)", fill=YES_COLOUR, bold=True, align=PP_ALIGN.CENTER),
               Cell("no (an answer)", fill=NO_COLOUR, bold=True, align=PP_ALIGN.CENTER)]
    legend_columns = [Column("", wrap=True) for _ in judged]
    legend_rows = [judged, [*grey, Cell("")], [*answers, *[Cell("") for _ in judged[2:]]]]
    widths, heights = layout_table(legend_columns, legend_rows, Emu(CONTENT_WIDTH).pt, fill=True, header=False)
    title = "Method: how progress and status are judged"
    top = content_top(f"{title} (continued)")
    room = Emu(CONTENT_BOTTOM - top - GAP).pt - sum(heights)

    def paragraphs(texts: list[str], size: float) -> list[Para]:
        return [para(t, size, space_before=0 if n == 0 else size * 0.5) for n, t in enumerate(texts)]

    fitted = fit_paragraphs(lambda size: paragraphs(rules, size), CONTENT_WIDTH, room, (16, 15, 14, 13, 12))
    pages = [fitted[0]] if fitted else [paragraphs(rules[:3], 13), paragraphs(rules[3:], 13)]
    for number, page in enumerate(pages):
        slide, top = new_slide(deck, title + (" (continued)" if number else ""))
        height = Pt(paras_height(page, CONTENT_WIDTH))
        set_body(slide, page, Box(MARGIN, top, CONTENT_WIDTH, height))
        if number == len(pages) - 1:
            add_table(slide, MARGIN, top + height + GAP, legend_columns, legend_rows, widths, heights, header=False)
        set_notes(slide, [p.text for p in page] + ["Legend: each status colour with its label; the yes/no answers "
                                                   "of one AMS in blue and yellow, never green or red."])


def _add_table_slides(deck: Presentation, title: str, lead: list[Para], columns: list[Column],
                      rows: list[list[Cell]], groups: list, notes: list[str], fill: bool = False,
                      notes_per_row: bool = True) -> None:
    """Add a table on as many slides as its rows need, keeping groups (KPI areas) together where they fit."""
    top = content_top(title + " · areas A and B")  # the longest title a split can give
    lead_height = paras_height(lead, CONTENT_WIDTH)
    table_top = top + Pt(lead_height) + GAP
    widths, heights = layout_table(columns, rows, Emu(CONTENT_WIDTH).pt, fill=fill)
    pages = paginate_rows(heights[1:], groups, Emu(CONTENT_BOTTOM - table_top).pt - heights[0])
    for number, page in enumerate(pages):
        areas = list(dict.fromkeys(groups[i] for i in page)) if isinstance(groups[0], str) else []
        suffix = "" if len(pages) == 1 else (f" · {_areas_words(areas)}" if areas
                                             else f" ({number + 1} of {len(pages)})")
        slide, top = new_slide(deck, title + suffix)
        set_body(slide, lead, Box(MARGIN, top, CONTENT_WIDTH, Pt(lead_height)))
        add_table(slide, MARGIN, top + Pt(lead_height) + GAP, columns, [rows[i] for i in page], widths,
                  [heights[0], *[heights[i + 1] for i in page]])
        spoken = [notes[i] for i in page] if notes_per_row else notes
        set_notes(slide, [p.text for p in lead] + spoken)


def _add_footer(slide, context: _Context, number: int, total: int) -> None:
    colour = _DEMO_RED if context.is_demo else _PROVISIONAL_ORANGE if context.framework.is_provisional else MUTED
    footer = slide.shapes.add_textbox(MARGIN, FOOTER_TOP, CONTENT_WIDTH - NUMBER_WIDTH, FOOTER_HEIGHT)
    footer.name = "Footer: source"
    fill_text(footer.text_frame, [para(context.footnote(), SOURCE_PT, colour=colour)])
    page = slide.shapes.add_textbox(SLIDE_WIDTH - MARGIN - NUMBER_WIDTH, FOOTER_TOP, NUMBER_WIDTH, FOOTER_HEIGHT)
    page.name = "Footer: slide number"
    fill_text(page.text_frame, [para(f"{number} / {total}", MIN_TEXT_PT, colour=MUTED)], align=PP_ALIGN.RIGHT)


# --- cells and wording --------------------------------------------------------------------------

def _status_fill(status: str) -> str:
    return STATUS_COLOURS[status] if status in JUDGED_STATUSES else _NOT_JUDGED_FILL


def _status_cell(status: str, align=PP_ALIGN.LEFT) -> Cell:
    # The label is always printed in the coloured cell: colour alone fails colour-blind readers.
    return Cell(status, fill=_status_fill(status), bold=status in JUDGED_STATUSES, align=align)


def _answer_cell(value, align=PP_ALIGN.LEFT) -> Cell:
    if value is None:
        return _status_cell(NO_DATA, align=align)
    answer = "yes" if value == 1 else "no"
    return Cell(answer, fill=YES_COLOUR if answer == "yes" else NO_COLOUR, bold=True, align=align)


def _status_text_rgb(status: str) -> RGBColor:
    colour = STATUS_COLOURS.get(status, GREY) if status in JUDGED_STATUSES else "#52606d"
    return RGBColor.from_string(colour.lstrip("#").upper())


def _legend_sentence() -> str:
    return ("green achieved or on track, amber acceleration needed, red limited progress, deterioration or not "
            "achieved, grey not judged; each colour is also written.")


def _areas_words(areas: list[str]) -> str:
    if len(areas) == 1:
        return f"area {areas[0]}"
    return f"areas {', '.join(areas[:-1])} and {areas[-1]}"


def _scorecard_note(context: _Context, indicator: Indicator) -> str:
    row = _report_row(context.report, indicator.code, ASEAN, context.year)
    first, second = describe_indicator(row, indicator, context.year, context.framework, len(context.ams))
    baseline, target = _present((row or {}).get("baseline")), _present((row or {}).get("target"))
    figures = ""
    if baseline is not None:
        figures += f" Baseline {context.framework.baseline_year}: {format_amount(baseline, indicator)}."
    if target is not None:
        figures += f" Target {context.framework.target_year}: {format_amount(target, indicator)}."
    return f"{indicator.code} {indicator.wording}: {first} {second}{figures}"


def _area_span(framework: Framework) -> str:
    areas = list(framework.areas)
    return areas[0] if len(areas) == 1 else f"{areas[0]}–{areas[-1]}"


def _status_line(row: dict, indicator: Indicator, status: str, reported: int, ams_count: int,
                 framework: Framework) -> str:
    target = _present(row.get("target"))
    progress = _present(row.get("progress"))
    target_text = "" if target is None else f"{framework.target_year} target {format_amount(target, indicator)}"
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


def _report_row(report: pd.DataFrame, code: str, scope: str, year: int) -> dict | None:
    rows = report[(report["indicator"] == code) & (report["scope"] == scope) & (report["year"] == year)]
    return rows.iloc[0].to_dict() if len(rows) else None


def _rows_of(report: pd.DataFrame, scope: str, year: int) -> dict[str, dict]:
    rows = report[(report["scope"] == scope) & (report["year"] == year)]
    return {r["indicator"]: r for r in rows.to_dict("records")}


def _present(value):
    return None if value is None or value is pd.NA or is_missing(value) else value
