"""Fixtures for the page tests: a seeded SQLite store the app points at, clean Streamlit caches, an app runner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).parent))
from fixture_store import build_fixture_store  # noqa: E402

from dashboard.text import shown  # noqa: E402,F401 - what a reader sees of an element's Markdown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/overview.py", "pages/indicator.py", "pages/member_state.py", "pages/lineage.py", "pages/returns.py",
         "pages/targets.py", "pages/workplan.py", "pages/arcs.py", "pages/editions.py", "pages/exports.py",
         "pages/audit.py", "pages/users.py"]


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def database_url(new_store_url, monkeypatch) -> str:
    url = new_store_url("pages")
    build_fixture_store(url).dispose()
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)
    monkeypatch.setenv("ACCSM_USER", "tester")
    return url


@pytest.fixture
def demo_database_url(new_store_url, monkeypatch) -> str:
    url = new_store_url("demo")
    build_fixture_store(url, user="demo", is_demo=True).dispose()
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)
    monkeypatch.setenv("ACCSM_USER", "tester")
    return url


@pytest.fixture
def open_page():
    """Return a function that runs the app on a page with URL query parameters and returns the AppTest."""
    def open_(page: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        if page:
            for name, value in params.items():
                at.query_params[name] = value
            at.switch_page(page).run()
        return at
    return open_


def texts(at: AppTest) -> str:
    """Return every piece of text the page shows (markdown, captions, titles, alerts, metrics), joined.

    Values from outside our code reach those elements escaped (dashboard.text.literal): the text is what a
    reader sees, without the escapes.
    """
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "text"):
        parts += [shown(str(e.value)) for e in at.get(kind)]
    parts += [f"{shown(m.label)} {m.value}" for m in at.metric]
    return "\n".join(parts)


def figures(at: AppTest) -> list[dict]:
    """Return the plotly figure specs drawn on the page."""
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def assert_clean(at: AppTest) -> None:
    """Fail when the page raised or showed an error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
