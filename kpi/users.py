"""Users of the dashboard in the store: add, list, change a role, deactivate; every change audited."""

from __future__ import annotations

import os
import re

from sqlalchemy import Connection, func, insert, select, update

from kpi import schema
from kpi.access import (
    FOCAL_POINT, LOCAL_USER, MANAGE_USERS, ROLE_LABELS, ROLES, SECRETARIAT, User, read_user, require,
)
from kpi.config import USER_VARIABLE

LOGIN_LENGTH, NAME_LENGTH = 100, 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UserError(ValueError):
    """A user change that cannot be made as asked; the message says why and what to do."""


def resolve_login(cli_user: str | None = None) -> str:
    """Return who a command acts as: `--user`, else $ACCSM_USER, else the seeded local user."""
    return (cli_user or os.environ.get(USER_VARIABLE) or LOCAL_USER).strip()


def describe_acting(connection: Connection, login: str) -> str:
    """Return who the dashboard acts as, in words: their role, or that they are not a user (changes refused)."""
    user = read_user(connection, login)
    if user is None:
        return (f"{login!r} is not a user of this store: anything you change will be refused. The secretariat adds "
                "users on the Users and roles page.")
    if not user.active:
        return f"{user.describe()} is deactivated: anything you change will be refused."
    local = " No sign-in is configured: this is the one local user." if login == LOCAL_USER else ""
    return f"Acting as {user.describe()}.{local}"


def list_users(connection: Connection) -> list[User]:
    """Return every user, active first, then by login."""
    u = schema.app_user.c
    rows = connection.execute(select(u.login, u.display_name, u.role, u.country, u.active)
                              .order_by(u.active.desc(), u.login))
    return [User(r.login, r.display_name, r.role, r.country, bool(r.active)) for r in rows]


def add_user(connection: Connection, login: str, display_name: str, role: str, country: str | None,
             by: str) -> User:
    """Add an active user; `by` must be allowed to manage users. Return the user; raise UserError, AccessRefused."""
    require(connection, by, MANAGE_USERS)
    login, display_name = _check_login(login), _check_name(display_name)
    country = _check_role(connection, role, country)
    if read_user(connection, login) is not None:
        raise UserError(f"there is already a user {login!r}: change their role with `set-role` instead")
    connection.execute(insert(schema.app_user).values(
        login=login, display_name=display_name, role=role, country=country, active=True, created_by=by,
        created_at=_now()))
    user = User(login, display_name, role, country, True)
    _audit(connection, by, "add", login, None, user)
    return user


def set_role(connection: Connection, login: str, role: str, country: str | None, by: str) -> bool:
    """Change a user's role (and country); return True if it changed. Raise UserError, AccessRefused."""
    require(connection, by, MANAGE_USERS)
    before = _existing(connection, login)
    country = _check_role(connection, role, country)
    if (before.role, before.country) == (role, country):
        return False
    if before.role == SECRETARIAT and role != SECRETARIAT:
        _keep_a_secretariat(connection, login)
    _change(connection, login, role=role, country=country)
    _audit(connection, by, "set role", login, before, read_user(connection, login))
    return True


def set_active(connection: Connection, login: str, active: bool, by: str) -> bool:
    """Deactivate (or reactivate) a user; return True if it changed. Raise UserError, AccessRefused."""
    require(connection, by, MANAGE_USERS)
    before = _existing(connection, login)
    if before.active == active:
        return False
    if not active and before.role == SECRETARIAT:
        _keep_a_secretariat(connection, login)
    _change(connection, login, active=active)
    _audit(connection, by, "activate" if active else "deactivate", login, before, read_user(connection, login))
    return True


def apply_change(engine, change, *args, by: str):
    """Run one change (add_user, set_role, set_active) in its own write transaction; return what it returns.

    A refusal is recorded in the audit log after the transaction rolls back (kpi.access.refusals_recorded).
    """
    from kpi.access import refusals_recorded
    from kpi.db import write_transaction
    with refusals_recorded(engine), write_transaction(engine) as connection:
        return change(connection, *args, by=by)


def _existing(connection: Connection, login: str) -> User:
    user = read_user(connection, login)
    if user is None:
        raise UserError(f"there is no user {login!r}: list them with `python -m kpi users list`")
    return user


def _keep_a_secretariat(connection: Connection, login: str) -> None:
    u = schema.app_user.c
    others = connection.execute(select(func.count()).select_from(schema.app_user).where(
        u.role == SECRETARIAT, u.active.is_(True), u.login != login)).scalar_one()
    if not others:
        raise UserError(f"{login!r} is the last active secretariat user: make another user secretariat first, "
                        "or nobody could manage users any more")


def _change(connection: Connection, login: str, **values) -> None:
    connection.execute(update(schema.app_user).where(schema.app_user.c.login == login).values(**values))


def _check_login(login: str) -> str:
    login = (login or "").strip()
    if not login or len(login) > LOGIN_LENGTH or _CONTROL.search(login):
        raise UserError(f"a login is 1 to {LOGIN_LENGTH} characters without line breaks (got {login!r})")
    return login


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise UserError(f"a display name is 1 to {NAME_LENGTH} characters (got {name!r})")
    return name


def _check_role(connection: Connection, role: str, country: str | None) -> str | None:
    if role not in ROLES:
        raise UserError(f"the role {role!r} does not exist: use one of {', '.join(ROLES)}")
    country = country.strip().upper() if country else None
    if role != FOCAL_POINT:
        if country:
            raise UserError(f"only a focal point has a country; a {ROLE_LABELS[role]} has none (drop --country)")
        return None
    m = schema.member_state.c
    members = [r.iso3 for r in connection.execute(select(m.iso3).where(m.group == "AMS").order_by(m.iso3))]
    if country not in members:
        raise UserError(f"a focal point needs the ISO3 code of their AMS (one of {', '.join(members)}); "
                        f"got {country!r}")
    return country


def _audit(connection: Connection, by: str, action: str, login: str, before: User | None, after: User | None):
    from kpi.store import append_audit
    append_audit(connection, by, action, "user", login, {"before": _values(before), "after": _values(after)})


def _values(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"display_name": user.display_name, "role": user.role, "country": user.country, "active": user.active}


def _now():
    from kpi.store import utc_now
    return utc_now()
