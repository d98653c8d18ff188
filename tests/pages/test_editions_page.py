"""The SOM editions page: freeze from the page, list, and what a later return changed since the edition."""

from __future__ import annotations

import datetime as dt
import hashlib

from conftest import assert_clean, texts

from kpi import editions, store
from kpi.db import open_store
from kpi.store import CellValue, ReturnContent, SubmissionInfo

PAGE = "pages/editions.py"


def _revise_brn_2018(url: str) -> None:
    """BRN sends a corrected 2018 return: 16 of 20 agencies (80 %) instead of 12 (60 %)."""
    values = {"country": "BRN", "year": 2018, "agencies_total": 20, "a1_competency_institutionalised": "yes",
              "a11_agencies_competency": 16, "b1_capacity_policies": "yes", "e3_satisfaction_pct": 80.0,
              "e3_survey": "Survey 2018"}
    content = ReturnContent("BRN", 2018, {k: CellValue(v, "Return", f"D{n}") for n, (k, v) in
                                           enumerate(values.items(), start=2)})
    digest = hashlib.sha256(b"BRN-2018-revised").hexdigest()
    engine = open_store(url)
    with engine.begin() as connection:
        store.store_return(connection, content, SubmissionInfo(
            kind="return", file_name="BRN_2018_revised.xlsx", sha256=digest, content_digest=digest,
            template_version="1", user="brn", country="BRN", year=2018))
    engine.dispose()


def test_editions_page__empty_says_how_to_start(database_url, open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert at.title[0].value == "SOM editions"
    assert "No edition has been frozen yet" in texts(at)


def test_editions_page__freeze_from_the_page_then_listed(database_url, open_page):
    at = open_page(PAGE, year="2018")
    at.text_input(key="edition_name").input("22nd ACCSM SOM, 2019")
    at.date_input(key="edition_date").set_value(dt.date(2019, 10, 15))
    at.checkbox(key="edition_pack").uncheck()
    at.button(key="edition_freeze").click().run()
    assert_clean(at)
    listed = next(e.value for e in at.dataframe if "som_date" in e.value.columns)
    assert listed[["name", "som_date", "year", "frozen_by", "pack"]].values.tolist() == [
        ["22nd ACCSM SOM, 2019", dt.date(2019, 10, 15), 2018, "tester", "no"]]
    assert "Nothing has changed: every figure is as it was." in texts(at)


def test_editions_page__a_taken_name_is_refused_in_words(database_url, open_page):
    engine = open_store(database_url)
    editions.freeze_edition(engine, "22nd ACCSM SOM, 2019", dt.date(2019, 10, 15), 2018, "fixture")
    engine.dispose()
    at = open_page(PAGE, year="2018")
    at.text_input(key="edition_name").input("22nd ACCSM SOM, 2019")
    at.checkbox(key="edition_pack").uncheck()
    at.button(key="edition_freeze").click().run()
    assert [e.value for e in at.error] and "exists already" in at.error[0].value


def test_editions_page__a_later_return_shows_as_changed_since_the_edition(database_url, open_page):
    engine = open_store(database_url)
    edition_id = editions.freeze_edition(engine, "22nd ACCSM SOM, 2019", dt.date(2019, 10, 15), 2018, "fixture")
    engine.dispose()
    _revise_brn_2018(database_url)

    at = open_page(PAGE, edition=str(edition_id))
    assert_clean(at)
    assert "2 value(s) revised; 1 return(s) or evaluation file(s) new or replaced." in texts(at)
    values = next(_data(e.value) for e in at.dataframe if "Shown" in _data(e.value).columns)
    # A.1.1 BRN 2018: 60 % -> 80 %; ASEAN: mean of BRN and IDN (45 %): 52.5 % -> 62.5 %. Shown as the pages show
    # values (unit, name); the downloads keep the numbers.
    assert [[_plain(c) for c in row] for row in values[["Indicator", "Scope", "Year", "Shown", "Now"]].values] == [
        ["A.1.1", "ASEAN", "2018", "52.5 %", "62.5 %"], ["A.1.1", "Brunei Darussalam", "2018", "60.0 %", "80.0 %"]]
    returns = next(e.value for e in at.dataframe if "File" in getattr(e.value, "columns", []))
    assert returns[["AMS", "Year", "File", "Why"]].values.tolist() == [
        ["Brunei Darussalam", "2018", "BRN_2018_revised.xlsx", "replaces the one in the edition"]]


def _data(value):
    return value.data if hasattr(value, "data") else value  # a styled table gives its Styler


def _plain(cell) -> str:
    return str(cell).replace("\u00a0", " ").replace("\u202f", " ")


def test_editions_page__renders_on_an_empty_database(tmp_path, new_store_url, monkeypatch, open_page):
    monkeypatch.setenv("ACCSM_DATABASE_URL", new_store_url("empty"))
    at = open_page("pages/editions.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_editions_page__under_the_2026_2030_plan(database_url, open_page):
    at = open_page(PAGE, plan="2026-2030", year="2026")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "SOM editions"


def test_editions_page__a_changed_target_reads_with_its_unit(database_url, open_page):
    engine = open_store(database_url)
    edition_id = editions.freeze_edition(engine, "22nd ACCSM SOM, 2019", dt.date(2019, 10, 15), 2018, "fixture")
    with engine.begin() as connection:  # the fixture's A.1.1 ASEAN target is 50 %
        store.set_target(connection, "2016-2020", "A.1.1", "ASEAN", None, 55.0, None, "alice")
    engine.dispose()

    at = open_page(PAGE, edition=str(edition_id))
    assert_clean(at)
    targets = next(e.value for e in at.dataframe if "Target now" in getattr(e.value, "columns", []))
    assert [[_plain(c) for c in row] for row in targets[["Indicator", "Scope", "Target shown", "Target now",
                                                         "Set by", "Why"]].values] == [
        ["A.1.1", "ASEAN", "50.0 %", "55.0 %", "alice", "changed"]]
