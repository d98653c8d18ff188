"""One indicator: Work Plan wording and definition, trend over the years, ranking of the AMS, values behind them."""

import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import charts

with widgets.explain_errors("the indicator page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url)
    year = state.selected_year()
    names = data.read_country_names(url)
    as_of = data.load_status(url).as_of

    code = state.select_param("Indicator", framework.codes, state.INDICATOR,
                              format_func=lambda c: f"{c} · {charts._shorten(framework.indicator(c).wording, 90)}")
    indicator = framework.indicator(code)
    # The wording, definition and units are read from the framework file (data/frameworks/): shown as written.
    st.title(f"{literal(indicator.code)} · {literal(indicator.wording)}")
    st.markdown(f"**Area {literal(indicator.area)}:** {literal(framework.areas[indicator.area])} · "
                f"**Unit:** {literal(indicator.unit)} · **Regional value:** {literal(indicator.aggregation)}")
    st.caption(f"How it is computed: {literal(indicator.definition)}")
    if not len(report):
        st.info("No country return is stored yet. Load returns on the **Country returns** page.")
        st.stop()
    rows = report[report["indicator"] == indicator.code]
    region_now = rows[(rows["scope"] == "ASEAN") & (rows["year"] == year)]
    if len(region_now):
        now = region_now.iloc[0]
        left, middle, right, last = st.columns(4)
        left.metric(f"ASEAN {year}", widgets.format_number(now["value"], indicator.unit),
                    help=charts.format_coverage(now["coverage"], len(names)) or None)
        middle.metric(f"Baseline {framework.baseline_year}", widgets.format_number(now["baseline"], indicator.unit))
        right.metric(f"Target {framework.target_year}", widgets.format_number(now["target"], indicator.unit))
        with last:
            st.caption("Status")
            widgets.status_badge(now["status"])
            st.caption(charts.format_coverage(now["coverage"], len(names)))

    st.header("Trend")
    countries = state.multiselect_param(
        "Member States to draw beside ASEAN", list(names), state.COUNTRIES, default=list(names),
        format_func=lambda c: names.get(c, c))
    if indicator.is_yes_count:
        st.caption("For a yes-count indicator each AMS answers yes or no, so the trend shows the regional count; "
                   "the answers are in the table below.")
    trend = charts.trend_figure(report, indicator, framework, as_of, countries=countries, names=names)
    widgets.show_figure(trend, "trend", rows.drop(columns=["details"]), f"accsm_{indicator.code}_trend")

    st.header(f"Member States in {year}")
    ranking = charts.ranking_figure(report, indicator, year, framework, as_of, names=names)
    year_rows = rows[rows["year"] == year]
    widgets.show_figure(ranking, "ranking", year_rows.drop(columns=["details"]), f"accsm_{indicator.code}_{year}")

    st.header("Values behind the charts")
    table = year_rows.copy()
    table.insert(1, "name", [names.get(s, s) for s in table["scope"]])
    shown = table[["scope", "name", "value", "coverage", "baseline", "target", "progress", "status"]].copy()
    for column in ("value", "baseline", "target"):
        shown[column] = [widgets.format_number(v, indicator.unit) for v in table[column]]
    if indicator.is_yes_count:
        shown["value"] = [("yes" if v == 1 else "no") if s != "ASEAN" and v == v and v is not None
                          else widgets.format_number(v, indicator.unit) for s, v in zip(table["scope"], table["value"])]
    shown["coverage"] = [charts.format_coverage(c, len(names)) for c in table["coverage"]]
    # Text, so a row without a target shows an empty cell rather than "None".
    shown["progress"] = ["" if p is None or p != p else f"{100 * p:.1f} %" for p in table["progress"]]
    st.dataframe(widgets.style_status(shown), hide_index=True, key="values", column_config={
        "scope": "Scope", "name": "Name", "value": f"Value {year}", "coverage": "Coverage",
        "baseline": f"Baseline {framework.baseline_year}", "target": f"Target {framework.target_year}",
        "progress": "Progress to target", "status": "Status"})
