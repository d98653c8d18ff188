"""Work plan: the 41 programmes as printed, the status the secretariat keeps, its history, and the KPIs of each area."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, uploads, widgets
from dashboard.text import literal
from kpi import workplan

AREAS, THEMES, COORDINATORS, STATUSES = "areas", "themes", "coordinators", "statuses"
_PAGE_COLUMNS = {"No": 36, "Plan": 62, "Title": 200, "Priority areas": 56, "ACCSM+3 thematic areas": 56,
                 "Coordinators": 80, "Timeline (as printed)": 120, "Status": 80, "Status note": 120, "Status set": 86}
_SHORT = {"Priority areas": "Areas", "ACCSM+3 thematic areas": "+3 areas", "Timeline (as printed)": "Timeline",
          "Coordinators": "Coord.", "Status set": "Set on"}


@st.cache_data(show_spinner=False)
def _load_programmes(url: str, plan_code: str) -> pd.DataFrame:
    with data.get_engine(url).connect() as connection:
        return workplan.read_programmes(connection, plan_code)


@st.cache_data(show_spinner=False)
def _load_history(url: str, plan_code: str) -> pd.DataFrame:
    with data.get_engine(url).connect() as connection:
        return workplan.read_status_history(connection, plan_code)


def _workbook_bytes(url: str, plan_code: str) -> bytes:
    from importers.workplan import write_workplan_template
    with tempfile.TemporaryDirectory() as folder:
        path = write_workplan_template(Path(folder) / "workplan.xlsx",
                                       data.load_workplan(url, plan_code).to_dict("records"), plan_code)
        return path.read_bytes()


def _draw_areas(programmes, report, framework, year, as_of) -> None:
    counts = workplan.count_by_area(programmes, framework)
    widgets.show_figure(workplan.status_counts_figure(counts, as_of), "workplan_area_counts", counts,
                        "accsm_workplan_by_area")
    for record in counts.to_dict("records"):
        left, right = st.columns([1, 2])
        with left:
            st.markdown(f"**{literal(record['area'])} · {literal(record['title'])}**")
            parts = [f"{record[s]} {s}" for s in workplan.STATUS_LABELS if record[s]]
            st.caption(f"{record['programmes']} programme(s): {literal(', '.join(parts) or 'none')}")
        with right:
            kpis = workplan.area_kpis(report, framework, year, record["area"])
            st.dataframe(widgets.style_status(kpis), hide_index=True, key=f"workplan_kpis_{record['area']}",
                         height="content", row_height=70, column_config={
                             "indicator": st.column_config.TextColumn("Indicator", width=64),
                             "wording": st.column_config.TextColumn(f"ASEAN {year}", width=270),
                             "value": st.column_config.TextColumn("Value", width=80),
                             "status": st.column_config.TextColumn("Status", width=150)})


with widgets.explain_errors("the work plan page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    year = state.selected_year()
    as_of = data.load_status(url).as_of
    names = data.read_country_names(url)
    programmes = _load_programmes(url, framework.code)
    st.title(f"Work plan {literal(framework.code)}")
    st.caption(f"The {len(programmes)} programmes of the ACCSM and ACCSM+3 Work Plans as printed in the "
               "publication (programmes 1-24 ACCSM, 25-41 ACCSM+3), with the status the secretariat records: "
               f"{', '.join(workplan.STATUS_LABELS[:-1])}; “{workplan.NOT_SET}” means no status was recorded yet.")

    if programmes.empty:
        st.info(f"No programmes of a work plan {literal(framework.code)} are stored: the software holds the "
                "programmes of the Work Plans 2016-2020 (choose that plan in the sidebar).")
        st.stop()
    st.header("Programmes")
    coordinators = sorted({c for codes in programmes["coordinators_list"] for c in codes})
    columns = st.columns(4)
    areas = state.multiselect_param("Priority area", list(framework.areas), AREAS, container=columns[0],
                                    format_func=lambda a: f"{a} {framework.areas.get(a, '')}")
    themes = state.multiselect_param("ACCSM+3 thematic area", list(workplan.PLUS3_THEMES), THEMES,
                                     container=columns[1], format_func=lambda t: f"{t} {workplan.PLUS3_THEMES[t]}")
    chosen_coordinators = state.multiselect_param("Coordinator", coordinators, COORDINATORS, container=columns[2],
                                                  format_func=lambda c: names.get(c, c))
    statuses = state.multiselect_param("Status", list(workplan.STATUS_LABELS), STATUSES, container=columns[3])
    shown = workplan.filter_programmes(programmes, areas, chosen_coordinators, statuses, themes)
    st.caption(f"{len(shown)} of {len(programmes)} programmes shown. A programme serving several areas or "
               "coordinated by several AMS is shown when any of them is chosen.")
    table = workplan.programmes_table(shown)
    # The page shows what fits a 1366 px screen; the downloads carry every column (budget, partners, who set it).
    st.dataframe(table[list(_PAGE_COLUMNS)], hide_index=True, key="workplan_programmes", height="content",
                 row_height=84, column_config={c: st.column_config.Column(_SHORT.get(c, c), width=w)
                                               for c, w in _PAGE_COLUMNS.items()})
    widgets.draw_table_downloads("workplan_programmes", table, f"accsm_workplan_{framework.code}")

    st.header("Timeline")
    widgets.show_figure(workplan.timeline_figure(shown, as_of), "workplan_timeline",
                        table[["No", "Title", "Planned years", "Status"]], "accsm_workplan_timeline")

    st.header(f"Per priority area, beside its KPIs ({year})")
    _draw_areas(programmes, data.load_report(url, framework.code), framework, year, as_of)

    st.header("Status history")
    history = _load_history(url, framework.code)
    if history.empty:
        st.info("No status has been recorded yet. Download the work plan workbook below, choose a status for each "
                "programme and load it here.")
    else:
        history = workplan.history_table(history, programmes)
        st.dataframe(history, hide_index=True, key="workplan_history", height="content", row_height=50,
                     column_config={c: st.column_config.Column(c, width=w) for c, w in (
                         ("When (UTC)", 120), ("Who", 90), ("No", 40), ("Programme", 250), ("Old status", 80),
                         ("New status", 80), ("Old note", 120), ("New note", 120))})
        widgets.draw_table_downloads("workplan_history", history, "accsm_workplan_status_history")

    st.header("Update statuses")
    st.caption("Download the workbook (it holds the statuses as stored), change the yellow status and note cells, "
               "and load it back: only the rows you changed are updated, and each change is kept in the history.")
    st.download_button("Work plan workbook (statuses as stored)", icon=":material/download:",
                       key="workplan_workbook", data=lambda: _workbook_bytes(url, framework.code),
                       file_name=f"accsm_workplan_{framework.code}.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    uploads.draw_upload_flow("workplan_upload", "Work plan workbook",
                             "The workbook downloaded above, with statuses and notes filled in.")
