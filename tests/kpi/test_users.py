"""Users in the store: add, change a role, deactivate, each audited with old and new values; migration 0005."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from kpi import access, schema
from kpi.access import AccessRefused
from kpi.db import make_engine, seed_reference_data, upgrade_schema, write_transaction
from kpi.store import utc_now
from kpi.users import UserError, add_user, list_users, resolve_login, set_active, set_role

LOCAL = access.LOCAL_USER


@pytest.fixture
def fresh(new_store_url):
    """A store as a fresh install has it: only the seeded users (the engine fixture adds the test users)."""
    from kpi.db import open_store
    engine = open_store(new_store_url("fresh"))
    yield engine
    engine.dispose()


def _user_audit(engine, login: str) -> list[tuple]:
    a = schema.audit_log.c
    with engine.connect() as connection:
        rows = connection.execute(select(schema.audit_log).where(a.entity == "user", a.entity_key == login)
                                  .order_by(a.id)).all()
    return [(r.user_name, r.action, r.entity_key, json.loads(r.detail)) for r in rows]


def test_users__fresh_store_holds_the_local_user_and_the_demo_loader(fresh):
    with fresh.connect() as connection:
        users = {u.login: u for u in list_users(connection)}
    assert set(users) == {"local", "demo"}
    assert all(u.role == access.SECRETARIAT and u.active and u.country is None for u in users.values())


def test_users__add_set_role_deactivate_each_audited_with_old_and_new(fresh):
    engine = fresh
    with write_transaction(engine) as connection:
        add_user(connection, "alice", "Alice  Tan", access.FOCAL_POINT, "brn", by=LOCAL)
        assert set_role(connection, "alice", access.FOCAL_POINT, "KHM", by=LOCAL)
        assert not set_role(connection, "alice", access.FOCAL_POINT, "KHM", by=LOCAL)  # no change, no line
        assert set_role(connection, "alice", access.VIEWER, None, by=LOCAL)
        assert set_active(connection, "alice", False, by=LOCAL)
        assert not set_active(connection, "alice", False, by=LOCAL)
        alice = access.read_user(connection, "alice")
    assert (alice.display_name, alice.role, alice.country, alice.active) == ("Alice Tan", "viewer", None, False)
    fp = {"display_name": "Alice Tan", "role": "focal_point", "active": True}
    assert _user_audit(engine, "alice") == [
        (LOCAL, "add", "alice", {"before": None, "after": {**fp, "country": "BRN"}}),
        (LOCAL, "set role", "alice", {"before": {**fp, "country": "BRN"}, "after": {**fp, "country": "KHM"}}),
        (LOCAL, "set role", "alice", {"before": {**fp, "country": "KHM"},
                                      "after": {**fp, "role": "viewer", "country": None}}),
        (LOCAL, "deactivate", "alice", {"before": {**fp, "role": "viewer", "country": None},
                                        "after": {**fp, "role": "viewer", "country": None, "active": False}}),
    ]


@pytest.mark.parametrize(("login", "name", "role", "country", "message"), [
    ("nina", "Bob", "admin", None, "role 'admin' does not exist"),
    ("nina", "Bob", "focal_point", None, "needs the ISO3 code"),
    ("nina", "Bob", "focal_point", "CHN", "needs the ISO3 code"),  # Plus Three, not an AMS
    ("nina", "Bob", "viewer", "BRN", "only a focal point has a country"),
    ("", "Bob", "viewer", None, "a login is 1 to 100"),
    ("nina\n", "Bob", "viewer", None, None),  # stripped: fine
    ("b\x00b", "Bob", "viewer", None, "a login is 1 to 100"),
    ("local", "Again", "viewer", None, "already a user 'local'"),
    ("nina", "  ", "viewer", None, "a display name"),
])
def test_add_user__refuses_what_cannot_be_stored(engine, login, name, role, country, message):
    with write_transaction(engine) as connection:
        if message is None:
            assert add_user(connection, login, name, role, country, by=LOCAL).login == "nina"
            return
        with pytest.raises(UserError, match=message):
            add_user(connection, login, name, role, country, by=LOCAL)


@pytest.mark.parametrize("role", [access.VIEWER, access.FOCAL_POINT])
def test_users__only_the_secretariat_manages_users(engine, role):
    with write_transaction(engine) as connection:
        add_user(connection, "carol", "Carol", role, "BRN" if role == access.FOCAL_POINT else None, by=LOCAL)
        with pytest.raises(AccessRefused, match="carol .* may not manage users and roles"):
            add_user(connection, "dave", "Dave", access.SECRETARIAT, None, by="carol")
        with pytest.raises(AccessRefused):
            set_role(connection, "carol", access.SECRETARIAT, None, by="carol")  # not even themselves
        assert access.read_user(connection, "carol").role == role


def test_users__the_last_active_secretariat_cannot_be_removed(fresh):
    engine = fresh
    with write_transaction(engine) as connection:
        set_active(connection, "demo", False, by=LOCAL)
        with pytest.raises(UserError, match="last active secretariat"):
            set_active(connection, LOCAL, False, by=LOCAL)
        with pytest.raises(UserError, match="last active secretariat"):
            set_role(connection, LOCAL, access.VIEWER, None, by=LOCAL)
        add_user(connection, "sec", "Secretariat officer", access.SECRETARIAT, None, by=LOCAL)
        assert set_active(connection, LOCAL, False, by="sec")


def test_users__unknown_user_to_change_says_how_to_list(engine):
    with write_transaction(engine) as connection, pytest.raises(UserError, match="users list"):
        set_role(connection, "ghost", access.VIEWER, None, by=LOCAL)


def test_resolve_login__option_then_environment_then_local(monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "env-user")
    assert resolve_login("cli-user") == "cli-user"
    assert resolve_login(None) == "env-user"
    monkeypatch.delenv("ACCSM_USER")
    assert resolve_login(None) == LOCAL


# --- migration 0005, on SQLite and PostgreSQL ----------------------------------------------------

def test_migration_0005__creates_users_seeds_local_keeps_rows_and_downgrades(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade_schema(engine, "0004")
        with engine.begin() as connection:
            seed_reference_data(connection)
            connection.execute(insert(schema.audit_log).values(at=utc_now(), user_name="root", action="note",
                                                               entity="test", entity_key="k", detail="{}"))
        assert "app_user" not in inspect(engine).get_table_names()

        upgrade_schema(engine, "0005")
        with engine.connect() as connection:
            users = {u.login: u for u in list_users(connection)}
            audit = connection.execute(select(schema.audit_log.c.user_name)).scalars().all()
        assert {k: (u.role, u.active) for k, u in users.items()} == {
            "local": ("secretariat", True), "demo": ("secretariat", True)}
        assert audit == ["root"]

        # The database itself refuses a focal point without a country and a viewer with one.
        for role, country in (("focal_point", None), ("viewer", "BRN"), ("admin", None)):
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(insert(schema.app_user).values(
                    login=f"x-{role}", display_name="X", role=role, country=country, active=True,
                    created_by="test", created_at=utc_now()))
        with write_transaction(engine) as connection:
            add_user(connection, "fp", "Focal point", access.FOCAL_POINT, "BRN", by=LOCAL)

        from alembic import command
        from kpi.db import alembic_config
        config = alembic_config()
        with write_transaction(engine) as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert "app_user" not in inspect(engine).get_table_names()
        upgrade_schema(engine, "head")
        assert "app_user" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
