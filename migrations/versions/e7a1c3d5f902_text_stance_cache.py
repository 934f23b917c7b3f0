"""Per-text cache of the normalised text and its stance (text_stance_cache)

Revision ID: e7a1c3d5f902
Revises: f3a9c1d7e2b4
Create Date: 2026-12-05 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c3d5f902'
down_revision = 'f3a9c1d7e2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'text_stance_cache',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('version', sa.String(length=80), nullable=False),
        sa.Column('entry', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_text_stance_cache')),
    )


def downgrade():
    op.drop_table('text_stance_cache')
