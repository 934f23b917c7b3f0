"""An index on comments by provision, status and date: an article's published comments are
counted and paged without reading the consultation's other comments

Revision ID: 7c1e0f4b9a21
Revises: d79b08f86e2c
Create Date: 2026-12-05 05:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1e0f4b9a21'
down_revision = 'd79b08f86e2c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_provision_status_created',
                              ['provision_id', 'status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_provision_status_created')
