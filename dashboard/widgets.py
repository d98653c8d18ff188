"""Widgets shared by the pages: figures with their downloads, status labels, no-data-aware numbers, error guard,
what changed since a SOM edition."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, memo
from dashboard.text import literal
from kpi import charts, editions, store_errors
from kpi.exports import images, tables
from kpi.progress import (ACCELERATION_NEEDED, ACHIEVED, DETERIORATION, LIMITED_PROGRESS, NO_DATA, ON_TRACK,
                          explain_status_rules, is_missing)

NO_DATA_TEXT = NO_DATA
_BADGE_COLOURS = {ACHIEVED: "green", ON_TRACK: "green", ACCELERATION_NEEDED: "orange", LIMITED_PROGRESS: "red",
                  DETERIORATION: "red"}
_LOG = logging.getLogger(__name__)
T = TypeVar("T")
CALLBACK_ERROR = "callback_error"  # session state: what went wrong in the last callback, shown once by the next run


def format_number(value, unit: str = "", percent: bool | None = None) -> str:
    """Return a value for display: percentages with one decimal, "no data" for None/NaN (never 0)."""
    return charts.format_value(value, unit, percent)


def show_figure(fig: go.Figure, key: str, data: pd.DataFrame | None = None, file_stem: str | None = None) -> None:
    """Draw a plotly figure with PNG, SVG (rendered only when clicked), CSV and Excel downloads of its data.

    While demo data is stored the figure carries the DEMO DATA marker (on the page and in every image made of it)
    and every file name ends in -DEMO; under a provisional work plan it carries the provisional marker and every
    file name ends in -PROVISIONAL (before -DEMO).
    """
    demo, plan = _is_demo(), _plan()
    _mark(fig, demo, plan)
    stem = tables.export_stem(_safe_name(file_stem or key), demo, plan)
    st.plotly_chart(fig, key=key, theme=None, config={"displaylogo": False,
                                                      "toImageButtonOptions": {"filename": stem}})
    draw_downloads(key, fig=fig, data=data, file_stem=file_stem)


def remembered_figure(name: str, key: tuple, build: Callable[[], T]) -> T:
    """Return the figure build() makes (or a tuple of it and what goes with it), marked as show_figure marks it, built
    once per `key` (everything it depends on besides the store, the work plan and the demo marker, which are added)
    until the data changes."""
    demo, plan = _is_demo(), _plan()

    def build_marked() -> T:
        built = build()
        _mark(built[0] if isinstance(built, tuple) else built, demo, plan)
        return built
    return memo.remember(name, (data.get_database_url(), plan.code, demo, *key), build_marked)


def remembered(name: str, key: tuple, build: Callable[[], T]) -> T:
    """Return what build() returns (a table a page draws), built once per `key` and the page's store and work plan
    until the data changes; never change what it returns."""
    return memo.remember(name, (data.get_database_url(), _plan().code, *key), build)


def draw_downloads(key: str, fig: go.Figure | None = None, data: pd.DataFrame | None = None,
                   file_stem: str | None = None) -> None:
    """Draw the download buttons of a figure (PNG, SVG) and of its data (CSV, Excel) in one row.

    Tables carry the Member State name beside each code and the unit in the figure headers; while demo data is
    stored, images carry the DEMO DATA marker, tables a first `note` column saying it, and file names end in -DEMO.
    Under a provisional work plan (the sidebar's) they say that in the same places, and file names end in
    -PROVISIONAL.
    """
    demo, plan = _is_demo(), _plan()
    stem = _safe_name(file_stem or key)
    columns = iter(st.columns(4 if fig is not None else 2, width=560 if fig is not None else 280))
    if fig is not None:
        _mark(fig, demo, plan)
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            # Rendered only when clicked: a page run never waits for the renderer.
            next(columns).download_button(
                fmt.upper(), data=_deferred(images.render_figure, fig, fmt),
                file_name=tables.export_file_name(stem, fmt, demo, plan), mime=mime,
                key=f"{key}_{fmt}", on_click="ignore", icon=":material/download:",
                help=f"Download this chart as {fmt.upper()}, with its title, legend, source and date")
    if data is not None:
        # Made only when clicked, like the images: the names and units are read now, in the page's run.
        names = _country_names()
        units = {indicator.code: indicator.unit for indicator in plan.indicators}
        next(columns).download_button(
            "CSV", data=lambda: tables.table_to_csv(_for_export(data, names, units), demo, plan),
            file_name=tables.export_file_name(stem, "csv", demo, plan), mime="text/csv",
            key=f"{key}_csv", on_click="ignore", icon=":material/download:",
            help="Download the data behind this view as CSV")
        next(columns).download_button(
            "Excel", data=lambda: tables.table_to_excel(_for_export(data, names, units), stem[:31], demo, plan),
            file_name=tables.export_file_name(stem, "xlsx", demo, plan),
            key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help="Download the data behind this view as an Excel workbook")


def draw_table_downloads(key: str, data: pd.DataFrame, file_stem: str | None = None) -> None:
    """Draw CSV and Excel downloads for a table (names beside codes, units in headers, demo data marked)."""
    draw_downloads(key, data=data, file_stem=file_stem)


@st.cache_data(show_spinner=False)
def _load_editions(url: str, plan_code: str) -> pd.DataFrame:
    with data.get_engine(url).connect() as connection:
        listed = editions.list_editions(connection)
    return listed[listed["plan_code"] == plan_code].reset_index(drop=True)


@st.cache_data(show_spinner="Comparing with the SOM edition…")
def _load_changes_since(url: str, edition_id: int, as_of) -> editions.Changes:
    # as_of is part of the key: a later import gives other changes (data.clear_caches clears this too).
    with data.get_engine(url).connect() as connection:
        return editions.changes_since(connection, edition_id)


def draw_changed_since_edition(url: str, framework, key: str, names: dict[str, str] | None = None,
                               indicators=None, scopes=None, years=None) -> None:
    """Draw "changed since the SOM edition" for what a page shows: a choice of edition (the latest first) and the
    values revised since it, with the returns and targets behind them, restricted with kpi.editions.filter_changes.

    Draws nothing while no edition of the work plan has been frozen.
    """
    listed = _load_editions(url, framework.code)
    if listed.empty:
        return
    labels = {int(i): f"{n} (SOM of {d})" for i, n, d in zip(listed["id"], listed["name"], listed["som_date"])}
    st.subheader("Changed since the SOM edition")
    choice, summary = st.columns([2, 3], vertical_alignment="bottom")
    edition_id = choice.selectbox(
        "SOM edition", list(labels), format_func=labels.get, key=f"{key}_edition",
        help="The figures frozen for a SOM (SOM editions page), the latest first; what this page shows that "
             "differs from them is listed here.")
    changes = editions.filter_changes(_load_changes_since(url, edition_id, data.load_status(url).as_of),
                                      indicators, scopes, years)
    summary.markdown(literal(editions.describe_changes(changes)))
    if len(changes.values):
        draw_changed_values(changes.values, framework, names or {}, f"{key}_edition_values")
    if len(changes.returns):
        files = [f"{r['country'] or ''} {_year_text(r['year'])} {r['kind']} {r['file_name']} ({r['why']})".strip()
                 for r in changes.returns.to_dict("records")]
        st.caption("Files since the edition: " + literal("; ".join(files)) + ".")
    if len(changes.targets):
        targets = [f"{r['indicator']} {r['scope']}: target "
                   f"{format_number(r['target_before'], _unit(framework, r['indicator']))} → "
                   f"{format_number(r['target_after'], _unit(framework, r['indicator']))} ({r['why']})"
                   for r in changes.targets.to_dict("records")]
        st.caption("Baselines and targets since the edition: " + literal("; ".join(targets)) + ".")


def draw_changed_values(values: pd.DataFrame, framework, names: dict[str, str], key: str) -> None:
    """Draw the KPI values changed between two states (kpi.editions VALUE_COLUMNS) as read: each with its unit, the
    AMS by name, the statuses in their colours."""
    table = changed_values_table(values, framework, names)
    st.dataframe(style_status(table, ("Status shown", "Status now")), hide_index=True, height="content", key=key,
                 column_config={"Indicator": st.column_config.TextColumn(width=70),
                                "Scope": st.column_config.TextColumn(width=150),
                                "Year": st.column_config.TextColumn(width=50),
                                "Why": st.column_config.TextColumn(width=220)})


def changed_values_table(values: pd.DataFrame, framework, names: dict[str, str]) -> pd.DataFrame:
    """Return changed KPI values (kpi.editions VALUE_COLUMNS) as shown: Indicator, Scope (name), Year, Shown, Now
    (formatted with the unit, "no data" for none), Status shown, Status now, Why."""
    units = [_unit(framework, code) for code in values["indicator"]]

    def status(value) -> str:
        return value if isinstance(value, str) and value else "–"
    return pd.DataFrame({
        "Indicator": values["indicator"],
        "Scope": [names.get(s, s) for s in values["scope"]],
        "Year": [_year_text(y) for y in values["year"]],
        "Shown": [format_number(v, u) for v, u in zip(values["value_before"], units)],
        "Now": [format_number(v, u) for v, u in zip(values["value_after"], units)],
        "Status shown": [status(s) for s in values["status_before"]],
        "Status now": [status(s) for s in values["status_after"]],
        "Why": values["why"],
    })


def _unit(framework, code: str) -> str:
    return next((i.unit for i in framework.indicators if i.code == code), "")


def _year_text(year) -> str:
    return "" if is_missing(year) else str(int(year))


def draw_no_returns(framework) -> None:
    """Say that the work plan has no stored return for its years yet, and where to load one or pick another plan."""
    st.info(f"No country return is stored for the years of the {literal(framework.title)} yet. Load returns on the "
            "**Country returns** page, or choose another work plan in the sidebar.")


def status_badge(status: str | None) -> None:
    """Draw a status as a coloured badge that also prints the label (grey for anything not judged)."""
    label = status or NO_DATA
    st.badge(label, color=_BADGE_COLOURS.get(label, "gray"))


def status_markdown(status: str | None) -> str:
    """Return markdown for a status badge inline in text."""
    label = status or NO_DATA
    return f":{_BADGE_COLOURS.get(label, 'gray')}-badge[{label}]"


def style_status(frame: pd.DataFrame, columns: tuple[str, ...] = ("status",)):
    """Return a Styler colouring the status columns by status, label kept (white text on the status colour)."""
    def colour(value):
        if not isinstance(value, str) or value in ("", "yes", "no"):
            return ""
        return f"background-color: {charts.status_colour(value)}; color: white"
    present = [c for c in columns if c in frame.columns]
    return frame.style.map(colour, subset=present)


def draw_status_rules(framework, expanded: bool = False) -> None:
    """Draw how statuses are judged, in words (kpi.progress.explain_status_rules: the same text as the pack)."""
    with st.expander("How the status and the progress bar are worked out", expanded=expanded):
        for paragraph in explain_status_rules(framework.baseline_year, framework.target_year):
            st.markdown(literal(paragraph))


@contextlib.contextmanager
def explain_errors(what: str = "this page", stop_on_store_failure: bool = False):
    """Show an error in words instead of a traceback (st.stop and st.rerun pass through); the log has the details.

    A store failure shows the sentence of kpi.store_errors (what is wrong with the database, what to do); any
    other error names itself only, never its text (which can hold SQL or a file's content). With
    stop_on_store_failure the run ends after a store failure, so the page below does not say it again.
    """
    try:
        yield
    except Exception as error:  # noqa: BLE001 - a page must never show a traceback to an official
        st.error(literal(_describe(error, f"drawing {what}")), icon=":material/error:")
        if stop_on_store_failure and store_errors.is_store_error(error):
            st.stop()


def guard_callback(doing: str):
    """Decorate an on_click/on_change callback that touches the store: a failure becomes a message, not a traceback.

    Streamlit shows an exception raised in a callback with its traceback, above the page. The guarded callback
    logs it instead and leaves its sentence for show_callback_error, which the page furniture calls on the run
    that follows (a message drawn by the callback itself would be lost when the page reruns through the router).
    """
    def decorate(callback):
        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - see above
                st.session_state[CALLBACK_ERROR] = _describe(error, doing)
        return guarded
    return decorate


def show_callback_error() -> None:
    """Show, once, what went wrong in the last guarded callback (see guard_callback)."""
    message = st.session_state.pop(CALLBACK_ERROR, None)
    if message:
        st.error(literal(message), icon=":material/error:")


def _describe(error: Exception, doing: str) -> str:
    """Log the error with its traceback; return what to tell the official, in words."""
    if store_errors.is_store_error(error):
        problem = store_errors.explain(error, data.get_database_url())
        # A StoreUnavailable without a cause was made from a report whose maker logged the details already.
        details = error if not isinstance(error, store_errors.StoreUnavailable) or error.__cause__ else None
        _LOG.error("the store failed while %s (%s): %s", doing, problem.kind, problem.message, exc_info=details)
        return problem.message
    _LOG.error("error while %s", doing, exc_info=error)
    return (f"Something went wrong while {doing} (an internal error, {type(error).__name__}); nothing was changed. "
            "Try reloading the page; if it happens again, tell the secretariat's technical contact the time it "
            "happened.")


def _deferred(function, *args):
    return lambda: function(*args)


def _country_names() -> dict[str, str]:
    return data.read_country_names(data.get_database_url())


def _for_export(table: pd.DataFrame, names: dict[str, str], units: dict[str, str]) -> pd.DataFrame:
    # Exports keep the unrounded figures; only dict/list cells are turned into text. A reader gets the name beside
    # each ISO3 code and the unit in the headers of the figures (kpi.exports.tables.label_columns).
    frame = table.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (dict, list))).any():
            frame[column] = frame[column].map(lambda v: "" if v in ({}, []) else
                                              ", ".join(map(str, v)) if isinstance(v, list) else str(v))
    return tables.label_columns(frame, names, units)


def _mark(fig: go.Figure, demo: bool, plan) -> None:
    # Provisional first: its line sits under the source line, where the demo marker (right-aligned on it) is not.
    charts.mark_provisional(fig, plan)
    if demo:
        charts.mark_demo(fig)


def _plan():
    """Return the work plan chosen in the sidebar: a provisional one is marked in every export."""
    return data.get_framework()


def _is_demo() -> bool:
    """Return True while demo data is stored: every export then says so."""
    return bool(data.load_status(data.get_database_url()).has_demo_data)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "export"


def draw_lineage_link(code: str | None, scope: str, year: int | None, plan_code: str, label: str) -> None:
    """Link to the page that lists the stored cells behind a figure (pages/lineage.py), with what is known of its
    key (no indicator: the one chosen last there)."""
    params = {"scope": scope, "plan": plan_code, **({"indicator": code} if code else {}),
              **({"year": str(year)} if year is not None else {})}
    st.page_link("pages/lineage.py", label=label, icon=":material/account_tree:", query_params=params)
