"""Exports for reports: the SOM briefing pack (PowerPoint and PDF), the full KPI table, every stored return."""

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import data, frame, state, widgets
from kpi.exports.briefing import build_briefing
from kpi.exports.tables import format_kpi_table, returns_workbook

_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner="Building the briefing pack: rendering 17 charts and converting to PDF…")
def _build_pack(url: str, year: int, as_of) -> dict:
    # as_of is part of the cache key: a new import gives a new pack.
    with tempfile.TemporaryDirectory() as folder, data.get_engine(url).connect() as connection:
        result = build_briefing(connection, year, Path(folder) / "briefing.pptx", Path(folder) / "briefing.pdf")
        return {"pptx": result.pptx_path.read_bytes(), "pdf": result.pdf_path.read_bytes(),
                "slides": result.slide_count, "seconds": result.timings.get("total", 0.0)}


def _returns_bytes(url: str) -> bytes:
    with data.get_engine(url).connect() as connection:
        return returns_workbook(connection)


with widgets.explain_errors("the exports page"):
    frame.draw_furniture()
    url = data.get_database_url()
    year = state.selected_year()
    status = data.load_status(url)
    st.title("Exports for reports")

    st.header(f"SOM briefing pack, {year}")
    st.caption("A 16:9 PowerPoint deck and the same content as a PDF: title, the A–E scorecard, one slide per "
               "indicator (chart and a summary written from the data), one slide per AMS, and data "
               "completeness, each with sources. Every chart on the other pages also downloads as PNG and SVG.")
    st.button(f"Build the briefing pack for {year}", key="build_briefing", type="primary",
              icon=":material/slideshow:", on_click=st.session_state.__setitem__, args=("briefing_year", year))
    if st.session_state.get("briefing_year") == year:
        pack = _build_pack(url, year, status.as_of)
        st.success(f"{pack['slides']} slides built in {pack['seconds']:.1f} s"
                   + (" · marked DEMO DATA" if status.has_demo_data else "") + ".")
        left, right, _ = st.columns([1, 1, 3])
        left.download_button("PowerPoint (.pptx)", pack["pptx"], f"accsm_som_briefing_{year}.pptx", _PPTX,
                             key="briefing_pptx", on_click="ignore", icon=":material/download:")
        right.download_button("PDF", pack["pdf"], f"accsm_som_briefing_{year}.pdf", "application/pdf",
                              key="briefing_pdf", on_click="ignore", icon=":material/download:")

    st.header("Data for spreadsheets")
    st.markdown("**The full KPI table**: every indicator, scope and year with value, coverage, baseline, target, "
                "progress and status (figures unrounded).")
    widgets.draw_table_downloads("kpi_table", format_kpi_table(data.load_report(url)), "accsm_kpi_table")
    st.markdown("**Every stored country return**, current and superseded, with the sheet and cell each value "
                "came from.")
    st.download_button("Stored returns (Excel)", data=lambda: _returns_bytes(url), file_name="accsm_returns.xlsx",
                       mime=_XLSX, key="returns_xlsx", on_click="ignore", icon=":material/download:")
