"""Answers published to the public: when, and which citizens were told by e-mail

Revision ID: b7d3a9e41c02
Revises: 2e02947faa6f
Create Date: 2026-12-05 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d3a9e41c02'
down_revision = '2e02947faa6f'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable): SQLite then keeps the tables, whose rows other tables reference.
    op.add_column('consultation', sa.Column('answers_published_at', sa.DateTime(), nullable=True))
    op.add_column('contribution', sa.Column('answers_mailed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('contribution', 'answers_mailed_at')
    op.drop_column('consultation', 'answers_published_at')
