"""Country returns: which AMS sent which year, their review state (confirm, query), the upload flow, templates."""

import math

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, uploads, widgets
from dashboard.text import literal
from kpi import access, charts, review, store
from kpi.completeness import indicator_gaps, return_completeness

_LIST_CHARACTERS_PER_LINE = 42  # what a 330 px column of the gaps table holds on one line


@st.cache_data(show_spinner=False)
def _load_values(url: str) -> pd.DataFrame:
    # Cleared with every other cached result after an import (data.clear_caches).
    with data.get_engine(url).connect() as connection:
        return store.read_current_values(connection)


def _build_completeness(url, names, framework, as_of, membership, values, rejections):
    submissions = data.load_submissions(url)
    returned_years = [int(y) for y in submissions["year"].dropna()] if len(submissions) else []
    years = list(range(framework.baseline_year, max([framework.target_year, *returned_years]) + 1))
    matrix = charts.build_completeness_matrix(submissions, list(names), years, list(rejections))
    matrix = charts.apply_membership(matrix, membership.members_in)
    filled = return_completeness(values, framework, list(matrix.index), years)
    return (charts.completeness_figure(matrix, as_of, names=names, completeness=filled),
            charts.build_completeness_cells(matrix, filled))


def _draw_completeness(url, names, year, framework, as_of) -> None:
    membership = data.load_membership(url)
    values = _load_values(url)
    rejections = tuple(uploads.read_rejections())  # this session's: part of the key
    figure, cells = widgets.remembered_figure("completeness", rejections, lambda: _build_completeness(
        url, names, framework, as_of, membership, values, rejections))
    widgets.show_figure(figure, "completeness", cells, "accsm_returns_received")
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


@st.cache_data(show_spinner=False)
def _load_states(url: str, years: tuple[int, ...], rejected: tuple) -> list[review.ReturnState]:
    with data.get_engine(url).connect() as connection:
        return review.read_states(connection, years, rejected)


@st.cache_data(show_spinner=False)
def _load_user(url: str, login: str) -> access.User | None:
    with data.get_engine(url).connect() as connection:
        return access.read_user(connection, login)


@widgets.guard_callback("changing the review state of a return")
def _review(url: str, year: int, action: str) -> None:
    # The callback reads the choices from the session: it runs before the rerun that would redraw the widgets.
    country = st.session_state.get("review_country")
    args = (review.confirm,) if action == "confirm" else (review.query,)
    extra = () if action == "confirm" else (st.session_state.get("review_question", ""),)
    try:
        after = review.apply_review(data.get_engine(url), *args, country, year, *extra, by=state.current_user())
    except (access.AccessRefused, review.ReviewError) as problem:
        st.session_state["review_problem"] = str(problem)
        return
    data.clear_caches()
    st.session_state["review_question"] = ""
    st.session_state["review_flash"] = f"{after.describe()}."


def _draw_review(url, names, year) -> None:
    if year is None:
        st.info("No reporting year is chosen: no return to review yet.")
        return
    states = _load_states(url, (year,), tuple(uploads.read_rejections()))
    st.caption(review.describe_counts(review.count_states(states), year) + " A confirmed return is locked: only "
               "the secretariat replaces it, with a reason kept in the audit trail. “queried”: the secretariat asked "
               "the focal point a question, answered by uploading a new version. “with errors”: the last upload in "
               "this browser session was rejected and nothing is stored.")
    if "review_problem" in st.session_state:
        st.error(literal(st.session_state.pop("review_problem")), icon=":material/block:")
    if "review_flash" in st.session_state:
        st.success(literal(st.session_state.pop("review_flash")), icon=":material/check_circle:")
    chosen = state.multiselect_param("Show returns that are", review.STATES, "state", default=review.STATES,
                                     format_func=review.STATE_LABELS.get)
    table = review.as_table([s for s in states if s.state in chosen], names)
    # Widths that add up to what a 1366 px screen holds beside the sidebar: no scroll bar inside the table; a
    # question wraps over three lines.
    st.dataframe(table, hide_index=True, key="review_table", height="content", row_height=60, column_config={
        "AMS": st.column_config.TextColumn("AMS", width=140), "year": st.column_config.TextColumn("year", width=50),
        "state": st.column_config.TextColumn("state", width=170),
        "since": st.column_config.TextColumn("since", width=190),
        "question or reason": st.column_config.TextColumn("question or reason", width=280)})
    widgets.draw_table_downloads("review_table", table, f"accsm_return_review_{year}")
    me = _load_user(url, state.current_user())
    if access.is_allowed(me, access.REVIEW_RETURNS):
        _draw_review_actions(url, states, names, year)
    elif me is not None and me.role == access.FOCAL_POINT:
        _draw_questions(url, me.country, names)


def _draw_review_actions(url, states, names, year) -> None:
    open_ = [s for s in states if s.state in (review.RECEIVED, review.QUERIED)]
    if not open_:
        st.info(f"No stored return of {year} awaits confirmation.")
        return
    labels = {s.country: f"{names.get(s.country, s.country)} {year} ({s.label})" for s in open_}
    with st.container(border=True):
        st.subheader(f"Confirm or query a return of {year}")
        st.selectbox("Return", list(labels), format_func=labels.get, key="review_country")
        st.text_area("Question to the focal point (for a query)", key="review_question",
                     max_chars=review.TEXT_LENGTH)
        left, right, _ = st.columns([1, 1, 2])
        left.button("Confirm the return", type="primary", key="review_confirm", on_click=_review,
                    args=(url, year, "confirm"))
        right.button("Query the return", key="review_query", on_click=_review, args=(url, year, "query"))


@st.cache_data(show_spinner=False)
def _load_open_queries(url: str, country: str) -> list[review.ReturnState]:
    with data.get_engine(url).connect() as connection:
        return review.read_open_queries(connection, country)


def _draw_questions(url, country, names) -> None:
    asked = _load_open_queries(url, country)
    for s in asked:
        st.warning(literal(f"The ACCSM secretariat asked about the return of {names.get(country, country)} for "
                           f"{s.year} ({s.set_by}, {review.format_time(s.set_at)}): {s.note} — answer by uploading "
                           "a corrected return below."), icon=":material/help:")
    if not asked:
        st.caption(f"No open question about the returns of {literal(names.get(country, country))}.")


def _draw_templates(url, names, year, framework) -> None:
    from importers.kinds import KINDS, write_template_bytes
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    left, middle, right = st.columns([2, 1, 2], vertical_alignment="bottom")
    country = left.selectbox("Member State", list(names), format_func=lambda c: names.get(c, c),
                             key="template_country")
    template_year = middle.number_input("Reporting year", min_value=2000, max_value=2100, value=year, step=1,
                                        key="template_year")
    given = {"country": country, "year": int(template_year), "project": None}
    for kind in KINDS.values():
        # A work plan workbook lists the plan's programmes: none stored, nothing to set a status of.
        disabled = kind.fills_programmes and data.load_workplan(url, framework.code).empty
        if "project" in kind.template_options:
            projects = data.load_items(url, "arc_projects")
            titles = projects[(projects["country"] == country) & (projects["year"] == template_year)]["title"].tolist()
            # The options are project titles from a return: a selectbox shows its options as plain text.
            given["project"] = left.selectbox(
                f"ARC project of {literal(country)} in {template_year} (for participant evaluations)",
                titles or ["(no project listed in the stored return)"], key="template_project", disabled=not titles)
            disabled = not titles
        # A kind made for one AMS sits beside the AMS and year; the others are pre-filled with what is stored, so a
        # workbook loaded back changes only what was edited.
        place = right if "country" in kind.template_options else st
        place.download_button(
            kind.download_label.format(country=literal(country), year=template_year), icon=":material/download:",
            key=f"template_{kind.code}", disabled=disabled,
            data=lambda kind=kind, given=dict(given): write_template_bytes(kind, data.get_engine(url), framework,
                                                                             given),
            file_name=kind.file_name(country=country, year=template_year, plan=framework.code), on_click="ignore",
            mime=xlsx)


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
    st.header(f"Confirmation of the returns for {year}" if year else "Confirmation of the returns")
    confirmation = st.container()

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
    with confirmation:
        _draw_review(url, names, year)
