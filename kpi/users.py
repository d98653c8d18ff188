"""Users of the dashboard in the store: add, list, change a role or sign-in e-mail, deactivate; every change audited."""

from __future__ import annotations

import os
import re

from sqlalchemy import Connection, func, insert, select, update

from kpi import schema
from kpi.access import (
    FOCAL_POINT, LOCAL_USER, MANAGE_USERS, ROLE_LABELS, ROLES, SECRETARIAT, User, read_user, require,
)
from kpi.config import USER_VARIABLE

LOGIN_LENGTH, NAME_LENGTH, EMAIL_LENGTH = 100, 200, 320
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# One "@" with something on each side, a dot in the domain, no spaces: enough to catch a typo, not an RFC parser.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
    return f"Acting as {user.describe()}."


def list_users(connection: Connection) -> list[User]:
    """Return every user, active first, then by login."""
    u = schema.app_user.c
    rows = connection.execute(select(u.login, u.display_name, u.role, u.country, u.active)
                              .order_by(u.active.desc(), u.login))
    return [User(r.login, r.display_name, r.role, r.country, bool(r.active)) for r in rows]


def read_sign_in_emails(connection: Connection) -> dict[str, str]:
    """Return the sign-in e-mail of every user who has one, by login."""
    u = schema.app_user.c
    rows = connection.execute(select(u.login, u.sign_in_email).where(u.sign_in_email.is_not(None)))
    return {r.login: r.sign_in_email for r in rows}


def find_by_sign_in_email(connection: Connection, email: str) -> User | None:
    """Return the user whose sign-in e-mail this is (compared in lower case), or None."""
    email = (email or "").strip().lower()
    if not email:
        return None
    u = schema.app_user.c
    login = connection.execute(select(u.login).where(u.sign_in_email == email)).scalar()
    return None if login is None else read_user(connection, login)


def add_user(connection: Connection, login: str, display_name: str, role: str, country: str | None,
             by: str, *, sign_in_email: str | None = None) -> User:
    """Add an active user; `by` must be allowed to manage users. Return the user; raise UserError, AccessRefused.

    `sign_in_email` is the e-mail their OpenID Connect provider signs them in with (none: they never sign in).
    """
    require(connection, by, MANAGE_USERS)
    login, display_name = _check_login(login), _check_name(display_name)
    country = _check_role(connection, role, country)
    email = _check_email(connection, sign_in_email, login)
    if read_user(connection, login) is not None:
        raise UserError(f"there is already a user {login!r}: change their role with `set-role` instead")
    connection.execute(insert(schema.app_user).values(
        login=login, display_name=display_name, role=role, country=country, active=True, created_by=by,
        created_at=_now(), **({"sign_in_email": email} if email else {})))
    user = User(login, display_name, role, country, True)
    _audit(connection, by, "add", login, None, user, **({"sign_in_email": email} if email else {}))
    return user


def set_sign_in_email(connection: Connection, login: str, email: str | None, by: str) -> bool:
    """Set (None or "": remove) the e-mail a user signs in with; return True if it changed.

    Raise UserError (not an e-mail, or another user's), AccessRefused.
    """
    require(connection, by, MANAGE_USERS)
    _existing(connection, login)
    email = _check_email(connection, email, login)
    u = schema.app_user.c
    before = connection.execute(select(u.sign_in_email).where(u.login == login)).scalar()
    if before == email:
        return False
    _change(connection, login, sign_in_email=email)
    from kpi.store import append_audit
    append_audit(connection, by, "set sign-in", "user", login,
                 {"before": {"sign_in_email": before}, "after": {"sign_in_email": email}})
    return True


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


def apply_change(engine, change, *args, by: str, **options):
    """Run one change (add_user, set_role, set_active, set_sign_in_email) in its own write transaction; return what
    it returns.

    A refusal is recorded in the audit log after the transaction rolls back (kpi.access.refusals_recorded).
    """
    from kpi.access import refusals_recorded
    from kpi.db import write_transaction
    with refusals_recorded(engine), write_transaction(engine) as connection:
        return change(connection, *args, by=by, **options)


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


def _check_email(connection: Connection, email: str | None, login: str) -> str | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    if len(email) > EMAIL_LENGTH or _CONTROL.search(email) or not _EMAIL.fullmatch(email):
        raise UserError(f"a sign-in e-mail looks like name@ministry.gov, up to {EMAIL_LENGTH} characters "
                        f"(got {email!r})")
    u = schema.app_user.c
    holder = connection.execute(select(u.login).where(u.sign_in_email == email, u.login != login)).scalar()
    if holder is not None:
        raise UserError(f"{email!r} already signs in as the user {holder!r}: one person is one user; remove it "
                        "from that user first")
    return email


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


def _audit(connection: Connection, by: str, action: str, login: str, before: User | None, after: User | None,
           **added):
    from kpi.store import append_audit
    after_values = None if after is None else {**_values(after), **added}
    append_audit(connection, by, action, "user", login, {"before": _values(before), "after": after_values})


def _values(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"display_name": user.display_name, "role": user.role, "country": user.country, "active": user.active}


def _now():
    from kpi.store import utc_now
    return utc_now()
