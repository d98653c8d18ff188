"""The work plan programmes as the secretariat follows them: status, its history, filters, counts and the timeline."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Connection, and_, update

from kpi import schema, store
from kpi.catalogue import Framework
from kpi.charts import FONT, describe_source, format_value, plotly_text
from kpi.fields import WORKPLAN_STATUSES
from kpi.indicators import ASEAN
from kpi.progress import is_missing

NOT_SET = "not set"  # no status recorded by the secretariat (never the same as "planned")
STATUS_LABELS = (*WORKPLAN_STATUSES, NOT_SET)
# Colour-blind-safe (Okabe-Ito) and printed beside the label wherever shown; not the KPI status colours, which judge.
STATUS_COLOURS = {"planned": "#56b4e9", "ongoing": "#e69f00", "completed": "#009e73", "postponed": "#cc79a7",
                  "cancelled": "#000000", NOT_SET: "#b8bcc4"}
STATUS_SYMBOLS = {"planned": "circle-open", "ongoing": "diamond", "completed": "circle", "postponed": "triangle-right",
                  "cancelled": "x", NOT_SET: "square-open"}
PLAN_YEARS = (2016, 2017, 2018, 2019, 2020)
HISTORY_COLUMNS = ["no", "at", "by", "old_status", "new_status", "old_note", "new_note"]
_ROW_PX, _TOP_PX, _BOTTOM_PX = 22, 150, 70


# --- writes -----------------------------------------------------------------------------------

def set_status(connection: Connection, plan_code: str, no: int, status: str | None, status_note: str | None,
               user: str) -> bool:
    """Set a programme's status and note (blanks clear), logged with who and when; return True if it changed.

    Raises KeyError for a programme the plan does not have.
    """
    changed = store.update_workplan_status(connection, plan_code, no, status, status_note, user)
    if changed:
        w = schema.workplan_programme.c
        connection.execute(update(schema.workplan_programme).where(and_(w.plan_code == plan_code, w.no == no))
                           .values(status_set_at=store.utc_now(), status_set_by=user))
    return changed


# --- reads ------------------------------------------------------------------------------------

def read_programmes(connection: Connection, plan_code: str) -> pd.DataFrame:
    """Return the plan's programmes with `status_label` (NOT_SET when none) and lists split from their cells."""
    return label_programmes(store.read_workplan(connection, plan_code))


def label_programmes(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the programmes with status_label, areas, themes, coordinators_list and years (lists) added."""
    frame = frame.copy()
    frame["status_label"] = [s if isinstance(s, str) and s else NOT_SET for s in frame.get("status", [])]
    frame["areas"] = [split_codes(v) for v in frame.get("priority_areas", [])]
    frame["themes"] = [split_codes(v) for v in frame.get("plus3_thematic_areas", [])]
    frame["coordinators_list"] = [split_codes(v) for v in frame.get("coordinators", [])]
    frame["years"] = [[int(y) for y in split_codes(v)] for v in frame.get("planned_years", [])]
    return frame


def read_status_history(connection: Connection, plan_code: str) -> pd.DataFrame:
    """Return every status or note change of the plan's programmes, newest first (HISTORY_COLUMNS)."""
    audit = store.read_audit(connection, entity="workplan")
    return build_status_history(audit, plan_code)


def build_status_history(audit: pd.DataFrame, plan_code: str) -> pd.DataFrame:
    """Return the work plan lines of an audit log (newest first) as HISTORY_COLUMNS rows."""
    rows = []
    prefix = f"{plan_code}/"
    for entry in audit.to_dict("records") if len(audit) else []:
        if entry["action"] != "set" or not str(entry["entity_key"]).startswith(prefix):
            continue
        detail = json.loads(entry["detail"] or "{}")
        before, after = detail.get("before") or {}, detail.get("after") or {}
        rows.append({"no": int(entry["entity_key"][len(prefix):]), "at": entry["at"], "by": entry["user_name"],
                     "old_status": before.get("status"), "new_status": after.get("status"),
                     "old_note": before.get("status_note"), "new_note": after.get("status_note")})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def split_codes(value) -> list[str]:
    """Return the items of a cell joined by ";" ("B;C" -> ["B", "C"]); blank gives []."""
    if is_missing(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


PLUS3_THEMES = {"1": "E-governance", "2": "HRM and HRD", "3": "Productivity in public sector", "4": "Good governance",
                "5": "Public sector reform", "6": "Local administration capacity building and cooperation",
                "7": "Research and innovation"}  # the ACCSM+3 thematic areas (data/README.md)


def filter_programmes(programmes: pd.DataFrame, areas=(), coordinators=(), statuses=(), themes=()) -> pd.DataFrame:
    """Return the programmes serving any of `areas` (priority areas A-E), coordinated by any of `coordinators`,
    with any of `statuses` and in any of the ACCSM+3 `themes` (1-7). An empty choice does not filter."""
    keep = pd.Series(True, index=programmes.index)
    if areas:
        keep &= programmes["areas"].map(lambda codes: any(a in codes for a in areas))
    if themes:
        keep &= programmes["themes"].map(lambda codes: any(t in codes for t in themes))
    if coordinators:
        keep &= programmes["coordinators_list"].map(lambda codes: any(c in codes for c in coordinators))
    if statuses:
        keep &= programmes["status_label"].isin(list(statuses))
    return programmes[keep]


def count_by_area(programmes: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Return, per priority area of the framework, how many programmes serve it and how many have each status.

    A programme serving two areas counts in both (so the rows do not add up to the programmes).
    """
    rows = []
    for area, title in framework.areas.items():
        serving = programmes[programmes["areas"].map(lambda codes: area in codes)]
        counts = serving["status_label"].value_counts()
        rows.append({"area": area, "title": title, "programmes": len(serving),
                     **{label: int(counts.get(label, 0)) for label in STATUS_LABELS}})
    return pd.DataFrame(rows, columns=["area", "title", "programmes", *STATUS_LABELS])


def area_kpis(report: pd.DataFrame, framework: Framework, year: int, area: str) -> pd.DataFrame:
    """Return the ASEAN figure of each indicator of `area` in `year`: indicator, wording, value (text), status."""
    rows = []
    for indicator in framework.indicators:
        if indicator.area != area:
            continue
        row = report[(report["indicator"] == indicator.code) & (report["scope"] == ASEAN) & (report["year"] == year)] \
            if len(report) else report
        record = row.iloc[0].to_dict() if len(row) else {}
        rows.append({"indicator": indicator.code, "wording": indicator.wording,
                     "value": format_value(record.get("value"), indicator.unit),
                     "status": record.get("status") or "no data"})
    return pd.DataFrame(rows, columns=["indicator", "wording", "value", "status"])


def programmes_table(programmes: pd.DataFrame) -> pd.DataFrame:
    """Return the programmes as the page and the exports list them: the documents' facts, then the status."""
    columns = {"no": "No", "plan": "Plan", "title": "Title", "priority_areas": "Priority areas",
               "plus3_thematic_areas": "ACCSM+3 thematic areas", "coordinators": "Coordinators",
               "timeline": "Timeline (as printed)", "planned_years": "Planned years",
               "completed_in_plan": "Marked [Completed] in the plan", "status_label": "Status",
               "status_note": "Status note", "status_set_at": "Status set", "status_set_by": "Set by",
               "budget": "Budget", "partners": "Partners"}
    table = programmes[[c for c in columns if c in programmes.columns]].rename(columns=columns)
    for column in table.columns:  # blank in the document is blank on the page, not "None"
        if table[column].dtype == object or str(table[column].dtype).startswith("str"):
            table[column] = table[column].map(lambda v: "" if is_missing(v) else v)
    if "Status set" in table:
        table["Status set"] = [_date(v) for v in table["Status set"]]
    return table.reset_index(drop=True)


def history_table(history: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Return the status history as the page and the exports show it: when, who, programme, old and new."""
    titles = dict(zip(programmes["no"], programmes["title"]))
    return pd.DataFrame({
        "When (UTC)": [pd.Timestamp(v).strftime("%Y-%m-%d %H:%M") for v in history["at"]],
        "Who": history["by"], "No": history["no"], "Programme": history["no"].map(titles),
        "Old status": history["old_status"], "New status": history["new_status"],
        "Old note": history["old_note"], "New note": history["new_note"],
    })


def _date(value) -> str:
    if is_missing(value):
        return ""
    return str(value)[:10]


# --- figures ----------------------------------------------------------------------------------

def timeline_figure(programmes: pd.DataFrame, as_of, years: tuple[int, ...] = PLAN_YEARS) -> go.Figure:
    """Return the planned years of each programme (one row each, a marker per planned year) in its status.

    Programmes without planned years (timeline TBD or none printed) get a note at the left instead of markers.
    """
    labels = [plotly_text(f"{int(r['no'])}. {_shorten(str(r['title']), 46)}") for r in programmes.to_dict("records")]
    fig = go.Figure()
    for status in STATUS_LABELS:
        xs, ys, hovers = [], [], []
        for label, record in zip(labels, programmes.to_dict("records")):
            if record["status_label"] != status:
                continue
            for year in record["years"]:
                xs.append(str(year))
                ys.append(label)
                hovers.append(plotly_text(f"{record['title']} · planned {year} · status: {status}"))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=status, hovertext=hovers, hoverinfo="text",
                                 marker=dict(size=13, color=STATUS_COLOURS[status], symbol=STATUS_SYMBOLS[status],
                                             line=dict(width=2, color=STATUS_COLOURS[status])),
                                 showlegend=True))
    undated = [(label, r["status_label"]) for label, r in zip(labels, programmes.to_dict("records")) if not r["years"]]
    if undated:
        fig.add_trace(go.Scatter(x=[str(years[0])] * len(undated), y=[label for label, _ in undated], mode="text",
                                 text=[f"no planned year · {status}" for _, status in undated],
                                 textposition="middle right", name="no planned year (TBD)", hoverinfo="skip",
                                 textfont=dict(size=11, color="#52606d"), showlegend=False))
    plot_px = _ROW_PX * max(len(labels), 3)
    height = _TOP_PX + _BOTTOM_PX + plot_px
    fig.update_layout(
        title=dict(text=plotly_text(f"Work plan timeline: planned years and status ({len(labels)} programmes)"),
                   x=0, xanchor="left"),
        height=height, font=FONT, template="plotly_white", margin=dict(l=330, r=30, t=_TOP_PX, b=_BOTTOM_PX),
        # Above the year axis (drawn at the top, with its title): the legend sits clear of both.
        legend=dict(orientation="h", x=0, y=1 + 58 / plot_px, yanchor="bottom", title=dict(text="Status: ")),
        xaxis=dict(type="category", categoryorder="array", categoryarray=[str(y) for y in years],
                   title="Planned year (from the work plan's timeline)", side="top"),
        yaxis=dict(type="category", categoryorder="array", categoryarray=list(reversed(labels)),
                   tickfont=dict(size=11)),
    )
    fig.add_annotation(text=plotly_text(describe_source(as_of).replace("country returns", "work plan 2016-2020 "
                                                                        "and the secretariat's statuses")),
                       xref="paper", yref="paper", x=0, xanchor="left", xshift=-320, y=0, yshift=-(_BOTTOM_PX - 30),
                       yanchor="top", showarrow=False, font=dict(size=11, color="#52606d"))
    # Every status is in the legend even when no programme has it, so the key never changes meaning.
    for trace in fig.data:
        if trace.mode == "markers" and not len(trace.x):
            trace.x, trace.y = [None], [None]
    return fig


def status_counts_figure(counts: pd.DataFrame, as_of) -> go.Figure:
    """Return the programmes per priority area as stacked bars by status, each segment labelled with its count."""
    fig = go.Figure()
    areas = [plotly_text(f"{r['area']} {_shorten(r['title'], 34)}") for r in counts.to_dict("records")]
    for status in STATUS_LABELS:
        values = [int(v) for v in counts[status]]
        fig.add_trace(go.Bar(y=areas, x=values, name=status, orientation="h", marker_color=STATUS_COLOURS[status],
                             text=[str(v) if v else "" for v in values], textposition="inside",
                             insidetextanchor="middle", textangle=0, hovertemplate=f"{status}: %{{x}}<extra></extra>"))
    fig.update_layout(barmode="stack", height=110 + 46 * len(areas), font=FONT, template="plotly_white",
                      title=dict(text="Programmes per priority area, by status", x=0, xanchor="left"),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", traceorder="normal"),
                      margin=dict(l=250, r=30, t=100, b=60), xaxis=dict(title="programmes"),
                      yaxis=dict(autorange="reversed"))
    fig.add_annotation(text=plotly_text("A programme serving two areas counts in both."), xref="paper",
                       yref="paper", x=0, xanchor="left", xshift=-240, y=0, yshift=-40, yanchor="top", showarrow=False,
                       font=dict(size=11, color="#52606d"))
    return fig


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"
