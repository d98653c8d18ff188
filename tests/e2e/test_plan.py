"""The work plan in a real browser (issue 10): a link's year chooses its plan, a provisional plan is said on the page
and inside its charts, and choosing the other plan in the sidebar moves the link and the page with it."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from kpi import store
from kpi.catalogue import FRAMEWORKS
from kpi.charts import provisional_marker
from kpi.store import CellValue, ReturnContent, SubmissionInfo
from tests.e2e.layout import VIEWPORTS, find_inner_scroll, find_overlapping_labels, horizontal_overflow
from tests.pages.fixture_store import build_fixture_store

pytestmark = pytest.mark.e2e

MARKER = provisional_marker(FRAMEWORKS["2026-2030"])
_ANNOTATIONS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .map(plot => (plot.layout.annotations || []).map(a => a.text))"""


@pytest.fixture(scope="module")
def two_plans_app(tmp_path_factory, new_shared_store_url, ui):
    """A server of its own on a small store with returns in both plans (2014-2018 and 2025-2026)."""
    folder = tmp_path_factory.mktemp("plans")
    engine = build_fixture_store(new_shared_store_url("plans"))
    with engine.begin() as connection:
        for country, year, competent in (("BRN", 2025, 14), ("BRN", 2026, 16), ("KHM", 2026, 10)):
            values = {"country": country, "year": year, "agencies_total": 20 if country == "BRN" else 40,
                      "a1_competency_institutionalised": "yes", "a11_agencies_competency": competent}
            digest = hashlib.sha256(f"{country}{year}".encode()).hexdigest()
            store.store_return(connection, ReturnContent(country=country, year=year, values={
                code: CellValue(value, "Return", f"D{row}") for row, (code, value) in enumerate(values.items(), 2)}),
                SubmissionInfo(kind="return", file_name=f"{country}_{year}.xlsx", sha256=digest,
                               content_digest=digest, template_version="1", user="e2e", is_demo=False,
                               country=country, year=year))
    url = str(engine.url)
    engine.dispose()
    with ui.run_app(url, folder / "streamlit.log") as app_url:
        yield app_url


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_plan__a_provisional_plan_is_said_on_the_page_and_in_its_charts(page, two_plans_app, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    ui.open_app(page, two_plans_app, "indicator?year=2026&indicator=A.1.1")  # the year alone chooses the plan
    expect(page).to_have_url(re.compile(r"plan=2026-2030"))
    expect(_sidebar(page).get_by_role("combobox", name="Work plan")).to_have_value("2026-2030 (provisional)")
    banner = page.locator('[data-testid="stAlert"]').filter(has_text="Provisional framework")
    expect(banner).to_contain_text("not yet adopted")
    # The trend, the ranking and the map: waited for as drawn, not for a time.
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .filter(p => p.layout && p.querySelector('.main-svg')).length >= 3""")
    charts = page.evaluate(_ANNOTATIONS)
    assert charts and all(MARKER in texts for texts in charts), charts
    assert (find_inner_scroll(page), find_overlapping_labels(page), horizontal_overflow(page)) == ([], [], 0)
    ui.save_full_page(page, output_dir / f"plan_provisional_indicator_{size}.png")


def test_plan__choosing_the_other_plan_moves_the_link_and_the_page(page, two_plans_app, ui):
    ui.open_app(page, two_plans_app, "?plan=2026-2030")
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Provisional framework")).to_be_visible()
    _sidebar(page).get_by_role("combobox", name="Work plan").click()
    page.get_by_role("option", name="2016-2020").click()
    expect(page).to_have_url(re.compile(r"plan=2016-2020"))
    ui.wait_for_app(page)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Provisional framework")).to_have_count(0)
    expect(_sidebar(page).get_by_role("combobox", name="Reporting year")).to_have_value("2018")
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text("Where ASEAN stands in 2018")
