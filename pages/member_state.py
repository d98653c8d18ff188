"""One Member State: every indicator against baseline and target, its submissions, and its ASEAN Resource Centre."""

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import arcs, charts
from kpi.plans import plan_members


_STATUS_WIDTH_PX = 116  # "acceleration needed" on two lines, "no status (yes/no answer)" on two
_INDICATOR_ROW_PX = 76  # three lines of the Work Plan wording: above 64 px a row wraps its text


def _style_status(shown: pd.DataFrame):
    # Every status is printed and coloured; the yes/no answer of one AMS has no status, so no colour either.
    def colour(status):
        if status == charts.YES_NO_STATUS:
            return ""
        return f"background-color: {charts.status_colour(status)}; color: white"
    return shown.style.map(colour, subset=["status"])


def _build_indicators(report, country, year, framework) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = charts.member_state_table(report, country, year, framework)
    return table, charts.format_member_state_table(table)


def _draw_indicators(report, country, year, framework) -> None:
    table, shown = widgets.remembered("member_state_table", (country, year), lambda: _build_indicators(
        report, country, year, framework))
    st.dataframe(_style_status(shown), hide_index=True, key="ams_indicators", height="content",
                 row_height=_INDICATOR_ROW_PX,
                 column_config={
                     # Code and wording in one wrapping column: the whole row fits 1366 px, nothing clipped.
                     "code": None, "wording": None,
                     "indicator": st.column_config.TextColumn("Indicator (Work Plan wording)", width=360),
                     "baseline": st.column_config.TextColumn(f"Baseline {framework.baseline_year}", width=88),
                     "value": st.column_config.TextColumn(f"Value {year}", width=76),
                     "target": st.column_config.TextColumn(f"Target {framework.target_year}", width=92,
                                                           help="The AMS's own target, else the one set for "
                                                                "every AMS; “not set” when neither is entered"),
                     "status": st.column_config.TextColumn("Status", width=_STATUS_WIDTH_PX),
                     "progress_pct": st.column_config.ProgressColumn(
                         "Progress", width=88, format="%.0f %%", min_value=0, max_value=100,
                         help="Share of the distance from baseline to target covered (the number may pass 100 % "
                              "or fall below 0; the bar stops at the ends)"),
                     "trend": st.column_config.LineChartColumn("Trend", width=60,
                                                               help="The years with a value, oldest first"),
                 })
    exported = table.drop(columns=["yes_no"])
    exported.insert(0, "country", country)  # the export names the AMS (code and name) on every row
    widgets.draw_table_downloads("ams_indicators", exported, f"accsm_{country}_{year}")


def _draw_submissions(url, country) -> None:
    shown = widgets.remembered("member_state_files", (country,), lambda: _build_submissions(url, country))
    if shown is None:
        st.info("No file from this Member State is stored yet.")
        return
    st.dataframe(shown, hide_index=True, key="ams_submissions", height="content")


def _build_submissions(url, country) -> pd.DataFrame | None:
    submissions = data.load_submissions(url, country=country)
    if not len(submissions):
        return None
    superseded_by = {int(s): int(i) for i, s in zip(submissions["id"], submissions["supersedes_id"]) if pd.notna(s)}
    return pd.DataFrame({
        "submission": submissions["id"], "kind": submissions["kind"], "year": submissions["year"],
        "file": submissions["file_name"], "loaded by": submissions["submitted_by"],
        "loaded at (UTC)": pd.to_datetime(submissions["submitted_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "status": submissions["status"],
        "replaces": [f"#{int(s)}" if pd.notna(s) else "" for s in submissions["supersedes_id"]],
        "replaced by": [f"#{superseded_by[int(i)]}" if int(i) in superseded_by else "" for i in submissions["id"]],
        "demo": submissions["is_demo"].map({True: "demo", False: ""}),
    })


def _read_themes(url, country, year):
    themes = data.load_arc_themes(url)
    return arcs.order_themes(themes[themes["iso3"] == country]), arcs.theme_in_force(themes, country, year)


def _draw_arc(url, report, country, year, names) -> None:
    own, theme = widgets.remembered("member_state_themes", (country, year), lambda: _read_themes(url, country, year))
    if theme is None:
        st.write(f"No ARC theme is recorded for {literal(names.get(country, country))} up to {year}.")
    else:
        # The theme and its source come from a return or a reference list: shown as written, never as markup.
        st.markdown(f"**Theme in {year}:** {literal(theme['theme'])}")
        st.caption(f"as of {literal(theme['as_of'])} ({literal(theme['source'])})")
    figures = report[(report["scope"] == country) & (report["year"] == year)
                     & report["indicator"].isin(["D.1", "D.1.1", "D.2", "D.2.1"])].set_index("indicator")
    cells = st.columns(4)
    labels = {"D.1": "Enhanced ARC", "D.1.1": "Satisfied participants", "D.2": "Projects", "D.2.1": "Participants"}
    for cell, (code, label) in zip(cells, labels.items()):
        value = figures["value"].get(code) if len(figures) else None
        shown = (("yes" if value == 1 else "no") if code == "D.1" and pd.notna(value)
                 else widgets.format_number(value, "%" if code == "D.1.1" else ""))
        cell.metric(f"{code} {label}", shown)
    projects = data.load_items(url, "arc_projects")
    projects = projects[(projects["country"] == country) & (projects["year"] == year)]
    if len(projects):
        # What a reader needs of each project; the file and cell it came from are in the return's export.
        shown = projects[["title", "start_date", "end_date", "participants", "evaluations", "satisfied"]]
        st.dataframe(shown.astype(object).where(shown.notna(), ""), hide_index=True, key="ams_projects",
                     height="content", column_config={
                         "title": st.column_config.TextColumn("Project", width="large"),
                         "start_date": "Start", "end_date": "End", "participants": "Participants",
                         "evaluations": "Evaluations returned", "satisfied": "Satisfied"})
    else:
        st.caption(f"No ARC project listed for {year}.")
    # Shown, not folded away: a table inside a closed expander is measured as scrolling inside itself.
    st.subheader("ARC theme history")
    st.dataframe(own, hide_index=True, key="ams_themes", height="content",
                 column_config={"iso3": None, "theme": st.column_config.TextColumn("Theme", width="large"),
                                "as_of": "As of", "source": "Source"})


with widgets.explain_errors("the Member State page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url, framework.code)
    year = state.selected_year()
    names = data.read_country_names(url)
    # The members of the plan's years: Timor-Leste under 2026-2030, not under 2016-2020.
    members = plan_members(framework, data.load_membership(url)) or list(names)
    country = state.select_param("Member State", members, state.COUNTRY, format_func=lambda c: names.get(c, c))
    st.title(f"{literal(names.get(country, country))} in {year}")
    if not len(report):
        widgets.draw_no_returns(framework)
        st.stop()
    has_return = bool(((report["scope"] == country) & (report["year"] == year) & report["value"].notna()).any())
    if not has_return:
        st.info(f"{literal(names.get(country, country))} has no data for {year}: every figure below reads "
                "“no data”.")
    widgets.draw_changed_since_edition(url, framework, "member_state", names, scopes=[country], years=[year])

    st.header("Indicators")
    st.caption("Every indicator against the target that applies to this AMS: its own target where one is set, "
               "else the target for every AMS, else “not set”. Yes/no indicators show this AMS's answer and have "
               "no status (the status belongs to the regional count).")
    _draw_indicators(report, country, year, framework)
    widgets.draw_lineage_link(None, country, year, framework.code,
                              "Where these figures come from: the returns, sheets and cells behind each one")
    widgets.draw_status_rules(framework)

    st.header("Files received")
    st.caption("Every stored file of this AMS, newest first. A new return for the same year replaces the "
               "previous one (status “superseded”); nothing is deleted.")
    _draw_submissions(url, country)

    st.header("ASEAN Resource Centre")
    _draw_arc(url, report, country, year, names)
