"""Exports for reports: the SOM briefing pack (PowerPoint and PDF), the full KPI table, every stored return."""

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi.exports.briefing import build_briefing
from kpi.exports.tables import export_file_name, export_stem, format_kpi_table, returns_workbook

_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False)
def _build_pack(url: str, plan_code: str, year: int, as_of) -> dict:
    # as_of is part of the cache key: a new import gives a new pack.
    with tempfile.TemporaryDirectory() as folder, data.get_engine(url).connect() as connection:
        result = build_briefing(connection, year, Path(folder) / "briefing.pptx", Path(folder) / "briefing.pdf",
                                framework=data.get_framework(plan_code))
        return {"pptx": result.pptx_path.read_bytes(), "pdf": result.pdf_path.read_bytes(),
                "slides": result.slide_count, "charts": result.figure_count,
                "seconds": result.timings.get("total", 0.0)}


def _returns_bytes(url: str) -> bytes:
    with data.get_engine(url).connect() as connection:
        return returns_workbook(connection)


with widgets.explain_errors("the exports page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    year = state.selected_year()
    status = data.load_status(url)
    members = data.load_membership(url).members_in(year)
    charts_in_pack = len(framework.indicators) + len(members) + 1  # a trend per indicator, a profile per AMS, a map
    st.title("Exports for reports")

    st.header(f"SOM briefing pack, {year}")
    st.caption(f"A 16:9 PowerPoint deck and the same slides as a PDF, for the {literal(framework.title)}: title; key "
               "messages written from the data; the A–E scorecard and the AMS × indicator status matrix; the map by "
               "status; one slide per indicator (its trend, the AMS against their targets, leaders and laggards); "
               "one profile per AMS; data completeness; the method. About "
               f"{charts_in_pack} charts ({len(framework.indicators)} indicator trends, {len(members)} AMS profiles "
               "and the map), figures in the speaker notes, sources on every slide"
               + ("; every slide says the framework is provisional" if framework.is_provisional else "")
               + ". Every chart on the other pages also downloads as PNG and SVG.")
    report = data.load_report(url, framework.code)
    if not len(report):
        widgets.draw_no_returns(framework)
    st.button(f"Build the briefing pack for {year}", key="build_briefing", type="primary", disabled=not len(report),
              icon=":material/slideshow:", on_click=st.session_state.__setitem__,
              args=("briefing_for", (framework.code, year)))
    if st.session_state.get("briefing_for") == (framework.code, year):
        with st.spinner(f"Building the briefing pack: rendering {charts_in_pack} charts, writing the slides and "
                        "converting them to PDF (a minute or two)…"):
            pack = _build_pack(url, framework.code, year, status.as_of)
        marks = [m for m in ("marked DEMO DATA" if status.has_demo_data else "",
                             "marked PROVISIONAL" if framework.is_provisional else "") if m]
        st.success(f"{pack['slides']} slides built in {pack['seconds']:.1f} s, with {pack['charts']} charts"
                   + (f" · {' and '.join(marks)}" if marks else "") + ".")
        stem = export_stem(f"accsm_som_briefing_{framework.code}_{year}", status.has_demo_data, framework)
        left, right, _ = st.columns([1, 1, 3])
        left.download_button("PowerPoint (.pptx)", pack["pptx"], f"{stem}.pptx", _PPTX,
                             key="briefing_pptx", on_click="ignore", icon=":material/download:")
        right.download_button("PDF", pack["pdf"], f"{stem}.pdf", "application/pdf",
                              key="briefing_pdf", on_click="ignore", icon=":material/download:")

    st.header("Data for spreadsheets")
    st.markdown("**The full KPI table**: every indicator, scope and year of the plan with value, coverage, baseline, "
                "target, progress and status (figures unrounded).")
    kpi_table = widgets.remembered("kpi_table", (), lambda: format_kpi_table(report))
    widgets.draw_table_downloads("kpi_table", kpi_table, f"accsm_kpi_table_{framework.code}")
    st.markdown("**Every stored country return**, current and superseded, with the sheet and cell each value "
                "came from.")
    st.download_button("Stored returns (Excel)", data=lambda: _returns_bytes(url),
                       file_name=export_file_name("accsm_returns", "xlsx", status.has_demo_data),
                       mime=_XLSX, key="returns_xlsx", on_click="ignore", icon=":material/download:")
