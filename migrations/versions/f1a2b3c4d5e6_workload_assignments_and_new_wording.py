"""The team's workload: assignments, decisions on survey answers, reminder log; new wording

Revision ID: f1a2b3c4d5e6
Revises: d5e8f1a2b3c4
Create Date: 2026-12-05 08:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'd5e8f1a2b3c4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('decision', sa.Column('new_wording', sa.Text(), nullable=True))
    # Plain ADD COLUMN on SQLite (no batch rebuild), with its reference inline.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE answer ADD COLUMN decision_id INTEGER '
                   'CONSTRAINT fk_answer_decision_id_decision REFERENCES decision (id)')
    else:
        op.add_column('answer', sa.Column('decision_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_answer_decision_id_decision'), 'answer', 'decision',
                              ['decision_id'], ['id'])
    op.create_index(op.f('ix_answer_decision_id'), 'answer', ['decision_id'], unique=False)
    op.create_table(
        'assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_assignment_assigned_by_id_user')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_assignment_consultation_id_consultation')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assignment_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
        sa.UniqueConstraint('consultation_id', 'target', name='uq_assignment_target'),
    )
    op.create_index(op.f('ix_assignment_consultation_id'), 'assignment', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_assignment_user_id'), 'assignment', ['user_id'], unique=False)
    op.create_table(
        'reminder_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=255), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('days_left', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_reminder_log_consultation_id_consultation')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_reminder_log_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
        sa.UniqueConstraint('kind', 'subject_id', 'recipient', 'day', name='uq_reminder_log_once_a_day'),
    )
    op.create_index(op.f('ix_reminder_log_consultation_id'), 'reminder_log', ['consultation_id'], unique=False)
    op.create_index(op.f('ix_reminder_log_day'), 'reminder_log', ['day'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reminder_log_day'), table_name='reminder_log')
    op.drop_index(op.f('ix_reminder_log_consultation_id'), table_name='reminder_log')
    op.drop_table('reminder_log')
    op.drop_index(op.f('ix_assignment_user_id'), table_name='assignment')
    op.drop_index(op.f('ix_assignment_consultation_id'), table_name='assignment')
    op.drop_table('assignment')
    op.drop_index(op.f('ix_answer_decision_id'), table_name='answer')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_answer_decision_id_decision'), 'answer', type_='foreignkey')
    op.drop_column('answer', 'decision_id')
    op.drop_column('decision', 'new_wording')
