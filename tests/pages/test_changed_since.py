""""Changed since the SOM edition" on the overview, indicator and Member State pages: the edition frozen, a later
return loaded, each page lists exactly the values revised in what it shows; nothing without an edition."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import assert_clean, texts
from test_editions_page import _revise_brn_2018

from kpi import editions
from kpi.db import open_store

NAME = "22nd ACCSM SOM, 2019"
HEADING = "Changed since the SOM edition"
# BRN 2018 revised from 12 to 16 of 20 agencies: A.1.1 BRN 60 % -> 80 %; ASEAN mean of BRN and IDN (45 %)
# 52.5 % -> 62.5 %. Nothing else moves.
BRN_ROW = ["A.1.1", "Brunei Darussalam", "2018", "60.0%", "80.0%"]
ASEAN_ROW = ["A.1.1", "ASEAN", "2018", "52.5%", "62.5%"]


@pytest.fixture
def revised(database_url):
    engine = open_store(database_url)
    editions.freeze_edition(engine, NAME, dt.date(2019, 10, 15), 2018, "secretariat")
    engine.dispose()
    _revise_brn_2018(database_url)
    return database_url


def _listed(at) -> list[list[str]]:
    tables = [e.value for e in at.dataframe if "Shown" in getattr(e.value, "columns", [])]
    if not tables:
        return []
    table = tables[0].data if hasattr(tables[0], "data") else tables[0]
    rows = table[["Indicator", "Scope", "Year", "Shown", "Now"]].values.tolist()
    return [[str(cell).replace("\u00a0", "").replace("\u202f", "").replace(" %", "%") for cell in row] for row in rows]


@pytest.mark.parametrize(("page", "params", "expected"), [
    ("pages/overview.py", {"year": "2018"}, [ASEAN_ROW, BRN_ROW]),
    ("pages/indicator.py", {"year": "2018", "indicator": "A.1.1"}, [ASEAN_ROW, BRN_ROW]),
    ("pages/member_state.py", {"year": "2018", "country": "BRN"}, [BRN_ROW]),
], ids=["overview", "indicator", "member_state"])
def test_changed_since__the_page_lists_exactly_the_revised_values(revised, open_page, page, params, expected):
    at = open_page(page, **params)
    assert_clean(at)
    assert HEADING in [s.value for s in at.subheader]
    assert at.selectbox(key=f"{page.split('/')[1][:-3]}_edition").value is not None
    assert _listed(at) == expected
    assert "BRN_2018_revised.xlsx (replaces the one in the edition)" in texts(at)


@pytest.mark.parametrize(("page", "params"), [
    ("pages/member_state.py", {"year": "2018", "country": "IDN"}),  # IDN's figures did not move
    ("pages/indicator.py", {"year": "2018", "indicator": "E.3"}),
    ("pages/overview.py", {"year": "2017"}),
], ids=["other_country", "other_indicator", "other_year"])
def test_changed_since__nothing_revised_in_what_the_page_shows(revised, open_page, page, params):
    at = open_page(page, **params)
    assert_clean(at)
    assert HEADING in [s.value for s in at.subheader] and _listed(at) == []


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/indicator.py", "pages/member_state.py"])
def test_changed_since__nothing_shown_without_an_edition(database_url, open_page, page):
    at = open_page(page, year="2018")
    assert_clean(at)
    assert HEADING not in [s.value for s in at.subheader]
    assert not [e for e in at.selectbox if e.label == "SOM edition"]


def test_changed_since__the_latest_edition_by_default_and_another_when_chosen(revised, open_page):
    engine = open_store(revised)  # a second edition, later SOM, frozen after the revision: nothing since
    editions.freeze_edition(engine, "23rd ACCSM SOM, 2020", dt.date(2020, 10, 20), 2018, "secretariat")
    engine.dispose()
    at = open_page("pages/member_state.py", year="2018", country="BRN")
    box = at.selectbox(key="member_state_edition")
    assert box.value == 2 and _listed(at) == []
    box.set_value(1).run()
    assert_clean(at)
    assert _listed(at) == [BRN_ROW]
