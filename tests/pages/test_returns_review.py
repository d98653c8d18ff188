"""The Country returns page shows each return's review state in words, filters by state in the URL, lets the
secretariat confirm or query, shows a focal point the question, and asks a reason to replace a confirmed return."""

from __future__ import annotations

import json

import pytest
from conftest import assert_clean, shown, texts
from sqlalchemy import select

from kpi import access, review, schema
from kpi.db import open_store
from kpi.users import add_user, apply_change

templates = pytest.importorskip("importers.templates")

PAGE = "pages/returns.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _states(at) -> dict[str, str]:
    frame = next(e.value for e in at.dataframe if "question or reason" in e.value.columns)
    return dict(zip(frame["AMS"], frame["state"]))


def _review_table(at):
    return next(e.value for e in at.dataframe if "question or reason" in e.value.columns)


def _with_engine(url, action):
    engine = open_store(url)
    try:
        return action(engine)
    finally:
        engine.dispose()


def _audit(url) -> list[tuple]:
    def read(engine):
        a = schema.audit_log.c
        with engine.connect() as connection:
            rows = connection.execute(select(schema.audit_log).where(a.entity == review.AUDIT_ENTITY).order_by(a.id))
            return [(r.user_name, r.action, r.entity_key, json.loads(r.detail)) for r in rows]
    return _with_engine(url, read)


def test_review__states_in_words_and_the_secretariat_confirms_and_queries(database_url, open_page):
    at = open_page(PAGE, year="2018")
    assert_clean(at)
    states = _states(at)
    assert states["Brunei Darussalam"] == "received, not yet confirmed"
    assert states["Indonesia"] == "received, not yet confirmed"
    assert states["Cambodia"] == "missing"
    assert "Returns for 2018, 10 AMS: 2 received, not yet confirmed, 8 missing." in texts(at)

    at.selectbox(key="review_country").set_value("BRN")
    at.button(key="review_confirm").click().run()
    assert_clean(at)
    assert _states(at)["Brunei Darussalam"] == "confirmed"
    assert any(shown(s.value).startswith("BRN 2018: confirmed (confirmed by tester on ") for s in at.success)

    at.selectbox(key="review_country").set_value("IDN")
    at.text_area(key="review_question").input("Why is b1_capacity_policies <b>no</b>?")
    at.button(key="review_query").click().run()
    assert_clean(at)
    table = _review_table(at).set_index("AMS")
    assert table.at["Indonesia", "state"] == "queried"
    assert table.at["Indonesia", "question or reason"] == "Why is b1_capacity_policies <b>no</b>?"  # as typed
    assert [(who, action, key, d["old_state"], d["new_state"]) for who, action, key, d in _audit(database_url)] == [
        ("tester", "confirm", "BRN/2018", "received", "confirmed"),
        ("tester", "query", "IDN/2018", "received", "queried")]


def test_review__a_query_without_a_question_says_so_and_changes_nothing(database_url, open_page):
    at = open_page(PAGE, year="2018")
    at.selectbox(key="review_country").set_value("IDN")
    at.button(key="review_query").click().run()
    assert not at.exception
    assert any("a query needs the question to the focal point" in shown(e.value) for e in at.error)
    assert _states(at)["Indonesia"] == "received, not yet confirmed" and _audit(database_url) == []


def test_review__the_filter_by_state_lives_in_the_url(database_url, open_page):
    _with_engine(database_url, lambda e: review.apply_review(e, review.confirm, "BRN", 2018, by="tester"))
    at = open_page(PAGE, year="2018", state="confirmed")
    assert_clean(at)
    assert _states(at) == {"Brunei Darussalam": "confirmed"}
    at.multiselect(key="url_state").set_value([review.MISSING]).run()
    assert_clean(at)
    assert at.query_params["state"] == "missing"
    assert set(_states(at).values()) == {"missing"} and "Cambodia" in _states(at)
    at.multiselect(key="url_state").set_value(list(review.STATES)).run()  # the default: every state, no parameter
    assert "state" not in at.query_params and len(_states(at)) == 10


def test_review__a_rejected_upload_shows_with_errors_not_confirmed(database_url, open_page, tmp_path):
    at = open_page(PAGE, year="2018")
    blank = templates.write_return_template(tmp_path / "blank.xlsx", "MYS", 2018)
    bad = templates.fill_return(blank, tmp_path / "bad.xlsx", {"agencies_total": 10, "a11_agencies_competency": 80})
    at.file_uploader(key="returns_upload_0").upload("bad.xlsx", bad.read_bytes(), XLSX).run()
    assert not at.exception
    assert _states(at)["Malaysia"] == "with errors"


def test_review__a_focal_point_sees_the_question_and_no_buttons(database_url, open_page, monkeypatch):
    def prepare(engine):
        apply_change(engine, add_user, "fp-idn", "Focal point IDN", access.FOCAL_POINT, "IDN", by="local")
        review.apply_review(engine, review.query, "IDN", 2018, "Is **agencies_total** 100?", by="tester")
    _with_engine(database_url, prepare)
    monkeypatch.setenv("ACCSM_USER", "fp-idn")
    at = open_page(PAGE, year="2018")
    assert_clean(at)
    assert any("asked about the return of Indonesia for 2018 (tester, " in shown(w.value)
               and "Is **agencies_total** 100?" in shown(w.value) for w in at.warning)
    assert not [b for b in at.button if b.key in ("review_confirm", "review_query")]


def test_review__replacing_a_confirmed_return_asks_a_reason_first(database_url, open_page, tmp_path):
    _with_engine(database_url, lambda e: review.apply_review(e, review.confirm, "BRN", 2018, by="tester"))
    blank = templates.write_return_template(tmp_path / "blank.xlsx", "BRN", 2018)
    new = templates.fill_return(blank, tmp_path / "brn.xlsx", {"agencies_total": 25, "a11_agencies_competency": 5,
                                                               "b2_policies_count": 0, "d2_projects_count": 0,
                                                               "e1_measures_count": 0})
    at = open_page(PAGE, year="2018")
    at.file_uploader(key="returns_upload_0").upload("brn.xlsx", new.read_bytes(), XLSX).run()
    assert_clean(at)
    assert at.button(key="returns_upload_confirm").disabled
    at.text_area(key="returns_upload_reason").input("Corrected agencies_total, letter of 3 December").run()
    assert not at.button(key="returns_upload_confirm").disabled
    at.button(key="returns_upload_confirm").click().run()
    assert_clean(at)
    assert any("stored as submission" in shown(s.value) for s in at.success)
    table = _review_table(at).set_index("AMS")
    assert table.at["Brunei Darussalam", "state"] == "received, not yet confirmed"
    assert table.at["Brunei Darussalam", "question or reason"] == "Corrected agencies_total, letter of 3 December"
    (row,) = [a for a in _audit(database_url) if a[1] == "supersede confirmed"]
    assert row[3]["reason"] == "Corrected agencies_total, letter of 3 December"


def test_review__a_focal_points_new_version_of_a_confirmed_return_is_refused(database_url, open_page, monkeypatch,
                                                                            tmp_path):
    def prepare(engine):
        apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
        review.apply_review(engine, review.confirm, "BRN", 2018, by="tester")
    _with_engine(database_url, prepare)
    monkeypatch.setenv("ACCSM_USER", "fp-brn")
    blank = templates.write_return_template(tmp_path / "blank.xlsx", "BRN", 2018)
    new = templates.fill_return(blank, tmp_path / "brn.xlsx", {"agencies_total": 25})
    at = open_page(PAGE, year="2018")
    at.file_uploader(key="returns_upload_0").upload("brn.xlsx", new.read_bytes(), XLSX).run()
    assert not at.exception
    assert any("rejected: brn.xlsx" in shown(e.value) for e in at.error)
    problems = next(f.value for f in at.dataframe if "message" in f.value.columns)
    assert any(m.startswith("refused: fp-brn (focal point of BRN) may not supersede a confirmed return for BRN: the "
                            "return for BRN 2018 was confirmed by tester") for m in problems["message"])
    assert not [b for b in at.button if b.key == "returns_upload_confirm"]
    assert _states(at)["Brunei Darussalam"] == "confirmed"
