"""The permission rule: who may do what, refusals that name who and what, recorded after the rollback."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, insert, select

from kpi import access, schema
from kpi.access import AccessRefused, User
from kpi.db import write_transaction
from kpi.users import add_user, set_active

SECRETARIAT = User("sec", "Secretariat", access.SECRETARIAT)
FOCAL_BRN = User("fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN")
VIEWER = User("viewer", "Viewer", access.VIEWER)
INACTIVE = User("gone", "Gone", access.SECRETARIAT, active=False)


@pytest.mark.parametrize("action", access.ACTIONS)
def test_is_allowed__secretariat_may_do_everything(action):
    assert access.is_allowed(SECRETARIAT, action, "KHM")


@pytest.mark.parametrize("action", access.ACTIONS)
def test_is_allowed__viewer_only_reads(action):
    assert access.is_allowed(VIEWER, action, "BRN") == (action == access.READ)


@pytest.mark.parametrize("user", [None, INACTIVE])
@pytest.mark.parametrize("action", access.ACTIONS)
def test_is_allowed__unknown_or_deactivated_may_do_nothing(user, action):
    assert not access.is_allowed(user, action, "BRN")


@pytest.mark.parametrize(("action", "country", "allowed"), [
    (access.LOAD_RETURN, "BRN", True),
    (access.LOAD_EVALUATIONS, "BRN", True),
    (access.LOAD_RETURN, "KHM", False),
    (access.LOAD_EVALUATIONS, "KHM", False),
    (access.LOAD_RETURN, None, False),
    *[(a, "BRN", False) for a in access.SECRETARIAT_ACTIONS],
    (access.READ, None, True),
])
def test_is_allowed__focal_point_writes_only_their_own_country(action, country, allowed):
    assert access.is_allowed(FOCAL_BRN, action, country) == allowed


def test_is_allowed__unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        access.is_allowed(SECRETARIAT, "launch the rockets")


def _add(engine, login, role, country=None):
    with write_transaction(engine) as connection:
        add_user(connection, login, login.title(), role, country, by=access.LOCAL_USER)


def _refusals(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(schema.audit_log).where(schema.audit_log.c.action == "refuse")
                                  .order_by(schema.audit_log.c.id)).all()


def test_require__focal_point_of_brn_refused_khm_says_who_and_what(engine):
    _add(engine, "fp-brn", access.FOCAL_POINT, "BRN")
    with engine.connect() as connection:
        assert access.require(connection, "fp-brn", access.LOAD_RETURN, "BRN").country == "BRN"
        with pytest.raises(AccessRefused) as refused:
            access.require(connection, "fp-brn", access.LOAD_RETURN, "KHM")
    message = str(refused.value)
    assert "fp-brn (focal point of BRN) may not load a country return for KHM" in message
    assert "own Member State (BRN)" in message


def test_require__unknown_user_says_how_to_add_one(engine):
    with engine.connect() as connection, pytest.raises(AccessRefused) as refused:
        access.require(connection, "nobody", access.READ)
    assert "there is no user 'nobody'" in str(refused.value)
    assert "python -m kpi users add nobody" in str(refused.value)


def test_require__deactivated_user_is_refused(engine):
    _add(engine, "nina", access.SECRETARIAT)
    with write_transaction(engine) as connection:
        set_active(connection, "nina", False, by=access.LOCAL_USER)
    with engine.connect() as connection, pytest.raises(AccessRefused, match="deactivated"):
        access.require(connection, "nina", access.READ)


def test_require__local_install_acts_as_the_seeded_local_secretariat(engine):
    with engine.connect() as connection:
        user = access.require(connection, access.LOCAL_USER, access.MANAGE_USERS)
    assert (user.role, user.active) == (access.SECRETARIAT, True)


def test_refusals_recorded__refusal_survives_the_rollback_of_the_refused_write(engine):
    _add(engine, "viewer", access.VIEWER)
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(schema.submission)).scalar_one()
    with pytest.raises(AccessRefused):
        with access.refusals_recorded(engine), write_transaction(engine) as connection:
            connection.execute(insert(schema.audit_log).values(  # a write that must not survive
                at=func.now(), user_name="viewer", action="note", entity="test", entity_key="k", detail="{}"))
            access.require(connection, "viewer", access.LOAD_TARGETS)
    refusals = _refusals(engine)
    assert [(r.user_name, r.entity, r.entity_key) for r in refusals] == [("viewer", "access", access.LOAD_TARGETS)]
    assert json.loads(refusals[0].detail)["role"] == access.VIEWER
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.audit_log)
                                  .where(schema.audit_log.c.action == "note")).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(schema.submission)).scalar_one() == before


def test_check__records_and_raises(engine):
    with pytest.raises(AccessRefused):
        access.check(engine, "stranger", access.REMOVE_DEMO)
    assert [(r.user_name, r.entity_key) for r in _refusals(engine)] == [("stranger", access.REMOVE_DEMO)]
    assert access.check(engine, access.LOCAL_USER, access.REMOVE_DEMO).login == access.LOCAL_USER
    assert len(_refusals(engine)) == 1


@pytest.mark.parametrize("role,country", [(access.VIEWER, None), (access.FOCAL_POINT, "BRN")])
def test_store_writes__a_work_plan_status_or_target_is_refused_to_all_but_the_secretariat(engine, role, country):
    from kpi.store import read_workplan, set_target
    from kpi.workplan import set_status
    _add(engine, "someone", role, country)
    with engine.connect() as connection:
        before = read_workplan(connection, "2016-2020")
    for write in (lambda c: set_status(c, "2016-2020", 1, "completed", None, "someone"),
                  lambda c: set_target(c, "2016-2020", "A.1.1", "BRN", None, 99.0, None, "someone")):
        with pytest.raises(AccessRefused):
            with access.refusals_recorded(engine), write_transaction(engine) as connection:
                write(connection)
    with engine.connect() as connection:
        assert read_workplan(connection, "2016-2020").equals(before)
        assert connection.execute(select(func.count()).select_from(schema.target_entry)).scalar_one() == 0
    assert [r.entity_key for r in _refusals(engine)] == [access.LOAD_WORKPLAN, access.LOAD_TARGETS]
