"""The dossier: documents published with a draft (tờ trình, reports), with their history

Revision ID: d4e5f6a7b8c9
Revises: f1a2b3c4d5e6
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dossier_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('original_filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('superseded_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawal_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_dossier_document_consultation_id_consultation')),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['dossier_document.id'],
                                name=op.f('fk_dossier_document_replaced_by_id_dossier_document')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'],
                                name=op.f('fk_dossier_document_uploaded_by_id_user')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'],
                                name=op.f('fk_dossier_document_withdrawn_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_document')),
    )
    op.create_index(op.f('ix_dossier_document_consultation_id'), 'dossier_document',
                    ['consultation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_dossier_document_consultation_id'), table_name='dossier_document')
    op.drop_table('dossier_document')
