"""Every page renders against a seeded store; widgets and URL parameters drive what is shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PAGES, assert_clean, figures, shown, texts
from sqlalchemy import select

from kpi import schema, store
from kpi.db import open_store
from tests.e2e.test_browser import PAGES as BROWSER_PAGES

FRAME = Path(__file__).resolve().parents[2] / "dashboard" / "frame.py"


def test_pages__every_page_of_the_navigation_is_rendered_by_the_smoke_tests():
    navigation = re.findall(r'st\.Page\("(pages/[^"]+)"', FRAME.read_text(encoding="utf-8"))
    assert navigation and sorted(PAGES) == sorted(navigation)
    assert sorted(f"pages/{stem}.py" for stem, *_ in BROWSER_PAGES) == sorted(navigation)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(database_url, open_page, page):
    at = open_page(page)
    assert_clean(at)
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders__empty_database(tmp_path, new_store_url, monkeypatch, open_page, page):
    monkeypatch.setenv("ACCSM_DATABASE_URL", new_store_url("empty"))
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]


def test_furniture__plan_period_year_as_of_and_user(database_url, open_page):
    at = open_page()
    assert_clean(at)
    shown = texts(at)
    assert "ACCSM Work Plan 2016-2020 · baseline 2014 · target 2020" in shown
    assert "Data as of" in shown
    assert "Local mode: no sign-in; acting as tester (secretariat) — only this computer can connect" in shown
    assert at.selectbox(key="url_year").value == 2018  # the latest year with data
    assert at.query_params["year"] == ["2018"] or at.query_params["year"] == "2018"


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_overview__year_from_url_reproduces_view(database_url, open_page):
    at = open_page("pages/overview.py", year="2017")
    assert_clean(at)
    assert at.title[0].value == "Where ASEAN stands in 2017"
    assert at.selectbox(key="url_year").value == 2017


def test_overview__selecting_a_year_changes_url_and_content(database_url, open_page):
    at = open_page("pages/overview.py")
    assert at.title[0].value == "Where ASEAN stands in 2018"
    at.selectbox(key="url_year").select(2017).run()
    assert_clean(at)
    assert _param(at, "year") == "2017"
    assert at.title[0].value == "Where ASEAN stands in 2017"


def test_overview__unknown_year_in_url_falls_back_with_a_note(database_url, open_page):
    at = open_page("pages/overview.py", year="1999")
    assert not at.exception
    assert any("1999" in shown(w.value) for w in at.warning)
    assert at.title[0].value == "Where ASEAN stands in 2018"
    assert _param(at, "year") == "2018"


def test_overview__no_data_is_shown_as_no_data_never_zero(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    scorecards = {frame.value["code"].iloc[0][0]: frame.value for frame in at.dataframe
                  if "code" in frame.value.columns and "progress_pct" in frame.value.columns}
    area_b = scorecards["B"].set_index("code")
    assert area_b.at["B.1.1", "value"] == "no data"
    assert area_b.at["B.1.1", "status"] == "no data"
    area_a = scorecards["A"].set_index("code")
    assert area_a.at["A.1.1", "value"] == "52.5 %"
    assert area_a.at["A.1.1", "coverage"] == "2 of 10 AMS"
    assert area_a.at["A.1.1", "status"] == "achieved"


def test_overview__status_matrix_prints_labels(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    matrix = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")
    cells = [cell for row in matrix["data"][0]["text"] for cell in row]
    assert any("achieved" in c for c in cells)
    assert "no data" in cells
    assert "yes" in cells  # an AMS's yes/no answer, not a status


def test_overview__what_changed_lists_changed_indicators_and_arrivals(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    changes = next(f.value for f in at.dataframe if "movement" in f.value.columns and "change" in f.value.columns)
    a11 = changes.set_index("code").loc["A.1.1"]  # every indicator is listed, with its change and status movement
    assert (a11["change"], a11["movement"]) == ("+20.0 pts", "improved")
    assert "New since 2017: Indonesia" in texts(at)


def test_indicator__url_reproduces_view(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="E.3", year="2017")
    assert_clean(at)
    assert shown(at.title[0].value).startswith("E.3 ·")
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert "E.3 trend, 2014–2020" in titles
    assert "E.3 by AMS, 2017" in titles


def test_indicator__selecting_another_indicator_changes_url_and_content(database_url, open_page):
    at = open_page("pages/indicator.py")
    at.selectbox(key="url_indicator").select("A.1.1").run()
    assert_clean(at)
    assert _param(at, "indicator") == "A.1.1"
    assert shown(at.title[0].value).startswith("A.1.1 ·")


def test_indicator__unknown_indicator_falls_back_with_a_note(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="Z.9")
    assert not at.exception
    assert any("Z.9" in shown(w.value) for w in at.warning)
    assert shown(at.title[0].value).startswith("A.1 ·")


def test_indicator__countries_in_url_limit_the_trend(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", countries="BRN")
    assert_clean(at)
    trend = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("A.1.1 trend"))
    names = {trace.get("name") for trace in trend["data"]}
    assert "Brunei Darussalam" in names and "Indonesia" not in names and "ASEAN" in names


def test_indicator__values_table_says_no_data(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    values = next(f.value for f in at.dataframe if "scope" in f.value.columns).set_index("scope")
    assert values.at["KHM", "value"] == "no data"  # KHM sent no 2018 return
    assert values.at["BRN", "value"] == "60.0 %"
    assert values.at["ASEAN", "coverage"] == "2 of 10 AMS"


def test_member_state__url_reproduces_view(database_url, open_page):
    at = open_page("pages/member_state.py", country="KHM", year="2018")
    assert_clean(at)
    assert at.title[0].value == "Cambodia in 2018"
    assert "Cambodia has no data for 2018" in texts(at)
    indicators = next(f.value for f in at.dataframe if "trend" in f.value.columns).set_index("code")
    assert indicators.at["A.1.1", "value"] == "no data"
    assert indicators.at["A.1.1", "baseline"] == "10.0 %"


def test_member_state__selecting_another_country_changes_url_and_content(database_url, open_page):
    at = open_page("pages/member_state.py")
    at.selectbox(key="url_country").select("IDN").run()
    assert_clean(at)
    assert _param(at, "country") == "IDN"
    assert at.title[0].value == "Indonesia in 2018"
    submissions = next(f.value for f in at.dataframe if "loaded by" in f.value.columns)
    assert set(submissions["year"]) == {2014, 2018}


def test_member_state__unknown_country_falls_back_with_a_note(database_url, open_page):
    at = open_page("pages/member_state.py", country="XXX")
    assert not at.exception
    assert any("XXX" in shown(w.value) for w in at.warning)


def test_returns__completeness_matrix_labels_received_and_missing(database_url, open_page):
    at = open_page("pages/returns.py")
    assert_clean(at)
    grid = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Country returns received")
    cells = [cell for row in grid["data"][0]["text"] for cell in row]
    # A stored return says how many of the fields the indicators need it fills (issue 9): "n blank" or complete.
    assert any(re.fullmatch(r"\d+ blank<br>\d+/17", c) for c in cells) and "missing" in cells


def test_targets__shows_who_set_each_target_and_history(database_url, open_page):
    at = open_page("pages/targets.py")
    assert_clean(at)
    history = next(f.value for f in at.dataframe if "who" in f.value.columns)
    assert set(history["who"]) == {"fixture"}
    assert len(history) == 4


def test_database_that_cannot_be_opened_is_explained_in_words(tmp_path, monkeypatch, open_page):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("ACCSM_DATABASE_URL", f"sqlite:///{broken}")
    at = open_page()
    assert not at.exception
    assert at.error and "database" in at.error[0].value


def test_remove_demo_data__banner_confirm_and_gone(demo_database_url, open_page):
    at = open_page()
    assert any("Demo data: these figures are fictional" in w.value for w in at.warning)
    at.button(key="remove_demo").click().run()
    assert any("cannot be undone" in e.value for e in at.error)
    at.button(key="remove_demo_confirm").click().run()
    assert not at.exception
    assert not any("Demo data" in w.value for w in at.warning)
    engine = open_store(demo_database_url)
    with engine.connect() as connection:
        assert store.count_submissions(connection) == 0
        assert not connection.execute(select(schema.target_entry)).all()
    engine.dispose()


def test_remove_demo_data__cancel_keeps_everything(demo_database_url, open_page):
    at = open_page()
    at.button(key="remove_demo").click().run()
    at.button(key="remove_demo_cancel").click().run()
    assert any("Demo data" in w.value for w in at.warning)
    engine = open_store(demo_database_url)
    with engine.connect() as connection:
        assert store.count_submissions(connection) == 7
    engine.dispose()
