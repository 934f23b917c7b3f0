"""Dossier uploads carry their form's one-time key, so a double click stores one document

Revision ID: b4d8f2a6c1e3
Revises: a9c1e5d7b3f2
Create Date: 2026-12-05 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d8f2a6c1e3'
down_revision = 'a9c1e5d7b3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('dossier_document', sa.Column('form_key', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_dossier_document_form_key'), 'dossier_document', ['form_key'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_dossier_document_form_key'), table_name='dossier_document')
    op.drop_column('dossier_document', 'form_key')
