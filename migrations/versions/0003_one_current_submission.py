"""One current submission per (kind, country, year, subject), refused otherwise by a partial unique index.

Two uploads of the same AMS and year at the same moment could each supersede the same earlier return and
both stay current, so the KPIs counted that return twice. Before the index is created, every such group is
repaired deterministically: the newest (latest submitted_at, then highest id) stays current, the others
become superseded, each newer one pointing at the one before it, as loading them one after the other would
have left them; the repair is written to the audit log. No row is deleted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""
import datetime as dt
import json
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "uq_submission_current_key"
UPDATE_KINDS = ("targets", "workplan")  # each of their submissions stays current (kpi.schema.UPDATE_KINDS)
KEY_EXPRESSIONS = ["kind", "coalesce(country, '')", "coalesce(year, -1)", "coalesce(subject, '')"]
CURRENT_KEYED = "status = 'current' AND (kind NOT IN ('targets', 'workplan'))"

# The tables as this revision knows them, not as kpi.schema may describe them later.
submission = sa.table(
    "submission",
    sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("country", sa.String),
    sa.column("year", sa.Integer), sa.column("subject", sa.Text), sa.column("status", sa.String),
    sa.column("submitted_at", sa.DateTime(timezone=True)), sa.column("supersedes_id", sa.Integer),
)
audit_log = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime(timezone=True)), sa.column("user_name", sa.String), sa.column("action", sa.String),
    sa.column("entity", sa.String), sa.column("entity_key", sa.String), sa.column("detail", sa.Text),
)


def upgrade() -> None:
    repair_duplicate_current_submissions(op.get_bind())
    where = sa.text(CURRENT_KEYED)
    op.create_index(INDEX, "submission", [sa.text(e) for e in KEY_EXPRESSIONS], unique=True,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="submission")


def _key(row) -> tuple:
    return (row.kind, row.country or "", -1 if row.year is None else row.year, row.subject or "")


def _age(row) -> tuple:
    at = row.submitted_at
    if at is not None and at.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=dt.timezone.utc)
    return (at or dt.datetime.min.replace(tzinfo=dt.timezone.utc), row.id)


def repair_duplicate_current_submissions(connection) -> None:
    """Leave one current submission per key (the newest); chain and supersede the others."""
    s = submission.c
    rows = connection.execute(
        sa.select(s.id, s.kind, s.country, s.year, s.subject, s.submitted_at, s.supersedes_id)
        .where(s.status == "current", s.kind.not_in(UPDATE_KINDS))
    ).all()
    for key, group in groupby(sorted(rows, key=lambda r: (_key(r), _age(r))), key=_key):
        group = list(group)  # oldest first
        if len(group) < 2:
            continue
        for older, newer in zip(group, group[1:]):
            connection.execute(sa.update(submission).where(s.id == older.id).values(status="superseded"))
            connection.execute(sa.update(submission).where(s.id == newer.id).values(supersedes_id=older.id))
        kept = group[-1]
        connection.execute(sa.insert(audit_log).values(
            at=dt.datetime.now(dt.timezone.utc), user_name="migration 0003", action="repair", entity=kept.kind,
            entity_key=str(kept.id), detail=json.dumps({
                "reason": "more than one current submission for the same key",
                "country": kept.country, "year": kept.year, "subject": kept.subject, "kept_current": kept.id,
                "superseded": [r.id for r in group[:-1]],
                "supersedes_before": {str(r.id): r.supersedes_id for r in group},
            }, sort_keys=True),
        ))
