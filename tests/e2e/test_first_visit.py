"""The first visit to a never-used store (issue 13): the demo data loads with a progress bar saying how far it is,
then the overview shows; a visitor leaving during the load does not leave the demo data half loaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from importers.demo import list_demo_files

pytestmark = pytest.mark.e2e

PROGRESS = re.compile(rf"Loading the demo data for a first look: \d+ of {len(list_demo_files())} files")
OVERVIEW = re.compile(r"^Where ASEAN stands in \d{4}")


def test_first_visit__the_demo_data_loads_with_a_progress_bar_then_the_overview_shows(new_store_url, tmp_path, ui,
                                                                                      page):
    with ui.run_app(new_store_url("first-visit"), tmp_path / "streamlit.log") as url:
        page.goto(url)
        bar = page.get_by_test_id("stProgress")
        expect(bar).to_contain_text(PROGRESS)
        expect(page.get_by_role("heading", name=OVERVIEW)).to_be_visible()
        expect(bar).to_have_count(0)
        ui.wait_for_app(page)
        assert page.errors == []


def test_first_visit__a_visitor_who_leaves_during_the_load_does_not_stop_it(new_store_url, tmp_path, ui, browser):
    store_url = new_store_url("left-early")
    with ui.run_app(store_url, tmp_path / "streamlit.log") as url:
        first = browser.new_context().new_page()
        first.goto(url)
        expect(first.get_by_test_id("stProgress")).to_contain_text(PROGRESS, timeout=ui.slow_step_ms)
        first.context.close()  # the tab is closed while the files load

        second = browser.new_context().new_page()
        ui.open_app(second, url)
        expect(second.get_by_role("heading", name=OVERVIEW)).to_be_visible(timeout=ui.slow_step_ms)
        second.context.close()
    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM submission WHERE is_demo")).scalar()
    finally:
        engine.dispose()
    assert stored == len(list_demo_files())
