"""Where a figure comes from: the returns, sheets, cells and rows behind one value, who loaded them and when."""

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import charts, lineage
from kpi.membership import ASEAN

SCOPE = "scope"
_PARTS = {lineage.VALUE: "The value of {year}", lineage.BASELINE: "The baseline ({baseline_year})",
          lineage.TARGET: "The target ({target_year})"}


@st.cache_data(show_spinner=False)
def _load_lineage(url: str, plan_code: str, code: str, scope: str, year: int) -> pd.DataFrame:
    # Cleared with every other cached result after an import (data.clear_caches).
    framework = data.get_framework(plan_code)
    with data.get_engine(url).connect() as connection:
        return lineage.read_lineage(connection, framework, lineage.FigureKey(framework.indicator(code), scope, year))


def _figure_line(report, code, scope, year, indicator, framework) -> str:
    row = report[(report["indicator"] == code) & (report["scope"] == scope) & (report["year"] == year)]
    if not len(row):
        return f"No {year} figure for this scope: it was not a member that year."
    row = row.iloc[0]
    return (f"Value {year}: **{literal(widgets.format_number(row['value'], indicator.unit))}** · "
            f"baseline {framework.baseline_year}: **{literal(widgets.format_number(row['baseline'], indicator.unit))}**"
            f" · target {framework.target_year}: **{literal(charts.format_target(row['target'], indicator.unit))}**")


def _shown(rows: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    # Every value is text as stored (file names, answers): shown in a table, never as markup.
    return pd.DataFrame({
        "Member State": [names.get(c, c) for c in rows["member_state"]], "year": rows["year"].astype(str),
        "what": rows["input"].astype(str), "value": rows["value"].astype(str), "sheet": rows["sheet"].astype(str),
        "cell or rows": rows["cells"].astype(str), "file": rows["file"].astype(str),
        "submission": ["" if pd.isna(n) else str(int(n)) for n in rows["submission"]],
        "loaded by": rows["loaded_by"].astype(str), "loaded (UTC)": rows["loaded_at"].astype(str)})


def _on_screen(table: pd.DataFrame) -> pd.DataFrame:
    # The year is in the heading above each table; sheet and cell, file and submission, who and when share
    # columns, and rows are three lines tall, so every column fits a 1366 px screen whole, without a scroll bar
    # (the downloads keep them apart).
    return pd.DataFrame({
        "Member State": table["Member State"], "what": table["what"], "value": table["value"],
        "where": [f"{sheet} {cells}".strip() for sheet, cells in zip(table["sheet"], table["cell or rows"])],
        "file": [f"{f} (no. {n})" if n else f for f, n in zip(table["file"], table["submission"])],
        "loaded": [f"{by}, {at}" for by, at in zip(table["loaded by"], table["loaded (UTC)"])]})


_WIDTHS = {"Member State": 110, "what": 280, "value": 60, "where": 120, "file": 160, "loaded": 140}
_ROW_PX = 76  # three lines: the longest field label (114 characters) fits 280 px in three


with widgets.explain_errors("the page on where a figure comes from"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url, framework.code)
    year = state.selected_year()
    names = data.read_country_names(url)
    st.title("Where a figure comes from")
    st.caption("Every stored cell and list row behind one figure of the KPI table, with the file it was read from "
               "and who loaded it when. Only current returns count; nothing is carried over from another year.")
    if not len(report) or year is None:
        widgets.draw_no_returns(framework)
        st.stop()
    left, right = st.columns([3, 2])
    code = state.select_param("Indicator", framework.codes, state.INDICATOR, container=left,
                              format_func=lambda c: f"{c} · {charts._shorten(framework.indicator(c).wording, 70)}")
    members = data.load_membership(url).members_in_any(sorted(set(report["year"])))
    scope = state.select_param("Figure for", [ASEAN, *members], SCOPE, container=right,
                               format_func=lambda c: "ASEAN (every member)" if c == ASEAN else names.get(c, c))
    indicator = framework.indicator(code)
    st.subheader(f"{literal(indicator.code)} · {literal(names.get(scope, scope))} · {year}")
    st.markdown(_figure_line(report, code, scope, year, indicator, framework))
    rows = _load_lineage(url, framework.code, code, scope, int(year))
    if not len(rows):
        st.info("Nothing stored is behind this figure: no current return of this year holds its inputs, and no "
                "baseline or target was entered.")
    for part, heading in _PARTS.items():
        of_part = rows[rows["part"] == part]
        if not len(of_part):
            continue
        heading = heading.format(year=year, baseline_year=framework.baseline_year, target_year=framework.target_year)
        st.markdown(f"**{heading}**")
        st.dataframe(_on_screen(_shown(of_part, names)), hide_index=True, height="content", key=f"lineage_{part}",
                     row_height=_ROW_PX, column_config={name: st.column_config.TextColumn(name, width=width, help=None)
                                    for name, width in _WIDTHS.items()})
    if len(rows):
        widgets.draw_table_downloads("lineage", _shown(rows, names).assign(part=rows["part"].values),
                                     f"accsm_{code}_{scope}_{year}_sources")
