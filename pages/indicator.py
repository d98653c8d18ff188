"""One indicator: Work Plan wording and definition, trend over the years, the AMS of the year against their own
targets, the map by status, the values behind them."""

import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import charts, maps
from kpi.membership import ASEAN

def _draw_headline(rows, indicator, year, framework, members) -> None:
    region_now = rows[(rows["scope"] == ASEAN) & (rows["year"] == year)]
    if not len(region_now):
        return
    now = region_now.iloc[0]
    coverage = charts.format_coverage(now["coverage"], len(members))
    left, middle, right, last = st.columns(4)
    left.metric(f"ASEAN {year}", widgets.format_number(now["value"], indicator.unit), help=coverage or None)
    middle.metric(f"Baseline {framework.baseline_year}", widgets.format_number(now["baseline"], indicator.unit))
    right.metric(f"ASEAN target {framework.target_year}", charts.format_target(now["target"], indicator.unit),
                 help="The target for the region. Each AMS is judged against its own target or, where it has "
                      "none, the target set for every AMS (see the chart of the year).")
    with last:
        st.caption("Status")
        widgets.status_badge(now["status"])
        st.caption(coverage)


def _explain_trend(indicator) -> str:
    if indicator.is_yes_count:
        return ("Each AMS answers yes or no, so the grid shows every answer by year (blue yes, yellow no, grey no "
                "data) and the line above counts the yeses; the status belongs to that count.")
    if indicator.is_count_or_sum:
        return ("The ASEAN value is the sum of the AMS, so it has a panel of its own above the AMS lines. A gap in a "
                "line is a year without data, named under the chart; a zero is drawn at 0.")
    return ("ASEAN in bold with its own baseline and target; each AMS is judged against the target set for every "
            "AMS (dash-dot line) or its own (marked at the right). A gap in a line is a year without data, named "
            "under the chart; a zero is drawn at 0.")


with widgets.explain_errors("the indicator page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url, framework.code)
    year = state.selected_year()
    names = data.read_country_names(url)
    as_of = data.load_status(url).as_of

    code = state.select_param("Indicator", framework.codes, state.INDICATOR,
                              format_func=lambda c: f"{c} · {charts._shorten(framework.indicator(c).wording, 90)}",
                              help="Kept in the link, and when you come back to this page.")
    indicator = framework.indicator(code)
    # The wording, definition and units are read from the framework file (data/frameworks/): shown as written.
    st.title(f"{literal(indicator.code)} · {literal(indicator.wording)}")
    st.markdown(f"**Area {literal(indicator.area)}:** {literal(framework.areas[indicator.area])} · "
                f"**Unit:** {literal(indicator.unit)} · **Regional value:** {literal(indicator.aggregation)}")
    st.caption(f"How it is computed: {literal(indicator.definition)}")
    if not len(report):
        widgets.draw_no_returns(framework)
        st.stop()
    membership = data.load_membership(url)
    members = membership.members_in(year)
    rows = report[report["indicator"] == indicator.code]
    _draw_headline(rows, indicator, year, framework, members)
    widgets.draw_status_rules(framework)
    # Every year: the trend below draws them all.
    widgets.draw_changed_since_edition(url, framework, "indicator", names, indicators=[indicator.code])

    st.header("Trend")
    chosen = state.multiselect_param(
        "Member States to draw beside ASEAN", membership.members_in_any(sorted(set(report["year"]))),
        state.COUNTRIES, default=membership.members_in_any(sorted(set(report["year"]))),
        format_func=lambda c: names.get(c, c), help="Kept in the link, and when you come back to this page.")
    st.caption(_explain_trend(indicator))
    trend = widgets.remembered_figure("trend", (indicator.code, tuple(chosen)), lambda: charts.trend_figure(
        report, indicator, framework, as_of, countries=chosen, names=names))
    widgets.show_figure(trend, "trend", rows.drop(columns=["details"]), f"accsm_{indicator.code}_trend")

    st.header(f"Member States in {year}")
    if not indicator.is_yes_count:
        st.caption("Each bar is coloured by the status of that AMS against its own target, or the target set for "
                   "every AMS where it has none; that target is marked on the bar and printed at the right "
                   "(\u201cnot set\u201d where there is none). A 0 is marked at the axis; \u201cno data\u201d means "
                   "no value was reported.")
        ranking = widgets.remembered_figure("ranking", (indicator.code, year), lambda: charts.ranking_figure(
            report, indicator, year, framework, as_of, names=names))
        year_rows = rows[rows["year"] == year]
        widgets.show_figure(ranking, "ranking", year_rows.drop(columns=["details"]),
                            f"accsm_{indicator.code}_{year}")
    status_map = widgets.remembered_figure("indicator_map", (indicator.code, year), lambda: maps.status_map_figure(
        report, indicator, year, framework, as_of, members, names))
    widgets.show_figure(status_map, "indicator_map", maps.map_categories(report, indicator, year, members),
                        f"accsm_map_{indicator.code}_{year}")

    st.header("Values behind the charts")
    shown = widgets.remembered("indicator_values", (indicator.code, year), lambda: charts.indicator_values_table(
        report, indicator, year, names, len(members)))
    st.caption("An AMS's target is the one set for every AMS unless marked (own); \u201cnot set\u201d: nobody "
               "entered one (Baselines and targets page).")
    st.dataframe(widgets.style_status(shown), hide_index=True, key="values", height="content", column_config={
        "scope": "Scope", "name": "Name", "value": f"Value {year}", "coverage": "Coverage",
        "baseline": f"Baseline {framework.baseline_year}", "target": f"Target {framework.target_year}",
        "progress": "Progress to target", "status": "Status"})
    widgets.draw_lineage_link(indicator.code, "ASEAN", year, framework.code,
                              "Where these figures come from: the returns, sheets and cells behind each one")
