"""Country returns: which AMS sent which year, the upload flow (check, then confirm and store), blank templates."""

import math
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, uploads, widgets
from dashboard.text import literal
from kpi import charts, store
from kpi.completeness import indicator_gaps, return_completeness

_LIST_CHARACTERS_PER_LINE = 42  # what a 330 px column of the gaps table holds on one line


def _template_bytes(writer, *args) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        writer(path, *args)
        return path.read_bytes()


@st.cache_data(show_spinner=False)
def _load_values(url: str) -> pd.DataFrame:
    # Cleared with every other cached result after an import (data.clear_caches).
    with data.get_engine(url).connect() as connection:
        return store.read_current_values(connection)


def _draw_completeness(url, names, year, framework, as_of) -> None:
    membership = data.load_membership(url)
    submissions = data.load_submissions(url)
    values = _load_values(url)
    returned_years = [int(y) for y in submissions["year"].dropna()] if len(submissions) else []
    years = list(range(framework.baseline_year, max([framework.target_year, *returned_years]) + 1))
    matrix = charts.build_completeness_matrix(submissions, list(names), years, uploads.read_rejections())
    matrix = charts.apply_membership(matrix, membership.members_in)
    filled = return_completeness(values, framework, list(matrix.index), years)
    cells = charts.build_completeness_cells(matrix, filled)
    widgets.show_figure(charts.completeness_figure(matrix, as_of, names=names, completeness=filled), "completeness",
                        cells, "accsm_returns_received")
    st.caption("“complete”: a stored return that fills every field the indicators need; “n blank”: a stored return "
               "that leaves n of them blank, so the indicators that need them read “no data” for that AMS. "
               "“warnings” are returns accepted with warnings. A rejected file is never stored, so “rejected” only "
               "shows files rejected in this browser session; “missing” means no return is stored.")

    members = membership.members_in(year)
    this_year = cells[cells["year"] == year]
    received = this_year[this_year["state"].isin([charts.RECEIVED, charts.RECEIVED_WITH_WARNINGS])]
    with_blanks = received[received["blank_fields"] != ""]
    st.subheader(f"Per indicator, {year}")
    st.caption(f"{len(received)} of {len(members)} AMS sent a return for {year}; in {len(with_blanks)} of them a "
               "field the indicators need is blank. An indicator is reported by an AMS when its return fills every "
               "field that indicator needs.")
    gaps = charts.indicator_gaps_table(indicator_gaps(values, framework, members, year), names)
    longest = max((len(t) for c in ("missing (no return)", "missing (blank fields)") for t in gaps[c]), default=0)
    lines = max(1, math.ceil(longest / _LIST_CHARACTERS_PER_LINE))
    st.dataframe(gaps, hide_index=True, key="indicator_gaps", height="content",
                 row_height=None if lines == 1 else 22 * lines + 14,  # above 64 px a row wraps its text
                 column_config={
                     "indicator": st.column_config.TextColumn("Indicator", width=80),
                     "reported": st.column_config.TextColumn("Reported", width=110),
                     "missing (no return)": st.column_config.TextColumn("Missing: no return", width=330),
                     "missing (blank fields)": st.column_config.TextColumn("Missing: blank fields", width=330),
                 })
    widgets.draw_table_downloads("indicator_gaps", gaps, f"accsm_indicator_gaps_{year}")


def _draw_templates(url, names, year, framework) -> None:
    from importers import evaluations, templates, workplan
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    left, middle, right = st.columns([2, 1, 2], vertical_alignment="bottom")
    country = left.selectbox("Member State", list(names), format_func=lambda c: names.get(c, c),
                             key="template_country")
    template_year = middle.number_input("Reporting year", min_value=2000, max_value=2100, value=year, step=1,
                                        key="template_year")
    right.download_button(
        f"Blank return for {literal(country)} {template_year}", icon=":material/download:", key="template_return",
        data=lambda: _template_bytes(templates.write_return_template, country, int(template_year)),
        file_name=f"accsm_return_{country}_{template_year}.xlsx", on_click="ignore", mime=xlsx)
    projects = data.load_items(url, "arc_projects")
    titles = projects[(projects["country"] == country) & (projects["year"] == template_year)]["title"].tolist()
    # The options are project titles from a return: a selectbox shows its options as plain text.
    project = left.selectbox(f"ARC project of {literal(country)} in {template_year} (for participant evaluations)",
                             titles or ["(no project listed in the stored return)"], key="template_project",
                             disabled=not titles)
    right.download_button(
        "Participant evaluations for this project", icon=":material/download:", key="template_evaluations",
        disabled=not titles,
        data=lambda: _template_bytes(evaluations.write_evaluations_template, country, int(template_year), project),
        file_name=f"accsm_evaluations_{country}_{template_year}.xlsx", on_click="ignore", mime=xlsx)
    # Pre-filled with what is stored, so a workbook loaded back changes only what was edited.
    st.download_button(
        "Targets workbook (baselines and targets, as stored)", icon=":material/download:", key="template_targets",
        data=lambda: _template_bytes(templates.write_targets_template, framework,
                                     data.load_targets(url, framework.code)),
        file_name=f"accsm_targets_{framework.code}.xlsx", on_click="ignore", mime=xlsx)
    st.download_button(
        "Work plan workbook (programme statuses, as stored)", icon=":material/download:", key="template_workplan",
        data=lambda: _template_bytes(workplan.write_workplan_template,
                                     data.load_workplan(url, framework.code).to_dict("records")),
        file_name=f"accsm_workplan_{framework.code}.xlsx", on_click="ignore", mime=xlsx)


with widgets.explain_errors("the country returns page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    year = state.selected_year()
    names = data.read_country_names(url)
    as_of = data.load_status(url).as_of
    st.title("Country returns")

    st.header("Which returns have arrived")
    completeness = st.container()  # drawn after the upload check so this run's rejections show at once

    st.header("Load returns")
    st.caption("Upload one or more filled-in workbooks (.xlsx or .ods). Each is checked first and nothing is "
               "stored until you confirm. A return for an AMS and year that is already stored replaces it; "
               "the old one is kept as superseded.")
    uploads.draw_upload_flow("returns_upload", "Country returns, targets or evaluation workbooks",
                             "The software recognises the kind of workbook from its Instructions sheet.")

    st.header("Blank templates")
    _draw_templates(url, names, year, framework)

    with completeness:
        _draw_completeness(url, names, year, framework, as_of)
