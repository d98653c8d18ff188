"""The pages obey kpi.access as the CLI does: a focal point of BRN cannot store a Malaysian return, a viewer cannot
remove the demo data; each refusal is shown in words and audited, and nothing is stored."""

from __future__ import annotations

import pytest
from conftest import assert_clean, shown
from sqlalchemy import select

from kpi import access, schema, store
from kpi.db import open_store
from kpi.users import add_user, apply_change

templates = pytest.importorskip("importers.templates")


def _add(url: str, login: str, role: str, country: str | None = None) -> None:
    engine = open_store(url)
    apply_change(engine, add_user, login, login, role, country, by="local")
    engine.dispose()


def _read(url: str, reader, *args):
    engine = open_store(url)
    with engine.connect() as connection:
        result = reader(connection, *args)
    engine.dispose()
    return result


def _refusals(connection) -> list[tuple]:
    a = schema.audit_log.c
    return connection.execute(select(a.user_name, a.entity_key).where(a.action == "refuse")).all()


def test_returns_page__focal_point_of_brn_refused_a_mys_return(database_url, open_page, tmp_path, monkeypatch):
    _add(database_url, "fp-brn", access.FOCAL_POINT, "BRN")
    monkeypatch.setenv("ACCSM_USER", "fp-brn")
    blank = templates.write_return_template(tmp_path / "blank.xlsx", "MYS", 2018)
    workbook = templates.fill_return(blank, tmp_path / "mys.xlsx", {"agencies_total": 50}).read_bytes()
    before = len(_read(database_url, store.read_submissions))

    at = open_page("pages/returns.py")
    at.file_uploader(key="returns_upload_0").upload(
        "mys.xlsx", workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()

    assert not at.exception
    assert any("rejected: mys.xlsx" in shown(e.value) for e in at.error)
    problems = next(f.value for f in at.dataframe if "message" in f.value.columns)
    assert any("fp-brn (focal point of BRN) may not load a country return for MYS" in m for m in problems["message"])
    assert not [b for b in at.button if b.key == "returns_upload_confirm"]
    assert len(_read(database_url, store.read_submissions)) == before
    assert _read(database_url, _refusals) == [("fp-brn", "load a country return/MYS")]


def test_demo_banner__viewer_refused_removing_the_demo_data(demo_database_url, open_page, monkeypatch):
    _add(demo_database_url, "vera", access.VIEWER)
    monkeypatch.setenv("ACCSM_USER", "vera")
    at = open_page("pages/overview.py")
    assert ("Local mode: no sign-in; acting as vera (viewer) — only this computer can connect"
            in [shown(c.value) for c in at.caption])
    at.button(key="remove_demo").click().run()
    at.button(key="remove_demo_confirm").click().run()
    assert not at.exception
    assert any("vera (viewer) may not remove the demo data" in shown(e.value) for e in at.error)
    assert _read(demo_database_url, store.has_demo_data)
    assert _read(demo_database_url, _refusals) == [("vera", "remove the demo data")]


def test_sidebar__an_unknown_name_is_told_that_changes_will_be_refused(database_url, open_page, monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "root")
    at = open_page("pages/overview.py")
    assert_clean(at)
    assert any("'root' is not a user of this store" in shown(c.value) for c in at.caption)


@pytest.mark.parametrize(("role", "country"), [(access.VIEWER, None), (access.FOCAL_POINT, "BRN")])
def test_targets_page__only_the_secretariat_is_offered_the_editor(database_url, open_page, monkeypatch, role,
                                                                  country):
    _add(database_url, "reader", role, country)
    monkeypatch.setenv("ACCSM_USER", "reader")
    at = open_page("pages/targets.py")
    assert_clean(at)
    assert any("Only the secretariat sets baselines and targets" in shown(i.value) for i in at.info)
    editor = [d for d in at.dataframe if "set by" in d.value.columns]  # the editor, every column read-only
    assert editor, "the entered figures are still shown"
    assert not [b for b in at.button if b.key == "targets_save"]

    monkeypatch.setenv("ACCSM_USER", "tester")  # a secretariat user of the test store
    at = open_page("pages/targets.py")
    assert not any("Only the secretariat" in shown(i.value) for i in at.info)
