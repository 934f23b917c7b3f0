"""Consultations of many agencies: the agency's organisation, the kind of document, archiving

Revision ID: c4a1e2f3d5b6
Revises: b7d3a9e41c02
Create Date: 2026-12-05 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1e2f3d5b6'
down_revision = 'b7d3a9e41c02'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: SQLite then keeps the consultation table, which others reference
    # (a batch-mode rebuild would fail); it adds a referencing column in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultation ADD COLUMN agency_id INTEGER '
                   'CONSTRAINT fk_consultation_agency_id_organisation REFERENCES organisation (id)')
    else:
        op.add_column('consultation', sa.Column('agency_id', sa.Integer(), nullable=True))
    op.add_column('consultation', sa.Column('document_kind', sa.String(length=32),
                                            server_default='law', nullable=False))
    op.add_column('consultation', sa.Column('archived_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_consultation_agency_id'), 'consultation', ['agency_id'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(op.f('fk_consultation_agency_id_organisation'), 'consultation',
                              'organisation', ['agency_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_consultation_agency_id_organisation'), 'consultation',
                           type_='foreignkey')
    op.drop_index(op.f('ix_consultation_agency_id'), table_name='consultation')
    op.drop_column('consultation', 'archived_at')
    op.drop_column('consultation', 'document_kind')
    op.drop_column('consultation', 'agency_id')
