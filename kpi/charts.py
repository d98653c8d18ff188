"""Figure builders for the dashboard, the exports and the CLI: plain data in, plotly Figure out."""

from __future__ import annotations

import datetime as dt
import html
import math

import pandas as pd
import plotly.graph_objects as go

from kpi.catalogue import Framework, Indicator
from kpi.progress import GREY, NO_DATA, STATUS_COLOURS, is_missing

ASEAN = "ASEAN"
SOURCE = "Source: ACCSM country returns"
NO_DATA_COLOUR = GREY
NO_DATA_CELL_COLOUR = "#d9dce1"  # lighter than the not-judged grey so the judged cells stand out in the matrix
YES_NO_COLOUR = "#dde3ec"  # a yes/no answer is not judged: neutral, never a status colour
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
    if is_missing(value) or (isinstance(value, float) and math.isnan(value)):
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
    if as_of is None or (isinstance(as_of, float) and math.isnan(as_of)):
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
    """Return the trend of one indicator: a line per AMS, ASEAN in bold, baseline, target, straight path, projection.

    For a yes-count indicator the AMS answers are yes/no, so only the regional count is drawn.
    """
    indicator = _resolve(framework, indicator)
    rows = report[report["indicator"] == indicator.code].sort_values("year")
    fig = go.Figure()
    scopes = [] if indicator.is_yes_count else _ams_scopes(rows, countries)
    for index, scope in enumerate(scopes):
        own = rows[rows["scope"] == scope]
        if own["value"].notna().any():
            fig.add_trace(go.Scatter(
                x=own["year"], y=_nullable(own["value"]), mode="lines+markers", name=_name(scope, names),
                line=dict(width=1.5, color=_AMS_PALETTE[index % len(_AMS_PALETTE)]), connectgaps=False,
                hovertemplate=f"{_name(scope, names)} %{{x}}: %{{y:.1f}}<extra></extra>"))
    region = rows[rows["scope"] == ASEAN]
    if len(region):
        fig.add_trace(go.Scatter(
            x=region["year"], y=_nullable(region["value"]), mode="lines+markers", name="ASEAN",
            line=dict(width=4, color=ASEAN_COLOUR), marker=dict(size=9), connectgaps=False,
            hovertemplate="ASEAN %{x}: %{y:.1f}<extra></extra>"))
        _add_reference_lines(fig, region, framework)
    # Tall enough for a legend of ten AMS, ASEAN and the reference lines beside the plot.
    fig.update_layout(title=_title(f"{indicator.code} trend, {framework.baseline_year}–{framework.target_year}",
                                   indicator.wording), height=TREND_HEIGHT_PX)
    fig.update_xaxes(title_text="Reporting year", dtick=1,
                     range=[framework.baseline_year - 0.5, framework.target_year + 0.5])
    fig.update_yaxes(title_text=plotly_text(axis_title(indicator)), rangemode="tozero")
    if len(region) and region["value"].isna().all() and not scopes:
        _add_note(fig, "no data for any year")
    return _finish(fig, as_of)


def ranking_figure(report: pd.DataFrame, indicator: Indicator | str, year: int, framework: Framework, as_of,
                   names: dict[str, str] | None = None) -> go.Figure:
    """Return a bar per AMS sorted by value with its target marked; AMS without a value are listed as "no data"."""
    indicator = _resolve(framework, indicator)
    rows = report[(report["indicator"] == indicator.code) & (report["year"] == year)]
    region = rows[rows["scope"] == ASEAN]
    ams = rows[rows["scope"] != ASEAN].copy()
    reported = ams[ams["value"].notna()].sort_values("value", ascending=True)
    missing = ams[ams["value"].isna()].sort_values("scope", ascending=False)
    # Horizontal bars list the best at the top; the AMS without data sit below, with no bar at all.
    labels = [_name(s, names) for s in missing["scope"]] + [_name(s, names) for s in reported["scope"]]
    fig = go.Figure()
    if len(reported):
        fig.add_trace(go.Bar(
            x=reported["value"], y=[_name(s, names) for s in reported["scope"]], orientation="h",
            marker_color=[_cell_colour(indicator, s, st) for s, st in zip(reported["scope"], reported["status"])],
            text=[_bar_text(indicator, v, st) for v, st in zip(reported["value"], reported["status"])],
            textposition="auto", name=plotly_text(f"{indicator.code} {year}"), showlegend=False,
            hovertemplate="%{y}: %{x:.1f}<extra></extra>"))
    if len(missing):
        fig.add_trace(go.Scatter(
            x=[0] * len(missing), y=[_name(s, names) for s in missing["scope"]], mode="text",
            text=[NO_DATA] * len(missing), textposition="middle right", textfont=dict(color=NO_DATA_COLOUR),
            name=NO_DATA, showlegend=False, hoverinfo="skip"))
    targets = ams[ams["target"].notna()]
    if len(targets) and not indicator.is_yes_count:
        fig.add_trace(go.Scatter(
            x=targets["target"], y=[_name(s, names) for s in targets["scope"]], mode="markers",
            marker=dict(symbol="line-ns-open", size=22, color=TARGET_COLOUR, line=dict(width=3, color=TARGET_COLOUR)),
            name=f"target {framework.target_year}", hovertemplate="target %{x:.1f}<extra></extra>"))
    if len(region) and not is_missing(region["value"].iloc[0]) and not indicator.is_yes_count:
        value = region["value"].iloc[0]
        fig.add_vline(x=value, line=dict(color=ASEAN_COLOUR, width=2, dash="dash"),
                      annotation_text=f"ASEAN {format_value(value, indicator.unit)}",
                      annotation_position="top")
    fig.update_layout(title=_title(f"{indicator.code} by AMS, {year}", indicator.wording),
                      height=max(420, 60 * len(labels) // 2 + 260), legend=dict(orientation="h", y=1.02, x=1,
                                                                                  xanchor="right", yanchor="bottom"))
    fig.update_yaxes(title_text="ASEAN Member State", categoryorder="array", categoryarray=labels)
    x_title = "yes (1) / no (0)" if indicator.is_yes_count else plotly_text(axis_title(indicator))
    fig.update_xaxes(title_text=x_title, rangemode="tozero")
    if indicator.is_percent:
        fig.update_xaxes(range=[0, 105])
    if not len(ams):
        _add_note(fig, f"no data for {year}")
    return _finish(fig, as_of)


def status_matrix_figure(report: pd.DataFrame, year: int, framework: Framework, as_of,
                         names: dict[str, str] | None = None) -> go.Figure:
    """Return the AMS × indicator heatmap coloured by status with the label in every cell (yes/no rows say yes/no)."""
    rows = report[report["year"] == year]
    codes = list(framework.codes)
    scopes = [ASEAN] + [s for s in dict.fromkeys(rows["scope"]) if s != ASEAN]
    by_key = {(r["scope"], r["indicator"]): r for r in rows.to_dict("records")}
    colours: list[str] = []
    z, text = [], []
    for scope in scopes:
        z_row, text_row = [], []
        for code in codes:
            indicator = framework.indicator(code)
            row = by_key.get((scope, code))
            label, colour = _cell(indicator, scope, row)
            if colour not in colours:
                colours.append(colour)
            z_row.append(colours.index(colour))
            text_row.append(label)
        z.append(z_row)
        text.append(text_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[plotly_text(c) for c in codes], y=[_name(s, names) for s in scopes], text=text, texttemplate="%{text}",
        textfont=dict(size=9), colorscale=_discrete_scale(colours), zmin=-0.5, zmax=len(colours) - 0.5,
        showscale=False, xgap=2, ygap=2, hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>"))
    fig.update_layout(title=_title(f"Status by AMS and indicator, {year}",
                                   "Each cell: value and status. Green achieved/on track, amber acceleration needed, "
                                   "red limited progress/deterioration, grey not judged."),
                      height=max(420, 58 * len(scopes) + _TOP + _BOTTOM + 100))
    fig.update_xaxes(title_text="Indicator", side="top", tickangle=0)
    fig.update_yaxes(title_text="Scope (ASEAN region, then AMS)", autorange="reversed")
    return _finish(fig, as_of, top=_TOP + 70)


def build_completeness_matrix(submissions: pd.DataFrame, ams: list[str], years: list[int],
                              rejected: list[tuple[str, int]] = ()) -> pd.DataFrame:
    """Return an AMS × year frame of RETURN_STATES from the current returns and this session's rejected uploads."""
    matrix = pd.DataFrame(MISSING, index=list(ams), columns=list(years), dtype=object)
    for country, year in rejected:
        if country in matrix.index and year in matrix.columns:
            matrix.loc[country, year] = REJECTED
    returns = submissions[(submissions["kind"] == "return") & (submissions["status"] == "current")] \
        if len(submissions) else submissions
    for record in returns.to_dict("records"):
        country, year = record["country"], record["year"]
        if country in matrix.index and year in matrix.columns:
            has_warnings = str(record.get("warnings") or "[]") not in ("[]", "")
            matrix.loc[country, year] = RECEIVED_WITH_WARNINGS if has_warnings else RECEIVED
    return matrix


def completeness_figure(matrix: pd.DataFrame, as_of, names: dict[str, str] | None = None) -> go.Figure:
    """Return the AMS × year grid of returns: received, accepted with warnings, rejected, missing (labelled)."""
    colours = list(RETURN_STATE_COLOURS.values())
    z = [[RETURN_STATES.index(state) for state in row] for row in matrix.itertuples(index=False)]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in matrix.columns], y=[_name(s, names) for s in matrix.index],
        text=matrix.values.tolist(), texttemplate="%{text}", textfont=dict(size=11),
        colorscale=_discrete_scale(colours), zmin=-0.5, zmax=len(colours) - 0.5, showscale=False,
        xgap=2, ygap=2, hovertemplate="%{y} %{x}: %{text}<extra></extra>"))
    fig.update_layout(title=_title("Country returns received", "By AMS and reporting year"),
                      height=max(380, 44 * len(matrix.index) + _TOP + _BOTTOM + 100))
    fig.update_xaxes(title_text="Reporting year", type="category", side="top")
    fig.update_yaxes(title_text="ASEAN Member State", autorange="reversed")
    return _finish(fig, as_of, top=_TOP + 70)


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

def scorecard_table(report: pd.DataFrame, year: int, framework: Framework) -> pd.DataFrame:
    """Return one row per indicator for ASEAN in `year`: area, code, wording, value, coverage, baseline, target,
    progress (%), status and unit. Missing figures stay blank (None/NaN, never 0)."""
    ams_count = max(len(set(report["scope"]) - {ASEAN}), 10) if len(report) else 10
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
    scopes = [s for s in dict.fromkeys(rows["scope"]) if s != ASEAN]
    if countries:
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


def _add_reference_lines(fig: go.Figure, region: pd.DataFrame, framework: Framework) -> None:
    baseline = _first(region["baseline"])
    target = _first(region["target"])
    start, end = framework.baseline_year, framework.target_year
    if baseline is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[baseline, baseline], mode="lines",
                                 name=f"baseline {start}", line=dict(color=GREY, dash="dash", width=1.5),
                                 hovertemplate=f"baseline {baseline:.1f}<extra></extra>"))
    if target is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[target, target], mode="lines",
                                 name=f"target {end}", line=dict(color=TARGET_COLOUR, dash="dot", width=2),
                                 hovertemplate=f"target {target:.1f}<extra></extra>"))
    if baseline is not None and target is not None:
        fig.add_trace(go.Scatter(x=[start, end], y=[baseline, target], mode="lines",
                                 name="straight path to target", line=dict(color=TARGET_COLOUR, width=1, dash="dash"),
                                 opacity=0.6, hoverinfo="skip"))
    with_value = region[region["value"].notna()]
    if len(with_value):
        latest = with_value.iloc[-1]
        if not is_missing(latest["projected"]):
            fig.add_trace(go.Scatter(
                x=[latest["year"], end], y=[latest["value"], latest["projected"]], mode="lines+markers",
                name=f"projected {end} at current pace", line=dict(color=ASEAN_COLOUR, width=1.5, dash="dot"),
                marker=dict(symbol=["circle", "diamond-open"], size=[1, 12]),
                hovertemplate=f"projected {end}: %{{y:.1f}}<extra></extra>"))


def _first(values: pd.Series):
    present = values.dropna()
    return float(present.iloc[0]) if len(present) else None


def _bar_text(indicator: Indicator, value, status) -> str:
    if indicator.is_yes_count:
        return "yes" if value == 1 else "no"
    shown = format_value(value, indicator.unit)
    return f"{shown} · {status}" if status else shown


def _cell_colour(indicator: Indicator, scope: str, status) -> str:
    if indicator.is_yes_count and scope != ASEAN:
        return YES_NO_COLOUR
    return status_colour(status or NO_DATA)


def _cell(indicator: Indicator, scope: str, row: dict | None) -> tuple[str, str]:
    value = None if row is None else _none(row["value"])
    if indicator.is_yes_count and scope != ASEAN:
        if value is None:
            return NO_DATA, NO_DATA_CELL_COLOUR
        return ("yes" if value == 1 else "no"), YES_NO_COLOUR
    status = (row or {}).get("status") or NO_DATA
    if value is None:
        return NO_DATA, NO_DATA_CELL_COLOUR
    return f"{format_value(value, indicator.unit)}<br>{_wrap(status)}", status_colour(status)


def _wrap(label: str) -> str:
    # Two short lines fit a matrix cell; "acceleration needed" on one line does not.
    return label.replace(" ", "<br>", 1) if len(label) > 10 else label


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
    """Return the indicators whose ASEAN value or status changed from `previous_year` to `year`."""
    now = scorecard_table(report, year, framework).set_index("code")
    before = scorecard_table(report, previous_year, framework).set_index("code")
    records = []
    for code in now.index:
        value, old_value = now.at[code, "value"], before.at[code, "value"]
        status, old_status = now.at[code, "status"], before.at[code, "status"]
        unit = now.at[code, "unit"]
        value_changed = _differs(value, old_value)
        if not value_changed and status == old_status:
            continue
        records.append({
            "code": code, "wording": now.at[code, "wording"],
            f"value {previous_year}": format_value(old_value, unit), f"value {year}": format_value(value, unit),
            f"status {previous_year}": old_status, f"status {year}": status,
            "what changed": " and ".join(part for part, changed in (("value", value_changed),
                                                                     ("status", status != old_status)) if changed),
        })
    return pd.DataFrame(records, columns=["code", "wording", f"value {previous_year}", f"value {year}",
                                          f"status {previous_year}", f"status {year}", "what changed"])


def member_state_table(report: pd.DataFrame, country: str, year: int, framework: Framework) -> pd.DataFrame:
    """Return one row per indicator for one AMS: baseline, value in `year`, target, status and the yearly series."""
    rows = report[report["scope"] == country]
    records = []
    for indicator in framework.indicators:
        own = rows[rows["indicator"] == indicator.code].sort_values("year")
        this_year = own[own["year"] == year]
        row = this_year.iloc[0].to_dict() if len(this_year) else {}
        value = _none(row.get("value"))
        yes_no = indicator.is_yes_count
        records.append({
            "code": indicator.code, "wording": indicator.wording, "unit": indicator.unit,
            "baseline": _yes_no_text(_none(row.get("baseline"))) if yes_no else _none(row.get("baseline")),
            "value": _yes_no_text(value) if yes_no else value,
            "target": None if yes_no else _none(row.get("target")),
            "status": ("answer, not judged" if value is not None else NO_DATA) if yes_no else (row.get("status") or NO_DATA),
            "trend": [float(v) for v in own["value"] if not is_missing(v)],
        })
    return pd.DataFrame(records, columns=["code", "wording", "unit", "baseline", "value", "target", "status", "trend"])


def _yes_no_text(value) -> str:
    if value is None:
        return NO_DATA
    return "yes" if value == 1 else "no"


def _differs(a, b) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(float(a) - float(b)) > 1e-9
