"""The exports page builds the SOM briefing pack on a click and offers the KPI table and stored returns."""

from __future__ import annotations

import pytest
from conftest import assert_clean, texts


def test_exports_page__offers_the_kpi_table_and_stored_returns(database_url, open_page):
    at = open_page("pages/exports.py", year="2018")
    assert_clean(at)
    assert "SOM briefing pack, 2018" in texts(at)
    keys = {b.key for b in at.get("download_button")}
    assert {"kpi_table_csv", "kpi_table_xlsx", "returns_xlsx"} <= keys
    assert "briefing_pptx" not in keys  # nothing is built until asked


@pytest.mark.slow
def test_exports_page__builds_the_briefing_pack_on_click(database_url, open_page):
    at = open_page("pages/exports.py", year="2018")
    at.button(key="build_briefing").click()
    at.run(timeout=240)

    assert_clean(at)
    keys = {b.key for b in at.get("download_button")}
    assert {"briefing_pptx", "briefing_pdf"} <= keys
    assert any("slides built in" in s.value for s in at.success)


@pytest.fixture
def file_names(monkeypatch):
    """Record {button key: file name} of every download button drawn (a deferred file's name is not in its proto)."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator
    names: dict[str, str] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data=None, file_name=None, *args, **kwargs):
        names[kwargs.get("key")] = file_name
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: recording(st._main, *a, **k))
    return names


@pytest.mark.parametrize("demo, expected", [(True, "accsm_returns-DEMO.xlsx"), (False, "accsm_returns.xlsx")])
def test_exports_page__stored_returns_file_name_says_demo(request, open_page, file_names, demo, expected):
    request.getfixturevalue("demo_database_url" if demo else "database_url")
    at = open_page("pages/exports.py", year="2018")
    assert_clean(at)
    assert file_names["returns_xlsx"] == expected
    assert file_names["kpi_table_csv"].endswith("-DEMO.csv") is demo


def test_exports_page__a_provisional_plan_is_in_the_file_names(database_url, open_page, file_names):
    at = open_page("pages/exports.py", plan="2026-2030")
    assert_clean(at)
    assert file_names["kpi_table_csv"] == "accsm_kpi_table_2026-2030-PROVISIONAL.csv"
    assert at.button(key="build_briefing").disabled  # no return in the plan's years: nothing to brief on
    assert "No country return is stored for the years of" in texts(at)


def test_exports_page__says_what_the_pack_holds(database_url, open_page):
    at = open_page("pages/exports.py", year="2018")
    caption = texts(at)
    # 17 indicator trends, a profile for each of the ten AMS of 2018, and the map.
    assert "About 28 charts (17 indicator trends, 10 AMS profiles and the map)" in caption
    assert "key messages" in caption and "completeness" in caption
