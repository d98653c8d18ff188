"""Users of the dashboard and their roles; a fresh install holds the local user and the demo loader.

A store with no sign-in provider is used by one person on one machine: the seeded `local` user (secretariat)
is that person, so every change still has a named user whose role is in the store, and no code path skips the
rule of kpi.access. `demo` (secretariat) loads the fictional demo workbooks into a never-used store. A
deployment with sign-in deactivates both (`python -m kpi users deactivate local --user <secretariat>`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:20:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEEDED = [
    {"login": "local", "display_name": "Local user (no sign-in configured)", "role": "secretariat"},
    {"login": "demo", "display_name": "Demo data loader", "role": "secretariat"},
]


def upgrade() -> None:
    table = op.create_table(
        "app_user",
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('secretariat', 'focal_point', 'viewer')", name=op.f("ck_app_user_role")),
        sa.CheckConstraint(
            "(role = 'focal_point' AND country IS NOT NULL) OR (role <> 'focal_point' AND country IS NULL)",
            name=op.f("ck_app_user_country_of_focal_point")),
        sa.ForeignKeyConstraint(["country"], ["member_state.iso3"], name=op.f("fk_app_user_country_member_state")),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_app_user")),
    )
    now = dt.datetime.now(dt.timezone.utc)
    op.bulk_insert(table, [{**row, "country": None, "active": True, "created_by": "migration 0005",
                            "created_at": now} for row in SEEDED])


def downgrade() -> None:
    op.drop_table("app_user")
