"""The users page: the secretariat adds users, changes roles and sign-in e-mails (audited); anyone else only sees
the list."""

from __future__ import annotations

import json

from conftest import assert_clean, shown, texts
from sqlalchemy import select

from kpi import access, schema
from kpi.db import open_store
from kpi.users import add_user, apply_change

PAGE = "pages/users.py"


def _table(at) -> list[list]:
    frame = next(e.value for e in at.dataframe if "login" in e.value.columns)
    return frame.values.tolist()


def _user_audit(url: str) -> list:
    engine = open_store(url)
    with engine.connect() as connection:
        a = schema.audit_log.c
        rows = connection.execute(select(schema.audit_log).where(a.entity == "user", a.entity_key == "siti")
                                  .order_by(a.id)).all()
    engine.dispose()
    return [(r.user_name, r.action, r.entity_key, json.loads(r.detail)["after"]) for r in rows]


def test_users_page__secretariat_adds_a_focal_point_and_changes_a_role(database_url, open_page, monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "local")
    at = open_page(PAGE)
    assert_clean(at)
    assert at.title[0].value == "Users and roles"
    at.text_input(key="users_add_login").input("siti")
    at.text_input(key="users_add_name").input("Siti Rahman")
    at.selectbox(key="users_add_role").set_value("focal_point")
    at.selectbox(key="users_add_country").set_value("BRN")
    at.button(key="FormSubmitter:users_add-Add user").click().run()
    assert_clean(at)
    assert ["siti", "Siti Rahman", "focal point", "BRN", "yes", ""] in _table(at)
    assert "Added siti (focal point of BRN)." in texts(at)

    at.selectbox(key="users_change_login").set_value("siti")
    at.selectbox(key="users_change_role").set_value("viewer")
    at.selectbox(key="users_change_country").set_value("")
    at.button(key="users_set_role").click().run()
    assert_clean(at)
    assert ["siti", "Siti Rahman", "viewer", "", "yes", ""] in _table(at)
    assert [(who, action, login, after["role"]) for who, action, login, after in _user_audit(database_url)] == [
        ("local", "add", "siti", "focal_point"), ("local", "set role", "siti", "viewer")]


def test_users_page__a_refused_change_says_why_and_changes_nothing(database_url, open_page, monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "local")
    at = open_page(PAGE)
    at.text_input(key="users_add_login").input("nobody-country")
    at.text_input(key="users_add_name").input("No Country")
    at.selectbox(key="users_add_role").set_value("focal_point")
    at.button(key="FormSubmitter:users_add-Add user").click().run()
    assert not at.exception
    assert any("needs the ISO3 code" in e.value for e in at.error)
    assert "nobody-country" not in [row[0] for row in _table(at)]


def test_users_page__a_viewer_sees_the_list_but_no_form(database_url, open_page, monkeypatch):
    engine = open_store(database_url)
    apply_change(engine, add_user, "**vera**", "Vera <b>View</b>", access.VIEWER, None, by="local")
    engine.dispose()
    monkeypatch.setenv("ACCSM_USER", "**vera**")
    at = open_page(PAGE)
    assert_clean(at)
    assert ["**vera**", "Vera <b>View</b>", "viewer", "", "yes", ""] in _table(at)  # as typed, in a table cell
    assert "You are **vera** (viewer): only the ACCSM secretariat adds users" in texts(at)
    assert not [b for b in at.button if b.key in ("users_set_role", "users_toggle")]


def test_users_page__secretariat_sets_the_sign_in_email_at_adding_and_changes_it(database_url, open_page,
                                                                                 monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "local")
    at = open_page(PAGE)
    at.text_input(key="users_add_login").input("siti")
    at.text_input(key="users_add_name").input("Siti Rahman")
    at.selectbox(key="users_add_role").set_value("focal_point")
    at.selectbox(key="users_add_country").set_value("BRN")
    at.text_input(key="users_add_email").input(" Siti.Rahman@JPA.gov.bn ")
    at.button(key="FormSubmitter:users_add-Add user").click().run()
    assert_clean(at)
    assert ["siti", "Siti Rahman", "focal point", "BRN", "yes", "siti.rahman@jpa.gov.bn"] in _table(at)

    at.selectbox(key="users_change_login").set_value("siti").run()
    assert at.text_input(key="users_change_email_siti").value == "siti.rahman@jpa.gov.bn"
    at.text_input(key="users_change_email_siti").input("siti@jpa.gov.bn")
    at.button(key="users_set_email").click().run()
    assert_clean(at)
    assert ["siti", "Siti Rahman", "focal point", "BRN", "yes", "siti@jpa.gov.bn"] in _table(at)
    assert [(action, after) for _, action, _, after in _user_audit(database_url)][1:] == [
        ("set sign-in", {"sign_in_email": "siti@jpa.gov.bn"})]


def test_users_page__an_email_that_is_not_one_or_already_taken_is_refused(database_url, open_page, monkeypatch):
    engine = open_store(database_url)
    apply_change(engine, add_user, "siti", "Siti", access.VIEWER, None, by="local", sign_in_email="siti@jpa.gov.bn")
    engine.dispose()
    monkeypatch.setenv("ACCSM_USER", "local")
    at = open_page(PAGE)
    at.selectbox(key="users_change_login").set_value("alice").run()
    for typed, why in (("not an address", "looks like name@ministry.gov"),
                       ("SITI@jpa.gov.bn", "already signs in as the user 'siti'")):
        at.text_input(key="users_change_email_alice").input(typed)
        at.button(key="users_set_email").click().run()
        assert not at.exception
        assert any(why in shown(e.value) for e in at.error), [e.value for e in at.error]
        assert next(row for row in _table(at) if row[0] == "alice")[5] == ""
