"""Retention per consultation: days after closing before names and contacts are erased

Revision ID: f3a9c1d7e2b4
Revises: d4e5f6a7b8c9
Create Date: 2026-12-05 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c1d7e2b4'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable): SQLite then keeps the table, whose rows other tables reference.
    op.add_column('consultation', sa.Column('retention_days', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('consultation', 'retention_days')
