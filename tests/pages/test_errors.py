"""A store failure on a page, in a callback too, is one sentence about the database: no traceback, no SQL."""

from __future__ import annotations

import pytest
from conftest import texts

from dashboard.text import shown
from kpi import store
from kpi.db import open_store
from tests.store_failures import write_lock_held

templates = pytest.importorskip("importers.templates")

LOCKED = ("is locked by another program that is writing to it; nothing was stored. Wait a minute and try again, "
          "or close the other program.")
GOOD_VALUES = {"agencies_total": 50, "a1_competency_institutionalised": "yes", "a11_agencies_competency": 20,
               "b2_policies_count": 0, "d2_projects_count": 0, "e1_measures_count": 0}


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    # These tests hold SQLite's own file lock: their store is a SQLite file whatever --database says.
    from tests.pages.fixture_store import build_fixture_store
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    build_fixture_store(url).dispose()
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)
    monkeypatch.setenv("ACCSM_USER", "tester")
    return url


@pytest.fixture
def demo_database_url(tmp_path, monkeypatch) -> str:
    from tests.pages.fixture_store import build_fixture_store
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_fixture_store(url, user="demo", is_demo=True).dispose()
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)
    monkeypatch.setenv("ACCSM_USER", "tester")
    return url


@pytest.fixture
def short_busy_timeout(monkeypatch):
    # The page waits 0.2 s, not 10 s, for another program's write lock (the engine is made by the first page run).
    monkeypatch.setattr("kpi.db.SQLITE_BUSY_TIMEOUT_MS", 200)


def _path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def _errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def _assert_no_details(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    everything = texts(at)
    for leak in ("Traceback", "SQL", "[parameters", "sqlite3", "OperationalError"):
        assert leak not in everything, everything


def _count_submissions(url: str) -> int:
    engine = open_store(url)
    with engine.connect() as connection:
        count = store.count_submissions(connection)
    engine.dispose()
    return count


def test_remove_demo_data__a_locked_database_is_one_sentence(demo_database_url, short_busy_timeout, open_page):
    at = open_page()
    at.button(key="remove_demo").click().run()

    with write_lock_held(_path(demo_database_url)):
        at.button(key="remove_demo_confirm").click().run()

    _assert_no_details(at)
    assert f"The database {_path(demo_database_url)} {LOCKED}" in _errors(at)
    assert any("Demo data" in shown(w.value) for w in at.warning), "the demo data is still there"
    assert _count_submissions(demo_database_url) == 7

    at.button(key="remove_demo_confirm").click().run()  # the other program is done: trying again works
    _assert_no_details(at)
    assert _count_submissions(demo_database_url) == 0


def test_upload_confirm__a_locked_database_is_one_sentence_and_the_file_stays(database_url, short_busy_timeout,
                                                                              open_page, tmp_path):
    blank = templates.write_return_template(tmp_path / "blank.xlsx", "MYS", 2018)
    content = templates.fill_return(blank, tmp_path / "mys_2018.xlsx", GOOD_VALUES).read_bytes()
    at = open_page("pages/returns.py")
    at.file_uploader(key="returns_upload_0").upload(
        "mys_2018.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert any("accepted (dry run)" in shown(s.value) for s in at.success)

    with write_lock_held(_path(database_url)):
        at.button(key="returns_upload_confirm").click().run()

    _assert_no_details(at)
    errors = _errors(at)
    assert f"The database {_path(database_url)} {LOCKED}" in errors
    assert "not stored: mys_2018.xlsx (a problem with the database, not with the file)" in errors
    assert not any(e.startswith("rejected") for e in errors), "the file is not blamed"
    assert _count_submissions(database_url) == 7

    at.run()  # the file is still uploaded and checked again: it can be stored now that the lock is gone
    at.button(key="returns_upload_confirm").click().run()
    _assert_no_details(at)
    assert any("stored as submission" in shown(s.value) for s in at.success)
    assert _count_submissions(database_url) == 8


def test_a_database_that_cannot_be_opened_is_one_sentence(tmp_path, monkeypatch, open_page):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("ACCSM_DATABASE_URL", f"sqlite:///{broken}")

    at = open_page()

    _assert_no_details(at)
    assert len(_errors(at)) == 1, "said once, by the furniture; the page below does not run"
    assert _errors(at)[0] == (f"The database {broken} cannot be opened (the file is not a database); nothing "
                              "was stored. Check the path in the database URL and that this account may read and "
                              "write that file and its folder.")


def test_a_database_url_that_cannot_be_used_is_one_sentence(monkeypatch, open_page):
    monkeypatch.setenv("ACCSM_DATABASE_URL", "notadialect://x")

    at = open_page()

    _assert_no_details(at)
    assert len(_errors(at)) == 1
    assert _errors(at)[0].startswith('The database URL "notadialect://x" cannot be used')
