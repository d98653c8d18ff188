"""The ASEAN map by status: one indicator, one year, each Member State coloured by its status (offline)."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from kpi.catalogue import Framework, Indicator
from kpi.charts import FONT, describe_source, format_value, plotly_text
from kpi.progress import GREY, NO_DATA, STATUS_COLOURS, STATUSES, is_missing

BOUNDARIES_PATH = Path(__file__).resolve().parents[1] / "data" / "maps" / "asean.geojson"
YES_COLOUR, NO_COLOUR = "#1f4e9e", "#f2c94c"  # an answer is not a status: blue yes, yellow no, never green/red
MAP_HEIGHT_PX = 560
MAP_WIDTH_SHARE = 0.58  # of the plot width; the labels fill the rest
MAP_LON, MAP_LAT = (92.0, 143.0), (-11.5, 28.8)  # the ASEAN region, Myanmar to Papua, Timor to Myanmar


@functools.cache
def load_boundaries(path: Path = BOUNDARIES_PATH) -> dict:
    """Return the shipped GeoJSON of the ASEAN Member States (feature id = ISO3 code)."""
    return json.loads(path.read_text(encoding="utf-8"))


def map_categories(report: pd.DataFrame, indicator: Indicator, year: int, countries: list[str]) -> pd.DataFrame:
    """Return one row per country: scope, category (its status, or its yes/no answer), value text."""
    rows = report[(report["indicator"] == indicator.code) & (report["year"] == year)].set_index("scope")
    out = []
    for scope in countries:
        row = rows.loc[scope] if scope in rows.index else None
        value = None if row is None else row["value"]
        if indicator.is_yes_count:
            category = NO_DATA if is_missing(value) else ("yes" if value else "no")
            text = category
        else:
            category = NO_DATA if row is None or is_missing(row["status"]) or not row["status"] else row["status"]
            text = format_value(value, indicator.unit)
        out.append({"scope": scope, "category": category, "value_text": text})
    return pd.DataFrame(out, columns=["scope", "category", "value_text"])


def category_colour(category: str) -> str:
    """Return the fill of a map category: the status colour, or the neutral yes/no colours."""
    if category == "yes":
        return YES_COLOUR
    if category == "no":
        return NO_COLOUR
    return STATUS_COLOURS.get(category, GREY)


def _mercator_y(latitude: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)))


@functools.cache
def country_outlines(path: Path = BOUNDARIES_PATH) -> dict[str, tuple[list, list]]:
    """Return ISO3 -> (x, y) outline points in Mercator degrees, rings separated by None (for fill="toself")."""
    outlines = {}
    for feature in load_boundaries(path)["features"]:
        xs, ys = [], []
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon[:1]:  # outer rings only: no AMS outline has a hole worth drawing at this scale
                xs.extend([x for x, _ in ring] + [None])
                ys.extend([_mercator_y(y) for _, y in ring] + [None])
        outlines[feature["id"]] = (xs, ys)
    return outlines


def status_map_figure(report: pd.DataFrame, indicator: Indicator | str, year: int, framework: Framework, as_of,
                      countries: list[str], names: dict[str, str] | None = None) -> go.Figure:
    """Return the map of `countries` coloured by status (or yes/no answer), every label printed beside it.

    The outlines (data/maps, Natural Earth) are drawn as filled shapes on plain axes, not as a plotly geo map:
    plotly's geo layer fetches a world topojson from a CDN even when hidden, which fails offline and in the
    image renderer. Nothing is fetched, so the map draws the same on a page, in an export and in the pack.
    """
    indicator = framework.indicator(indicator) if isinstance(indicator, str) else indicator
    names = names or {}
    categories = map_categories(report, indicator, year, countries)
    outlines = country_outlines()
    fig = go.Figure()
    order = ["yes", "no", *STATUSES] if indicator.is_yes_count else list(STATUSES)
    shown_in_legend: set[str] = set()
    ranked = sorted(categories.itertuples(), key=lambda r: order.index(r.category) if r.category in order else 99)
    for row in ranked:
        if row.scope not in outlines:
            continue  # a member with no shipped outline is still listed beside the map
        xs, ys = outlines[row.scope]
        label = f"{names.get(row.scope, row.scope)}: {row.value_text}" + (
            "" if indicator.is_yes_count else f" ({row.category})")
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=category_colour(row.category),
            line=dict(color="white", width=0.8), name=plotly_text(row.category), legendgroup=row.category,
            showlegend=row.category not in shown_in_legend, hoveron="fills", text=plotly_text(label),
            hoverinfo="text"))
        shown_in_legend.add(row.category)
    # The labels printed beside the map: a reader in black and white, or colour-blind, reads the status here.
    lines = [f"<b>{plotly_text(r.scope)}</b>  {plotly_text(names.get(r.scope, r.scope))}: "
             f"{plotly_text(r.value_text)}" + ("" if indicator.is_yes_count else f" · {plotly_text(r.category)}")
             for r in categories.itertuples()]
    fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=MAP_WIDTH_SHARE + 0.02, xanchor="left", y=1.0,
                       yanchor="top", align="left", showarrow=False, font=dict(size=13))
    title = f"{indicator.code} by Member State, {year}"
    subtitle = "yes/no answer of each AMS" if indicator.is_yes_count else "status against each AMS's own target"
    fig.update_xaxes(visible=False, range=[MAP_LON[0], MAP_LON[1]], fixedrange=True, domain=[0, MAP_WIDTH_SHARE],
                     constrain="domain")
    fig.update_yaxes(visible=False, range=[_mercator_y(MAP_LAT[0]), _mercator_y(MAP_LAT[1])], scaleanchor="x",
                     scaleratio=1, fixedrange=True, constrain="domain")
    fig.update_layout(
        title=dict(text=f"{plotly_text(title)}<br><sup>{plotly_text(subtitle)}</sup>", x=0, xanchor="left"),
        height=MAP_HEIGHT_PX, font=FONT, template="plotly_white", showlegend=True, hovermode="closest",
        legend=dict(orientation="h", x=0, y=0, yanchor="top", title_text="", traceorder="normal"),
        margin=dict(l=20, r=20, t=90, b=110))
    fig.add_annotation(text=plotly_text(describe_source(as_of)), xref="paper", yref="paper", x=0, xanchor="left",
                       y=0, yshift=-92, yanchor="top", showarrow=False, font=dict(size=11, color="#52606d"))
    return fig
