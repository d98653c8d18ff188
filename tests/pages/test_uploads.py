"""The upload flow: a good return is checked then stored on confirmation; a bad one shows its errors by cell."""

from __future__ import annotations

import pytest
from conftest import assert_clean, figures, shown

from kpi import store
from kpi.db import open_store

templates = pytest.importorskip("importers.templates")
pytest.importorskip("importers.load")

GOOD_VALUES = {"agencies_total": 50, "a1_competency_institutionalised": "yes", "a11_agencies_competency": 20,
               "b2_policies_count": 0, "d2_projects_count": 0, "e1_measures_count": 0}


def _workbook(tmp_path, name: str, values: dict) -> bytes:
    blank = templates.write_return_template(tmp_path / f"blank_{name}", "MYS", 2018)
    return templates.fill_return(blank, tmp_path / name, values).read_bytes()


def _upload(at, name: str, content: bytes):
    return at.file_uploader(key="returns_upload_0").upload(
        name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()


def _count_returns(url: str) -> int:
    engine = open_store(url)
    with engine.connect() as connection:
        count = len(store.read_submissions(connection, kind="return"))
    engine.dispose()
    return count


def test_upload__good_return_is_checked_then_stored_on_confirmation(database_url, open_page, tmp_path):
    at = open_page("pages/returns.py")
    _upload(at, "mys_2018.xlsx", _workbook(tmp_path, "mys_2018.xlsx", GOOD_VALUES))
    assert_clean(at)
    assert any("accepted (dry run)" in shown(s.value) for s in at.success)
    assert _count_returns(database_url) == 7, "a dry run stores nothing"
    at.button(key="returns_upload_confirm").click().run()
    assert_clean(at)
    assert any("stored as submission" in shown(s.value) for s in at.success)
    assert _count_returns(database_url) == 8
    grid = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Country returns received")
    row = grid["data"][0]["y"].index("Malaysia")
    column = grid["data"][0]["x"].index("2018")
    # Received, with the fields the indicators need counted: GOOD_VALUES fills 6 of the 17, so 11 are blank.
    assert grid["data"][0]["text"][row][column] == "11 blank<br>6/17"


def test_upload__bad_return_shows_named_errors_and_stores_nothing(database_url, open_page, tmp_path):
    at = open_page("pages/returns.py")
    bad = {**GOOD_VALUES, "a11_agencies_competency": 80}  # more agencies than agencies_total
    _upload(at, "mys_bad.xlsx", _workbook(tmp_path, "mys_bad.xlsx", bad))
    assert not at.exception
    assert any("rejected: mys_bad.xlsx" in shown(e.value) for e in at.error)
    problems = next(f.value for f in at.dataframe if "message" in f.value.columns)
    errors = problems[problems["kind"] == "error"]
    assert len(errors) and set(errors["sheet"]) == {"Return"} and all(errors["cell"] != "")
    assert not [b for b in at.button if b.key == "returns_upload_confirm"]
    assert _count_returns(database_url) == 7
    grid = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Country returns received")
    row, column = grid["data"][0]["y"].index("Malaysia"), grid["data"][0]["x"].index("2018")
    assert grid["data"][0]["text"][row][column] == "rejected"  # this session's rejection, never stored
