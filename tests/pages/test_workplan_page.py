"""The Work plan page: the 41 programmes, filters in the link, a status loaded by workbook on the page and in its
history, the counts per area beside the area's KPIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_clean, figures, texts

from importers.load import load_file
from importers.workplan import fill_workplan, write_workplan_template
from kpi.db import open_store

PAGE = "pages/workplan.py"


def _frames(at):
    return [e.value for e in at.dataframe]


def _programmes(at):
    return next(f for f in _frames(at) if "Title" in f.columns and "Timeline (as printed)" in f.columns)


def test_workplan_page__lists_all_41_programmes_with_no_status_yet(database_url, open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert at.title[0].value == "Work plan 2016\\-2020"
    table = _programmes(at)
    assert list(table["No"]) == list(range(1, 42))
    assert table.set_index("No").at[4, "Timeline (as printed)"] == "3-7 October 2016, Singapore [Completed]"
    assert set(table["Status"]) == {"not set"}
    assert "41 of 41 programmes shown" in texts(at)
    assert "No status has been recorded yet" in texts(at)
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert any(t.startswith("Work plan timeline") for t in titles)


@pytest.mark.parametrize(("params", "expected"), [
    (dict(areas="D"), [13, 28]),
    (dict(coordinators="SGP"), [3, 4, 5, 6, 35, 36]),
    (dict(areas="C", coordinators="THA"), [18, 22, 23]),
])
def test_workplan_page__filters_come_from_the_link(database_url, open_page, params, expected):
    at = open_page(PAGE, **params)
    assert_clean(at)
    assert list(_programmes(at)["No"]) == expected


def test_workplan_page__a_status_loaded_by_workbook_shows_with_its_history(database_url, open_page, tmp_path):
    path = fill_workplan(write_workplan_template(tmp_path / "wp.xlsx"), tmp_path / "filled.xlsx",
                         {13: ("ongoing", "Concept note circulated"), 28: ("postponed", "to 2021")})
    engine = open_store(database_url)
    report = load_file(engine, Path(path).read_bytes(), "filled.xlsx", "alice")
    engine.dispose()
    assert report.accepted

    at = open_page(PAGE, statuses="ongoing,postponed")
    assert_clean(at)
    table = _programmes(at).set_index("No")
    assert list(table.index) == [13, 28]
    assert table.at[13, "Status"] == "ongoing" and table.at[13, "Status note"] == "Concept note circulated"
    history = next(f for f in _frames(at) if "New status" in f.columns)
    assert sorted(history[["No", "Who", "Old status", "New status"]].fillna("").values.tolist()) == [
        [13, "alice", "", "ongoing"], [28, "alice", "", "postponed"]]
    assert all(len(w) == 16 for w in history["When (UTC)"])  # YYYY-MM-DD HH:MM


def test_workplan_page__counts_per_area_beside_its_kpis(database_url, open_page):
    at = open_page(PAGE, year="2018")
    assert_clean(at)
    area_a = next(f for f in _frames(at) if "indicator" in f.columns and list(f["indicator"]) == ["A.1", "A.1.1"])
    # 2018 of the fixture: BRN 12 of 20 agencies (60 %), IDN 45 of 100 (45 %): mean 52.5 %; both said yes to A.1.
    assert area_a.set_index("indicator")["value"].to_dict() == {"A.1": "2", "A.1.1": "52.5 %"}
    assert "20 programme(s): 20 not set" in texts(at)  # 20 programmes serve area A
    assert "2 programme(s): 2 not set" in texts(at)  # area D: 13 and 28


def test_workplan_page__renders_on_an_empty_database(tmp_path, new_store_url, monkeypatch, open_page):
    monkeypatch.setenv("ACCSM_DATABASE_URL", new_store_url("empty"))
    at = open_page("pages/workplan.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_workplan_page__a_plan_without_programmes_says_so(database_url, open_page):
    at = open_page(PAGE, plan="2026-2030", year="2026")
    assert_clean(at)
    assert "No programmes of a work plan 2026-2030 are stored" in texts(at)
