"""Cached loaders: one engine per database URL, query results cached until an import or edit clears them."""

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
    # One per store and process: a lock, so two first visitors do not both load, and whether it was done.
    return {"lock": threading.Lock(), "done": False}


def ensure_demo_data(url: str) -> int:
    """Load the demo returns into a store that was never used (once per process), with a progress bar saying how
    many files are loaded; return how many were loaded."""
    state = _demo_data_state(url)
    if state["done"]:
        return 0
    with state["lock"]:
        if state["done"]:
            return 0
        # Not inside a cached function: Streamlit would replay the progress bar on every later run.
        bar = st.progress(0.0, text="Loading the demo data for a first look…")
        try:
            loaded = load_demo_data(get_engine(url), user="demo", progress=lambda done, total, name: bar.progress(
                done / total, text=f"Loading the demo data for a first look: {done} of {total} files"))
        finally:
            bar.empty()
        state["done"] = True
    if loaded:
        clear_caches()
    return loaded


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
    """Return {iso3: name} for the ten AMS."""
    states = load_member_states(url)
    return dict(zip(states["iso3"], states["name"]))


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
