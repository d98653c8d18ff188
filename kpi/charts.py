"""Figure builders for the dashboard, the exports and the CLI: plain data in, plotly Figure out."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from kpi.catalogue import Framework, Indicator
from kpi.changes import SEVERITY, asean_changes
from kpi.fields import RETURN_KIND
from kpi.progress import GREY, NO_DATA, STATUS_COLOURS, is_missing
from kpi.membership import ASEAN

SOURCE = "Source: ACCSM country returns"
NO_DATA_COLOUR = GREY
NO_DATA_CELL_COLOUR = "#d9dce1"  # lighter than the not-judged grey so the judged cells stand out in the matrix
ASEAN_COLOUR = "#111827"
TARGET_COLOUR = "#1f4e9e"
FONT = dict(family="Arial, Helvetica, sans-serif", size=13, color="#1f2933")

RECEIVED = "received"
RECEIVED_WITH_WARNINGS = "accepted with warnings"
REJECTED = "rejected"
MISSING = "missing"
RETURN_STATES = (RECEIVED, RECEIVED_WITH_WARNINGS, REJECTED, MISSING)
RETURN_STATE_COLOURS = {RECEIVED: "#2b6cb0", RECEIVED_WITH_WARNINGS: "#d69e2e", REJECTED: "#c53030",
                        MISSING: "#e2e5ea"}

_AMS_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                "#bcbd22", "#7f7f7f")
_TOP, _BOTTOM = 80, 110  # margins in pixels; the footnote sits in the bottom one
TREND_HEIGHT_PX = 560


# --- formatting -------------------------------------------------------------------------------

def plotly_text(value) -> str:
    """Return text for any plotly string (title, axis title, legend or tick label, hover, cell text, annotation)
    that plotly shows as written.

    Plotly reads a subset of HTML in every such string (<a href>, <b>, <br>, <span style>, entities), `%{...}` as
    a template variable in hover and text templates, and `$...$` as LaTeX. Escaping <, > and & (plotly decodes
    the entities again when it draws the text), and the % of `%{` and every $ as character references, leaves
    none of that. Every text that did not come from our code goes through here: AMS names, anything from a
    workbook, and the wording, units and codes of the framework files (data/frameworks/).
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=False).replace("%{", "&#37;{").replace("$", "&#36;")


def format_value(value, unit: str = "", percent: bool | None = None) -> str:
    """Return a value for people: one decimal for percentages, whole numbers as such, "no data" for None/NaN."""
    if is_missing(value):
        return NO_DATA
    percent = unit == "%" if percent is None else percent
    if percent:
        return f"{value:.1f} %"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_coverage(coverage, ams_count: int = 10) -> str:
    """Return "8 of 10 AMS" for a regional value's coverage ("no data" when missing)."""
    if is_missing(coverage):
        return ""
    return f"{int(coverage)} of {ams_count} AMS"


def format_as_of(as_of) -> str:
    """Return the as-of date as YYYY-MM-DD ("unknown" when the store is empty)."""
    if is_missing(as_of):
        return "unknown"
    if isinstance(as_of, (dt.datetime, dt.date)):
        return as_of.strftime("%Y-%m-%d")
    return str(as_of)[:10]


def describe_source(as_of) -> str:
    """Return the footnote every figure carries: source and as-of date."""
    return f"{SOURCE} · data as of {format_as_of(as_of)}"


def axis_title(indicator: Indicator) -> str:
    """Return the value axis title with its unit."""
    if indicator.is_percent:
        return f"{indicator.code} (%)"
    return f"{indicator.code} (number of {indicator.unit})"


# --- figures ----------------------------------------------------------------------------------

def trend_figure(report: pd.DataFrame, indicator: Indicator | str, framework: Framework, as_of,
                 countries: list[str] | None = None, names: dict[str, str] | None = None) -> go.Figure:
    """Return the trend of one indicator over the plan's years, with the targets each scope is judged against.

    A mean (percentages, E.3): a line per AMS, ASEAN in bold with its baseline, target, straight path and
    projection, and the AMS targets (the target set for every AMS as a line, an AMS's own target as a mark in its
    colour at the target year). A count or sum: the same, with the ASEAN total on a panel of its own above the AMS,
    since the total dwarfs their lines. A yes/no indicator: the regional count of yeses above an AMS × year grid of
    the answers (yes, no, no data). Years without a value are gaps in a line, named under the chart as no data.
    `countries` limits the AMS drawn (None: all; an empty list: none).
    """
    indicator = _resolve(framework, indicator)
    rows = report[report["indicator"] == indicator.code].sort_values("year", kind="stable")
    scopes = _ams_scopes(rows, countries)
    region = rows[rows["scope"] == ASEAN]
    if indicator.is_yes_count:
        return _yes_no_trend_figure(rows, indicator, framework, as_of, scopes, names)
    split = indicator.is_count_or_sum
    if split:
        from plotly.subplots import make_subplots
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.14, row_heights=[0.42, 0.58],
                            subplot_titles=("ASEAN total (sum of the AMS)", "Each Member State"))
        region_cell, ams_cell = dict(row=1, col=1), dict(row=2, col=1)
    else:
        fig, region_cell, ams_cell = go.Figure(), {}, {}
    every_scope = _ams_scopes(rows, None)
    for scope in scopes:
        own = rows[rows["scope"] == scope]
        if own["value"].notna().any():
            fig.add_trace(go.Scatter(
                x=own["year"], y=_nullable(own["value"]), mode="lines+markers", name=_name(scope, names),
                line=dict(width=1.5, color=_scope_colour(scope, every_scope)), connectgaps=False, cliponaxis=False,
                hovertemplate=f"{_name(scope, names)} %{{x}}: %{{y:.1f}}<extra></extra>"),
                **ams_cell)
    _add_ams_targets(fig, rows, scopes, every_scope, framework, names, ams_cell)
    if len(region):
        fig.add_trace(go.Scatter(
            x=region["year"], y=_nullable(region["value"]), mode="lines+markers", name="ASEAN",
            line=dict(width=4, color=ASEAN_COLOUR), marker=dict(size=9), connectgaps=False, cliponaxis=False,
            legendrank=1, hovertemplate="ASEAN %{x}: %{y:.1f}<extra></extra>"), **region_cell)
        _add_reference_lines(fig, region, framework, region_cell)
    # Tall enough for the legend beside the plot (ASEAN and its lines first, then the AMS and their targets).
    entries = sum(1 for trace in fig.data if trace.showlegend is not False)
    height = max(TREND_HEIGHT_PX + (180 if split else 0), _LEGEND_ENTRY_PX * entries + _TOP + _BOTTOM + 60)
    fig.update_layout(title=_title(f"{indicator.code} trend, {framework.baseline_year}–{framework.target_year}",
                                   indicator.wording), height=height)
    fig.update_xaxes(dtick=1, range=[framework.baseline_year - 0.5, framework.target_year + 0.5])
    fig.update_xaxes(title_text="Reporting year", **ams_cell)
    fig.update_yaxes(title_text=plotly_text(axis_title(indicator)), rangemode="tozero")
    if split:
        fig.update_xaxes(showticklabels=True, row=1, col=1)  # each panel keeps its years
    _keep_legend_inside(fig)
    if len(region) and region["value"].isna().all() and not scopes:
        _add_note(fig, "no data for any year")
    fig = _finish(fig, as_of, top=_TOP + (45 if split else 20))
    _add_gap_note(fig, rows, scopes, names)
    return fig


def ranking_figure(report: pd.DataFrame, indicator: Indicator | str, year: int, framework: Framework, as_of,
                   names: dict[str, str] | None = None) -> go.Figure:
    """Return a bar per AMS sorted by value, each coloured by its status against its own target, that target drawn.

    The target that applies to each AMS (its own, or the target set for every AMS) is marked on its bar and printed
    in the column at the right, "not set" where there is none. A reported 0 is a visible mark and "0"; an AMS
    without a value is listed as "no data" at the axis, with no bar. The ASEAN mean is drawn as a line; an ASEAN
    count or sum is not comparable with one AMS, so it is named in the legend only. A yes/no indicator gives the
    AMS answers as a column of words, not bars on a 0–1 axis.
    """
    indicator = _resolve(framework, indicator)
    rows = report[(report["indicator"] == indicator.code) & (report["year"] == year)]
    if indicator.is_yes_count:
        return _answers_figure(rows, indicator, year, as_of, names)
    region = rows[rows["scope"] == ASEAN]
    ams = rows[rows["scope"] != ASEAN].copy()
    reported = ams[ams["value"].notna()].sort_values(["value", "scope"], ascending=[True, False])
    missing = ams[ams["value"].isna()].sort_values("scope", ascending=False)
    # Horizontal bars list the best at the top; the AMS without data sit below, with no bar at all.
    labels = [_name(s, names) for s in missing["scope"]] + [_name(s, names) for s in reported["scope"]]
    values = [float(v) for v in reported["value"]]
    region_value = _first(region["value"]) if len(region) else None
    comparable = region_value is not None and not indicator.is_count_or_sum
    highest = max(values + [float(t) for t in ams["target"].dropna()] + ([region_value] if comparable else []),
                  default=0.0)
    x_max = max(105.0, highest * 1.08) if indicator.is_percent else max(highest * 1.18, 1.0)
    fig = go.Figure()
    if len(reported):
        statuses = list(reported["status"])
        # The value and status are printed in the columns at the right (_add_ranking_columns), not on the bars,
        # where the target marks and the ASEAN line would cross them.
        fig.add_trace(go.Bar(
            x=values, y=[_name(s, names) for s in reported["scope"]], orientation="h",
            marker_color=[status_colour(s or NO_DATA) for s in statuses],
            text=[_bar_text(indicator, v, s) for v, s in zip(values, statuses)], textposition="none",
            name=plotly_text(f"{indicator.code} {year}"), showlegend=False,
            hovertemplate="%{y}: %{text}<extra></extra>"))
        zeros = reported[reported["value"] == 0]
        if len(zeros):
            # A bar of length 0 is invisible: the zero gets a mark of its own and its text.
            fig.add_trace(go.Scatter(
                x=[0] * len(zeros), y=[_name(s, names) for s in zeros["scope"]], mode="markers+text",
                marker=dict(symbol="line-ns", size=22, line=dict(width=5, color=[
                    status_colour(s or NO_DATA) for s in zeros["status"]])),
                text=["   0"] * len(zeros), textposition="middle right", cliponaxis=False, name="reported 0",
                showlegend=False, hovertemplate="%{y}: 0 (a reported zero)<extra></extra>"))
    if len(missing):
        fig.add_trace(go.Scatter(
            # A little right of the axis, so the words do not run into the name.
            x=[0.012 * x_max] * len(missing), y=[_name(s, names) for s in missing["scope"]], mode="text",
            text=[NO_DATA] * len(missing), textposition="middle right", textfont=dict(color=NO_DATA_COLOUR),
            cliponaxis=False, name=NO_DATA, showlegend=False, hoverinfo="skip"))
    _add_target_marks(fig, ams, framework, names)
    _add_ranking_columns(fig, ams, indicator, year, framework, names)
    key = []
    if (ams["target"].notna() & (ams.get("target_source") == _OWN)).any():
        key.append("◆ own target of the AMS")
    if (ams["target"].notna() & (ams.get("target_source") != _OWN)).any():
        key.append("| target set for every AMS")
    if comparable:
        fig.add_vline(x=region_value, line=dict(color=ASEAN_COLOUR, width=2, dash="dash"))
        key.append(f"- - ASEAN {format_value(region_value, indicator.unit)} (the mean of the AMS)")
    elif region_value is not None:
        key.append(f"ASEAN total {format_value(region_value, indicator.unit)}: the sum of the AMS, not comparable "
                   "with one AMS (see the trend chart)")
    fig.update_layout(title=_title(f"{indicator.code} by AMS, {year}", indicator.wording),
                      height=max(420, 30 * len(labels) + 300), showlegend=False)
    fig.update_yaxes(title_text="ASEAN Member State", categoryorder="array", categoryarray=labels)
    # The plot keeps the left part of the width; the columns of values and targets fill the rest.
    fig.update_xaxes(title_text=plotly_text(axis_title(indicator)), range=[0, x_max], domain=[0, _BARS_WIDTH_SHARE])
    if not len(ams):
        _add_note(fig, f"no data for {year}")
    fig = _finish(fig, as_of)
    if key:
        _add_footer_line(fig, key)
    return fig


def status_matrix_figure(report: pd.DataFrame, year: int, framework: Framework, as_of,
                         names: dict[str, str] | None = None) -> go.Figure:
    """Return the indicator × scope heatmap (an indicator per row; ASEAN, then each AMS by ISO code, across)
    coloured by status, with the value and status printed in every cell.

    The yes/no answer of one AMS is not a status: "yes" is blue, "no" yellow (the colours of kpi.maps), never
    green or red and never alike. Labels are dark on light cells and white on dark ones, whichever reads better.
    Columns carry the ISO code so every label fits at 1366 px; the name is in the hover text.
    """
    rows = report[report["year"] == year]
    codes = list(framework.codes)
    scopes = [ASEAN] + [s for s in dict.fromkeys(rows["scope"]) if s != ASEAN]
    by_key = {(r["scope"], r["indicator"]): r for r in rows.to_dict("records")}
    colours: list[str] = []
    z, text, hover = [], [], []
    label_x, label_y, label_text, label_colour = [], [], [], []
    columns = [plotly_text(s) for s in scopes]
    for code in codes:
        indicator = framework.indicator(code)
        z_row, text_row, hover_row = [], [], []
        for scope, column in zip(scopes, columns):
            label, colour = _cell(indicator, scope, by_key.get((scope, code)))
            if colour not in colours:
                colours.append(colour)
            z_row.append(colours.index(colour))
            text_row.append(label)
            hover_row.append(_name(scope, names))
            label_x.append(column)
            label_y.append(plotly_text(code))
            label_text.append(label)
            label_colour.append(_text_colour(colour))
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=[plotly_text(c) for c in codes], text=text, customdata=hover,
        colorscale=_discrete_scale(colours), zmin=-0.5, zmax=len(colours) - 0.5, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{customdata} · %{y}<br>%{text}<extra></extra>"))
    # The labels as a text trace, so each takes the colour that reads best on its cell (a heatmap has one).
    fig.add_trace(go.Scatter(x=label_x, y=label_y, mode="text", text=label_text, showlegend=False,
                             textfont=dict(size=11, color=label_colour), hoverinfo="skip"))
    fig.update_layout(
        title=dict(text=plotly_text(f"Status by indicator and AMS, {year}"), x=0, xanchor="left",
                   subtitle=dict(text=MATRIX_KEY)),
        height=_MATRIX_ROW_PX * len(codes) + _MATRIX_TOP + _BOTTOM)
    fig.update_xaxes(title_text="ASEAN region, then each AMS (ISO code)", side="top", tickangle=0, type="category",
                     showgrid=False)
    fig.update_yaxes(title_text="Indicator", autorange="reversed", type="category", showgrid=False)
    return _finish(fig, as_of, top=_MATRIX_TOP)


def build_completeness_matrix(submissions: pd.DataFrame, ams: list[str], years: list[int],
                              rejected: list[tuple[str, int]] = ()) -> pd.DataFrame:
    """Return an AMS × year frame of RETURN_STATES from the current returns and this session's rejected uploads."""
    matrix = pd.DataFrame(MISSING, index=list(ams), columns=list(years), dtype=object)
    for country, year in rejected:
        if country in matrix.index and year in matrix.columns:
            matrix.loc[country, year] = REJECTED
    returns = submissions[(submissions["kind"] == RETURN_KIND) & (submissions["status"] == "current")] \
        if len(submissions) else submissions
    for record in returns.to_dict("records"):
        country, year = record["country"], record["year"]
        if country in matrix.index and year in matrix.columns:
            has_warnings = str(record.get("warnings") or "[]") not in ("[]", "")
            matrix.loc[country, year] = RECEIVED_WITH_WARNINGS if has_warnings else RECEIVED
    return matrix


def completeness_figure(matrix: pd.DataFrame, as_of, names: dict[str, str] | None = None,
                        completeness: pd.DataFrame | None = None) -> go.Figure:
    """Return the AMS × year grid of returns, every cell labelled.

    Without `completeness` a cell says received, accepted with warnings, rejected, missing or not a member. With it
    (kpi.completeness.return_completeness) a received return says "complete" or "n blank" with the fields the
    indicators need that it fills ("14/17"), and the two are coloured apart.
    """
    if completeness is not None:
        cells = build_completeness_cells(matrix, completeness)
        categories = [cells.at[i, "value_state"] for i in cells.index]
        text = [_completeness_cell_text(v, f, n, 0 if pd.isna(n) else int(n) - int(f))
                for v, f, n in zip(cells["value_state"], cells["fields_filled"], cells["fields_needed"])]
        hover = [plotly_text(label) + (f"<br>blank: {plotly_text(blank)}" if blank else "")
                 for label, blank in zip(cells["label"], cells["blank_fields"])]
        palette = _VALUE_STATE_COLOURS
        subtitle = (f"By AMS and year. A received return shows the fields it fills of the {_needed(cells)} the "
                    "indicators need; “n blank”: n of them left blank")
    else:
        categories = [state for row in matrix.itertuples(index=False) for state in row]
        text = [_completeness_cell_text(state, None, None, 0) for state in categories]
        hover = [plotly_text(state) for state in categories]
        palette = {**RETURN_STATE_COLOURS, NOT_MEMBER: _VALUE_STATE_COLOURS[NOT_MEMBER]}
        subtitle = "By AMS and reporting year"
    order = [c for c in palette if c in categories] or [MISSING]
    def shape(values: list) -> list[list]:
        return [values[i:i + len(matrix.columns)] for i in range(0, len(values), len(matrix.columns))]

    fig = go.Figure(go.Heatmap(
        z=shape([order.index(c) for c in categories]), x=[str(c) for c in matrix.columns],
        y=[_name(s, names) for s in matrix.index], text=shape(text), customdata=shape(hover),
        texttemplate="%{text}", textfont=dict(size=11),
        colorscale=_discrete_scale([palette[c] for c in order]), zmin=-0.5, zmax=len(order) - 0.5, showscale=False,
        xgap=2, ygap=2, hovertemplate="%{y} %{x}: %{customdata}<extra></extra>"))
    fig.update_layout(title=_title("Country returns received", subtitle),
                      height=max(380, 44 * len(matrix.index) + _TOP + _BOTTOM + 100))
    fig.update_xaxes(title_text="Reporting year", type="category", side="top")
    fig.update_yaxes(title_text="ASEAN Member State", autorange="reversed")
    # The subtitle runs the whole width here: the year axis on top needs a line of its own below it.
    return _finish(fig, as_of, top=_TOP + (100 if completeness is not None else 70))


def sparkline_figure(series: pd.Series) -> go.Figure:
    """Return a small line without axes for a year-indexed series (gaps stay gaps)."""
    fig = go.Figure(go.Scatter(x=list(series.index), y=_nullable(series), mode="lines+markers",
                               line=dict(width=2, color=ASEAN_COLOUR), marker=dict(size=4), connectgaps=False,
                               hoverinfo="x+y"))
    fig.update_layout(height=60, width=180, margin=dict(l=2, r=2, t=2, b=2), showlegend=False,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# --- tables -----------------------------------------------------------------------------------

def scorecard_table(report: pd.DataFrame, year: int, framework: Framework,
                    ams_count: int | None = None) -> pd.DataFrame:
    """Return one row per indicator for ASEAN in `year`: area, code, wording, value, coverage, baseline, target,
    progress (%), status and unit. Missing figures stay blank (None/NaN, never 0).

    Coverage reads "8 of N AMS" with N = `ams_count`, by default the AMS with rows in `year` (the engine gives a
    row to each member of the year, and only to them).
    """
    if ams_count is None:
        ams_count = len(set(report[report["year"] == year]["scope"]) - {ASEAN}) if len(report) else 0
    rows = report[(report["year"] == year) & (report["scope"] == ASEAN)]
    by_code = {r["indicator"]: r for r in rows.to_dict("records")}
    records = []
    for indicator in framework.indicators:
        row = by_code.get(indicator.code, {})
        progress = _none(row.get("progress"))
        records.append({
            "area": indicator.area, "code": indicator.code, "wording": indicator.wording, "unit": indicator.unit,
            "value": _none(row.get("value")), "coverage": format_coverage(row.get("coverage"), ams_count),
            "baseline": _none(row.get("baseline")), "target": _none(row.get("target")),
            "progress_pct": None if progress is None else 100 * progress,
            "status": row.get("status") or NO_DATA,
        })
    return pd.DataFrame(records, columns=["area", "code", "wording", "unit", "value", "coverage", "baseline",
                                          "target", "progress_pct", "status"])


def status_colour(status: str) -> str:
    """Return the colour of a status label (grey for anything not judged)."""
    return STATUS_COLOURS.get(status, NO_DATA_COLOUR)


# --- helpers ----------------------------------------------------------------------------------

def _resolve(framework: Framework, indicator: Indicator | str) -> Indicator:
    return indicator if isinstance(indicator, Indicator) else framework.indicator(indicator)


def _ams_scopes(rows: pd.DataFrame, countries: list[str] | None) -> list[str]:
    # None draws every AMS; a list (even an empty one: the reader removed them all) draws those only.
    scopes = [s for s in dict.fromkeys(rows["scope"]) if s != ASEAN]
    if countries is not None:
        return [s for s in scopes if s in countries]
    return scopes


def _name(scope: str, names: dict[str, str] | None) -> str:
    # The name is a legend entry, a tick label and part of a hover template: never markup or a template variable.
    return plotly_text((names or {}).get(scope, scope))


def _nullable(values) -> list:
    return [None if is_missing(v) else float(v) for v in values]


def _none(value):
    return None if is_missing(value) else value


def _title(text: str, subtitle: str = "") -> dict:
    return dict(text=plotly_text(text), subtitle=dict(text=plotly_text(_shorten(subtitle, 140))), x=0,
                xanchor="left")


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _add_reference_lines(fig: go.Figure, region: pd.DataFrame, framework: Framework, cell: dict | None = None) -> None:
    # The ASEAN figures: an AMS is judged against its own target (see _add_ams_targets), never against these.
    cell = cell or {}
    baseline = _first(region["baseline"])
    target = _first(region["target"])
    start, end = framework.baseline_year, framework.target_year
    if baseline is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[baseline, baseline], mode="lines",
                                 name=f"ASEAN baseline {start}", legendrank=2,
                                 line=dict(color=GREY, dash="dash", width=1.5),
                                 hovertemplate=f"ASEAN baseline {baseline:.1f}<extra></extra>"), **cell)
    if target is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[target, target], mode="lines",
                                 name=f"ASEAN target {end}", legendrank=3,
                                 line=dict(color=TARGET_COLOUR, dash="dot", width=2),
                                 hovertemplate=f"ASEAN target {target:.1f}<extra></extra>"), **cell)
    else:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(color=_INVISIBLE), hoverinfo="skip",
                                 name=f"ASEAN target {end}: not set", legendrank=3), **cell)
    if baseline is not None and target is not None:
        fig.add_trace(go.Scatter(x=[start, end], y=[baseline, target], mode="lines",
                                 name="straight path to target", legendrank=4,
                                 line=dict(color=TARGET_COLOUR, width=1, dash="dash"),
                                 opacity=0.6, hoverinfo="skip"), **cell)
    with_value = region[region["value"].notna()]
    if len(with_value):
        latest = with_value.iloc[-1]
        if not is_missing(latest["projected"]):
            fig.add_trace(go.Scatter(
                x=[latest["year"], end], y=[latest["value"], latest["projected"]], mode="lines+markers",
                name=f"projected {end} at current pace", legendrank=5,
                line=dict(color=ASEAN_COLOUR, width=1.5, dash="dot"),
                marker=dict(symbol=["circle", "diamond-open"], size=[1, 12]), cliponaxis=False,
                hovertemplate=f"projected {end}: %{{y:.1f}}<extra></extra>"), **cell)


def _first(values: pd.Series):
    present = values.dropna()
    return float(present.iloc[0]) if len(present) else None


def _bar_text(indicator: Indicator, value, status) -> str:
    if indicator.is_yes_count:
        return "yes" if value == 1 else "no"
    shown = "0 %" if value == 0 and indicator.is_percent else format_value(value, indicator.unit)
    return f"{shown} · {status}" if status else shown


def _cell(indicator: Indicator, scope: str, row: dict | None) -> tuple[str, str]:
    value = None if row is None else _none(row["value"])
    if indicator.is_yes_count and scope != ASEAN:
        if value is None:
            return NO_DATA, NO_DATA_CELL_COLOUR
        return ("yes", YES_CELL_COLOUR) if value == 1 else ("no", NO_CELL_COLOUR)
    status = (row or {}).get("status") or NO_DATA
    if value is None:
        return NO_DATA, NO_DATA_CELL_COLOUR
    return f"{format_value(value, indicator.unit)}<br>{_wrap(status)}", status_colour(status)


def _wrap(label: str) -> str:
    # A matrix cell is about 68 px wide at 1366 px: "not achieved" on one line would touch its edges, and
    # "deterioration" (one word) does not fit at all, so it is hyphenated.
    if len(label) <= 10:
        return label
    if " " in label:
        return label.replace(" ", "<br>", 1)
    return f"{label[:7]}-<br>{label[7:]}" if len(label) > 12 else label


def _discrete_scale(colours: list[str]) -> list[list]:
    if len(colours) == 1:
        return [[0, colours[0]], [1, colours[0]]]
    scale = []
    for index, colour in enumerate(colours):
        scale.append([index / len(colours), colour])
        scale.append([(index + 1) / len(colours), colour])
    return scale


def _add_note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=plotly_text(text), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font=dict(size=16, color=NO_DATA_COLOUR))


def _finish(fig: go.Figure, as_of, top: int = _TOP + 20) -> go.Figure:
    height = fig.layout.height or 460
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=70, r=30, t=top, b=_BOTTOM))
    # The footnote lives inside the figure so exported PNG/SVG carry the source and date; it is placed in
    # pixels below the plot, so it stays in the bottom margin whatever height the figure is given later.
    fig.add_annotation(text=plotly_text(describe_source(as_of)), xref="paper", yref="paper", x=0, xanchor="left",
                       y=0, yshift=-(_BOTTOM - 18), yanchor="top", showarrow=False,
                       font=dict(size=11, color="#52606d"))
    return fig


def changes_table(report: pd.DataFrame, year: int, previous_year: int, framework: Framework) -> pd.DataFrame:
    """Return every indicator's ASEAN value in `previous_year` and `year` with the change (percentage points for
    a percentage, "no data" when either value is missing), both statuses and how the status moved
    (kpi.changes: improved, worsened, now judged, no longer judged; else unchanged, same severity or still not
    judged), as text for people. kpi.changes.asean_changes has the same figures as numbers."""
    changes = asean_changes(report, year, previous_year, framework)
    records = []
    for row in changes.to_dict("records"):
        unit = row["unit"]
        records.append({
            "code": row["code"], "wording": row["wording"],
            f"value {previous_year}": format_value(row["value_before"], unit),
            f"value {year}": format_value(row["value_now"], unit),
            "change": format_change(row["change"], unit),
            f"status {previous_year}": row["status_before"], f"status {year}": row["status_now"],
            "movement": describe_movement(row["status_before"], row["status_now"], row["movement"]),
        })
    return pd.DataFrame(records, columns=["code", "wording", f"value {previous_year}", f"value {year}", "change",
                                          f"status {previous_year}", f"status {year}", "movement"])


def member_state_table(report: pd.DataFrame, country: str, year: int, framework: Framework) -> pd.DataFrame:
    """Return one row per indicator for one AMS: baseline, value in `year`, the target that applies to it and who
    it was set for, status, progress (%) and the yearly series.

    A yes/no indicator gives this AMS's answer ("yes"/"no") as baseline and value, no target (YES_NO_TARGET) and no
    status (YES_NO_STATUS): the status belongs to the regional count. A target nobody entered is TARGET_NOT_SET.
    Missing figures stay None (never 0); progress is None where it is not defined.
    """
    rows = report[report["scope"] == country]
    records = []
    for indicator in framework.indicators:
        own = rows[rows["indicator"] == indicator.code].sort_values("year")
        this_year = own[own["year"] == year]
        row = this_year.iloc[0].to_dict() if len(this_year) else {}
        if not row and len(own):
            row = {k: own.iloc[0][k] for k in ("baseline", "target", "target_source")}  # no value: the rest holds
        value = _none(row.get("value"))
        yes_no = indicator.is_yes_count
        target = _none(row.get("target"))
        progress = _none(row.get("progress"))
        if yes_no:
            status = YES_NO_STATUS if value is not None else NO_DATA
        else:
            status = row.get("status") or (NO_DATA if value is None else "")
        records.append({
            "code": indicator.code, "wording": indicator.wording, "unit": indicator.unit, "yes_no": yes_no,
            "baseline": _yes_no_text(_none(row.get("baseline"))) if yes_no else _none(row.get("baseline")),
            "value": _yes_no_text(value) if yes_no else value,
            "target": YES_NO_TARGET if yes_no else (TARGET_NOT_SET if target is None else target),
            "target_for": "" if yes_no or target is None else _TARGET_FOR.get(row.get("target_source"), ""),
            "status": status or NO_DATA,
            "progress_pct": None if yes_no or progress is None else 100 * float(progress),
            "trend": [float(v) for v in own["value"] if not is_missing(v)],
        })
    return pd.DataFrame(records, columns=["code", "wording", "unit", "yes_no", "baseline", "value", "target",
                                          "target_for", "status", "progress_pct", "trend"])


def _yes_no_text(value) -> str:
    if value is None:
        return NO_DATA
    return "yes" if value == 1 else "no"


def _differs(a, b) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(float(a) - float(b)) > 1e-9


# --- one Member State, value-level completeness, demo marking (issue 9) ------------------------

TARGET_NOT_SET = "not set"  # no target entered for this AMS, nor one for every AMS
YES_NO_TARGET = "n/a (yes/no)"  # a yes/no answer has no target of its own: the target is the regional count's
YES_NO_STATUS = "no status (yes/no answer)"  # the status belongs to the regional count
_TARGET_FOR = {"own": "own target", "every AMS": "every AMS"}

NOT_MEMBER = "not a member"  # the AMS did not report that year (not yet a member)
COMPLETE = "received, complete"
BLANKS = "received, fields blank"
_VALUE_STATE_COLOURS = {COMPLETE: "#2b6cb0", BLANKS: "#9ec1e8", RECEIVED_WITH_WARNINGS: "#d69e2e",
                        REJECTED: "#c53030", MISSING: "#e2e5ea", NOT_MEMBER: "#ffffff"}

DEMO_MARKER = "DEMO DATA – fictional figures"
DEMO_COLOUR = "#c53030"
_DEMO_ANNOTATION = "demo_marker"
PROVISIONAL_COLOUR = "#9c4221"  # dark orange: a warning, not a status colour
_PROVISIONAL_ANNOTATION = "provisional_marker"


def format_member_state_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return member_state_table for reading: baseline, value and target as text with their unit ("no data" for a
    missing figure, never 0), the target followed by whom it was set for; status, progress (%) and trend kept."""
    def shown(value, unit):
        return value if isinstance(value, str) else format_value(value, unit)

    def target(value, unit, set_for):
        if isinstance(value, str):
            return value
        return f"{format_value(value, unit)}\n({set_for})" if set_for else format_value(value, unit)

    return pd.DataFrame({
        "code": table["code"], "wording": table["wording"],
        "indicator": [f"{c} · {w}" for c, w in zip(table["code"], table["wording"])],
        "baseline": [shown(v, u) for v, u in zip(table["baseline"], table["unit"])],
        "value": [shown(v, u) for v, u in zip(table["value"], table["unit"])],
        "target": [target(v, u, f) for v, u, f in zip(table["target"], table["unit"], table["target_for"])],
        "status": table["status"], "progress_pct": table["progress_pct"], "trend": table["trend"],
    })


def apply_membership(matrix: pd.DataFrame, members_in) -> pd.DataFrame:
    """Return the completeness matrix with NOT_MEMBER in the years an AMS did not report (`members_in(year)` gives
    the members of a year, e.g. kpi.membership.Membership.members_in), and without AMS that were never members."""
    matrix = matrix.copy()
    for year in matrix.columns:
        members = set(members_in(year))
        for country in matrix.index:
            if country not in members and matrix.loc[country, year] == MISSING:
                matrix.loc[country, year] = NOT_MEMBER
    return matrix[(matrix != NOT_MEMBER).any(axis=1)]


def build_completeness_cells(matrix: pd.DataFrame, completeness: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (AMS, year) of the matrix: the return's state, how many of the fields the indicators need
    it fills, the blank ones, and the cell in words.

    `matrix` is build_completeness_matrix (optionally through apply_membership); `completeness` is
    kpi.completeness.return_completeness. `value_state` splits "received" into COMPLETE and BLANKS (a return with
    blank fields is not simply received); accepted with warnings, rejected, missing and not a member stay as they
    are. `label` says it all in one line, e.g. "received, 3 of 17 fields blank".
    """
    by_key = {(r["country"], int(r["year"])): r for r in completeness.to_dict("records")}
    records = []
    for country in matrix.index:
        for year in matrix.columns:
            state = matrix.loc[country, year]
            row = by_key.get((country, int(year)), {})
            stored = state in (RECEIVED, RECEIVED_WITH_WARNINGS)
            needed = row.get("needed")
            filled = row.get("filled") if stored else None
            blank = list(row.get("blank_fields") or []) if stored else []
            if state == RECEIVED:
                value_state = BLANKS if blank else COMPLETE
            else:
                value_state = state
            records.append({"country": country, "year": int(year), "state": state, "value_state": value_state,
                            "fields_filled": filled, "fields_needed": needed if stored else None,
                            "blank_fields": ", ".join(blank),
                            "label": _completeness_label(state, filled, needed, len(blank))})
    cells = pd.DataFrame(records, columns=["country", "year", "state", "value_state", "fields_filled",
                                           "fields_needed", "blank_fields", "label"])
    # Counts stay whole numbers beside the blanks of the returns that were not received.
    return cells.astype({"fields_filled": "Int64", "fields_needed": "Int64"})


def indicator_gaps_table(gaps: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Return kpi.completeness.indicator_gaps for reading: per indicator "reported" as "9 of 10 AMS" and the AMS
    missing because they sent no return, and because their return leaves a needed field blank (names, or "none")."""
    def listed(codes):
        return ", ".join((names or {}).get(c, c) for c in codes) or "none"

    return pd.DataFrame({
        "indicator": gaps["indicator"],
        "reported": [f"{int(r)} of {int(n)} AMS" for r, n in zip(gaps["reported"], gaps["of"])],
        "missing (no return)": [listed(c) for c in gaps["missing_no_return"]],
        "missing (blank fields)": [listed(c) for c in gaps["missing_blank"]],
    })


def mark_demo(fig: go.Figure) -> go.Figure:
    """Return the figure with DEMO_MARKER printed inside it, right-aligned on its footnote line (so an exported PNG
    or SVG says it holds fictional figures); marking twice marks once."""
    annotations = list(fig.layout.annotations or ())
    if any(a.name == _DEMO_ANNOTATION for a in annotations):
        return fig
    source = plotly_text(SOURCE)
    footnote = next((a for a in annotations if (a.text or "").startswith(source)), None)
    if footnote is not None:
        place = dict(xref=footnote.xref or "paper", yref=footnote.yref or "paper", y=footnote.y,
                     yshift=footnote.yshift, yanchor=footnote.yanchor or "top")
    else:
        bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 80
        place = dict(xref="paper", yref="paper", y=0, yshift=-max(bottom - 18, 0), yanchor="top")
    fig.add_annotation(name=_DEMO_ANNOTATION, text=plotly_text(DEMO_MARKER), x=1, xanchor="right",
                       showarrow=False, font=dict(size=13, color=DEMO_COLOUR, weight="bold"), **place)
    return fig


def is_demo_marked(fig: go.Figure) -> bool:
    """Return True when mark_demo has marked the figure."""
    return any(a.name == _DEMO_ANNOTATION for a in (fig.layout.annotations or ()))


def provisional_marker(framework: Framework) -> str:
    """Return the words that mark figures of a provisional framework ("" for an adopted one), e.g.
    "PROVISIONAL KPI framework 2026-2030: not yet adopted by the SOM"."""
    if not framework.is_provisional:
        return ""
    return f"PROVISIONAL KPI framework {framework.code}: not yet adopted by the SOM"


def describe_provisional(framework: Framework) -> str:
    """Return, in a sentence, why a provisional framework's figures are provisional ("" for an adopted one)."""
    if not framework.is_provisional:
        return ""
    return (f"the KPI table of the {framework.title} is not yet adopted by the SOM. Its indicators are those carried "
            "over from the previous plan, so every figure, status and target judged against them is provisional.")


def mark_provisional(fig: go.Figure, framework: Framework) -> go.Figure:
    """Return the figure with provisional_marker printed inside it, on a line of its own under the source line (so an
    exported PNG or SVG says so); a figure of an adopted framework is left as it is; marking twice marks once."""
    marker = provisional_marker(framework)
    if not marker or is_provisional_marked(fig):
        return fig
    _add_footer_line(fig, [plotly_text(marker)], colour=PROVISIONAL_COLOUR, size=13, weight="bold",
                     name=_PROVISIONAL_ANNOTATION)
    return fig


def is_provisional_marked(fig: go.Figure) -> bool:
    """Return True when mark_provisional has marked the figure."""
    return any(a.name == _PROVISIONAL_ANNOTATION for a in (fig.layout.annotations or ()))


def _completeness_label(state: str, filled, needed, blank: int) -> str:
    if state not in (RECEIVED, RECEIVED_WITH_WARNINGS) or needed is None:
        return state
    fields = f"all {int(needed)} fields filled" if not blank else f"{blank} of {int(needed)} fields blank"
    return f"{'received' if state == RECEIVED else RECEIVED_WITH_WARNINGS}, {fields}"


def _completeness_cell_text(value_state: str, filled, needed, blank: int) -> str:
    # Two short lines fit a cell of a seven-year grid at 1366 px: the state, then the fields filled of needed.
    if value_state in (COMPLETE, BLANKS, RECEIVED_WITH_WARNINGS) and needed is not None and not pd.isna(needed):
        word = {COMPLETE: "complete", BLANKS: f"{blank} blank", RECEIVED_WITH_WARNINGS: "warnings"}[value_state]
        return f"{word}<br>{int(filled)}/{int(needed)}"
    return {NOT_MEMBER: "not a<br>member", RECEIVED_WITH_WARNINGS: "accepted with<br>warnings"}.get(
        value_state, value_state)


def _needed(cells: pd.DataFrame) -> int:
    needed = cells["fields_needed"].dropna()
    return int(needed.max()) if len(needed) else 0


# --- the overview: matrix key, year-on-year changes ------------------------------------------------

YES_CELL_COLOUR, NO_CELL_COLOUR = "#1f4e9e", "#f2c94c"  # as kpi.maps YES_COLOUR, NO_COLOUR (which imports charts)
MATRIX_KEY = ("Green: achieved / on track · amber: acceleration needed · red: limited progress, deterioration, "
              "not achieved<br>grey: not judged · an AMS's own yes/no answer is not judged: yes in blue, no in "
              "yellow")
_MATRIX_TOP = _TOP + 120  # title, the key (two lines), the axis title and the ISO codes above the cells
_MATRIX_ROW_PX = 52  # three lines of cell text with room above and below
_DARK_TEXT, _LIGHT_TEXT = "#111827", "#ffffff"


def format_change(change, unit: str = "") -> str:
    """Return a change for people: "+4.6 pts" (percentage points) for a percentage, "+8" or "−3" for a count,
    "0" / "0.0 pts" for no change, "no data" when it cannot be worked out (never 0)."""
    if is_missing(change):
        return NO_DATA
    if unit == "%":
        shown = f"{abs(change):.1f}"
        return f"{_sign(change, shown)}{shown} pts"
    shown = f"{abs(change):,.0f}" if float(change).is_integer() else f"{abs(change):,.1f}"
    return f"{_sign(change, shown)}{shown}"


def describe_movement(before: str, now: str, movement: str | None) -> str:
    """Return how a status moved, in words: the movement of kpi.changes, else "unchanged" (same status), "same
    severity" (deterioration ↔ not achieved) or "still not judged" (between two not-judged statuses)."""
    if movement:
        return movement
    if before == now:
        return "unchanged"
    return "same severity" if before in SEVERITY else "still not judged"


def ams_changes_table(changes: pd.DataFrame, year: int, previous_year: int,
                      names: dict[str, str] | None = None) -> pd.DataFrame:
    """Return kpi.changes.ams_changes as text for people: AMS, indicator, value and status in each year, movement.

    A yes/no answer reads "yes"/"no" in the value columns and YES_NO_STATUS as its status."""
    records = []
    for row in changes.to_dict("records"):
        if row["is_answer"]:
            before, now = _yes_no_text(row["value_before"]), _yes_no_text(row["value_now"])
            status_before = status_now = YES_NO_STATUS
        else:
            before, now = format_value(row["value_before"], row["unit"]), format_value(row["value_now"], row["unit"])
            status_before, status_now = row["status_before"], row["status_now"]
        records.append({"AMS": (names or {}).get(row["scope"], row["scope"]), "code": row["code"],
                        f"value {previous_year}": before, f"status {previous_year}": status_before,
                        f"value {year}": now, f"status {year}": status_now, "movement": row["movement"]})
    return pd.DataFrame(records, columns=["AMS", "code", f"value {previous_year}", f"status {previous_year}",
                                          f"value {year}", f"status {year}", "movement"])


def _sign(change: float, shown: str) -> str:
    if float(shown.replace(",", "")) == 0:
        return ""  # a change that rounds to zero is shown as 0, with no sign
    return "+" if change > 0 else "−"


def _text_colour(fill: str) -> str:
    """Return dark or white text, whichever contrasts more with `fill` (WCAG relative luminance)."""
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    background = luminance(fill)
    against_dark = (background + 0.05) / (luminance(_DARK_TEXT) + 0.05)
    against_white = 1.05 / (background + 0.05)
    return _LIGHT_TEXT if against_white > against_dark else _DARK_TEXT


# --- the indicator page: targets of each AMS, yes/no grids, gaps named (issue 9) ------------------------------

_OWN, _EVERY_AMS = "own", "every AMS"  # kpi.engine's target_source: the AMS's own target, or the one for every AMS
_AMS_TARGET_COLOUR = "#5b7fc7"
_VALUE_COLUMN_PX = 200  # the ranking's column of values and statuses, then its column of targets
_BARS_WIDTH_SHARE = 0.6  # of the ranking's plot width: the bars; the columns fill the rest
_FOOTER = "footer line"  # name of the notes under a figure's source line
_ANSWER_ROW_PX, _COUNT_PANEL_PX, _PANEL_GAP_PX = 32, 190, 70
_LEGEND_ENTRY_PX = 21
_TREND_PLOT_SHARE = 0.72  # of the trend's width: the plot; the legend fills the rest
_INVISIBLE = "rgba(0,0,0,0)"  # the marker of a legend entry that only says something (a total, "not set")


def format_target(value, unit: str = "", source: str | None = None) -> str:
    """Return a target for people: "60.0 %", "30.0 % (own)" for an AMS's own target, "not set" when there is none."""
    if is_missing(value):
        return TARGET_NOT_SET
    shown = format_value(value, unit)
    return f"{shown} (own)" if source == _OWN else shown


def _scope_colour(scope: str, every_scope: list[str]) -> str:
    # By the AMS's place among all AMS, so its colour does not change when others are left out of the chart.
    index = every_scope.index(scope) if scope in every_scope else 0
    return _AMS_PALETTE[index % len(_AMS_PALETTE)]


def _latest_targets(rows: pd.DataFrame, scopes: list[str]) -> dict[str, tuple[float, str | None]]:
    targets = {}
    for scope in scopes:
        own = rows[(rows["scope"] == scope) & rows["target"].notna()]
        if len(own):
            last = own.iloc[-1]
            targets[scope] = (float(last["target"]), last.get("target_source"))
    return targets


def _add_ams_targets(fig: go.Figure, rows: pd.DataFrame, scopes: list[str], every_scope: list[str],
                     framework: Framework, names: dict[str, str] | None, cell: dict) -> None:
    # Each AMS is judged against its own target, or the one set for every AMS: both are drawn, and their absence said.
    start, end = framework.baseline_year, framework.target_year
    targets = _latest_targets(rows, scopes)
    shared = sorted({value for value, source in targets.values() if source != _OWN})
    for value in shared:
        suffix = f" ({value:g})" if len(shared) > 1 else ""
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[value, value], mode="lines",
                                 name=f"target {end} for every AMS{suffix}", legendrank=6,
                                 line=dict(color=_AMS_TARGET_COLOUR, width=1.5, dash="dashdot"),
                                 hovertemplate=f"target for every AMS {value:.1f}<extra></extra>"), **cell)
    for scope, (value, source) in targets.items():
        if source == _OWN:
            name = _name(scope, names)
            fig.add_trace(go.Scatter(
                x=[end + 0.3], y=[value], mode="markers", name=f"{name}: own target", legendrank=7,
                marker=dict(symbol="diamond-tall", size=14, color=_scope_colour(scope, every_scope),
                            line=dict(width=1.5, color=TARGET_COLOUR)), cliponaxis=False,
                hovertemplate=f"{name}: own target {value:.1f}<extra></extra>"), **cell)
    unset = [s for s in scopes if s not in targets]
    if unset:
        if len(unset) == len(scopes):
            label = f"AMS target {end}: not set"
        elif len(unset) == 1:
            label = f"target not set: {_name(unset[0], names)}"
        else:
            label = f"target not set for {len(unset)} AMS"
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(color=_INVISIBLE), hoverinfo="skip",
                                 name=label), **cell)


def _add_target_marks(fig: go.Figure, ams: pd.DataFrame, framework: Framework, names: dict[str, str] | None) -> None:
    # On each bar the target that AMS is judged against, and the same in words in a column at the right.
    end = framework.target_year
    sources = ams["target_source"] if "target_source" in ams.columns else pd.Series(None, index=ams.index)
    with_target = ams["target"].notna()
    kinds = ((with_target & (sources == _OWN), f"own target {end}", "diamond-tall", 15),
             (with_target & (sources != _OWN), f"target {end} for every AMS", "line-ns-open", 26))
    for chosen, label, symbol, size in kinds:
        marked = ams[chosen]
        if len(marked):
            fig.add_trace(go.Scatter(
                x=[float(t) for t in marked["target"]], y=[_name(s, names) for s in marked["scope"]], mode="markers",
                marker=dict(symbol=symbol, size=size, color=TARGET_COLOUR, line=dict(width=3, color=TARGET_COLOUR)),
                cliponaxis=False, name=label, hovertemplate=f"%{{y}}: {label} %{{x:.1f}}<extra></extra>"))


def _add_ranking_columns(fig: go.Figure, ams: pd.DataFrame, indicator: Indicator, year: int, framework: Framework,
                         names: dict[str, str] | None) -> None:
    # Beside each bar, in words: the value and its status (after a square of the status colour), and the target it
    # is judged against. Plain text only (no markup): the names come from the store.
    if not len(ams):
        return
    square_x, status_x, target_x = 14, 30, 14 + _VALUE_COLUMN_PX

    def write(text, shift, y, yref="y", colour=FONT["color"], **font):
        fig.add_annotation(text=text, xref="paper", x=_BARS_WIDTH_SHARE, xshift=shift, xanchor="left", yref=yref, y=y,
                           yanchor="bottom" if yref == "paper" else "middle", showarrow=False,
                           font=dict(size=12, color=colour, **font))

    write(f"{year}: value · status", square_x, 1, yref="paper", weight="bold")
    write(f"Target {framework.target_year}", target_x, 1, yref="paper", weight="bold")
    for row in ams.to_dict("records"):
        label = _name(row["scope"], names)
        if is_missing(row["value"]):
            write(NO_DATA, status_x, label, colour=NO_DATA_COLOUR)
        else:
            write("■", square_x, label, colour=status_colour(row["status"] or NO_DATA))
            write(plotly_text(_bar_text(indicator, row["value"], row["status"])), status_x, label)
        target = format_target(row["target"], indicator.unit, row.get("target_source"))
        write(plotly_text(target), target_x, label,
              colour=NO_DATA_COLOUR if is_missing(row["target"]) else TARGET_COLOUR)

def _add_footer_line(fig: go.Figure, parts: list[str], separator: str = "   ", width: int = 150,
                     colour: str = "#52606d", size: int = 11, weight: str = "normal", name: str = _FOOTER) -> None:
    # Under the source line (and under the lines added before): an exported chart carries its notes. The parts are
    # kept whole when the text wraps, so their markup is never cut.
    lines = _wrap_parts(parts, separator, width)
    below = sum(str(a.text).count("<br>") + 1 for a in (fig.layout.annotations or ())
                if a.name in (_FOOTER, _PROVISIONAL_ANNOTATION))
    fig.add_annotation(text="<br>".join(lines), name=name, xref="paper", yref="paper", x=0, xanchor="left", y=0,
                       yshift=-(_BOTTOM - 18) - 18 - 16 * below, yanchor="top", align="left", showarrow=False,
                       font=dict(size=size, color=colour, weight=weight))
    fig.update_layout(margin=dict(b=_BOTTOM + 16 * (below + len(lines)) + 4))

def _answers_heatmap(rows: pd.DataFrame, scopes: list[str], years: list[int],
                     names: dict[str, str] | None) -> go.Heatmap:
    # An answer is not a status: neutral blue and yellow (as on the map), grey for no data, the word in every cell.
    from kpi.maps import NO_COLOUR, YES_COLOUR
    words = ("yes", "no", NO_DATA)
    z, text = [], []
    for scope in scopes:
        own = {int(r["year"]): r["value"] for r in rows[rows["scope"] == scope].to_dict("records")}
        answers = [NO_DATA if is_missing(own.get(year)) else ("yes" if own[year] == 1 else "no") for year in years]
        z.append([words.index(a) for a in answers])
        text.append(answers)
    return go.Heatmap(
        z=z, x=list(years), y=[_name(s, names) for s in scopes], text=text, texttemplate="%{text}",
        textfont=dict(size=12), colorscale=_discrete_scale([YES_COLOUR, NO_COLOUR, NO_DATA_CELL_COLOUR]),
        zmin=-0.5, zmax=2.5, showscale=False, xgap=3, ygap=3, hovertemplate="%{y} %{x}: %{text}<extra></extra>")


def _answers_figure(rows: pd.DataFrame, indicator: Indicator, year: int, as_of,
                    names: dict[str, str] | None) -> go.Figure:
    scopes = _ams_scopes(rows, None)
    fig = go.Figure(_answers_heatmap(rows, scopes, [year], names) if scopes else None)
    fig.update_layout(title=_title(f"{indicator.code} by AMS, {year}", indicator.wording), showlegend=False,
                      height=max(380, _ANSWER_ROW_PX * len(scopes) + 260))
    fig.update_xaxes(title_text=f"Answer in {year}", type="category", domain=[0, 0.4])
    fig.update_yaxes(title_text="ASEAN Member State", autorange="reversed")
    if not scopes:
        _add_note(fig, f"no data for {year}")
    fig = _finish(fig, as_of)
    region = rows[rows["scope"] == ASEAN]
    count = _first(region["value"]) if len(region) else None
    if count is not None:
        reported = _first(region["coverage"])
        _add_footer_line(fig, [f"ASEAN {year}: {format_value(count)} AMS answered yes"
                               + ("" if reported is None else f" ({format_value(reported)} AMS answered)")])
    return fig


def _yes_no_trend_figure(rows: pd.DataFrame, indicator: Indicator, framework: Framework, as_of, scopes: list[str],
                         names: dict[str, str] | None) -> go.Figure:
    from plotly.subplots import make_subplots
    years = list(range(framework.baseline_year, framework.target_year + 1))
    grid_px = _ANSWER_ROW_PX * max(len(scopes), 2)
    plot_px = _COUNT_PANEL_PX + _PANEL_GAP_PX + grid_px
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=_PANEL_GAP_PX / plot_px,
                        row_heights=[_COUNT_PANEL_PX, grid_px],
                        subplot_titles=("ASEAN: number of AMS answering yes", "Answer of each Member State"))
    region = rows[rows["scope"] == ASEAN]
    if len(region):
        fig.add_trace(go.Scatter(
            x=region["year"], y=_nullable(region["value"]), mode="lines+markers", name="ASEAN (count of yes)",
            legendrank=1,
            line=dict(width=4, color=ASEAN_COLOUR), marker=dict(size=9), connectgaps=False, cliponaxis=False,
            hovertemplate="ASEAN %{x}: %{y:.0f} AMS answered yes<extra></extra>"), row=1, col=1)
        _add_reference_lines(fig, region, framework, dict(row=1, col=1))
    if scopes:
        fig.add_trace(_answers_heatmap(rows, scopes, years, names), row=2, col=1)
    else:
        fig.add_annotation(text="no Member State chosen", xref="x2 domain", yref="y2 domain", x=0.5, y=0.5,
                           showarrow=False, font=dict(size=14, color=NO_DATA_COLOUR))
    fig.update_layout(title=_title(f"{indicator.code} trend, {framework.baseline_year}–{framework.target_year}",
                                   indicator.wording), height=_TOP + 45 + plot_px + _BOTTOM)
    fig.update_xaxes(dtick=1, range=[framework.baseline_year - 0.5, framework.target_year + 0.5], showticklabels=True)
    fig.update_xaxes(title_text="Reporting year", row=2, col=1)
    fig.update_yaxes(title_text=plotly_text(axis_title(indicator)), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="Member State", autorange="reversed", showgrid=False, row=2, col=1)
    _keep_legend_inside(fig)
    fig = _finish(fig, as_of, top=_TOP + 45)  # the panel title needs a line of its own below the subtitle
    _add_gap_note(fig, rows, [], names)
    return fig


def _gap_parts(rows: pd.DataFrame, scopes: list[str], names: dict[str, str] | None) -> list[str]:
    parts = []
    for scope in [ASEAN, *scopes]:
        own = rows[rows["scope"] == scope]
        if not len(own):
            continue
        missing = sorted(int(y) for y, v in zip(own["year"], own["value"]) if is_missing(v))
        if len(missing) == len(own):
            parts.append(f"{_name(scope, names)} (every year)")
        elif missing:
            parts.append(f"{_name(scope, names)} {_year_ranges(missing)}")
    return parts


def _add_gap_note(fig: go.Figure, rows: pd.DataFrame, scopes: list[str], names: dict[str, str] | None) -> None:
    # Where the lines of an exported chart break, and why.
    parts = _gap_parts(rows, scopes, names)
    if parts:
        _add_footer_line(fig, [f"No data (a gap in the line, never a zero): {parts[0]}", *parts[1:]], separator="; ")


def _year_ranges(years: list[int]) -> str:
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def _wrap_parts(parts: list[str], separator: str, width: int) -> list[str]:
    lines, line, length = [], "", 0
    for part in parts:
        visible = _visible_length(part)
        if line and length + len(separator) + visible > width:
            lines.append(line)
            line, length = part, visible
        elif line:
            line, length = f"{line}{separator}{part}", length + len(separator) + visible
        else:
            line, length = part, visible
    return lines + [line] if line else lines


def _visible_length(markup: str) -> int:
    # The characters a reader sees of plotly's markup: tags dropped, entities as one character.
    text, inside = [], False
    for char in markup:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            text.append(char)
    return len(html.unescape("".join(text)))


def _keep_legend_inside(fig: go.Figure) -> None:
    # The legend sits in the right part of the figure's own width rather than in a margin beside it, so the line
    # under the plot (source, date, demo marker) spans the whole figure; panel titles start at the left.
    fig.update_xaxes(domain=[0, _TREND_PLOT_SHARE])
    fig.update_layout(legend=dict(x=_TREND_PLOT_SHARE + 0.02, xanchor="left", y=1, yanchor="top"))
    for annotation in fig.layout.annotations or ():
        if annotation.xref == "paper" and annotation.yref == "paper" and annotation.x == 0.5 \
                and annotation.yanchor == "bottom":
            annotation.update(x=0, xanchor="left")


def indicator_values_table(report: pd.DataFrame, indicator: Indicator, year: int, names: dict[str, str] | None,
                           ams_count: int) -> pd.DataFrame:
    """Return the values behind the Indicator page's charts for `year`, in words: one row per scope (ASEAN first as
    stored) with name, value, coverage ("8 of N AMS"), baseline, target ("(own)" for an AMS's own target, "not
    set" where none), progress ("" where not defined) and status.

    An AMS's yes/no answer reads yes/no, with YES_NO_TARGET and YES_NO_STATUS (the status is the count's).
    """
    names = names or {}
    table = report[(report["indicator"] == indicator.code) & (report["year"] == year)]
    sources = table["target_source"] if "target_source" in table.columns else [None] * len(table)
    records = []
    for row, source in zip(table.to_dict("records"), sources):
        scope, value = row["scope"], _none(row["value"])
        answer = indicator.is_yes_count and scope != ASEAN
        progress = _none(row.get("progress"))
        if answer:
            shown_value, baseline = _yes_no_text(value), _yes_no_text(_none(row["baseline"]))
            target, status = YES_NO_TARGET, YES_NO_STATUS if value is not None else NO_DATA
        else:
            shown_value, baseline = format_value(value, indicator.unit), format_value(row["baseline"], indicator.unit)
            target = format_target(row["target"], indicator.unit, None if scope == ASEAN else source)
            status = row["status"] or NO_DATA
        records.append({
            "scope": scope, "name": names.get(scope, scope), "value": shown_value,
            "coverage": format_coverage(row["coverage"], ams_count), "baseline": baseline, "target": target,
            "progress": "" if progress is None else f"{100 * float(progress):.1f} %", "status": status})
    return pd.DataFrame(records, columns=["scope", "name", "value", "coverage", "baseline", "target", "progress",
                                          "status"])
