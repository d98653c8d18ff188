"""Named reads and writes of the store; every write records who made it in the audit log."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from kpi import access, schema
from kpi.fields import EVALUATIONS_KIND, LIST_SHEETS_BY_CODE, RETURN_FIELDS_BY_CODE, RETURN_KIND


@dataclass(frozen=True)
class CellValue:
    """A parsed value with the sheet and cell it came from."""

    value: float | int | str | bool | dt.date | None
    sheet: str
    cell: str


@dataclass
class ReturnContent:
    """The content of one country return, parsed and validated: what the store keeps."""

    country: str
    year: int
    values: dict[str, CellValue] = field(default_factory=dict)  # reported single values only
    items: dict[str, list[dict]] = field(default_factory=dict)  # list code -> rows with "sheet" and "row"


@dataclass(frozen=True)
class SubmissionInfo:
    """Where a stored file came from and who loaded it."""

    kind: str
    file_name: str
    sha256: str
    content_digest: str
    template_version: str
    user: str
    is_demo: bool = False
    warnings: tuple[str, ...] = ()
    country: str | None = None
    year: int | None = None
    subject: str | None = None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Statements run for every loaded file are built once, with their values as bound parameters: SQLAlchemy looks a
# statement up in its compiled cache by a key computed from the statement's structure, and for a statement built
# anew that key (and the building) cost several times the query itself.

@functools.cache
def _insert(table):
    """Return the INSERT of a table, built once; executed with a dict of values, or a list for many rows."""
    return insert(table)


# --- writes -----------------------------------------------------------------------------------

def append_audit(connection: Connection, user: str, action: str, entity: str, key: str,
                 detail: dict | None = None) -> None:
    """Append one line to the audit log."""
    connection.execute(_insert(schema.audit_log), {
        "at": utc_now(), "user_name": user, "action": action, "entity": entity, "entity_key": key,
        "detail": json.dumps(detail or {}, default=str, sort_keys=True),
    })


def find_submission_by_digest(connection: Connection, kind: str, content_digest: str):
    """Return the stored submission of this kind with the same content, or None."""
    return connection.execute(_submission_by_digest(), {"kind": kind, "digest": content_digest}).first()


@functools.cache
def _submission_by_digest():
    s = schema.submission.c
    return (select(schema.submission).where(s.kind == bindparam("kind"), s.content_digest == bindparam("digest"))
            .order_by(s.id.desc()))


def current_submission(connection: Connection, kind: str, country: str | None, year: int | None,
                       subject: str | None = None):
    """Return the current submission of this kind for a country, year (and subject), or None.

    To act on the answer (supersede it), read it inside kpi.db.write_transaction, so it stays current until
    the transaction commits.
    """
    query = _current_submission(country is None, year is None, subject is None)
    return connection.execute(query, {"kind": kind, "country": country, "year": year, "subject": subject}).first()


@functools.cache
def _current_submission(no_country: bool, no_year: bool, no_subject: bool):
    s = schema.submission.c
    return select(schema.submission).where(
        s.kind == bindparam("kind"), s.status == "current", _equal_or_null(s.country, no_country),
        _equal_or_null(s.year, no_year), _equal_or_null(s.subject, no_subject))


def _equal_or_null(column, is_null: bool):
    return column.is_(None) if is_null else column == bindparam(column.name)


def record_submission(connection: Connection, info: SubmissionInfo) -> int:
    """Store a submission as current, superseding the previous current one for the same key; return its id.

    Call it inside kpi.db.write_transaction: two loads of the same AMS and year then run one after the other,
    the second superseding the first. Elsewhere a concurrent load can make this raise IntegrityError (the
    unique index uq_submission_current_key refuses a second current row), never store two current ones.
    """
    previous = None
    if info.kind not in schema.UPDATE_KINDS:
        previous = current_submission(connection, info.kind, info.country, info.year, info.subject)
    if previous is not None:
        connection.execute(update(schema.submission).where(schema.submission.c.id == previous.id)
                           .values(status="superseded"))
    submission_id = connection.execute(_insert(schema.submission), {
        "kind": info.kind, "file_name": info.file_name, "sha256": info.sha256, "content_digest": info.content_digest,
        "template_version": info.template_version, "country": info.country, "year": info.year,
        "subject": info.subject, "submitted_by": info.user, "submitted_at": utc_now(), "status": "current",
        "supersedes_id": previous.id if previous is not None else None,
        "is_demo": info.is_demo, "warnings": json.dumps(list(info.warnings)),
    }).inserted_primary_key[0]
    append_audit(connection, info.user, "load", info.kind, str(submission_id), {
        "file_name": info.file_name, "sha256": info.sha256, "country": info.country, "year": info.year,
        "subject": info.subject, "supersedes": previous.id if previous is not None else None,
        "warnings": len(info.warnings),
    })
    return submission_id


def store_return(connection: Connection, content: ReturnContent, info: SubmissionInfo) -> int:
    """Store a validated country return (values and list items) as the current one; return the submission id."""
    submission_id = record_submission(connection, info)
    value_rows = []
    for code, cell in content.values.items():
        if cell.value is None:
            continue
        number, text = _split_value(code, cell.value)
        value_rows.append({"submission_id": submission_id, "field_code": code, "value_number": number,
                           "value_text": text, "sheet": cell.sheet, "cell": cell.cell})
    if value_rows:
        connection.execute(_insert(schema.return_value), value_rows)
    for list_code, rows in content.items.items():
        columns = [c.code for c in LIST_SHEETS_BY_CODE[list_code].columns]
        if rows:
            connection.execute(_insert(schema.LIST_TABLES[list_code]), [
                {"submission_id": submission_id, "sheet": r["sheet"], "row": r["row"],
                 **{c: r.get(c) for c in columns}} for r in rows
            ])
    return submission_id


def _split_value(code: str, value) -> tuple[float | None, str | None]:
    field_type = RETURN_FIELDS_BY_CODE[code].type if code in RETURN_FIELDS_BY_CODE else "text"
    if field_type == "yes_no":
        answer = value if isinstance(value, bool) else str(value).lower() == "yes"
        return (1.0 if answer else 0.0), ("yes" if answer else "no")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    return None, str(value)


def store_evaluations(connection: Connection, rows: list[dict], info: SubmissionInfo) -> int:
    """Store a project's participant evaluations (superseding an earlier file for the same project)."""
    submission_id = record_submission(connection, info)
    if rows:
        connection.execute(_insert(schema.evaluation_response), [
            {**row, "submission_id": submission_id, "country": info.country, "year": info.year,
             "project_title": info.subject} for row in rows
        ])
    return submission_id


def set_target(connection: Connection, plan_code: str, indicator_code: str, scope: str,
               baseline: float | None, target: float | None, note: str | None, user: str,
               submission_id: int | None = None, is_demo: bool = False) -> bool:
    """Set the entered baseline and target of one (indicator, scope); blanks clear. Return True if it changed.

    Raises kpi.access.AccessRefused unless `user` may set targets (the caller records it: access.refusals_recorded).
    """
    access.require(connection, user, access.LOAD_TARGETS)
    t = schema.target_entry.c
    key = and_(t.plan_code == plan_code, t.indicator_code == indicator_code, t.scope == scope)
    before = connection.execute(select(schema.target_entry).where(key)).first()
    after = {"baseline": baseline, "target": target, "note": note}
    if before is None and all(v is None for v in after.values()):
        return False  # clearing what was never set
    if before is not None and {k: getattr(before, k) for k in after} == after:
        return False
    values = {**after, "set_by": user, "set_at": utc_now(), "submission_id": submission_id, "is_demo": is_demo}
    if before is None:
        connection.execute(insert(schema.target_entry).values(
            plan_code=plan_code, indicator_code=indicator_code, scope=scope, **values))
    else:
        connection.execute(update(schema.target_entry).where(key).values(**values))
    append_audit(connection, user, "set", "target", f"{plan_code}/{indicator_code}/{scope}", {
        "before": None if before is None else {k: getattr(before, k) for k in after},
        "after": after, "submission_id": submission_id,
    })
    return True


def update_workplan_status(connection: Connection, plan_code: str, no: int, status: str | None,
                           status_note: str | None, user: str) -> bool:
    """Set a work plan programme's status and note; return True if it changed.

    Raises kpi.access.AccessRefused unless `user` may set work plan statuses (the caller records the refusal).
    """
    access.require(connection, user, access.LOAD_WORKPLAN)
    w = schema.workplan_programme.c
    key = and_(w.plan_code == plan_code, w.no == no)
    before = connection.execute(select(w.status, w.status_note).where(key)).first()
    if before is None:
        raise KeyError(f"no programme {no} in work plan {plan_code}")
    if (before.status, before.status_note) == (status, status_note):
        return False
    connection.execute(update(schema.workplan_programme).where(key).values(status=status, status_note=status_note))
    append_audit(connection, user, "set", "workplan", f"{plan_code}/{no}", {
        "before": {"status": before.status, "status_note": before.status_note},
        "after": {"status": status, "status_note": status_note},
    })
    return True


def remove_demo_data(connection: Connection, user: str) -> int:
    """Delete every demo submission (with its values) and demo target; return the submissions removed.

    Raises kpi.access.AccessRefused unless `user` may remove the demo data (the caller records the refusal).
    """
    access.require(connection, user, access.REMOVE_DEMO)
    s = schema.submission.c
    demo_ids = [r.id for r in connection.execute(select(s.id).where(s.is_demo.is_(True)))]
    if demo_ids:
        connection.execute(update(schema.submission).where(s.supersedes_id.in_(demo_ids))
                           .values(supersedes_id=None))
        connection.execute(update(schema.target_entry)
                           .where(schema.target_entry.c.submission_id.in_(demo_ids)).values(submission_id=None))
        for table in (schema.return_value, *schema.LIST_TABLES.values(), schema.evaluation_response):
            connection.execute(delete(table).where(table.c.submission_id.in_(demo_ids)))
        connection.execute(delete(schema.submission).where(s.id.in_(demo_ids)))
    demo_targets = connection.execute(delete(schema.target_entry)
                                      .where(schema.target_entry.c.is_demo.is_(True))).rowcount
    if demo_ids or demo_targets:
        append_audit(connection, user, "remove", "demo data", "all",
                     {"submissions": len(demo_ids), "targets": demo_targets})
    return len(demo_ids)


# --- reads ------------------------------------------------------------------------------------

def has_demo_data(connection: Connection) -> bool:
    """Return True while any demo submission is stored."""
    s = schema.submission.c
    return connection.execute(select(s.id).where(s.is_demo.is_(True)).limit(1)).first() is not None


def has_history(connection: Connection) -> bool:
    """Return True once anything was ever loaded, set or removed (the audit log is not empty)."""
    return connection.execute(select(schema.audit_log.c.id).limit(1)).first() is not None


def count_submissions(connection: Connection) -> int:
    """Return how many submissions are stored (any kind, any status)."""
    from kpi.db import count_rows
    return count_rows(connection, schema.submission)


def data_as_of(connection: Connection) -> dt.datetime | None:
    """Return when the newest stored submission or target change was made, or None for an empty store."""
    latest = [connection.execute(select(func.max(schema.submission.c.submitted_at))).scalar(),
              connection.execute(select(func.max(schema.target_entry.c.set_at))).scalar()]
    latest = [_as_utc(x) for x in latest if x is not None]
    return max(latest) if latest else None


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# What read_return_values and read_return_items add to each row about the submission it came from.
SUBMISSION_COLUMNS = ["submission_id", "status", "is_demo", "submitted_at", "file_name"]


def _returns(current_only: bool):
    s = schema.submission.c
    query = (select(s.id.label("submission_id"), s.country, s.year, s.status, s.is_demo, s.submitted_at,
                    s.file_name).where(s.kind == RETURN_KIND))
    if current_only:
        query = query.where(s.status == "current")
    return query.subquery()


def read_return_values(connection: Connection, current_only: bool = True) -> pd.DataFrame:
    """Return the single values of the current (or all) returns, with the submission each came from."""
    returns = _returns(current_only)
    v = schema.return_value.c
    query = (select(returns.c.country, returns.c.year, v.field_code, v.value_number, v.value_text, v.sheet, v.cell,
                    *[returns.c[c] for c in SUBMISSION_COLUMNS])
             .join(returns, returns.c.submission_id == v.submission_id)
             .order_by(returns.c.country, returns.c.year, returns.c.submission_id, v.id))
    return _frame(connection, query, ["country", "year", "field_code", "value_number", "value_text",
                                      "sheet", "cell", *SUBMISSION_COLUMNS])


def read_current_values(connection: Connection) -> pd.DataFrame:
    """Return the single values of every current return: country, year, field_code, value_number, value_text…"""
    return read_return_values(connection, current_only=True)


def read_return_items(connection: Connection, list_code: str, current_only: bool = True) -> pd.DataFrame:
    """Return the rows of one list sheet over the current (or all) returns, with country, year and submission."""
    returns = _returns(current_only)
    table = schema.LIST_TABLES[list_code]
    columns = [c.code for c in LIST_SHEETS_BY_CODE[list_code].columns]
    query = (select(returns.c.country, returns.c.year, *[table.c[c] for c in columns], table.c.sheet,
                    table.c.row, *[returns.c[c] for c in SUBMISSION_COLUMNS])
             .join(returns, returns.c.submission_id == table.c.submission_id)
             .order_by(returns.c.country, returns.c.year, returns.c.submission_id, table.c.row))
    return _frame(connection, query, ["country", "year", *columns, "sheet", "row", *SUBMISSION_COLUMNS])


def read_current_items(connection: Connection, list_code: str) -> pd.DataFrame:
    """Return the rows of one list sheet over every current return, with country and year."""
    return read_return_items(connection, list_code, current_only=True)


def _current_return_ids(year: bool = False, up_to_year: bool = False):
    """Return a select of the ids of the current returns of the AMS :country (and year :year, or years to :up_to_year).

    Queries filter their rows with `submission_id IN (this)`, so SQLite looks the few ids up in each table's
    submission_id index instead of walking the whole table in index order (which a join ordered by submission_id
    does, and which made each file's checks cost more as the store grew).
    """
    s = schema.submission.c
    query = select(s.id).where(s.kind == RETURN_KIND, s.status == "current", s.country == bindparam("country"))
    if year:
        query = query.where(s.year == bindparam("year"))
    if up_to_year:
        query = query.where(s.year <= bindparam("up_to_year"))
    return query


def has_current_return(connection: Connection, country: str, year: int) -> bool:
    """Return whether the AMS has a current return for the year (what read_values_of_return would read from)."""
    return bool(connection.execute(_has_current_return(), {"country": country, "year": year}).scalar())


@functools.cache
def _has_current_return():
    return select(_current_return_ids(year=True).exists())


def read_values_of_return(connection: Connection, country: str, year: int) -> list:
    """Return the single values of the current return of one AMS and year as rows (field_code, value_number,
    value_text), in stored order; empty when there is none. Filtered in SQL, so its cost is one return's."""
    return connection.execute(_values_of_return(), {"country": country, "year": year}).all()


@functools.cache
def _values_of_return():
    v = schema.return_value.c
    return (select(v.field_code, v.value_number, v.value_text)
            .where(v.submission_id.in_(_current_return_ids(year=True))).order_by(v.submission_id, v.id))


def read_latest_return_year(connection: Connection, country: str, up_to_year: int) -> int | None:
    """Return the latest year, at most up_to_year, in which the AMS has a current return with values, or None."""
    latest = connection.execute(_latest_return_year(), {"country": country, "up_to_year": up_to_year}).scalar()
    return None if latest is None else int(latest)


@functools.cache
def _latest_return_year():
    s = schema.submission.c
    v = schema.return_value.c
    has_values = select(v.id).where(v.submission_id == s.id).exists()
    return select(func.max(s.year)).where(s.id.in_(_current_return_ids(up_to_year=True)), has_values)


def read_items_of_return(connection: Connection, list_code: str, country: str, year: int) -> list[dict]:
    """Return the rows of one list sheet of the current return of one AMS and year, in row order, as dicts of its
    columns with sheet and row; empty when there is none."""
    rows = connection.execute(_items_of_return(list_code), {"country": country, "year": year})
    return [dict(r._mapping) for r in rows]


@functools.cache
def _items_of_return(list_code: str):
    table = schema.LIST_TABLES[list_code]
    columns = [c.code for c in LIST_SHEETS_BY_CODE[list_code].columns]
    return (select(*[table.c[c] for c in columns], table.c.sheet, table.c.row)
            .where(table.c.submission_id.in_(_current_return_ids(year=True)))
            .order_by(table.c.submission_id, table.c.row))


def read_evaluations_of(connection: Connection, country: str, year: int) -> list[dict]:
    """Return the participant evaluations of every current evaluations file of one AMS and year, as dicts."""
    s = schema.submission.c
    e = schema.evaluation_response
    files = select(s.id).where(s.kind == EVALUATIONS_KIND, s.status == "current", s.country == country, s.year == year)
    query = select(e).where(e.c.submission_id.in_(files), e.c.country == country, e.c.year == year)
    return [dict(r._mapping) for r in connection.execute(query)]


def read_current_evaluations(connection: Connection) -> pd.DataFrame:
    """Return the participant evaluations of every current evaluations file."""
    s = schema.submission.c
    e = schema.evaluation_response
    query = (select(e).join(schema.submission, s.id == e.c.submission_id)
             .where(s.kind == EVALUATIONS_KIND, s.status == "current"))
    return _frame(connection, query, [c.name for c in e.columns])


def read_returned_years(connection: Connection) -> list[int]:
    """Return the reporting years that have at least one current return, ascending."""
    s = schema.submission.c
    rows = connection.execute(select(s.year).where(s.kind == RETURN_KIND, s.status == "current").distinct())
    return sorted(r.year for r in rows)


def read_targets(connection: Connection, plan_code: str) -> pd.DataFrame:
    """Return the entered baselines and targets of a plan: indicator_code, scope, baseline, target, note, who, when."""
    t = schema.target_entry.c
    query = (select(t.indicator_code, t.scope, t.baseline, t.target, t.note, t.set_by, t.set_at, t.is_demo)
             .where(t.plan_code == plan_code).order_by(t.indicator_code, t.scope))
    return _frame(connection, query, ["indicator_code", "scope", "baseline", "target", "note", "set_by",
                                      "set_at", "is_demo"])


def read_submissions(connection: Connection, kind: str | None = None, country: str | None = None) -> pd.DataFrame:
    """Return stored submissions, newest first, optionally of one kind and country."""
    s = schema.submission.c
    query = select(schema.submission).order_by(s.submitted_at.desc(), s.id.desc())
    if kind:
        query = query.where(s.kind == kind)
    if country:
        query = query.where(s.country == country)
    return _frame(connection, query, [c.name for c in schema.submission.columns])


def read_member_states(connection: Connection, group: str | None = "AMS") -> pd.DataFrame:
    """Return the member states (the ten AMS by default) in ASEAN's order."""
    m = schema.member_state.c
    query = select(schema.member_state)
    if group:
        query = query.where(m.group == group)
    frame = _frame(connection, query, [c.name for c in schema.member_state.columns])
    return frame


def read_arc_themes(connection: Connection) -> pd.DataFrame:
    """Return every dated ARC theme: iso3, theme, as_of, source; reference lists and returns alike."""
    a = schema.arc_theme.c
    reference = _frame(connection, select(a.iso3, a.theme, a.as_of, a.source),
                       ["iso3", "theme", "as_of", "source"])
    values = read_current_values(connection)
    from_returns = values[values["field_code"] == "arc_theme"]
    returned = pd.DataFrame({
        "iso3": from_returns["country"], "theme": from_returns["value_text"],
        "as_of": from_returns["year"].astype(str), "source": "country return",
    })
    return pd.concat([reference, returned], ignore_index=True).sort_values(["iso3", "as_of"], ignore_index=True)


def read_workplan(connection: Connection, plan_code: str) -> pd.DataFrame:
    """Return the programmes of a work plan with their status."""
    w = schema.workplan_programme
    query = select(w).where(w.c.plan_code == plan_code).order_by(w.c.no)
    return _frame(connection, query, [c.name for c in w.columns])


def read_change_marker(connection: Connection) -> int | None:
    """Return the newest audit log id: it moves with every change to the data (each appends a line to the log, in
    kpi.db.write_transaction, one writer at a time, so the ids grow in commit order); None before the first."""
    return connection.execute(select(func.max(schema.audit_log.c.id))).scalar()


def read_audit(connection: Connection, entity: str | None = None) -> pd.DataFrame:
    """Return the audit log, newest first, optionally for one kind of entity."""
    a = schema.audit_log.c
    query = select(schema.audit_log).order_by(a.id.desc())
    if entity:
        query = query.where(a.entity == entity)
    return _frame(connection, query, [c.name for c in schema.audit_log.columns])


def read_audit_choices(connection: Connection) -> dict:
    """Return what the audit log can be filtered by: its users, actions and entities (sorted), first and last date."""
    a = schema.audit_log.c
    first, last = connection.execute(select(func.min(a.at), func.max(a.at))).one()
    return {
        "users": sorted(connection.execute(select(a.user_name).distinct()).scalars()),
        "actions": sorted(connection.execute(select(a.action).distinct()).scalars()),
        "entities": sorted(connection.execute(select(a.entity).distinct()).scalars()),
        "first": None if first is None else _as_utc(first).date(),
        "last": None if last is None else _as_utc(last).date(),
    }


def read_audit_trail(connection: Connection, users=(), actions=(), entities=(), since: dt.date | None = None,
                     until: dt.date | None = None) -> pd.DataFrame:
    """Return the audit log, newest first, of these users, actions and entities (empty: all), on the UTC dates from
    `since` to `until` inclusive."""
    a = schema.audit_log.c
    query = select(schema.audit_log).order_by(a.id.desc())
    for column, wanted in ((a.user_name, users), (a.action, actions), (a.entity, entities)):
        if wanted:
            query = query.where(column.in_(list(wanted)))
    if since is not None:
        query = query.where(a.at >= dt.datetime.combine(since, dt.time(), dt.timezone.utc))
    if until is not None:
        query = query.where(a.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.timezone.utc))
    return _frame(connection, query, [c.name for c in schema.audit_log.columns])


def _frame(connection: Connection, query, columns: list[str]) -> pd.DataFrame:
    rows = connection.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)
