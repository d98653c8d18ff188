"""The work plan is a choice on every page: `?plan=` in the link, by default the plan of the year, and a provisional
plan said on every page and in every chart and table it exports (issue 10, item 3)."""

from __future__ import annotations

import hashlib

import pytest
from conftest import assert_clean, figures, texts

from kpi import store
from kpi.catalogue import FRAMEWORKS
from kpi.charts import provisional_marker
from kpi.db import open_store
from kpi.store import CellValue, ReturnContent, SubmissionInfo

KPI_PAGES = ["pages/overview.py", "pages/indicator.py", "pages/member_state.py", "pages/exports.py"]
NEW_PLAN = FRAMEWORKS["2026-2030"]
MARKER = provisional_marker(NEW_PLAN)
# Returns in the years of the 2026-2030 plan, beside the fixture's 2014-2018 ones.
NEW_RETURNS = {
    ("BRN", 2025): dict(agencies_total=20, a1_competency_institutionalised="yes", a11_agencies_competency=14),
    ("BRN", 2026): dict(agencies_total=20, a1_competency_institutionalised="yes", a11_agencies_competency=16),
    ("KHM", 2026): dict(agencies_total=40, a1_competency_institutionalised="no", a11_agencies_competency=10),
}


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _plan_box(at):
    return at.selectbox(key="url_plan")


@pytest.fixture
def two_plans_url(database_url) -> str:
    """The page fixture store plus returns for 2025 and 2026."""
    engine = open_store(database_url)
    with engine.begin() as connection:
        for (country, year), values in NEW_RETURNS.items():
            content = ReturnContent(country=country, year=year, values={
                code: CellValue(value, "Return", f"D{row}")
                for row, (code, value) in enumerate({"country": country, "year": year, **values}.items(), start=2)})
            digest = hashlib.sha256(f"{country}{year}{values}".encode()).hexdigest()
            store.store_return(connection, content, SubmissionInfo(
                kind="return", file_name=f"{country}_{year}.xlsx", sha256=digest, content_digest=digest,
                template_version="1", user="fixture", is_demo=False, country=country, year=year))
    engine.dispose()
    return database_url


@pytest.mark.parametrize("year, plan", [("2018", "2016-2020"), ("2026", "2026-2030")])
def test_plan__a_linked_year_chooses_its_plan(two_plans_url, open_page, year, plan):
    at = open_page("pages/overview.py", year=year)
    assert_clean(at)
    assert _plan_box(at).value == plan
    assert _param(at, "plan") == plan  # written back, so the link can be shared
    assert at.selectbox(key="url_year").value == int(year)


def test_plan__without_a_link_the_plan_of_the_latest_returns(database_url, two_plans_url, open_page):
    at = open_page("pages/overview.py")
    assert_clean(at)
    assert _plan_box(at).value == "2026-2030"
    assert at.selectbox(key="url_year").value == 2026
    assert 2018 not in at.selectbox(key="url_year").options  # the years are the plan's


def test_plan__an_old_store_opens_on_the_old_plan(database_url, open_page):
    at = open_page("pages/overview.py")
    assert_clean(at)
    assert _plan_box(at).value == "2016-2020"
    assert MARKER not in texts(at) and "provisional" not in texts(at).lower()


@pytest.mark.parametrize("page", KPI_PAGES)
def test_plan__a_provisional_plan_is_said_on_every_kpi_page(two_plans_url, open_page, page):
    at = open_page(page, plan="2026-2030", year="2026")
    assert_clean(at)
    assert any("Provisional framework" in w.value and "not yet adopted" in w.value for w in at.warning)
    for figure in figures(at):
        assert MARKER in [a.get("text") for a in figure["layout"].get("annotations", [])], figure["layout"]["title"]


def test_plan__the_kpis_are_those_of_the_plan(two_plans_url, open_page):
    at = open_page("pages/indicator.py", plan="2026-2030", year="2026", indicator="A.1.1")
    assert_clean(at)
    values = next(f.value for f in at.dataframe if "scope" in f.value.columns).set_index("scope")
    assert values.loc["BRN", "value"] == "80.0 %"  # 16 of 20 agencies in 2026
    assert values.loc["KHM", "value"] == "25.0 %"
    assert "Baseline 2025" in texts(at)  # the new plan's baseline year


def test_plan__changing_the_plan_moves_the_year_into_it(two_plans_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    _plan_box(at).select("2026-2030").run()
    assert_clean(at)
    assert _param(at, "plan") == "2026-2030"
    assert at.selectbox(key="url_year").value == 2026  # the latest year of the plan with data, with no warning
    assert not [w for w in at.warning if "link asks" in w.value]


def test_plan__kept_when_you_come_back(two_plans_url, open_page):
    at = open_page("pages/indicator.py", plan="2026-2030", year="2025")
    at.switch_page("pages/returns.py")
    at.query_params.clear()  # the sidebar's link to a page carries no parameters
    at.run()
    assert_clean(at)
    at.switch_page("pages/indicator.py")
    at.query_params.clear()
    at.run()
    assert_clean(at)
    assert _plan_box(at).value == "2026-2030"
    assert at.selectbox(key="url_year").value == 2025
    assert _param(at, "plan") == "2026-2030"


def test_plan__a_plan_without_returns_says_so(database_url, open_page):
    at = open_page("pages/overview.py", plan="2026-2030")
    assert_clean(at)
    assert "No country return is stored for the years of the ACCSM and ACCSM+3 Work Plans 2026-2030" in texts(at)


@pytest.mark.parametrize("plan, has_timor_leste", [("2016-2020", False), ("2026-2030", True)])
def test_plan__member_state_offers_the_members_of_the_plan(two_plans_url, open_page, plan, has_timor_leste):
    at = open_page("pages/member_state.py", plan=plan)
    assert_clean(at)
    assert ("Timor-Leste" in at.selectbox(key="url_country").options) is has_timor_leste
