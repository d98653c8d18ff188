"""Regional overview: the year in one line, the scorecard by area, the status matrix, the map by status, and what
changed since the previous year."""

import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal, literal_list
from kpi import changes, charts, maps, summary
from kpi.progress import STATUS_COLOURS, STATUS_LEGEND

_WRAPPED_ROW_PX = 76  # three lines of wrapped text: above 64 px a row wraps its text
_TWO_LINE_ROW_PX = 66  # two lines (the least row height at which a table wraps at all)
# Widths that hold at 1366 px (the narrowest the page is laid out for) and the table font's width per character,
# on the generous side: words about 6 px, lists of indicator codes (digits, dots, commas) about 5 px.
_WORDING_PX, _WORSENED_PX, _OTHER_PX = 370, 330, 200
_PX_PER_LETTER, _PX_PER_CODE_CHAR = 7.0, 5.5
_MOVEMENT_COLOURS = {changes.IMPROVED: STATUS_COLOURS["achieved"], changes.WORSENED: STATUS_COLOURS["deterioration"]}


def _draw_year_line(year, scorecard, received, members, as_of) -> None:
    counts = summary.count_statuses(scorecard["status"])
    if len(counts.red_by_status) == 1:
        red = f"{counts.red} {next(iter(counts.red_by_status))}"
    else:
        red = f"{counts.red} red" + (": " + ", ".join(f"{n} {s}" for s, n in counts.red_by_status.items())
                                     if counts.red_by_status else "")
    st.markdown(f"**{year}:** :green-badge[{counts.green} achieved / on track] "
                f":orange-badge[{counts.amber} acceleration needed] :red-badge[{red}] "
                f":gray-badge[{counts.not_judged} not judged] · returns received **{len(received)} of "
                f"{len(members)}** · data as of **{literal(charts.format_as_of(as_of))}**")


def _scorecard_columns(framework) -> dict:
    return {
        "code": st.column_config.TextColumn("Code", width=52),
        "wording": st.column_config.TextColumn("Indicator (Work Plan wording)", width=_WORDING_PX),
        "status": st.column_config.TextColumn("Status", width=100, help="ASEAN status; the rules are above"),
        "value": st.column_config.TextColumn("Value", width=66, help="ASEAN value"),
        "coverage": st.column_config.TextColumn("Coverage", width=80,
                                                help="How many of the AMS of the year the regional value covers"),
        "baseline": st.column_config.TextColumn("Baseline", width=72, help=f"Baseline {framework.baseline_year}"),
        "target": st.column_config.TextColumn("Target", width=66, help=f"Target {framework.target_year}"),
        "progress_pct": st.column_config.ProgressColumn(
            "Progress", width=84, min_value=0, max_value=100, format="%.0f%%",
            help="Share of the distance from baseline to target covered (100% = target reached; the number may "
                 "pass 100 % or fall below 0, the bar stops at the ends)"),
    }


def _row_height(*columns: tuple) -> int | None:
    # Every row of a table has one height: that of the cell needing the most lines. Each column is given as
    # (texts, width in px, px per character); a cell has 16 px of padding.
    lines = 1
    for texts, column_px, px_per_char in columns:
        per_line = int((column_px - 16) / px_per_char)
        lines = max([lines, *((len(t) + per_line - 1) // per_line for t in texts)])
    return None if lines <= 1 else _TWO_LINE_ROW_PX if lines == 2 else _WRAPPED_ROW_PX


def _draw_scorecard(scorecard, framework) -> None:
    shown = scorecard.copy()
    for column in ("value", "baseline", "target"):
        shown[column] = [widgets.format_number(v, u) for v, u in zip(scorecard[column], scorecard["unit"])]
    shown["coverage"] = shown["coverage"].replace("", "—")
    columns = _scorecard_columns(framework)
    for area, title in framework.areas.items():
        st.markdown(f"**{literal(area)} · {literal(title)}**")
        rows = shown[shown["area"] == area].drop(columns=["area", "unit"])
        st.dataframe(widgets.style_status(rows), hide_index=True, column_config=columns, height="content",
                     row_height=_row_height((rows["wording"], _WORDING_PX, _PX_PER_LETTER)),
                     column_order=list(columns), key=f"scorecard_{area}")


def _draw_map(report, year, framework, as_of, members, names) -> None:
    code = state.select_param(
        "Indicator on the map", framework.codes, state.INDICATOR,
        format_func=lambda c: f"{c} · {charts._shorten(framework.indicator(c).wording, 90)}",
        help="The map shows each AMS's status on this indicator; the choice is kept in the link.")
    fig = widgets.remembered_figure("overview_map", (code, year), lambda: maps.status_map_figure(
        report, code, year, framework, as_of, members, names))
    rows = report[(report["indicator"] == code) & (report["year"] == year)]
    widgets.show_figure(fig, "status_map", rows.drop(columns=["details"]), f"accsm_map_{code}_{year}")


def _year_columns(previous, year, columns: dict) -> dict:
    labels = {f"{kind} {y}": f"{kind.capitalize()} {y}" for kind in ("value", "status") for y in (previous, year)}
    return {**labels, **columns}


def _name_years(numbers, previous, year):
    # The downloads of kpi.changes keep the numbers; their columns name the years.
    return numbers.rename(columns={"value_before": f"value_{previous}", "value_now": f"value_{year}",
                                   "status_before": f"status_{previous}", "status_now": f"status_{year}"})


def _style_changes(table, status_columns):
    # The direction in coloured bold text, not a filled cell: it must not read as one more status. A yes/no
    # answer has no status, so no status colour either.
    def colour(movement):
        ink = _MOVEMENT_COLOURS.get(movement)
        return f"color: {ink}; font-weight: bold" if ink else ""

    def fill(status):
        if not isinstance(status, str) or status in ("", charts.YES_NO_STATUS):
            return ""
        return f"background-color: {charts.status_colour(status)}; color: white"
    return table.style.map(fill, subset=list(status_columns)).map(colour, subset=["movement"])


def _compute_changes(report, year, previous, framework, compared, names) -> tuple:
    """Return the ASEAN changes table and its numbers, each AMS's moves and their summary by AMS."""
    moved = changes.ams_changes(report, year, previous, framework, countries=compared)
    by_member = changes.summarise_by_member(moved, compared)
    if len(by_member):
        by_member.insert(0, "AMS", [names.get(c, c) for c in by_member["scope"]])
    return (charts.changes_table(report, year, previous, framework),
            changes.asean_changes(report, year, previous, framework), moved, by_member)


def _draw_changes(report, year, framework, members, membership, names, url) -> None:
    previous = changes.previous_year_with_data(report, year)
    if previous is None:
        st.info(f"No year before {year} has data: there is no previous year to compare with.")
        return
    if previous < year - 1:
        gap = str(year - 1) if previous == year - 2 else f"{previous + 1}–{year - 1}"
        st.caption(f"No data for {gap}: {year} is compared with {previous}, the latest year before it with data.")
    statuses = (f"status {previous}", f"status {year}")

    st.subheader(f"ASEAN values, {previous} to {year}")
    st.caption(f"Change: the {year} value minus the {previous} value, in percentage points (pts) for a "
               "percentage. A status improves or worsens only between two judged statuses, in this order from "
               "best: achieved, on track, acceleration needed, limited progress, deterioration or not achieved "
               "(equally severe). Moving from a not-judged status (no data, no target, incomplete data, …) to a "
               "judged one is “now judged”, the other way “no longer judged”: neither is better or worse.")
    compared = [c for c in members if membership.is_member(c, previous)]
    table, numbers, moved, by_member = widgets.remembered("overview_changes", (year, previous), lambda: _compute_changes(
        report, year, previous, framework, compared, names))
    st.dataframe(_style_changes(table.drop(columns=["wording"]), statuses), hide_index=True, height="content",
                 key="changes", column_config=_year_columns(previous, year, {
                     "code": st.column_config.TextColumn("Code", width=60),
                     "change": st.column_config.TextColumn("Change", help="Percentage points for a percentage"),
                     "movement": st.column_config.TextColumn("Status movement")}))
    widgets.draw_table_downloads("changes", _name_years(numbers, previous, year), f"accsm_changes_{previous}_{year}")

    st.subheader(f"Member States whose status improved or worsened, {previous} to {year}")
    if len(by_member):
        st.dataframe(by_member.drop(columns=["scope"]), hide_index=True, height="content", key="ams_changes",
                     row_height=_row_height((by_member["worsened"], _WORSENED_PX, _PX_PER_CODE_CHAR),
                                            (by_member["improved"], _OTHER_PX, _PX_PER_CODE_CHAR),
                                            (by_member["other"], _OTHER_PX, _PX_PER_LETTER)),
                     column_config={
                         "AMS": st.column_config.TextColumn("AMS", width=150),
                         "worsened": st.column_config.TextColumn("Worsened", width=_WORSENED_PX,
                                                                 help="Status worse than last year"),
                         "improved": st.column_config.TextColumn("Improved", width=_OTHER_PX,
                                                                 help="Status better than last year"),
                         "other": st.column_config.TextColumn(
                             "Other changes", width=_OTHER_PX,
                             help="Now judged, no longer judged, or a yes/no answer that changed (yes → no)"),
                     })
        # A toggle, not an expander: the long table is drawn only when asked for (a grid laid out while hidden
        # measures itself wrong and shows scroll bars).
        if st.toggle("Show each change, indicator by indicator, with the values and statuses of both years",
                     key="show_ams_changes"):
            detail = charts.ams_changes_table(moved, year, previous, names)
            st.dataframe(_style_changes(detail, statuses), hide_index=True, height="content", key="ams_changes_detail",
                         column_config=_year_columns(previous, year, {
                             "code": st.column_config.TextColumn("Code", width=60),
                             "movement": st.column_config.TextColumn("Movement")}))
        widgets.draw_table_downloads("ams_changes", _name_years(moved, previous, year),
                                     f"accsm_ams_changes_{previous}_{year}")
    else:
        st.write(f"No AMS status improved or worsened between {previous} and {year}.")

    returns = data.load_submissions(url, kind="return")
    this_year = summary.returns_received(returns, members, year)
    last_year = set(summary.returns_received(returns, membership.members_in(previous), previous))
    arrived = [c for c in this_year if c not in last_year]
    st.markdown(f"**Returns for {year}:** {len(this_year)} of {len(members)} AMS. "
                + (f"New since {previous}: {literal_list(names.get(c, c) for c in arrived)}." if arrived
                   else f"No AMS reported for {year} that had not reported for {previous}."))
    missing = [names.get(c, c) for c in members if c not in this_year]
    if missing:
        st.caption(f"No {year} return yet from: {literal_list(missing)}.")


with widgets.explain_errors("the regional overview"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url, framework.code)
    year = state.selected_year()
    st.title(f"Where ASEAN stands in {year}")
    if not len(report):
        widgets.draw_no_returns(framework)
        st.stop()
    as_of = data.load_status(url).as_of
    names = data.read_country_names(url)
    membership = data.load_membership(url)
    members = membership.members_in(year)
    scorecard = widgets.remembered("scorecard", (year,), lambda: charts.scorecard_table(
        report, year, framework, ams_count=len(members)))
    received = summary.returns_received(data.load_submissions(url, kind="return"), members, year)
    _draw_year_line(year, scorecard, received, members, as_of)
    widgets.draw_status_rules(framework)
    widgets.draw_changed_since_edition(url, framework, "overview", names, years=[year])

    st.header("Regional scorecard")
    st.caption(f"ASEAN value of each indicator with how many AMS it covers, against the {framework.baseline_year} "
               f"baseline and {framework.target_year} target. {STATUS_LEGEND}")
    _draw_scorecard(scorecard, framework)
    widgets.draw_table_downloads("scorecard", scorecard, f"accsm_scorecard_{year}")

    st.header("Status by Member State")
    st.caption("Each AMS by its ISO code: " + literal_list(f"{c} {names.get(c, c)}" for c in members) + ".")
    matrix = widgets.remembered_figure("status_matrix", (year,), lambda: charts.status_matrix_figure(
        report, year, framework, as_of, names=names))
    widgets.show_figure(matrix, "status_matrix", report[report["year"] == year].drop(columns=["details"]),
                        f"accsm_status_matrix_{year}")
    st.subheader(f"Map by status, {year}")
    _draw_map(report, year, framework, as_of, members, names)

    st.header("What changed since the previous year")
    _draw_changes(report, year, framework, members, membership, names, url)
