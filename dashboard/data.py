"""Cached loaders: one engine per database URL, query results cached until the data changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import memo
from dashboard.state import selected_plan
from importers.demo import load_demo_data
from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK, FRAMEWORKS, Framework
from kpi.config import resolve_database_url
from kpi.db import write_transaction
from kpi.store_errors import open_store  # kpi.db.open_store, its failures in words (StoreUnavailable)
from kpi.engine import compute_report
from kpi.membership import Membership


@dataclass(frozen=True)
class StoreStatus:
    """What the sidebar says about the data: how much, how fresh, whether it is demo data."""

    submissions: int
    has_demo_data: bool
    as_of: object  # datetime or None


def get_database_url() -> str:
    """Return the database URL ($ACCSM_DATABASE_URL or the project default)."""
    return resolve_database_url()


def get_framework(code: str | None = None) -> Framework:
    """Return the framework with this code; without one, the work plan chosen in the sidebar (else the current)."""
    return FRAMEWORKS[code or selected_plan() or CURRENT_FRAMEWORK.code]


@st.cache_resource(show_spinner=False)
def get_engine(url: str) -> Engine:
    """Return the engine of an up-to-date store at `url` (one per process)."""
    return open_store(url)


@st.cache_resource(show_spinner=False)
def _demo_data_state(url: str) -> dict:
    # One per store and process: the loading thread (at most one), how far it is, what it loaded or raised.
    return {"lock": threading.Lock(), "thread": None, "progress": (0, 0), "loaded": None, "error": None}


def ensure_demo_data(url: str) -> int:
    """Load the demo returns into a store that was never used (once per process), showing a progress bar that says
    how many files are loaded; return how many were loaded (0 when the store was used before).

    The files load on a thread of their own, not in the page's run: a visitor who closes the tab or clicks
    elsewhere meanwhile stops the page, not the load, so the demo data is never left half loaded. Every visitor
    arriving meanwhile sees the same progress. A failed load is raised here and tried again on the next run.
    """
    state = _demo_data_state(url)
    with state["lock"]:
        if state["loaded"] is None and state["thread"] is None:
            engine = get_engine(url)
            with engine.connect() as connection:
                used = store.has_history(connection)
            if used:
                state["loaded"] = 0
            else:
                state["error"] = None
                state["thread"] = threading.Thread(target=_load_demo, args=(engine, state), daemon=True,
                                                   name="demo-data-load")
                state["thread"].start()
        elif state["thread"] is not None and not state["thread"].is_alive():
            state["thread"] = None  # finished while no page was watching it
        thread = state["thread"]
    if thread is not None:
        bar = st.progress(0.0, text="Loading the demo data for a first look…")
        while thread.is_alive():
            done, total = state["progress"]
            if total:
                bar.progress(done / total, text=f"Loading the demo data for a first look: {done} of {total} files")
            thread.join(0.2)
        with state["lock"]:
            if state["thread"] is thread:
                state["thread"] = None
        # The page goes on in this run, below the emptied bar. A rerun would end this run first, and in the moment
        # between the two runs the browser shows a finished page holding only the bar.
        bar.empty()
    if state["error"] is not None:
        raise state["error"]
    return state["loaded"] or 0


def _load_demo(engine: Engine, state: dict) -> None:
    try:
        loaded = load_demo_data(engine, user="demo",
                                progress=lambda done, total, name: state.update(progress=(done, total)))
    except Exception as error:  # noqa: BLE001 - handed to the page run, which shows it (widgets.explain_errors)
        state["error"] = error
        return
    if loaded:
        clear_caches()  # nothing cached before the load holds the demo data
    state["loaded"] = loaded


@st.cache_data(show_spinner="Computing the indicators…")
def load_report(url: str, framework_code: str = CURRENT_FRAMEWORK.code) -> pd.DataFrame:
    """Return the full KPI table (every indicator, scope and year) of the framework."""
    with get_engine(url).connect() as connection:
        return compute_report(connection, get_framework(framework_code))


@st.cache_data(show_spinner=False)
def load_returned_years(url: str) -> list[int]:
    """Return the years with at least one stored return, in order (which plan to show by default)."""
    with get_engine(url).connect() as connection:
        return sorted(store.read_returned_years(connection))


@st.cache_data(show_spinner=False)
def load_membership(url: str) -> Membership:
    """Return the dated membership: which AMS report in which year (the N of "8 of N AMS")."""
    with get_engine(url).connect() as connection:
        return Membership.from_frame(store.read_member_states(connection))


@st.cache_data(show_spinner=False)
def load_status(url: str) -> StoreStatus:
    """Return how many submissions are stored, whether any is demo data, and the as-of date."""
    with get_engine(url).connect() as connection:
        return StoreStatus(store.count_submissions(connection), store.has_demo_data(connection),
                           store.data_as_of(connection))


@st.cache_data(show_spinner=False)
def load_member_states(url: str) -> pd.DataFrame:
    """Return the ten AMS (iso3, name) in ASEAN's order."""
    with get_engine(url).connect() as connection:
        return store.read_member_states(connection)


@st.cache_data(show_spinner=False)
def load_submissions(url: str, kind: str | None = None, country: str | None = None) -> pd.DataFrame:
    """Return stored submissions, newest first."""
    with get_engine(url).connect() as connection:
        return store.read_submissions(connection, kind=kind, country=country)


@st.cache_data(show_spinner=False)
def load_arc_themes(url: str) -> pd.DataFrame:
    """Return every dated ARC theme (reference lists and returns)."""
    with get_engine(url).connect() as connection:
        return store.read_arc_themes(connection)


@st.cache_data(show_spinner=False)
def load_items(url: str, list_code: str) -> pd.DataFrame:
    """Return the rows of one list sheet (policies, arc_projects, reform_measures) over the current returns."""
    with get_engine(url).connect() as connection:
        return store.read_current_items(connection, list_code)


@st.cache_data(show_spinner=False)
def load_targets(url: str, framework_code: str = CURRENT_FRAMEWORK.code) -> pd.DataFrame:
    """Return the entered baselines and targets with who set each and when."""
    with get_engine(url).connect() as connection:
        return store.read_targets(connection, framework_code)


@st.cache_data(show_spinner=False)
def load_workplan(url: str, framework_code: str = CURRENT_FRAMEWORK.code) -> pd.DataFrame:
    """Return the work plan's programmes with their status."""
    with get_engine(url).connect() as connection:
        return store.read_workplan(connection, framework_code)


@st.cache_data(show_spinner=False)
def load_audit(url: str, entity: str | None = None) -> pd.DataFrame:
    """Return the audit log, newest first, optionally for one entity."""
    with get_engine(url).connect() as connection:
        return store.read_audit(connection, entity=entity)


def read_country_names(url: str) -> dict[str, str]:
    """Return {iso3: name} for the AMS (kept between reruns, like a page's tables: never change it)."""
    def build() -> dict[str, str]:
        states = load_member_states(url)
        return dict(zip(states["iso3"], states["name"]))
    return memo.remember("country_names", (url,), build)


@st.cache_resource(show_spinner=False)
def _seen_change_markers() -> dict:
    # Per process: the store's change marker when its cached data was read, by database URL.
    return {}


def refresh_if_changed(url: str) -> None:
    """Drop the caches when the store changed outside this server (`python -m importers load`, another server
    on the same database) since its cached data was read; one small query per page run."""
    with get_engine(url).connect() as connection:
        marker = store.read_change_marker(connection)
    seen = _seen_change_markers()
    if url in seen and seen[url] != marker:
        clear_caches()
    seen[url] = marker


def clear_caches() -> None:
    """Forget every cached query result and what pages built from them: call after any import or edit."""
    st.cache_data.clear()
    memo.forget()


def save_targets(url: str, plan_code: str, rows: list[tuple], user: str) -> int:
    """Store (indicator, scope, baseline, target, note) rows in one transaction; return how many changed."""
    with write_transaction(get_engine(url)) as connection:
        changed = sum(store.set_target(connection, plan_code, *row, user) for row in rows)
    clear_caches()
    return changed


def remove_demo_data(url: str, user: str) -> int:
    """Delete every demo submission and demo target in one transaction; clear caches; return submissions removed."""
    with write_transaction(get_engine(url)) as connection:
        removed = store.remove_demo_data(connection, user)
    clear_caches()
    return removed
