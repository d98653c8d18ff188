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
# Every text the progress bar showed, recorded in the page as it changes: the load can be over before a check
# that looks from outside would catch the bar.
RECORD_PROGRESS = """
window.progressTexts = [];
new MutationObserver(() => {
    for (const bar of document.querySelectorAll('[data-testid="stProgress"]')) {
        if (bar.innerText && window.progressTexts.at(-1) !== bar.innerText) window.progressTexts.push(bar.innerText);
    }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
BAR_SHOWN = "() => window.progressTexts.length > 0"


def test_first_visit__the_demo_data_loads_with_a_progress_bar_then_the_overview_shows(new_store_url, tmp_path, ui,
                                                                                      page):
    with ui.run_app(new_store_url("first-visit"), tmp_path / "streamlit.log") as url:
        page.add_init_script(RECORD_PROGRESS)
        # As every browser test opens a page: the first visit must not leave the page looking unstarted or finished
        # too early (the emptied bar stays as the page's first, hidden element).
        ui.open_app(page, url)
        # No waiting for the heading: once the run that showed the bar has ended, the overview is there. (It used
        # to rerun the page: between the two runs the page read as finished and held only the bar.)
        assert page.get_by_role("heading", name=OVERVIEW).count() == 1
        assert page.get_by_test_id("stProgress").count() == 0
        assert any(PROGRESS.search(shown) for shown in page.evaluate("window.progressTexts"))
        assert page.errors == []


def test_first_visit__a_visitor_who_leaves_during_the_load_does_not_stop_it(new_store_url, tmp_path, ui, browser):
    store_url = new_store_url("left-early")
    with ui.run_app(store_url, tmp_path / "streamlit.log") as url:
        first = browser.new_context().new_page()
        first.add_init_script(RECORD_PROGRESS)
        first.goto(url)
        first.wait_for_function(BAR_SHOWN, timeout=ui.slow_step_ms)
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
