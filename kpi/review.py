"""Confirmation of country returns: each AMS and year's review state, and the transitions between states.

States: "missing" (no current return of a member), "with errors" (nothing stored and the last upload in this
session was rejected: rejected files are never stored, so only the caller knows them), "received" (a current
return), "queried" (the secretariat asked the focal point a question, kept with it; a new upload is the answer
and makes it "received" again), "confirmed" (locked: only the secretariat supersedes it, with a reason).
Every transition is a row of `return_review` and a line of the audit log with the old and new state.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select

from kpi import access, schema
from kpi.fields import RETURN_KIND
from kpi.store import append_audit, read_member_states, utc_now

MISSING, WITH_ERRORS, RECEIVED, QUERIED, CONFIRMED = "missing", "with_errors", "received", "queried", "confirmed"
STATES = (CONFIRMED, RECEIVED, QUERIED, WITH_ERRORS, MISSING)
STATE_LABELS = {CONFIRMED: "confirmed", RECEIVED: "received, not yet confirmed", QUERIED: "queried",
                WITH_ERRORS: "with errors", MISSING: "missing"}
# The states each transition may start from (a confirmed return is locked).
_FROM = {CONFIRMED: (RECEIVED, QUERIED), QUERIED: (RECEIVED, QUERIED)}
TEXT_LENGTH = 2000  # of a question or a reason
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
AUDIT_ENTITY = "return review"


class ReviewError(ValueError):
    """A review change that cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class ReturnState:
    """The review state of one AMS and year, with who set it, when, and the question (or reason) kept with it."""

    country: str
    year: int
    state: str
    submission_id: int | None = None
    set_by: str | None = None
    set_at: dt.datetime | None = None
    note: str | None = None  # the open question when queried; the reason when a confirmed return was superseded

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def key(self) -> str:
        return f"{self.country}/{self.year}"

    def describe(self) -> str:
        """Return e.g. "BRN 2019: confirmed by alice on 2026-12-02 09:14 UTC"."""
        verb = {CONFIRMED: "confirmed by", QUERIED: "queried by", RECEIVED: "loaded by"}.get(self.state)
        text = f"{self.country} {self.year}: {self.label}"
        if verb and self.set_by:
            text += f" ({verb} {self.set_by} on {format_time(self.set_at)})"
        return text


def format_time(at: dt.datetime | None) -> str:
    """Return a stored time as "2026-12-02 09:14 UTC" (SQLite returns it without its zone)."""
    if at is None:
        return "an unknown time"
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc)
    return f"{at:%Y-%m-%d %H:%M} UTC"


# --- reads ------------------------------------------------------------------------------------

def read_states(connection: Connection, years: Iterable[int], rejected: Iterable[tuple[str, int]] = ()
                ) -> list[ReturnState]:
    """Return the state of every member of each year (ASEAN's order, then year).

    `rejected` are the (country, year) whose last upload was rejected (dashboard.uploads.read_rejections): with
    nothing stored they are "with errors", else "missing".
    """
    from kpi.membership import Membership
    membership = Membership.from_frame(read_member_states(connection))
    years = sorted(set(int(y) for y in years))
    current = _read_current(connection, years)
    rejected = {(c, int(y)) for c, y in rejected}
    states = []
    for country in membership.members_in_any(years):
        for year in years:
            if not membership.is_member(country, year):
                continue
            if (country, year) in current:
                states.append(current[(country, year)])
            else:
                states.append(ReturnState(country, year, WITH_ERRORS if (country, year) in rejected else MISSING))
    return states


def read_state(connection: Connection, country: str, year: int) -> ReturnState:
    """Return the state of one AMS and year as stored ("missing" when no current return: not "with errors")."""
    return _read_current(connection, [year], country).get((country, year)) or ReturnState(country, year, MISSING)


def read_open_queries(connection: Connection, country: str) -> list[ReturnState]:
    """Return the queried returns of one AMS, every year, oldest year first: the questions it has to answer."""
    years = [y for (y,) in connection.execute(select(schema.submission.c.year).distinct().where(
        schema.submission.c.kind == RETURN_KIND, schema.submission.c.country == country))]
    current = _read_current(connection, [int(y) for y in years], country)
    return sorted((s for s in current.values() if s.state == QUERIED), key=lambda s: s.year)


def count_states(states: Iterable[ReturnState]) -> dict[str, int]:
    """Return state -> how many, for every state (0 included), in the order of STATES."""
    states = list(states)
    return {s: sum(1 for r in states if r.state == s) for s in STATES}


def describe_counts(counts: dict[str, int], year: int) -> str:
    """Return e.g. "Returns for 2019, 10 AMS: 3 confirmed, 5 received, not yet confirmed, 1 queried, 1 missing."."""
    members = sum(counts.values())
    parts = [f"{n} {STATE_LABELS[s]}" for s, n in counts.items() if n]
    return f"Returns for {year}, {members} AMS: {', '.join(parts) if parts else 'none'}."


def as_table(states: Iterable[ReturnState], names: dict[str, str]):
    """Return the states as a table for people: AMS, year, state in words, who set it and when, question."""
    import pandas as pd
    rows = [{"AMS": names.get(s.country, s.country), "year": str(s.year), "state": s.label,
             "since": f"{s.set_by}, {format_time(s.set_at)}" if s.set_by else "",
             "question or reason": s.note or ""} for s in states]
    return pd.DataFrame(rows, columns=["AMS", "year", "state", "since", "question or reason"])


def _read_current(connection: Connection, years: list[int], country: str | None = None
                  ) -> dict[tuple[str, int], ReturnState]:
    returns = connection.execute(_current_returns(country is not None), {"years": years, "country": country}).all()
    latest = {}
    if returns:
        rows = connection.execute(_reviews_of(), {"ids": [x.id for x in returns]})
        latest = {row.submission_id: row for row in rows}  # the last row of each return wins
    states = {}
    for x in returns:
        row = latest.get(x.id)
        states[(x.country, int(x.year))] = (
            ReturnState(x.country, int(x.year), RECEIVED, x.id, x.submitted_by, x.submitted_at) if row is None else
            ReturnState(x.country, int(x.year), row.state, x.id, row.set_by, row.set_at, row.note))
    return states


@functools.cache
def _current_returns(of_one_country: bool):
    """Return the query of _read_current, built once (see kpi.store: a statement built anew costs more to look up)."""
    s = schema.submission.c
    query = select(s.id, s.country, s.year, s.submitted_by, s.submitted_at).where(
        s.kind == RETURN_KIND, s.status == "current", s.year.in_(bindparam("years", expanding=True)))
    return query.where(s.country == bindparam("country")) if of_one_country else query


@functools.cache
def _reviews_of():
    r = schema.return_review.c
    return select(schema.return_review).where(r.submission_id.in_(bindparam("ids", expanding=True))).order_by(r.id)


# --- transitions ------------------------------------------------------------------------------

def confirm(connection: Connection, country: str, year: int, by: str) -> ReturnState:
    """Confirm the current return of an AMS and year; return its new state. Raise AccessRefused, ReviewError."""
    return _move(connection, country, year, CONFIRMED, None, by)


def query(connection: Connection, country: str, year: int, question: str, by: str) -> ReturnState:
    """Query the current return with a question to the focal point; return its new state.

    Raise AccessRefused, ReviewError (no question, or a return that is missing or confirmed).
    """
    return _move(connection, country, year, QUERIED, question, by)


def apply_review(engine, change, *args, by: str) -> ReturnState:
    """Run confirm or query in its own write transaction; a refusal is audited after the rollback."""
    from kpi.db import write_transaction
    with access.refusals_recorded(engine), write_transaction(engine) as connection:
        return change(connection, *args, by=by)


def _move(connection: Connection, country: str, year: int, new: str, note: str | None, by: str) -> ReturnState:
    country = (country or "").strip().upper()
    access.require(connection, by, access.REVIEW_RETURNS, country)
    _check_member(connection, country, year)
    if new == QUERIED:
        note = check_text(note, "a query needs the question to the focal point")
    old = read_state(connection, country, year)
    verb = "confirm" if new == CONFIRMED else "query"
    if old.state == MISSING:
        raise ReviewError(f"there is no stored return for {country} {year} to {verb}: it is missing (the focal point "
                          "loads it first)")
    if old.state not in _FROM[new]:  # confirmed: locked
        raise ReviewError(f"{describe_confirmed(old)}: it cannot be "
                          f"{'confirmed again' if new == CONFIRMED else 'queried'}; "
                          "a confirmed return changes only when the secretariat loads a new version with a reason")
    after = ReturnState(country, year, new, old.submission_id, by, utc_now(), note)
    _record(connection, old, after, verb, {"question": note} if note else {})
    return after


def _check_member(connection: Connection, country: str, year: int) -> None:
    from kpi.membership import Membership
    membership = Membership.from_frame(read_member_states(connection))
    if country not in membership.order:
        raise ReviewError(f"{country!r} is not an AMS: use one of {', '.join(membership.order)}")
    if not membership.is_member(country, year):
        raise ReviewError(f"{country} does not report for {year}: it reports from {membership.reports_from[country]}")


def check_text(text: str | None, what: str) -> str:
    """Return a question or reason cleaned (spaces at the ends dropped); raise ReviewError when empty or too long."""
    text = _CONTROL.sub("", (text or "")).strip()
    if not text:
        raise ReviewError(f"{what} (1 to {TEXT_LENGTH} characters)")
    if len(text) > TEXT_LENGTH:
        raise ReviewError(f"{what} of at most {TEXT_LENGTH} characters (this one has {len(text)}): shorten it")
    return text


def _record(connection: Connection, old: ReturnState, new: ReturnState, action: str, detail: dict) -> None:
    connection.execute(insert(schema.return_review).values(
        submission_id=new.submission_id, country=new.country, year=new.year, state=new.state, note=new.note,
        set_by=new.set_by, set_at=new.set_at))
    append_audit(connection, new.set_by, action, AUDIT_ENTITY, new.key, {
        "old_state": old.state, "new_state": new.state, "old_submission": old.submission_id,
        "new_submission": new.submission_id, "old_set_by": old.set_by,
        "old_note": old.note, **detail})


# --- new versions (the importer's store step) -------------------------------------------------

def check_new_version(connection: Connection, login: str, country: str, year: int,
                      reason: str | None) -> tuple[ReturnState, str | None]:
    """Return the current state and the cleaned reason when `login` may store a new version of this return.

    A confirmed return is locked: anyone but the secretariat is refused (AccessRefused, recorded by the caller
    after its rollback); the secretariat needs a reason (ReviewError, "needs a reason", when there is none).
    Any other state needs nothing, and the reason is ignored.
    """
    current = read_state(connection, country, year)
    if current.state != CONFIRMED:
        return current, None
    user = access.read_user(connection, login)
    if not access.is_allowed(user, access.SUPERSEDE_CONFIRMED, country):
        raise access.AccessRefused(login, access.SUPERSEDE_CONFIRMED, country, (
            f"{describe_confirmed(current)} and is locked; only the ACCSM secretariat may replace a confirmed "
            "return. Send the corrected file to the ACCSM secretariat (or ask them to query the return)"),
            user)
    return current, check_text(reason, needs_reason_message(current))


def describe_confirmed(current: ReturnState) -> str:
    """Return e.g. "the return for BRN 2019 was confirmed by alice on 2026-12-02 09:14 UTC"."""
    return (f"the return for {current.country} {current.year} was confirmed by {current.set_by} on "
            f"{format_time(current.set_at)}")


def needs_reason_message(current: ReturnState) -> str:
    """Return what to do when a confirmed return is superseded without a reason."""
    return (f"{describe_confirmed(current)}: a new version replaces it only with a reason, kept in the audit "
            "trail. Give it with --reason \"why\" on the command line, or in the reason field of the upload page")


def record_new_version(connection: Connection, before: ReturnState, submission_id: int, by: str,
                       reason: str | None) -> None:
    """Record that a new version replaced a queried or confirmed return: it is "received" again, audited.

    A queried return's new version is the focal point's answer; a confirmed one's is the secretariat's
    supersession with its reason. A received return's new version needs no row: it is received already.
    """
    if before.state not in (QUERIED, CONFIRMED):
        return
    after = ReturnState(before.country, before.year, RECEIVED, submission_id, by, utc_now(),
                        reason if before.state == CONFIRMED else None)
    action = "supersede confirmed" if before.state == CONFIRMED else "answer query"
    _record(connection, before, after, action, {"reason": reason} if before.state == CONFIRMED else {})
