"""Running a consultation: its public history, audiences, late opinions, looked-at warnings

Revision ID: d5e8f1a2b3c4
Revises: f3b8d2a6c915
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e8f1a2b3c4'
down_revision = 'f3b8d2a6c915'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consultation_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('old_closes_at', sa.DateTime(), nullable=True),
        sa.Column('new_closes_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_by', sa.String(length=255), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_consultation_event_actor_id_user')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_consultation_event_consultation_id_consultation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_event')),
    )
    op.create_index(op.f('ix_consultation_event_consultation_id'), 'consultation_event',
                    ['consultation_id'], unique=False)
    # Plain ADD COLUMN on tables others reference (no batch rebuild on SQLite).
    op.add_column('consultation', sa.Column('audiences', sa.JSON(), nullable=False,
                                            server_default='["citizens", "bodies"]'))
    op.add_column('organisation', sa.Column('min_consultation_days', sa.Integer(), nullable=True))
    op.add_column('draft_version', sa.Column('warnings_acknowledged_at', sa.DateTime(), nullable=True))
    op.add_column('comment', sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column('comment', 'late')
    op.drop_column('draft_version', 'warnings_acknowledged_at')
    op.drop_column('organisation', 'min_consultation_days')
    op.drop_column('consultation', 'audiences')
    op.drop_index(op.f('ix_consultation_event_consultation_id'), table_name='consultation_event')
    op.drop_table('consultation_event')
