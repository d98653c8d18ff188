"""The page on where a figure comes from: reached from the Indicator and Member State pages, with the figure's key
in the link; the cells behind the figure shown as text; exportable."""

from __future__ import annotations

from conftest import assert_clean, texts

from kpi.membership import ASEAN
from tests.pages.fixture_store import RETURNS

PAGE = "pages/lineage.py"


def _tables(at) -> dict:
    """{"lineage_value" / "lineage_baseline" / "lineage_target": the table under that heading}."""
    parts = {"The value": "lineage_value", "The baseline": "lineage_baseline", "The target": "lineage_target"}
    headings = [parts[h] for m in at.markdown for h in parts if str(m.value).startswith(f"**{h}")]
    tables = [e.value for e in at.dataframe if "where" in e.value.columns]
    assert len(headings) == len(tables), (headings, len(tables))
    return dict(zip(headings, tables))


def test_lineage_page__the_ams_returns_behind_a_regional_figure(database_url, open_page):
    at = open_page(PAGE, indicator="A.1.1", scope=ASEAN, year="2018", plan="2016-2020")
    assert_clean(at)
    assert at.title[0].value == "Where a figure comes from"
    tables = _tables(at)
    values = tables["lineage_value"]
    # BRN and IDN sent 2018 returns (KHM did not): agencies covered and agencies implementing, each from its cell.
    assert sorted(values["value"]) == sorted(["20", "12", "100", "45"])
    assert values["Member State"].nunique() == 2 and "Cambodia" not in set(values["Member State"])
    assert values["where"].str.fullmatch(r"Return D\d+").all()  # the sheet and cells the fixture stored them at
    assert values["loaded"].str.fullmatch(r"fixture, \d{4}-\d\d-\d\d \d\d:\d\d UTC").all()
    assert values["file"].str.fullmatch(r"(BRN|IDN)_2018\.xlsx \(no\. \d+\)").all()
    baseline = tables["lineage_baseline"]  # the three 2014 returns behind the computed baseline
    assert sorted(baseline["value"]) == sorted(["20", "5", "40", "4", "100", "30"])
    assert "A.1.1 · ASEAN · 2018" in texts(at)
    assert {b.key for b in at.get("download_button")} >= {"lineage_csv", "lineage_xlsx"}


def test_lineage_page__one_ams_and_the_link_keeps_the_choice(database_url, open_page):
    at = open_page(PAGE, indicator="A.1", scope="BRN", year="2017", plan="2016-2020")
    assert_clean(at)
    values = _tables(at)["lineage_value"]
    assert list(values["value"]) == [RETURNS[("BRN", 2017)]["a1_competency_institutionalised"]]
    assert (at.query_params["scope"], at.query_params["indicator"]) == ("BRN", "A.1")


def test_lineage_page__an_ams_without_a_return_that_year_has_nothing_behind_it(database_url, open_page):
    at = open_page(PAGE, indicator="A.1", scope="KHM", year="2018", plan="2016-2020")
    assert_clean(at)
    tables = _tables(at)
    assert "lineage_value" not in tables  # nothing carried over from 2017
    assert list(tables["lineage_baseline"]["value"]) == ["no"]  # KHM's 2014 answer


def test_indicator_and_member_state_pages_link_to_the_sources_of_their_figures(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="B.1.1", year="2018")
    assert_clean(at)
    links = [e for e in at.get("page_link") if "come from" in e.proto.label]
    assert len(links) == 1 and links[0].proto.page.endswith("lineage")
    at = open_page("pages/member_state.py", country="BRN", year="2018")
    assert_clean(at)
    assert [e for e in at.get("page_link") if "come from" in e.proto.label]
