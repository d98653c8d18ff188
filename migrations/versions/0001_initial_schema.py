"""Initial schema: reference data, plan framework, submissions with their values, targets, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 08:39:23.452069
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_key', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('member_state',
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('accsm_since', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('iso3', name=op.f('pk_member_state'))
    )
    op.create_table('plan_period',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_plan_period'))
    )
    op.create_table('arc_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('theme', sa.Text(), nullable=False),
    sa.Column('as_of', sa.String(length=7), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['iso3'], ['member_state.iso3'], name=op.f('fk_arc_theme_iso3_member_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arc_theme')),
    sa.UniqueConstraint('iso3', 'as_of', 'source', name='uq_arc_theme_dated')
    )
    with op.batch_alter_table('arc_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arc_theme_iso3'), ['iso3'], unique=False)

    op.create_table('indicator',
    sa.Column('plan_code', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('area', sa.String(length=1), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('aggregation', sa.String(length=30), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan_period.code'], name=op.f('fk_indicator_plan_code_plan_period')),
    sa.PrimaryKeyConstraint('plan_code', 'code', name=op.f('pk_indicator'))
    )
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('warnings', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['country'], ['member_state.iso3'], name=op.f('fk_submission_country_member_state')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['submission.id'], name=op.f('fk_submission_supersedes_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_content_digest'), ['content_digest'], unique=False)

    op.create_table('workplan_programme',
    sa.Column('plan_code', sa.String(length=20), nullable=False),
    sa.Column('no', sa.Integer(), nullable=False),
    sa.Column('plan', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=True),
    sa.Column('priority_areas', sa.String(length=20), nullable=True),
    sa.Column('plus3_thematic_areas', sa.String(length=40), nullable=True),
    sa.Column('ascc_kras', sa.Text(), nullable=True),
    sa.Column('ascc_measures', sa.Text(), nullable=True),
    sa.Column('apsc_action_lines', sa.Text(), nullable=True),
    sa.Column('timeline', sa.Text(), nullable=True),
    sa.Column('planned_years', sa.String(length=60), nullable=True),
    sa.Column('completed_in_plan', sa.String(length=3), nullable=True),
    sa.Column('budget', sa.Text(), nullable=True),
    sa.Column('coordinators', sa.String(length=60), nullable=True),
    sa.Column('partners', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('status_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_code'], ['plan_period.code'], name=op.f('fk_workplan_programme_plan_code_plan_period')),
    sa.PrimaryKeyConstraint('plan_code', 'no', name=op.f('pk_workplan_programme'))
    )
    op.create_table('arc_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('evaluations', sa.Integer(), nullable=True),
    sa.Column('satisfied', sa.Integer(), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_arc_project_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arc_project'))
    )
    with op.batch_alter_table('arc_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arc_project_submission_id'), ['submission_id'], unique=False)

    op.create_table('evaluation_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('project_title', sa.Text(), nullable=False),
    sa.Column('participant', sa.String(length=60), nullable=False),
    sa.Column('a1_01', sa.Integer(), nullable=True),
    sa.Column('a1_02', sa.Integer(), nullable=True),
    sa.Column('a1_03', sa.Integer(), nullable=True),
    sa.Column('a1_04', sa.Integer(), nullable=True),
    sa.Column('a1_05', sa.Integer(), nullable=True),
    sa.Column('a1_06', sa.Integer(), nullable=True),
    sa.Column('a1_07', sa.Integer(), nullable=True),
    sa.Column('a1_08', sa.Integer(), nullable=True),
    sa.Column('a1_09', sa.Integer(), nullable=True),
    sa.Column('a1_10', sa.Integer(), nullable=True),
    sa.Column('a1_11', sa.Integer(), nullable=True),
    sa.Column('a1_12', sa.Integer(), nullable=True),
    sa.Column('a1_13', sa.Integer(), nullable=True),
    sa.Column('a1_14', sa.Integer(), nullable=True),
    sa.Column('a1_15', sa.Integer(), nullable=True),
    sa.Column('a1_16', sa.Integer(), nullable=True),
    sa.Column('a1_17', sa.Integer(), nullable=True),
    sa.Column('a1_18', sa.Integer(), nullable=True),
    sa.Column('a1_19', sa.Integer(), nullable=True),
    sa.Column('a1_20', sa.Integer(), nullable=True),
    sa.Column('a2_overall', sa.Integer(), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['country'], ['member_state.iso3'], name=op.f('fk_evaluation_response_country_member_state')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_evaluation_response_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response'))
    )
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_submission_id'), ['submission_id'], unique=False)

    op.create_table('policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('year_started', sa.Integer(), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_policy_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy'))
    )
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_submission_id'), ['submission_id'], unique=False)

    op.create_table('reform_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('aim', sa.String(length=20), nullable=False),
    sa.Column('year_started', sa.Integer(), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_reform_measure_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reform_measure'))
    )
    with op.batch_alter_table('reform_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reform_measure_submission_id'), ['submission_id'], unique=False)

    op.create_table('return_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('field_code', sa.String(length=60), nullable=False),
    sa.Column('value_number', sa.Float(), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('cell', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_return_value_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_value')),
    sa.UniqueConstraint('submission_id', 'field_code', name='uq_return_value_field')
    )
    with op.batch_alter_table('return_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_value_submission_id'), ['submission_id'], unique=False)

    op.create_table('target_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_code', sa.String(length=20), nullable=False),
    sa.Column('indicator_code', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=5), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('set_by', sa.String(length=100), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan_period.code'], name=op.f('fk_target_entry_plan_code_plan_period')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_target_entry_submission_id_submission'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_entry')),
    sa.UniqueConstraint('plan_code', 'indicator_code', 'scope', name='uq_target_entry_key')
    )


def downgrade() -> None:
    op.drop_table('target_entry')
    with op.batch_alter_table('return_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_value_submission_id'))

    op.drop_table('return_value')
    with op.batch_alter_table('reform_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reform_measure_submission_id'))

    op.drop_table('reform_measure')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_submission_id'))

    op.drop_table('policy')
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_submission_id'))

    op.drop_table('evaluation_response')
    with op.batch_alter_table('arc_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arc_project_submission_id'))

    op.drop_table('arc_project')
    op.drop_table('workplan_programme')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_content_digest'))

    op.drop_table('submission')
    op.drop_table('indicator')
    with op.batch_alter_table('arc_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arc_theme_iso3'))

    op.drop_table('arc_theme')
    op.drop_table('plan_period')
    op.drop_table('member_state')
    op.drop_table('audit_log')
