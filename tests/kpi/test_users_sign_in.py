"""Sign-in e-mails of users (kpi/users.py, migration 0006): set, checked, unique, found in lower case, audited; the
`users add --email` and `users set-email` commands."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from kpi import access, schema
from kpi.access import AccessRefused
from kpi.db import make_engine, seed_reference_data, upgrade_schema, write_transaction
from kpi.store import utc_now
from kpi.users import (
    UserError, add_user, apply_change, find_by_sign_in_email, read_sign_in_emails, set_active, set_sign_in_email,
)
from kpi.users_cli import add_users_parser, run_users

LOCAL = access.LOCAL_USER


def _sign_in_audit(engine, login: str) -> list[tuple]:
    a = schema.audit_log.c
    with engine.connect() as connection:
        rows = connection.execute(select(a.user_name, a.action, a.detail).where(a.entity == "user",
                                                                                a.entity_key == login)
                                  .order_by(a.id)).all()
    return [(r.user_name, r.action, json.loads(r.detail)) for r in rows]


def test_sign_in_email__added_in_lower_case_found_whatever_the_case_and_audited(engine):
    with write_transaction(engine) as connection:
        add_user(connection, "fp-brn", "Siti", access.FOCAL_POINT, "BRN", by=LOCAL,
                 sign_in_email="  Siti.Rahman@JPA.gov.BN ")
    with engine.connect() as connection:
        assert read_sign_in_emails(connection) == {"fp-brn": "siti.rahman@jpa.gov.bn"}
        found = find_by_sign_in_email(connection, "SITI.rahman@jpa.gov.bn")
        assert (found.login, found.role, found.country) == ("fp-brn", access.FOCAL_POINT, "BRN")
        assert find_by_sign_in_email(connection, "other@jpa.gov.bn") is None
        assert find_by_sign_in_email(connection, "") is None
    assert _sign_in_audit(engine, "fp-brn")[0][2]["after"]["sign_in_email"] == "siti.rahman@jpa.gov.bn"


def test_sign_in_email__set_changed_cleared_each_audited_and_no_change_no_line(engine):
    with write_transaction(engine) as connection:
        add_user(connection, "v", "Vera", access.VIEWER, None, by=LOCAL)
        assert set_sign_in_email(connection, "v", "vera@gov.example", by=LOCAL)
        assert not set_sign_in_email(connection, "v", "VERA@gov.example", by=LOCAL)
        assert set_sign_in_email(connection, "v", "v2@gov.example", by=LOCAL)
        assert set_sign_in_email(connection, "v", None, by=LOCAL)
        assert find_by_sign_in_email(connection, "v2@gov.example") is None
    assert [(who, action, detail) for who, action, detail in _sign_in_audit(engine, "v")][1:] == [
        (LOCAL, "set sign-in", {"before": {"sign_in_email": None}, "after": {"sign_in_email": "vera@gov.example"}}),
        (LOCAL, "set sign-in", {"before": {"sign_in_email": "vera@gov.example"},
                                "after": {"sign_in_email": "v2@gov.example"}}),
        (LOCAL, "set sign-in", {"before": {"sign_in_email": "v2@gov.example"}, "after": {"sign_in_email": None}}),
    ]


@pytest.mark.parametrize("email, why", [
    ("vera", "looks like name@ministry.gov"), ("vera@gov", "looks like name@ministry.gov"),
    ("ve ra@gov.example", "looks like name@ministry.gov"), ("a@b@gov.example", "looks like name@ministry.gov"),
    ("vera@gov.example\nx", "looks like name@ministry.gov"), ("x" * 320 + "@gov.example", "up to 320 characters"),
])
def test_sign_in_email__not_an_address_is_refused_and_nothing_changes(engine, email, why):
    with write_transaction(engine) as connection:
        add_user(connection, "v", "Vera", access.VIEWER, None, by=LOCAL)
    with pytest.raises(UserError, match=why), write_transaction(engine) as connection:
        set_sign_in_email(connection, "v", email, by=LOCAL)
    with pytest.raises(UserError, match=why), write_transaction(engine) as connection:
        add_user(connection, "w", "W", access.VIEWER, None, by=LOCAL, sign_in_email=email)
    with engine.connect() as connection:
        assert read_sign_in_emails(connection) == {}
        assert access.read_user(connection, "w") is None


def test_sign_in_email__one_person_is_one_user(engine):
    with write_transaction(engine) as connection:
        add_user(connection, "a", "A", access.VIEWER, None, by=LOCAL, sign_in_email="same@gov.example")
        add_user(connection, "b", "B", access.VIEWER, None, by=LOCAL)
    with pytest.raises(UserError, match="already signs in as the user 'a'"), write_transaction(engine) as connection:
        set_sign_in_email(connection, "b", "Same@gov.example", by=LOCAL)
    # The database itself refuses it too, whatever writes it.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(schema.app_user.update().where(schema.app_user.c.login == "b")
                           .values(sign_in_email="same@gov.example"))


def test_sign_in_email__only_the_secretariat_sets_it_and_the_refusal_is_audited(engine):
    with write_transaction(engine) as connection:
        add_user(connection, "vera", "Vera", access.VIEWER, None, by=LOCAL)
    with pytest.raises(AccessRefused, match="vera \\(viewer\\) may not manage users"):
        apply_change(engine, set_sign_in_email, "vera", "vera@gov.example", by="vera")
    with engine.connect() as connection:
        assert read_sign_in_emails(connection) == {}
        a = schema.audit_log.c
        refused = connection.execute(select(a.user_name, a.entity_key).where(a.action == "refuse")).all()
    assert refused == [("vera", access.MANAGE_USERS)]


def test_sign_in_email__a_deactivated_user_is_found_as_deactivated(engine):
    with write_transaction(engine) as connection:
        add_user(connection, "old", "Old", access.VIEWER, None, by=LOCAL, sign_in_email="old@gov.example")
        set_active(connection, "old", False, by=LOCAL)
        assert find_by_sign_in_email(connection, "old@gov.example").active is False


def test_migration_0006__adds_the_column_keeps_users_and_downgrades(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade_schema(engine, "0005")
        with engine.begin() as connection:
            seed_reference_data(connection)
            connection.execute(insert(schema.app_user).values(
                login="kept", display_name="Kept", role="viewer", active=True, created_by="test",
                created_at=utc_now()))
        upgrade_schema(engine, "0006")
        with engine.connect() as connection:
            assert "sign_in_email" in {c["name"] for c in inspect(connection).get_columns("app_user")}
            assert access.read_user(connection, "kept").role == "viewer"
        with write_transaction(engine) as connection:
            set_sign_in_email(connection, "kept", "kept@gov.example", by=LOCAL)

        from alembic import command

        from kpi.db import alembic_config
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        with engine.connect() as connection:
            assert "sign_in_email" not in {c["name"] for c in inspect(connection).get_columns("app_user")}
            assert access.read_user(connection, "kept") is not None
    finally:
        engine.dispose()


def _run(engine, capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="python -m kpi")
    add_users_parser(parser.add_subparsers(dest="command", required=True))
    code = run_users(engine, parser.parse_args(list(argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_cli__add_with_email_set_email_clear_and_list(engine, capsys):
    assert _run(engine, capsys, "users", "add", "fp-brn", "--name", "Siti", "--role", "focal_point", "--country",
                "BRN", "--email", "Siti@JPA.gov.bn", "--user", LOCAL)[:2] == (
        0, "added fp-brn (focal point of BRN), signing in as siti@jpa.gov.bn\n")
    assert _run(engine, capsys, "users", "set-email", "fp-brn", "--email", "s.rahman@jpa.gov.bn",
                "--user", LOCAL)[:2] == (0, "changed: fp-brn signs in as s.rahman@jpa.gov.bn\n")
    code, out, _ = _run(engine, capsys, "users", "list", "--user", LOCAL)
    listed = {r["login"]: r for r in csv.DictReader(io.StringIO(out))}
    assert listed["fp-brn"]["sign_in_email"] == "s.rahman@jpa.gov.bn" and listed["local"]["sign_in_email"] == ""
    code, out, _ = _run(engine, capsys, "users", "list", "--format", "json", "--user", LOCAL)
    assert {r["login"]: r["sign_in_email"] for r in json.loads(out)}["fp-brn"] == "s.rahman@jpa.gov.bn"
    assert _run(engine, capsys, "users", "set-email", "fp-brn", "--clear", "--user", LOCAL)[:2] == (
        0, "changed: fp-brn cannot sign in\n")
    with engine.connect() as connection:
        assert read_sign_in_emails(connection) == {}


def test_users_cli__set_email_refused_or_wrong_says_why_and_changes_nothing(engine, capsys):
    _run(engine, capsys, "users", "add", "vera", "--name", "Vera", "--role", "viewer", "--user", LOCAL)
    code, out, err = _run(engine, capsys, "users", "set-email", "vera", "--email", "vera@gov.example",
                          "--user", "vera")
    assert code == 1 and out == "" and "may not manage users and roles" in err
    code, _, err = _run(engine, capsys, "users", "set-email", "vera", "--email", "not-an-address", "--user", LOCAL)
    assert code == 1 and "looks like name@ministry.gov" in err and "nothing was changed" in err
    code, _, err = _run(engine, capsys, "users", "set-email", "nobody", "--email", "n@gov.example", "--user", LOCAL)
    assert code == 1 and "there is no user 'nobody'" in err
    with engine.connect() as connection:
        assert read_sign_in_emails(connection) == {}
    with pytest.raises(SystemExit):  # --email or --clear, not neither
        _run(engine, capsys, "users", "set-email", "vera", "--user", LOCAL)
