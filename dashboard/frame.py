"""The shared furniture of every page: work plan, reporting year, as-of date, user, provisional and demo banners."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard import data, identity, memo, state, widgets
from dashboard.text import literal
from kpi import access
from kpi.catalogue import FRAMEWORKS
from kpi.charts import describe_provisional, format_as_of
from kpi.plans import plan_for_year
from kpi.users import describe_acting

_DRAWN_MARK = "_accsm_furniture_run"
_ROUTED_MARK = "_accsm_router_run"
PAGE_CONFIG = dict(layout="wide", page_title="ACCSM KPI dashboard", page_icon=":material/monitoring:")


def build_navigation(hidden: bool = False):
    """Return st.navigation over the dashboard's pages (the router calls it; a page run on its own too).

    `hidden`: no menu (the sign-in screen lists nothing of the dashboard).
    """
    _mark(_ROUTED_MARK)
    return st.navigation([
        st.Page("pages/overview.py", title="Regional overview", icon=":material/dashboard:", default=True),
        st.Page("pages/indicator.py", title="Indicator", icon=":material/show_chart:"),
        st.Page("pages/member_state.py", title="Member State", icon=":material/flag:"),
        st.Page("pages/lineage.py", title="Where a figure comes from", icon=":material/account_tree:"),
        st.Page("pages/returns.py", title="Country returns", icon=":material/upload_file:"),
        st.Page("pages/targets.py", title="Baselines and targets", icon=":material/flag_circle:"),
        st.Page("pages/workplan.py", title="Work plan", icon=":material/checklist:"),
        st.Page("pages/arcs.py", title="ARCs and evaluations", icon=":material/school:"),
        st.Page("pages/editions.py", title="SOM editions", icon=":material/inventory_2:"),
        st.Page("pages/exports.py", title="Exports and briefing", icon=":material/slideshow:"),
        st.Page("pages/audit.py", title="Audit trail", icon=":material/history:"),
        st.Page("pages/users.py", title="Users and roles", icon=":material/group:"),
    ], position="hidden" if hidden else "sidebar")


def draw_furniture() -> None:
    """Draw the sidebar and banner once per script run (app.py draws it; the page's own call does nothing).

    A page file run without the router is sent through it first (see _rerun_through_router).
    """
    if not _is_marked(_ROUTED_MARK):
        _rerun_through_router()
    if _is_marked(_DRAWN_MARK):
        return
    _mark(_DRAWN_MARK)
    url = data.get_database_url()
    data.get_engine(url)
    data.ensure_demo_data(url)
    data.refresh_if_changed(url)
    status = data.load_status(url)
    with st.sidebar:
        st.markdown("### ACCSM KPI dashboard")
        framework = _select_plan(url)
        st.caption(f"{literal(framework.title)} · baseline {framework.baseline_year} · target {framework.target_year}"
                   + (" · **provisional**" if framework.is_provisional else ""))
        years, latest = memo.remember("reporting_years", (url, framework.code), lambda: _read_reporting_years(
            data.load_report(url, framework.code), framework))
        state.select_param("Reporting year", years, state.YEAR, default=latest,
                           help="The year every page shows, among the years of the work plan; it is kept in the "
                                "link.")
        st.caption(f"Data as of **{literal(format_as_of(status.as_of))}** · {status.submissions} file(s) stored")
        identity.draw_sidebar_identity(identity.current_identity(), lambda login: _describe_acting(url, login))
    if "flash" in st.session_state:
        st.success(literal(st.session_state.pop("flash")))
    widgets.show_callback_error()
    if framework.is_provisional:
        st.warning(f"**Provisional framework:** {literal(describe_provisional(framework))}",
                   icon=":material/pending:")
    if status.has_demo_data:
        _draw_demo_banner(url)


@st.cache_data(show_spinner=False)
def _describe_acting(url: str, login: str) -> str:
    # Cleared with every other cached result after a change (data.clear_caches), a role change included.
    with data.get_engine(url).connect() as connection:
        return describe_acting(connection, login)


def _select_plan(url: str):
    # A year in the link chooses its plan when the link names none: the link wins over the plan kept in the session.
    linked_year = st.query_params.get(state.YEAR)
    if state.PLAN not in st.query_params and linked_year is not None and linked_year.isdigit():
        st.query_params[state.PLAN] = plan_for_year(int(linked_year)).code
    returned = data.load_returned_years(url)
    default = plan_for_year(max(returned) if returned else None).code
    code = state.select_param(
        "Work plan", list(FRAMEWORKS), state.PLAN, default=default,
        format_func=lambda c: c + (" (provisional)" if FRAMEWORKS[c].is_provisional else ""),
        help="The plan whose KPIs every page shows; by default the plan of the reporting year. Kept in the link.",
        on_change=lambda: state.forget(state.YEAR))  # another plan has other years: start from its latest
    return data.get_framework(code)


def _rerun_through_router() -> None:
    # Because the project has a pages/ folder, Streamlit runs a deep link such as /returns in its older
    # multipage mode (the page file alone) until the process has seen st.navigation once. Widgets drawn in
    # that run lose their state on the next rerun (an upload vanished), so switch the mode off and rerun:
    # app.py then routes to the same page (same URL path, same page hash). AppTest starts every run in that
    # older mode, so buttons act through on_click callbacks, which run before the rerun and keep the click.
    PagesManager.uses_pages_directory = False
    st.rerun()


def _is_marked(mark: str) -> bool:
    ctx = get_script_run_ctx()
    return ctx is not None and getattr(ctx, mark, None) is ctx.cursors


def _mark(mark: str) -> None:
    ctx = get_script_run_ctx()
    if ctx is not None:
        setattr(ctx, mark, ctx.cursors)  # ctx.cursors is a new dict on every run: the mark lasts one run


def _read_reporting_years(report, framework) -> tuple[list[int], int]:
    years = read_years(report, framework)
    return years, read_latest_year(report, years)


def read_years(report, framework) -> list[int]:
    """Return the reporting years to choose from: the years of the report, else the plan's years."""
    years = sorted({int(y) for y in report["year"]}) if len(report) else []
    return years or list(range(framework.baseline_year, framework.target_year + 1))


def read_latest_year(report, years: list[int]) -> int:
    """Return the latest year with any value (the default reporting year)."""
    with_data = report[report["value"].notna()]["year"] if len(report) else []
    return int(max(with_data)) if len(with_data) else years[-1]


def _draw_demo_banner(url: str) -> None:
    st.warning("**Demo data: these figures are fictional**, loaded so a first-time user can see how the "
               "dashboard works. Remove them before loading real country returns.", icon=":material/science:")
    if not st.session_state.get("confirm_remove_demo"):
        st.button("Remove demo data", key="remove_demo", on_click=_ask_confirmation, args=(True,))
        return
    st.error("Remove every demo return and demo target? Real data you loaded stays. This cannot be undone.")
    yes, no, _ = st.columns([1, 1, 3])
    yes.button("Yes, remove demo data", key="remove_demo_confirm", type="primary", on_click=_remove_demo,
               args=(url,))
    no.button("Cancel", key="remove_demo_cancel", on_click=_ask_confirmation, args=(False,))


def _ask_confirmation(asking: bool) -> None:
    st.session_state["confirm_remove_demo"] = asking


@widgets.guard_callback("removing the demo data")
def _remove_demo(url: str) -> None:
    # A callback runs before the rerun, so the page redraws without the banner and with fresh figures.
    try:
        removed = data.remove_demo_data(url, state.current_user())
    except access.AccessRefused as refusal:  # rolled back: record it, say it
        access.record_refusal(data.get_engine(url), refusal)
        st.session_state["confirm_remove_demo"] = False
        st.session_state[widgets.CALLBACK_ERROR] = str(refusal)
        return
    st.session_state["confirm_remove_demo"] = False
    st.session_state["flash"] = f"Removed {removed} demo submission(s)."
