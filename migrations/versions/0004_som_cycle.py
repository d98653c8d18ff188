"""The SOM cycle: who set a work plan status and when, and frozen SOM editions the database never changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workplan_programme") as batch:
        batch.add_column(sa.Column("status_set_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("status_set_by", sa.String(length=100), nullable=True))
    op.create_table(
        "som_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("som_date", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=20), nullable=False),
        sa.Column("frozen_by", sa.String(length=100), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("kpi_table", sa.Text(), nullable=False),
        sa.Column("returns", sa.Text(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("workplan", sa.Text(), nullable=False),
        sa.Column("pack_pptx", sa.LargeBinary(), nullable=True),
        sa.Column("pack_file_name", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["plan_code"], ["plan_period.code"], name=op.f("fk_som_edition_plan_code_plan_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_som_edition")),
        sa.UniqueConstraint("name", name=op.f("uq_som_edition_name")),
    )
    # What a SOM was shown stays as it was shown: the database itself refuses changes (as for audit_log, 0002).
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER som_edition_no_{event.lower()} BEFORE {event} ON som_edition "
                "BEGIN SELECT RAISE(ABORT, 'som_edition is immutable: freeze a new edition instead'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION som_edition_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'som_edition is immutable: freeze a new edition instead'; END $$"
        )
        op.execute(
            "CREATE TRIGGER som_edition_no_change BEFORE UPDATE OR DELETE ON som_edition "
            "FOR EACH ROW EXECUTE FUNCTION som_edition_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER som_edition_no_update")
        op.execute("DROP TRIGGER som_edition_no_delete")
    else:
        op.execute("DROP TRIGGER som_edition_no_change ON som_edition")
        op.execute("DROP FUNCTION som_edition_refuse_change()")
    op.drop_table("som_edition")
    with op.batch_alter_table("workplan_programme") as batch:
        batch.drop_column("status_set_by")
        batch.drop_column("status_set_at")
