"""Who may do what: the roles, the one permission rule, and refusals that say who was refused what."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpi.fields import EVALUATIONS_KIND, RETURN_KIND, TARGETS_KIND, WORKPLAN_KIND

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

# SQLAlchemy and the schema are imported by the functions that read the store, so the command lines' --help
# (which lists the roles) answers without them.

SECRETARIAT, FOCAL_POINT, VIEWER = "secretariat", "focal_point", "viewer"
ROLES = (SECRETARIAT, FOCAL_POINT, VIEWER)
ROLE_LABELS = {SECRETARIAT: "secretariat", FOCAL_POINT: "focal point", VIEWER: "viewer"}
LOCAL_USER = "local"  # the seeded user of an install without sign-in (migration 0005)

LOAD_RETURN = "load a country return"
LOAD_EVALUATIONS = "load participant evaluations"
LOAD_TARGETS = "load or set baselines and targets"
LOAD_WORKPLAN = "load the work plan statuses"
REMOVE_DEMO = "remove the demo data"
MANAGE_USERS = "manage users and roles"
FREEZE_EDITION = "freeze a SOM edition"
REVIEW_RETURNS = "confirm or query a return"
SUPERSEDE_CONFIRMED = "supersede a confirmed return"
READ = "read the dashboard"

# Actions on one AMS's figures: its focal point may do them too. Every other write is the secretariat's alone.
COUNTRY_ACTIONS = (LOAD_RETURN, LOAD_EVALUATIONS)
SECRETARIAT_ACTIONS = (LOAD_TARGETS, LOAD_WORKPLAN, REMOVE_DEMO, MANAGE_USERS, FREEZE_EDITION, REVIEW_RETURNS,
                       SUPERSEDE_CONFIRMED)
ACTIONS = (*COUNTRY_ACTIONS, *SECRETARIAT_ACTIONS, READ)
# What each kind of workbook asks for (importers.load).
ACTION_OF_KIND = {RETURN_KIND: LOAD_RETURN, EVALUATIONS_KIND: LOAD_EVALUATIONS, TARGETS_KIND: LOAD_TARGETS,
                  WORKPLAN_KIND: LOAD_WORKPLAN}


@dataclass(frozen=True)
class User:
    """One user of the dashboard as the store holds it."""

    login: str
    display_name: str
    role: str
    country: str | None = None
    active: bool = True

    def describe(self) -> str:
        """Return e.g. "alice (focal point of BRN)"."""
        role = ROLE_LABELS.get(self.role, self.role)
        return f"{self.login} ({role}{f' of {self.country}' if self.country else ''})"


class AccessRefused(Exception):
    """A user may not do an action; the message says who, what, why and what to do."""

    def __init__(self, login: str, action: str, country: str | None, reason: str, user: User | None = None):
        self.login, self.action, self.country, self.reason, self.user = login, action, country, reason, user
        what = f"{action} for {country}" if country else action
        super().__init__(f"refused: {user.describe() if user else repr(login)} may not {what}: {reason}")


def is_allowed(user: User | None, action: str, country: str | None = None) -> bool:
    """Return True when this user (None: not in the store) may do the action (for `country` when it is one AMS's)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; the actions are {', '.join(ACTIONS)}")
    if user is None or not user.active:
        return False
    if action == READ or user.role == SECRETARIAT:
        return True
    return action in COUNTRY_ACTIONS and user.role == FOCAL_POINT and country is not None and user.country == country


def read_user(connection: Connection, login: str) -> User | None:
    """Return the user with this login, or None."""
    row = connection.execute(_user_by_login(), {"login": login}).first()
    return None if row is None else User(row.login, row.display_name, row.role, row.country, bool(row.active))


@functools.cache
def _user_by_login():
    """Return the query of read_user, built once (see kpi.store: a statement built anew costs more to look up)."""
    from sqlalchemy import bindparam, select

    from kpi import schema
    u = schema.app_user.c
    return select(u.login, u.display_name, u.role, u.country, u.active).where(u.login == bindparam("login"))


def require(connection: Connection, login: str, action: str, country: str | None = None) -> User:
    """Return the user when they may do the action; raise AccessRefused otherwise.

    The refused change must not be stored, so the refusal is written to the audit log only after the caller's
    transaction has rolled back: wrap that transaction in `refusals_recorded(engine)` (a second transaction
    would wait for the write lock the caller holds).
    """
    user = read_user(connection, login)
    if is_allowed(user, action, country):
        return user
    raise AccessRefused(login, action, country, _reason(login, user, action, country), user)


def _reason(login: str, user: User | None, action: str, country: str | None) -> str:
    if user is None:
        return (f"there is no user {login!r} in this store. The secretariat adds one with `python -m kpi users add "
                f"{login} --name \"Full name\" --role focal_point --country <ISO3>` (or on the Users page); on the "
                "command line, act as a known user with --user NAME or $ACCSM_USER")
    if not user.active:
        return f"the user {login!r} is deactivated; ask the ACCSM secretariat to reactivate it"
    if action in COUNTRY_ACTIONS and user.role == FOCAL_POINT:
        return (f"a focal point loads only the figures of their own Member State ({user.country}); ask the "
                f"focal point of {country} or the ACCSM secretariat")
    who = "only the ACCSM secretariat may do this" if action in SECRETARIAT_ACTIONS else (
        "only the ACCSM secretariat or that Member State's focal point may do this")
    return f"{who}; a {ROLE_LABELS.get(user.role, user.role)} may read the dashboard only"


def record_refusal(engine: Engine, refusal: AccessRefused) -> None:
    """Append the refusal to the audit log in a transaction of its own."""
    from kpi import store
    from kpi.db import write_transaction
    key = f"{refusal.action}/{refusal.country}" if refusal.country else refusal.action
    with write_transaction(engine) as connection:
        store.append_audit(connection, refusal.login, "refuse", "access", key[:200], {
            "action": refusal.action, "country": refusal.country, "reason": refusal.reason,
            "role": refusal.user.role if refusal.user else None,
            "active": refusal.user.active if refusal.user else None,
        })


@contextmanager
def refusals_recorded(engine: Engine) -> Iterator[None]:
    """Record an AccessRefused raised inside (after the transaction inside has rolled back), then re-raise it."""
    try:
        yield
    except AccessRefused as refusal:
        record_refusal(engine, refusal)
        raise


def check(engine: Engine, login: str, action: str, country: str | None = None) -> User:
    """Return the user when they may do the action; else record the refusal and raise AccessRefused."""
    with refusals_recorded(engine), engine.connect() as connection:
        return require(connection, login, action, country)
