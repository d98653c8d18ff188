"""Confirmation of country returns: the history of each current return's review state (kpi.review).

A row says that from `set_at` the return (submission) was "queried" (with the question in `note`), "confirmed",
or "received" again (a new version answering a query, or the secretariat's supersession of a confirmed return,
with its reason in `note`). The state of a return is its latest row, else "received". Every row is also written to
the audit log with the old and new state. A demo return's rows go with it (ON DELETE CASCADE).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "return_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('received', 'queried', 'confirmed')", name=op.f("ck_return_review_state")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE",
                                name=op.f("fk_return_review_submission_id_submission")),
        sa.ForeignKeyConstraint(["country"], ["member_state.iso3"],
                                name=op.f("fk_return_review_country_member_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_review")),
    )
    op.create_index(op.f("ix_return_review_submission_id"), "return_review", ["submission_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_return_review_submission_id"), table_name="return_review")
    op.drop_table("return_review")
