"""The briefing pack's charts, drawn for their box on a slide: one CSS pixel per point, so 13 px prints at 13 pt.

The dashboard's figures (kpi.charts, kpi.maps) are built for a browser; here each figure is sized to the
picture it becomes, with every text at least CHART_MIN_PX (the source line CHART_SOURCE_PX), and legends laid
out so that nothing overlaps at that size. The page figures are never changed: the map is a copy, adjusted.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kpi.catalogue import Framework, Indicator
from kpi.charts import ASEAN_COLOUR, FONT, TARGET_COLOUR, axis_title, describe_source, plotly_text
from kpi.exports import textfit
from kpi.exports.messages import format_amount
from kpi.indicators import ASEAN
from kpi.maps import status_map_figure
from kpi.progress import GREY, JUDGED_STATUSES, NO_DATA, STATUS_COLOURS, is_missing

CHART_PX_PER_PT = 1.0  # CSS pixels per point of the picture on the slide
CHART_FONT_PX = 13
CHART_MIN_PX = 12  # the least any chart text may be (legend entries)
CHART_SOURCE_PX = 10
AMS_LINE_COLOUR = "#aeb6c1"
NOT_JUDGED_FILL = "#d9dce1"  # grey (not judged), light enough to read dark text on
_MUTED = "#52606d"
_DARK = "#1f2933"
_LEGEND_SYMBOL_PX = 46  # the line sample and the gap plotly draws before an entry's text
_AXIS = dict(gridcolor="#EBF0F8", linecolor="#EBF0F8", ticks="", title=dict(standoff=15), zerolinecolor="#EBF0F8",
             automargin=True, zerolinewidth=2)
# plotly_white's look in a template this small: a figure built on a full template copies all of it (≈ 0.3 s).
_TEMPLATE = dict(layout=dict(plot_bgcolor="white", paper_bgcolor="white", xaxis=_AXIS, yaxis=_AXIS))


def trend_chart(report: pd.DataFrame, indicator: Indicator, framework: Framework, as_of,
                names: dict[str, str] | None, width_px: int, height_px: int) -> go.Figure:
    """Return one indicator's trend for a slide: ASEAN in bold with baseline, target, straight path and projection.

    Each AMS is a thin grey line under one legend entry (the ranking table beside the chart names them), so the
    legend stays short at slide size. A count or a sum shows the ASEAN total alone (its AMS parts would lie flat
    under it); a yes/no indicator shows the count of yeses.
    """
    rows = report[report["indicator"] == indicator.code].sort_values("year", kind="stable")
    region = rows[rows["scope"] == ASEAN]
    start, end = framework.baseline_year, framework.target_year
    fig = _new_figure()
    if not indicator.is_count_or_sum:
        drawn = 0
        for scope in dict.fromkeys(rows["scope"]):
            own = rows[rows["scope"] == scope]
            if scope == ASEAN or not own["value"].notna().any():
                continue
            name = plotly_text((names or {}).get(scope, scope))
            fig.add_trace(go.Scatter(x=own["year"], y=_nullable(own["value"]), mode="lines+markers", name=name,
                                     line=dict(color=AMS_LINE_COLOUR, width=1.2), marker=dict(size=4),
                                     connectgaps=False, showlegend=False,
                                     hovertemplate=f"{name} %{{x}}: %{{y:.1f}}<extra></extra>"))
            drawn += 1
        if drawn:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="each AMS",
                                     line=dict(color=AMS_LINE_COLOUR, width=1.5), hoverinfo="skip"))
    baseline, target = _first(region["baseline"]), _first(region["target"])
    if baseline is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[baseline, baseline], mode="lines",
                                 name=f"baseline {start}", line=dict(color=GREY, dash="dash", width=1.5)))
    if target is not None:
        fig.add_trace(go.Scatter(x=[start - 0.5, end + 0.5], y=[target, target], mode="lines",
                                 name=f"target {end}", line=dict(color=TARGET_COLOUR, dash="dot", width=2)))
    if baseline is not None and target is not None:
        fig.add_trace(go.Scatter(x=[start, end], y=[baseline, target], mode="lines", name="straight path",
                                 line=dict(color=TARGET_COLOUR, width=1, dash="dash"), opacity=0.7))
    with_value = region[region["value"].notna()]
    if len(with_value) and _present(with_value.iloc[-1].get("projected")) is not None:
        latest = with_value.iloc[-1]
        fig.add_trace(go.Scatter(x=[latest["year"], end], y=[latest["value"], latest["projected"]],
                                 mode="lines+markers", name=f"projected {end}",
                                 line=dict(color=ASEAN_COLOUR, width=1.5, dash="dot"),
                                 marker=dict(symbol=["circle", "diamond-open"], size=[1, 11])))
    if len(region):
        fig.add_trace(go.Scatter(x=region["year"], y=_nullable(region["value"]), mode="lines+markers",
                                 name="ASEAN total" if indicator.is_count_or_sum else "ASEAN",
                                 line=dict(width=3, color=ASEAN_COLOUR), marker=dict(size=7), connectgaps=False,
                                 hovertemplate="ASEAN %{x}: %{y:.1f}<extra></extra>"))
    what = "ASEAN total" if indicator.is_count_or_sum else "ASEAN and each AMS"
    _title(fig, f"{indicator.code}, {start}–{end}: {what}")
    fig.update_xaxes(dtick=1, range=[start - 0.5, end + 0.5], title_text=None)
    fig.update_yaxes(title_text=plotly_text(axis_title(indicator)), rangemode="tozero")
    if indicator.is_percent:
        fig.update_yaxes(range=[0, 105])
    if region["value"].isna().all() and all(t.showlegend is not False for t in fig.data):
        fig.add_annotation(text="no data for any year", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font=dict(size=16, color=GREY))
    _source(fig, as_of)
    return fit_chart(fig, width_px, height_px, legend="right")


def ams_profile_chart(report: pd.DataFrame, country: str, year: int, framework: Framework, as_of,
                      names: dict[str, str], width_px: int, height_px: int) -> go.Figure:
    """Return one AMS's percentage indicators in `year`: a bar per indicator coloured by its status (named in the
    row label), the ASEAN value and its own target; the value is printed in a column right of 100 %, and a
    missing value reads "no data" with no bar, never 0."""
    percent = [i for i in framework.indicators if i.is_percent]
    rows = report[report["year"] == year]
    by_key = {(r["scope"], r["indicator"]): r for r in rows.to_dict("records")}
    labels, values, colours, texts, asean, targets = [], [], [], [], [], []
    for indicator in percent:
        own = by_key.get((country, indicator.code)) or {}
        region = by_key.get((ASEAN, indicator.code)) or {}
        value = _present(own.get("value"))
        status = own.get("status") or NO_DATA
        labels.append(plotly_text(f"{indicator.code}: {status}"))
        values.append(None if value is None else float(value))
        colours.append(STATUS_COLOURS[status] if status in JUDGED_STATUSES else NOT_JUDGED_FILL)
        texts.append(plotly_text(NO_DATA if value is None else format_amount(value, indicator)))
        asean.append(_present(region.get("value")))
        targets.append(_present(own.get("target")))
    fig = _new_figure()
    fig.add_trace(go.Bar(y=labels, x=values, orientation="h", name="value", showlegend=False,
                         marker=dict(color=colours, line=dict(color=_MUTED, width=0.6)),
                         hovertemplate="%{y}: %{x:.1f} %<extra></extra>"))
    fig.add_trace(go.Scatter(y=labels, x=[103] * len(labels), mode="text", text=texts, textposition="middle right",
                             textfont=dict(size=CHART_FONT_PX, color=_DARK), cliponaxis=False, showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(y=labels, x=asean, mode="markers", name="ASEAN", showlegend=False,
                             marker=dict(symbol="diamond", size=11, color=ASEAN_COLOUR,
                                         line=dict(color="white", width=1)),
                             hovertemplate="ASEAN %{x:.1f} %<extra></extra>"))
    key = f"<span style='color:#8a8f98'>■</span> value (colour: status)   <span style='color:{ASEAN_COLOUR}'>◆</span> ASEAN"
    if any(t is not None for t in targets):
        fig.add_trace(go.Scatter(y=labels, x=targets, mode="markers", name=f"own target {framework.target_year}",
                                 showlegend=False, marker=dict(symbol="line-ns-open", size=20, color=TARGET_COLOUR,
                                                               line=dict(width=3, color=TARGET_COLOUR)),
                                 hovertemplate="target %{x:.1f} %<extra></extra>"))
        key += f"   <span style='color:{TARGET_COLOUR}'>┃</span> own target {framework.target_year}"
    # A key in words under the chart: a plotly legend beside these long row labels would wrap entry by entry.
    # Anchored right: the plot's left edge moves with the row labels, its right edge stays near the figure's.
    fig.add_annotation(name="key", text=key, xref="paper", yref="paper", x=1, xanchor="right", y=0, yanchor="top",
                       showarrow=False, font=dict(size=CHART_MIN_PX, color=_DARK))
    _title(fig, f"{names.get(country, country)}: percentage indicators, {year}")
    fig.update_layout(bargap=0.35)
    longest = max((textfit.text_width(t, CHART_FONT_PX) for t in texts), default=0.0)
    plot_width = max(width_px - 180, 100)  # the row labels take about 180 px on the left
    room = 100 * (longest + 12) / max(plot_width - longest - 12, 1)  # the value column, in axis units
    fig.update_xaxes(range=[0, 103 + room], tickvals=[0, 20, 40, 60, 80, 100], ticksuffix=" %", title_text=None,
                     zeroline=True, zerolinecolor=_MUTED)
    fig.update_yaxes(autorange="reversed", title_text=None)
    _source(fig, as_of)
    return fit_chart(fig, width_px, height_px, legend="key")


def map_chart(report: pd.DataFrame, indicator: Indicator, year: int, framework: Framework, as_of,
              countries: list[str], names: dict[str, str], width_px: int, height_px: int) -> go.Figure:
    """Return kpi.maps.status_map_figure sized for a slide, its labels beside the map at ≥ 13 pt."""
    fig = status_map_figure(report, indicator, year, framework, as_of, countries, names)
    # The slide's title names the map: the figure's own title would only take the map's height.
    fig.update_layout(title=dict(text=""), margin=dict(l=10, r=10, t=10, b=56))
    for annotation in fig.layout.annotations:
        if _is_source(annotation.text):
            annotation.yshift = -(56 - CHART_SOURCE_PX - 8)
    return fit_chart(fig, width_px, height_px, legend="keep")


def fit_chart(fig: go.Figure, width_px: int, height_px: int, legend: str) -> go.Figure:
    """Size a figure for its box on a slide and lift every text to the slide's minimum; return it.

    `legend`: "right" (a column beside the plot), "below" (rows under it), "key" (no legend: the figure's
    annotation named "key" goes under the plot, above the source line) or "keep" (as the figure has it).
    """
    fig.update_layout(width=width_px, height=height_px, font={**FONT, "size": CHART_FONT_PX},
                      legend=dict(font=dict(size=CHART_MIN_PX)))
    bottom = 26 + CHART_SOURCE_PX + 10
    if legend == "right":
        fig.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top",
                                      traceorder="normal", title_text=""),
                          margin=dict(l=60, r=_legend_width(fig) + 8, t=34, b=bottom))
    elif legend == "key":
        fig.update_layout(showlegend=False, margin=dict(l=60, r=16, t=34, b=bottom + CHART_MIN_PX + 10))
        bottom += CHART_MIN_PX + 10
        for annotation in fig.layout.annotations:
            if annotation.name == "key":
                annotation.yshift = -26
    elif legend == "below":
        rows = _legend_rows(fig, width_px - 20)
        bottom += rows * (CHART_MIN_PX + 10)
        fig.update_layout(legend=dict(orientation="h", x=0.01, xref="container", xanchor="left",
                                      y=(CHART_SOURCE_PX + 12) / height_px, yref="container", yanchor="bottom",
                                      traceorder="normal", title_text=""),
                          margin=dict(l=60, r=16, t=34, b=bottom))
    for annotation in fig.layout.annotations:
        if _is_source(annotation.text):
            annotation.font.size = CHART_SOURCE_PX
            if legend != "keep":
                annotation.yshift = -(bottom - CHART_SOURCE_PX - 6)
        elif annotation.font.size is None or annotation.font.size < CHART_MIN_PX:
            annotation.font.size = CHART_FONT_PX
    for trace in fig.data:
        textfont = getattr(trace, "textfont", None)
        if textfont is not None and isinstance(textfont.size, (int, float)) and textfont.size < CHART_MIN_PX:
            trace.textfont.size = CHART_FONT_PX
    return fig


def chart_font_sizes(fig: go.Figure) -> list[tuple[str, float]]:
    """Return (where, CSS pixels) for every font size a figure sets, the layout's own font included.

    `where` is "source" for the source line, else the path of the setting. Sizes plotly derives from the
    font (a title at 1.4 times it) are larger, so the list bounds every text the figure draws.
    """
    found: list[tuple[str, float]] = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("font") and isinstance(value, dict) and value.get("size") is not None:
                    sizes = value["size"] if isinstance(value["size"], (list, tuple)) else [value["size"]]
                    found.extend((f"{where}.{key}", float(size)) for size in sizes)
                walk(value, f"{where}.{key}")
        elif isinstance(node, (list, tuple)):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]")

    spec = fig.to_plotly_json()
    layout = {k: v for k, v in spec.get("layout", {}).items() if k not in ("template", "annotations")}
    walk(layout, "layout")
    walk(spec.get("data", []), "data")
    default = float((layout.get("font") or {}).get("size") or 12)
    for index, annotation in enumerate(spec.get("layout", {}).get("annotations", [])):
        size = (annotation.get("font") or {}).get("size")
        where = "source" if _is_source(annotation.get("text")) else f"layout.annotations[{index}]"
        found.append((where, float(size) if size is not None else default))
    return found


def _legend_entries(fig: go.Figure) -> list[str]:
    return [str(t.name) for t in fig.data if t.showlegend is not False and t.name]


def _legend_width(fig: go.Figure) -> int:
    return int(max((textfit.text_width(n, CHART_MIN_PX) for n in _legend_entries(fig)), default=0)
               + _LEGEND_SYMBOL_PX + 10)


def _legend_rows(fig: go.Figure, usable_px: float) -> int:
    rows, used = 1, 0.0
    for name in _legend_entries(fig):
        item = textfit.text_width(name, CHART_MIN_PX) + _LEGEND_SYMBOL_PX
        if used and used + item > usable_px:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _new_figure() -> go.Figure:
    return go.Figure(layout=dict(template=_TEMPLATE))


def _title(fig: go.Figure, text: str) -> None:
    fig.update_layout(title=dict(text=plotly_text(text), font=dict(size=CHART_FONT_PX + 1), x=0, xanchor="left",
                                 y=1, yanchor="top", yref="container", pad=dict(t=6, l=2)), showlegend=True)


def _source(fig: go.Figure, as_of) -> None:
    fig.add_annotation(text=plotly_text(describe_source(as_of)), xref="paper", yref="paper", x=0, xanchor="left",
                       y=0, yanchor="top", showarrow=False, font=dict(size=CHART_SOURCE_PX, color=_MUTED))


def _is_source(text) -> bool:
    return isinstance(text, str) and text.startswith("Source:")


def _present(value):
    return None if value is None or value is pd.NA or is_missing(value) else value


def _first(values: pd.Series):
    present = [v for v in values if _present(v) is not None]
    return float(present[0]) if present else None


def _nullable(values) -> list:
    return [None if _present(v) is None else float(v) for v in values]
