"""The database tables (SQLAlchemy Core); Alembic migrations in migrations/ evolve them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
)

from kpi.fields import ANNEX1_ITEMS, TARGETS_KIND, WORKPLAN_KIND

# Named constraints so migrations can alter them the same way on SQLite and PostgreSQL.
metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

member_state = Table(
    "member_state", metadata,
    Column("iso3", String(3), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("group", String(20), nullable=False),  # "AMS" or "Plus Three"
    Column("accsm_since", Integer),
)

arc_theme = Table(
    "arc_theme", metadata,
    Column("id", Integer, primary_key=True),
    Column("iso3", String(3), ForeignKey("member_state.iso3"), nullable=False, index=True),
    Column("theme", Text, nullable=False),
    Column("as_of", String(7), nullable=False),  # "YYYY-MM" (reference lists) or "YYYY" (a return's year)
    Column("source", String(100), nullable=False),
    UniqueConstraint("iso3", "as_of", "source", name="uq_arc_theme_dated"),
)

plan_period = Table(
    "plan_period", metadata,
    Column("code", String(20), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("start_year", Integer, nullable=False),
    Column("end_year", Integer, nullable=False),
    Column("baseline_year", Integer, nullable=False),
    Column("target_year", Integer, nullable=False),
)

indicator = Table(
    "indicator", metadata,
    Column("plan_code", String(20), ForeignKey("plan_period.code"), primary_key=True),
    Column("code", String(10), primary_key=True),
    Column("area", String(1), nullable=False),
    Column("wording", Text, nullable=False),
    Column("unit", String(30), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("inputs", Text, nullable=False),  # field or list codes joined by ","
    Column("aggregation", String(30), nullable=False),
    Column("definition", Text, nullable=False),
)

workplan_programme = Table(
    "workplan_programme", metadata,
    Column("plan_code", String(20), ForeignKey("plan_period.code"), primary_key=True),
    Column("no", Integer, primary_key=True),
    Column("plan", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("objectives", Text),
    Column("priority_areas", String(20)),
    Column("plus3_thematic_areas", String(40)),
    Column("ascc_kras", Text),
    Column("ascc_measures", Text),
    Column("apsc_action_lines", Text),
    Column("timeline", Text),
    Column("planned_years", String(60)),
    Column("completed_in_plan", String(3)),
    Column("budget", Text),
    Column("coordinators", String(60)),
    Column("partners", Text),
    Column("status", String(20)),
    Column("status_note", Text),
    Column("status_set_at", DateTime(timezone=True)),  # when the status or note last changed (migration 0004)
    Column("status_set_by", String(100)),
)

submission = Table(
    "submission", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # "return", "targets", "evaluations", "workplan"
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_digest", String(64), nullable=False, index=True),  # of the values, however re-saved
    Column("template_version", String(20), nullable=False),
    Column("country", String(3), ForeignKey("member_state.iso3")),
    Column("year", Integer),
    Column("subject", Text),  # what else identifies it: an evaluations file's project title
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),  # "current" or "superseded"
    Column("supersedes_id", Integer, ForeignKey("submission.id")),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("warnings", Text, nullable=False, default="[]"),  # JSON list of "Sheet!Cell: message"
)

# Kinds whose files update stored rows (targets, work plan statuses): each of their submissions stays "current"
# and none supersedes another. Every other kind has one current submission per (kind, country, year, subject).
UPDATE_KINDS = (TARGETS_KIND, WORKPLAN_KIND)

# The database itself refuses a second current submission for the same key (migration 0003). NULLs are
# distinct in a unique index on SQLite and PostgreSQL alike, so the nullable parts of the key are compared
# through COALESCE (a return has no subject; NULL and '' are never both used for the same key).
_CURRENT_KEYED = and_(submission.c.status == "current", submission.c.kind.not_in(UPDATE_KINDS))
Index(
    "uq_submission_current_key",
    submission.c.kind,
    func.coalesce(submission.c.country, ""),
    func.coalesce(submission.c.year, -1),
    func.coalesce(submission.c.subject, ""),
    unique=True,
    sqlite_where=_CURRENT_KEYED,
    postgresql_where=_CURRENT_KEYED,
)

return_value = Table(
    "return_value", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("field_code", String(60), nullable=False),
    Column("value_number", Float),  # numbers, and yes/no as 1/0
    Column("value_text", Text),  # text, and yes/no as "yes"/"no"
    Column("sheet", String(100), nullable=False),
    Column("cell", String(12), nullable=False),
    UniqueConstraint("submission_id", "field_code", name="uq_return_value_field"),
)

policy = Table(
    "policy", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("level", String(20), nullable=False),
    Column("year_started", Integer),
    Column("sheet", String(100), nullable=False),
    Column("row", Integer, nullable=False),
)

arc_project = Table(
    "arc_project", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("participants", Integer),
    Column("evaluations", Integer),
    Column("satisfied", Integer),
    Column("sheet", String(100), nullable=False),
    Column("row", Integer, nullable=False),
)

reform_measure = Table(
    "reform_measure", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("aim", String(20), nullable=False),
    Column("year_started", Integer),
    Column("sheet", String(100), nullable=False),
    Column("row", Integer, nullable=False),
)

evaluation_response = Table(
    "evaluation_response", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("country", String(3), ForeignKey("member_state.iso3"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("project_title", Text, nullable=False),
    Column("participant", String(60), nullable=False),
    *[Column(item.code, Integer) for item in ANNEX1_ITEMS],
    Column("a2_overall", Integer),
    Column("sheet", String(100), nullable=False),
    Column("row", Integer, nullable=False),
)

target_entry = Table(
    "target_entry", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_code", String(20), ForeignKey("plan_period.code"), nullable=False),
    Column("indicator_code", String(10), nullable=False),
    Column("scope", String(5), nullable=False),  # "ASEAN", an AMS's ISO3, or "AMS" for every Member State
    Column("baseline", Float),
    Column("target", Float),
    Column("note", Text),
    Column("set_by", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="SET NULL")),
    Column("is_demo", Boolean, nullable=False, default=False),
    UniqueConstraint("plan_code", "indicator_code", "scope", name="uq_target_entry_key"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_key", String(200), nullable=False),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
)

# A SOM edition: what was shown at one SOM, frozen (migration 0004). The database refuses updates and deletes,
# as for the audit log; each payload is JSON written once (kpi.editions).
som_edition = Table(
    "som_edition", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("som_date", Date, nullable=False),
    Column("year", Integer, nullable=False),  # the reporting year the SOM was shown
    Column("plan_code", String(20), ForeignKey("plan_period.code"), nullable=False),
    Column("frozen_by", String(100), nullable=False),
    Column("frozen_at", DateTime(timezone=True), nullable=False),
    Column("data_as_of", DateTime(timezone=True)),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("kpi_table", Text, nullable=False),  # JSON records: every (indicator, scope, year) as reported
    Column("returns", Text, nullable=False),  # JSON: the current submissions and their single values
    Column("targets", Text, nullable=False),  # JSON records: the entered baselines and targets
    Column("workplan", Text, nullable=False),  # JSON records: each programme's status
    Column("pack_pptx", LargeBinary),
    Column("pack_file_name", String(255)),
    Column("note", Text),
)

# Who may use the dashboard and in what role (migration 0005; kpi.access holds the rule, kpi.users the changes).
# `login` is the name recorded in the audit log and on every submission. A focal point has a country, no one else.
app_user = Table(
    "app_user", metadata,
    Column("login", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),  # "secretariat", "focal_point" or "viewer"
    Column("country", String(3), ForeignKey("member_state.iso3")),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("role IN ('secretariat', 'focal_point', 'viewer')", name="role"),
    CheckConstraint("(role = 'focal_point' AND country IS NOT NULL) OR (role <> 'focal_point' AND country IS NULL)",
                    name="country_of_focal_point"),
    # The e-mail an OpenID Connect provider signs them in with, lower case (migration 0006; dashboard/identity.py).
    Column("sign_in_email", String(320)),
)
# One person is one user; NULLs (users who never sign in) are distinct.
Index("uq_app_user_sign_in_email", app_user.c.sign_in_email, unique=True)

# The review state history of each country return (migration 0007; kpi.review holds the states and transitions).
# A return's state is its latest row, else "received"; "missing" and "with errors" have no stored return to mark.
return_review = Table(
    "return_review", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("country", String(3), ForeignKey("member_state.iso3"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("state", String(20), nullable=False),  # "received", "queried" or "confirmed"
    Column("note", Text),  # the question of a query; the reason a confirmed return was superseded
    Column("set_by", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("state IN ('received', 'queried', 'confirmed')", name="state"),
)

LIST_TABLES = {"policies": policy, "arc_projects": arc_project, "reform_measures": reform_measure}
