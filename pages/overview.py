"""Regional overview: the scorecard by area, the AMS × indicator status matrix, and what changed since last year."""

import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal, literal_list
from kpi import charts

_SCORECARD_COLUMNS = {
    "code": st.column_config.TextColumn("Code", width="small"),
    "wording": st.column_config.TextColumn("Indicator (Work Plan wording)", width="medium"),
    "value": st.column_config.TextColumn("ASEAN value"),
    "coverage": st.column_config.TextColumn("Coverage", help="How many of the ten AMS the regional value covers"),
    "baseline": st.column_config.TextColumn("Baseline"),
    "target": st.column_config.TextColumn("Target"),
    "progress_pct": st.column_config.ProgressColumn(
        "Progress to target", min_value=0, max_value=100, format="%.0f%%",
        help="Share of the distance from baseline to target covered (100% = target reached)"),
    "status": st.column_config.TextColumn("Status", width="medium"),
}


_SCORECARD_ORDER = ["code", "status", "value", "coverage", "baseline", "target", "progress_pct", "wording"]


def _draw_scorecard(scorecard, framework) -> None:
    shown = scorecard.copy()
    for column in ("value", "baseline", "target"):
        shown[column] = [widgets.format_number(v, u) for v, u in zip(scorecard[column], scorecard["unit"])]
    shown["coverage"] = shown["coverage"].replace("", "—")
    for area, title in framework.areas.items():
        st.markdown(f"**{literal(area)} · {literal(title)}**")
        rows = shown[shown["area"] == area].drop(columns=["area", "unit"])
        st.dataframe(widgets.style_status(rows), hide_index=True, column_config=_SCORECARD_COLUMNS,
                     column_order=_SCORECARD_ORDER, key=f"scorecard_{area}")


def _draw_changes(report, year, years, framework, url) -> None:
    earlier = [y for y in years if y < year]
    if not earlier:
        st.info(f"{year} is the first year with data: there is no previous year to compare with.")
        return
    previous = earlier[-1]
    changes = charts.changes_table(report, year, previous, framework)
    if len(changes):
        st.dataframe(widgets.style_status(changes, (f"status {previous}", f"status {year}")), hide_index=True,
                     key="changes")
    else:
        st.write(f"No ASEAN value or status changed between {previous} and {year}.")
    returns = data.load_submissions(url, kind="return")
    names = data.read_country_names(url)
    current = returns[returns["status"] == "current"] if len(returns) else returns
    this_year = set(current[current["year"] == year]["country"]) if len(current) else set()
    last_year = set(current[current["year"] == previous]["country"]) if len(current) else set()
    arrived = sorted(this_year - last_year)
    st.markdown(f"**Returns for {year}:** {len(this_year)} of {len(names)} AMS. "
                + (f"New since {previous}: {literal_list(names.get(c, c) for c in arrived)}." if arrived
                   else f"No AMS reported for {year} that had not reported for {previous}."))
    missing = [names[c] for c in names if c not in this_year]
    if missing:
        st.caption(f"No {year} return yet from: {literal_list(missing)}.")


with widgets.explain_errors("the regional overview"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url)
    year = state.selected_year()
    st.title(f"Where ASEAN stands in {year}")
    if not len(report):
        st.info("No country return is stored yet. Load returns on the **Country returns** page.")
        st.stop()
    as_of = data.load_status(url).as_of
    names = data.read_country_names(url)
    years = sorted({int(y) for y in report["year"]})

    st.header("Regional scorecard")
    st.caption("ASEAN value of each indicator with how many AMS it covers, against the "
               f"{framework.baseline_year} baseline and {framework.target_year} target. "
               "Statuses: green achieved/on track, amber acceleration needed, red limited progress/deterioration, "
               "grey not judged (no data, no target, no baseline, incomplete data, baseline year).")
    scorecard = charts.scorecard_table(report, year, framework)
    _draw_scorecard(scorecard, framework)
    widgets.draw_table_downloads("scorecard", scorecard, f"accsm_scorecard_{year}")

    st.header("Status by Member State")
    matrix = charts.status_matrix_figure(report, year, framework, as_of)  # ISO3 rows leave the cells room
    widgets.show_figure(matrix, "status_matrix", report[report["year"] == year].drop(columns=["details"]),
                        f"accsm_status_matrix_{year}")

    st.header("What changed since the previous year")
    _draw_changes(report, year, years, framework, url)
