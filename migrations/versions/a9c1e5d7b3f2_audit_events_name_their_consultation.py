"""Audit events name their consultation, so an agency's audit trail shows every event on it

Revision ID: a9c1e5d7b3f2
Revises: e7a1c3d5f902
Create Date: 2026-12-05 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c1e5d7b3f2'
down_revision = 'e7a1c3d5f902'
branch_labels = None
depends_on = None

#: object_type of earlier events -> (table, column holding the consultation's id)
_OWNERS = {
    'comment': ('comment', 'consultation_id'),
    'submission': ('submission', 'consultation_id'),
    'survey': ('survey', 'consultation_id'),
    'decision': ('decision', 'consultation_id'),
    'assignment': ('assignment', 'consultation_id'),
    'rosterentry': ('roster_entry', 'consultation_id'),
    'contribution': ('contribution', 'consultation_id'),
}


def upgrade():
    op.add_column('audit_event', sa.Column('consultation_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_audit_event_consultation_id'), 'audit_event', ['consultation_id'], unique=False)
    # Earlier events: name the consultation of the objects that still exist (plain SQL, both databases).
    op.execute("UPDATE audit_event SET consultation_id = object_id WHERE object_type = 'consultation'")
    for object_type, (table, column) in _OWNERS.items():
        op.execute(f"UPDATE audit_event SET consultation_id = (SELECT {table}.{column} FROM {table} "
                   f"WHERE {table}.id = audit_event.object_id) WHERE object_type = '{object_type}'")
    op.execute("UPDATE audit_event SET consultation_id = (SELECT draft.consultation_id FROM draft "
               "JOIN draft_version ON draft_version.draft_id = draft.id "
               "WHERE draft_version.id = audit_event.object_id) WHERE object_type = 'draftversion'")


def downgrade():
    op.drop_index(op.f('ix_audit_event_consultation_id'), table_name='audit_event')
    op.drop_column('audit_event', 'consultation_id')
