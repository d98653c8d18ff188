"""Confirmation of country returns (issue 12 item 3): states, transitions, refusals and their audit lines."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kpi import access, review, schema
from kpi.db import write_transaction
from kpi.users import add_user, apply_change
from tests.kpi.conftest import store_country_return

VALUES = {"agencies_total": 640}


@pytest.fixture
def users(engine):
    apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
    apply_change(engine, add_user, "vera", "A viewer", access.VIEWER, None, by="local")


def _add(engine, country="BRN", year=2019, user="tester") -> int:
    with write_transaction(engine) as connection:
        return store_country_return(connection, country, year, VALUES, user=user)


def _state(engine, country="BRN", year=2019) -> review.ReturnState:
    with engine.connect() as connection:
        return review.read_state(connection, country, year)


def _review_audit(engine) -> list[tuple]:
    a = schema.audit_log.c
    with engine.connect() as connection:
        rows = connection.execute(select(schema.audit_log).where(a.entity == review.AUDIT_ENTITY).order_by(a.id))
        return [(r.user_name, r.action, r.entity_key, json.loads(r.detail)) for r in rows]


def _refusals(engine) -> list[dict]:
    a = schema.audit_log.c
    with engine.connect() as connection:
        rows = connection.execute(select(schema.audit_log.c.detail).where(a.action == "refuse").order_by(a.id))
        return [json.loads(r.detail) for r in rows]


def _history(engine) -> list[tuple]:
    r = schema.return_review.c
    with engine.connect() as connection:
        return [tuple(x) for x in connection.execute(select(r.country, r.year, r.state, r.note, r.set_by)
                                                     .order_by(r.id))]


def test_states__missing_received_and_with_errors_from_what_is_stored(engine):
    _add(engine, "BRN", 2019)
    with engine.connect() as connection:
        states = {(s.country, s.year): s for s in review.read_states(connection, [2019], rejected=[("KHM", 2019)])}
    assert states[("BRN", 2019)].state == review.RECEIVED and states[("BRN", 2019)].set_by == "tester"
    assert states[("KHM", 2019)].state == review.WITH_ERRORS
    assert states[("IDN", 2019)].state == review.MISSING
    assert len(states) == 10  # the members of 2019: Timor-Leste reports from 2026
    counts = review.count_states(states.values())
    assert counts == {review.CONFIRMED: 0, review.RECEIVED: 1, review.QUERIED: 0, review.WITH_ERRORS: 1,
                      review.MISSING: 8}
    assert review.describe_counts(counts, 2019) == ("Returns for 2019, 10 AMS: 1 received, not yet confirmed, "
                                                    "1 with errors, 8 missing.")


def test_states__a_rejected_upload_does_not_hide_a_stored_return(engine):
    _add(engine, "BRN", 2019)
    with engine.connect() as connection:
        (brn,) = [s for s in review.read_states(connection, [2019], rejected=[("BRN", 2019)]) if s.country == "BRN"]
    assert brn.state == review.RECEIVED


def test_query_then_confirm__each_transition_kept_and_audited_with_old_and_new_state(engine):
    submission = _add(engine)
    queried = review.apply_review(engine, review.query, "BRN", 2019, "  Why did agencies_total fall? ", by="tester")
    assert queried.state == review.QUERIED and queried.note == "Why did agencies_total fall?"
    state = _state(engine)
    assert (state.state, state.note, state.set_by, state.submission_id) == (
        review.QUERIED, "Why did agencies_total fall?", "tester", submission)
    review.apply_review(engine, review.confirm, "BRN", 2019, by="alice")
    assert _state(engine).state == review.CONFIRMED and _state(engine).set_by == "alice"
    assert _history(engine) == [("BRN", 2019, "queried", "Why did agencies_total fall?", "tester"),
                                ("BRN", 2019, "confirmed", None, "alice")]
    audit = _review_audit(engine)
    assert [(who, action, key, d["old_state"], d["new_state"]) for who, action, key, d in audit] == [
        ("tester", "query", "BRN/2019", "received", "queried"),
        ("alice", "confirm", "BRN/2019", "queried", "confirmed")]
    assert audit[0][3]["question"] == "Why did agencies_total fall?"
    assert audit[1][3]["old_note"] == "Why did agencies_total fall?"


@pytest.mark.parametrize("login, refused_as", [("fp-brn", "fp-brn (focal point of BRN)"),
                                               ("vera", "vera (viewer)"), ("nobody", "'nobody'")])
def test_confirm_and_query__refused_for_anyone_but_the_secretariat_and_audited(engine, users, login, refused_as):
    _add(engine)
    for change, args in ((review.confirm, ()), (review.query, ("A question?",))):
        with pytest.raises(access.AccessRefused) as refused:
            review.apply_review(engine, change, "BRN", 2019, *args, by=login)
        assert str(refused.value).startswith(f"refused: {refused_as} may not confirm or query a return for BRN")
    assert _state(engine).state == review.RECEIVED
    assert _history(engine) == [] and _review_audit(engine) == []
    assert [d["action"] for d in _refusals(engine)] == [access.REVIEW_RETURNS] * 2


def test_confirm__a_missing_return_cannot_be_confirmed_or_queried(engine):
    for change, args in ((review.confirm, ()), (review.query, ("Where is it?",))):
        with pytest.raises(review.ReviewError, match="no stored return for KHM 2019 .* it is missing"):
            review.apply_review(engine, change, "KHM", 2019, *args, by="tester")
    assert _history(engine) == [] and _review_audit(engine) == []


def test_confirm__a_confirmed_return_is_locked_against_confirm_and_query(engine):
    _add(engine)
    review.apply_review(engine, review.confirm, "BRN", 2019, by="tester")
    with pytest.raises(review.ReviewError, match=r"by tester on .* UTC: it cannot be confirmed again"):
        review.apply_review(engine, review.confirm, "BRN", 2019, by="tester")
    with pytest.raises(review.ReviewError, match="it cannot be queried; a confirmed return changes only when the "
                                                 "secretariat loads a new version with a reason"):
        review.apply_review(engine, review.query, "BRN", 2019, "Late question", by="tester")
    assert [h[2] for h in _history(engine)] == ["confirmed"]


@pytest.mark.parametrize("question", ["", "   ", "x" * (review.TEXT_LENGTH + 1)])
def test_query__needs_a_question_of_sensible_length(engine, question):
    _add(engine)
    with pytest.raises(review.ReviewError, match="a query needs the question to the focal point"):
        review.apply_review(engine, review.query, "BRN", 2019, question, by="tester")
    assert _state(engine).state == review.RECEIVED and _history(engine) == []


@pytest.mark.parametrize("country, year, message", [
    ("XYZ", 2019, "'XYZ' is not an AMS"), ("TLS", 2019, "TLS does not report for 2019: it reports from 2026")])
def test_confirm__an_unknown_ams_or_a_year_before_joining_is_named(engine, country, year, message):
    with pytest.raises(review.ReviewError, match=message):
        review.apply_review(engine, review.confirm, country, year, by="tester")


def test_new_version__answers_a_query_and_is_received_again(engine):
    _add(engine)
    review.apply_review(engine, review.query, "BRN", 2019, "Please check C8", by="tester")
    with write_transaction(engine) as connection:
        before, reason = review.check_new_version(connection, "fp-any", "BRN", 2019, None)
        assert before.state == review.QUERIED and reason is None  # a queried return is not locked
        new_id = store_country_return(connection, "BRN", 2019, {"agencies_total": 650})
        review.record_new_version(connection, before, new_id, "fp-any", None)
    state = _state(engine)
    assert (state.state, state.submission_id, state.note) == (review.RECEIVED, new_id, None)
    assert [(a, d["old_state"], d["new_state"], d["old_note"]) for _w, a, _k, d in _review_audit(engine)][-1] == (
        "answer query", "queried", "received", "Please check C8")


def test_new_version__of_a_received_return_needs_no_review_row(engine):
    _add(engine)
    with write_transaction(engine) as connection:
        before, _ = review.check_new_version(connection, "tester", "BRN", 2019, None)
        review.record_new_version(connection, before, store_country_return(connection, "BRN", 2019, VALUES),
                                  "tester", None)
    assert _history(engine) == [] and _state(engine).state == review.RECEIVED


def test_demo_removal__takes_the_review_rows_of_demo_returns_with_it(engine):
    from kpi.store import remove_demo_data
    with write_transaction(engine) as connection:
        submission = store_country_return(connection, "BRN", 2019, VALUES)
        connection.execute(schema.submission.update().where(schema.submission.c.id == submission)
                           .values(is_demo=True))
    review.apply_review(engine, review.confirm, "BRN", 2019, by="tester")
    with write_transaction(engine) as connection:
        assert remove_demo_data(connection, "tester") == 1
    assert _history(engine) == [] and _state(engine).state == review.MISSING
