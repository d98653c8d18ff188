"""How participants rated each ARC project: Annex 1 items, the Annex 2 overall rating, and where D.1.1 came from."""

from __future__ import annotations

import math
from statistics import fmean

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Connection

from kpi import store
from kpi.arcs import order_themes, theme_in_force
from kpi.charts import FONT, describe_source, plotly_text
from kpi.fields import ANNEX1_ITEMS, SATISFIED_MEAN_RATING
from kpi.indicators import normalise_title
from kpi.progress import is_missing

PARTICIPANT_ROWS = "participant rows"  # the Annex 1 forms were loaded: they replace the return's counts
SUMMARY_COUNTS = "summary counts"  # the return's evaluations/satisfied columns
NO_EVALUATIONS = "no evaluations"
# Below this many evaluations a project's satisfied share says little: one participant moves it by more than
# 5 points and the 95 % margin of error of a share (1.96·√(p(1−p)/n), widest at p = ½) is above ±21.9 points.
MIN_RESPONSES = 20
RATINGS = (1, 2, 3, 4, 5)
RATING_LABELS = {1: "1 Poor", 2: "2 Fair", 3: "3 Satisfactory", 4: "4 Highly satisfactory", 5: "5 Excellent"}
# Diverging and colour-blind safe (ColorBrewer RdBu): below "met" warm, met neutral, above cool.
RATING_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"}
PROJECT_COLUMNS = ["title", "start_date", "end_date", "participants", "responses", "evaluations", "satisfied",
                   "satisfied_pct", "source", "too_few", "a2_mean", "a2_responses"]


def margin_of_error_pts(responses: int) -> float:
    """Return the widest 95 % margin of error (percentage points) of a share measured on `responses` people."""
    return 100 * 1.96 * math.sqrt(0.25 / responses)


def explain_threshold() -> str:
    """Return, in words, why a project with fewer than MIN_RESPONSES evaluations is flagged."""
    return (f"A project with fewer than {MIN_RESPONSES} evaluations is flagged: with so few, one participant moves "
            f"its satisfied share by more than {100 / MIN_RESPONSES:.0f} percentage points, and the 95 % margin of "
            f"error of the share is wider than ±{margin_of_error_pts(MIN_RESPONSES):.0f} points, so the figure is "
            "indicative only. It still counts in D.1.1, where participants of all projects are pooled.")


# --- reads ------------------------------------------------------------------------------------

def read_arc_inputs(connection: Connection) -> dict[str, pd.DataFrame]:
    """Return the store's ARC inputs: "projects" (current returns), "evaluations" (participant rows), "themes"."""
    return {"projects": store.read_current_items(connection, "arc_projects"),
            "evaluations": store.read_current_evaluations(connection),
            "themes": store.read_arc_themes(connection)}


# --- per project ------------------------------------------------------------------------------

def rated_items(response: dict) -> list[int]:
    """Return the Annex 1 ratings a participant gave (blanks left out)."""
    return [int(response[i.code]) for i in ANNEX1_ITEMS if not _missing(response.get(i.code))]


def is_satisfied(response: dict) -> bool | None:
    """Return whether a participant counts as satisfied (mean Annex 1 rating ≥ 3), None when they rated nothing."""
    ratings = rated_items(response)
    return None if not ratings else fmean(ratings) >= SATISFIED_MEAN_RATING


def responses_of(evaluations: pd.DataFrame, country: str, year: int, title: str) -> pd.DataFrame:
    """Return the participant rows loaded for one project (matched on the title as D.1.1 matches it)."""
    if not len(evaluations):
        return evaluations
    key = normalise_title(title)
    return evaluations[(evaluations["country"] == country) & (evaluations["year"] == year)
                       & (evaluations["project_title"].map(normalise_title) == key)]


def summarise_projects(projects: pd.DataFrame, evaluations: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    """Return one row per ARC project of `country` in `year` (PROJECT_COLUMNS): the counts D.1.1 uses and their source.

    Participant rows, where loaded, replace the return's evaluations/satisfied counts (as in kpi.indicators).
    """
    rows = []
    own = projects[(projects["country"] == country) & (projects["year"] == year)] if len(projects) else projects
    for project in own.to_dict("records"):
        responses = responses_of(evaluations, country, year, project["title"]).to_dict("records")
        verdicts = [is_satisfied(r) for r in responses]
        rated = [v for v in verdicts if v is not None]
        if responses:  # even rows without an Annex 1 rating replace the counts, as in kpi.indicators
            source, evaluated, satisfied = PARTICIPANT_ROWS, len(rated), sum(rated)
        elif not _missing(project.get("evaluations")) and not _missing(project.get("satisfied")):
            source, evaluated, satisfied = SUMMARY_COUNTS, int(project["evaluations"]), int(project["satisfied"])
        else:
            source, evaluated, satisfied = NO_EVALUATIONS, None, None
        overall = [int(r["a2_overall"]) for r in responses if not _missing(r.get("a2_overall"))]
        rows.append({
            "title": project["title"], "start_date": project.get("start_date"), "end_date": project.get("end_date"),
            "participants": None if _missing(project.get("participants")) else int(project["participants"]),
            "responses": len(responses), "evaluations": evaluated, "satisfied": satisfied,
            "satisfied_pct": 100.0 * satisfied / evaluated if evaluated else None, "source": source,
            "too_few": bool(evaluated is not None and evaluated < MIN_RESPONSES),
            "a2_mean": fmean(overall) if overall else None, "a2_responses": len(overall),
        })
    frame = pd.DataFrame(rows, columns=PROJECT_COLUMNS)
    for column in ("participants", "evaluations", "satisfied", "satisfied_pct", "a2_mean"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)  # no data is NaN, never a None that breaks sums
    return frame


def pooled_satisfaction(summary: pd.DataFrame) -> float | None:
    """Return the AMS's D.1.1 from its project summary: 100 × Σ satisfied / Σ evaluations (None: no evaluations)."""
    counted = summary[summary["evaluations"].notna()] if len(summary) else summary
    evaluations = float(counted["evaluations"].sum()) if len(counted) else 0.0
    return 100.0 * float(counted["satisfied"].sum()) / evaluations if evaluations else None


def unmatched_evaluations(projects: pd.DataFrame, evaluations: pd.DataFrame, country: str, year: int) -> list[str]:
    """Return the titles of loaded evaluations no project of the current return lists (they do not count yet)."""
    if not len(evaluations):
        return []
    own = evaluations[(evaluations["country"] == country) & (evaluations["year"] == year)]
    listed = set()
    if len(projects):
        listed = {normalise_title(t) for t in projects[(projects["country"] == country)
                                                        & (projects["year"] == year)]["title"]}
    return sorted({t for t in own["project_title"] if normalise_title(t) not in listed})


def item_distribution(responses: pd.DataFrame) -> pd.DataFrame:
    """Return per Annex 1 item: code, label, the count of each rating 1-5, answered and mean (None if unanswered)."""
    rows = []
    for item in ANNEX1_ITEMS:
        ratings = [int(v) for v in responses[item.code] if not _missing(v)] if len(responses) else []
        rows.append({"item": item.code, "label": item.label, **{r: ratings.count(r) for r in RATINGS},
                     "answered": len(ratings), "mean": fmean(ratings) if ratings else None})
    return pd.DataFrame(rows, columns=["item", "label", *RATINGS, "answered", "mean"])


def overall_distribution(responses: pd.DataFrame) -> dict[int, int]:
    """Return {rating: participants} of the Annex 2 overall rating (blanks left out)."""
    ratings = [int(v) for v in responses["a2_overall"] if not _missing(v)] if len(responses) else []
    return {r: ratings.count(r) for r in RATINGS}


def arcs_overview(inputs: dict[str, pd.DataFrame], ams: list[str], names: dict[str, str], year: int) -> pd.DataFrame:
    """Return one row per AMS for `year`: its ARC's theme in force, projects, participants, D.1.1 and its sources."""
    rows = []
    for country in ams:
        theme = theme_in_force(inputs["themes"], country, year)
        summary = summarise_projects(inputs["projects"], inputs["evaluations"], country, year)
        sources = summary["source"].value_counts().to_dict() if len(summary) else {}
        participants = summary["participants"]
        rows.append({
            "AMS": names.get(country, country), "iso3": country,
            "theme in force": theme["theme"] if theme else "",
            "theme source": f"{theme['source']} ({theme['as_of']})" if theme else "no theme recorded",
            "projects listed": len(summary),
            "participants": int(participants.sum()) if len(summary) and participants.notna().all() else None,
            "D.1.1 satisfied %": pooled_satisfaction(summary),
            "from participant rows": int(sources.get(PARTICIPANT_ROWS, 0)),
            "from summary counts": int(sources.get(SUMMARY_COUNTS, 0)),
            "flagged (< {} evaluations)".format(MIN_RESPONSES): int(summary["too_few"].sum()) if len(summary) else 0,
        })
    return pd.DataFrame(rows)


def theme_history(themes: pd.DataFrame, country: str) -> pd.DataFrame:
    """Return the dated themes of one AMS's ARC, oldest first: as of, theme, source."""
    own = order_themes(themes[themes["iso3"] == country]) if len(themes) else themes
    return pd.DataFrame({"as of": own["as_of"].astype(str), "theme": own["theme"], "source": own["source"]}) \
        if len(own) else pd.DataFrame(columns=["as of", "theme", "source"])


# --- figures ----------------------------------------------------------------------------------

def item_distribution_figure(distribution: pd.DataFrame, project: str, as_of) -> go.Figure:
    """Return the Annex 1 ratings of one project as a stacked bar per item (share of answers, count written)."""
    labels = [plotly_text(f"{r['item'][-2:]} {_shorten(r['label'].split(': ', 1)[-1], 44)}")
              for r in distribution.to_dict("records")]
    fig = go.Figure()
    for rating in RATINGS:
        counts = [int(v) for v in distribution[rating]]
        shares = [100 * c / a if a else 0 for c, a in zip(counts, distribution["answered"])]
        fig.add_trace(go.Bar(y=labels, x=shares, orientation="h", name=RATING_LABELS[rating],
                             marker_color=RATING_COLOURS[rating], text=[str(c) if c else "" for c in counts],
                             textposition="inside", insidetextanchor="middle", textangle=0,
                             customdata=counts, hovertemplate="%{y}: %{customdata} (%{x:.0f} %)<extra></extra>"))
    fig.update_layout(barmode="stack", height=150 + 26 * len(labels), font=FONT, template="plotly_white",
                      title=dict(text=plotly_text(f"Annex 1 ratings per item: {_shorten(project, 56)}"), x=0,
                                 xanchor="left"),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", traceorder="normal"),
                      margin=dict(l=330, r=30, t=100, b=60),
                      xaxis=dict(title="share of the participants who answered the item (%)", range=[0, 100]),
                      yaxis=dict(autorange="reversed", tickfont=dict(size=11)))
    _add_source(fig, as_of)
    return fig


def overall_figure(distribution: dict[int, int], project: str, as_of) -> go.Figure:
    """Return the Annex 2 overall rating of one project: participants per rating 1-5, counts written."""
    fig = go.Figure(go.Bar(x=[RATING_LABELS[r] for r in RATINGS], y=[distribution[r] for r in RATINGS],
                           marker_color=[RATING_COLOURS[r] for r in RATINGS],
                           text=[str(distribution[r]) for r in RATINGS], textposition="outside"))
    top = max(distribution.values(), default=0)
    fig.update_layout(height=360, font=FONT, template="plotly_white", showlegend=False,
                      title=dict(text=plotly_text(f"Annex 2 overall rating: {_shorten(project, 50)}"), x=0,
                                 xanchor="left"),
                      margin=dict(l=60, r=30, t=70, b=80),
                      yaxis=dict(title="participants", range=[0, max(top, 1) * 1.25], dtick=max(1, top // 5 or 1)))
    _add_source(fig, as_of)
    return fig


def project_satisfaction_figure(summary: pd.DataFrame, country_name: str, year: int, as_of) -> go.Figure:
    """Return each project's satisfied share with its count, source and flag written beside the bar."""
    rows = summary[summary["satisfied_pct"].notna()] if len(summary) else summary
    labels = [plotly_text(_shorten(t, 44)) for t in rows["title"]]
    texts = [plotly_text(f"{p:.1f} % of {int(n)} · {s}" + (" · few" if f else ""))
             for p, n, s, f in zip(rows["satisfied_pct"], rows["evaluations"], rows["source"], rows["too_few"])]
    fig = go.Figure(go.Bar(y=labels, x=list(rows["satisfied_pct"]), orientation="h", text=texts,
                           textposition="outside", marker_color=["#9ec1e8" if f else "#2b6cb0" for f in rows["too_few"]],
                           hoverinfo="text", hovertext=texts))
    fig.update_layout(height=150 + 44 * max(len(labels), 1), font=FONT, template="plotly_white", showlegend=False,
                      title=dict(text=plotly_text(f"Satisfied participants per ARC project, {country_name} {year}"),
                                 x=0, xanchor="left"),
                      margin=dict(l=330, r=30, t=70, b=70),
                      xaxis=dict(title="satisfied participants (%)", range=[0, 160], tickvals=[0, 25, 50, 75, 100]),
                      yaxis=dict(autorange="reversed"))
    if not len(labels):
        fig.add_annotation(text="no project with evaluations", xref="paper", yref="paper", x=0.5, y=0.5,
                           showarrow=False, font=dict(size=16, color="#8a8f98"))
    _add_source(fig, as_of)
    return fig


def _add_source(fig: go.Figure, as_of) -> None:
    # From the figure's left edge (not the plot's), so the demo marker at the right of the line stays clear of it.
    left = fig.layout.margin.l or 0
    text = describe_source(as_of).replace("country returns", "country returns and Annex 1/2 forms")
    fig.add_annotation(text=plotly_text(text), xref="paper", yref="paper", x=0, xanchor="left", xshift=-(left - 10),
                       y=0, yshift=-(fig.layout.margin.b - 22), yanchor="top", showarrow=False,
                       font=dict(size=11, color="#52606d"))


def _shorten(text: str, length: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[:length - 1] + "…"


def _missing(value) -> bool:
    return is_missing(value)
