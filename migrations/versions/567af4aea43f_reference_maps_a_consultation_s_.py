"""Reference maps: a consultation's reference day, organisations in force, merged and renamed

Revision ID: 567af4aea43f
Revises: 32fc3bc46af2
Create Date: 2026-12-05 05:51:01.764462

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '567af4aea43f'
down_revision = '32fc3bc46af2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('consultation', sa.Column('reference_date', sa.Date(), nullable=True))
    op.add_column('organisation', sa.Column('in_force_from', sa.Date(), nullable=True))
    op.add_column('organisation', sa.Column('in_force_until', sa.Date(), nullable=True))
    op.add_column('organisation', sa.Column('former_names', sa.JSON(), server_default='[]',
                                            nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        # Rebuilding the organisation table (batch mode) would fail once users, letters and
        # the roster point at it; SQLite adds a referencing column in place.
        op.execute('ALTER TABLE organisation ADD COLUMN successor_id INTEGER '
                   'CONSTRAINT fk_organisation_successor_id_organisation REFERENCES organisation (id)')
    else:
        op.add_column('organisation', sa.Column('successor_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_organisation_successor_id_organisation'), 'organisation',
                              'organisation', ['successor_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_organisation_successor_id_organisation'), 'organisation',
                           type_='foreignkey')
    op.drop_column('organisation', 'successor_id')
    op.drop_column('organisation', 'former_names')
    op.drop_column('organisation', 'in_force_until')
    op.drop_column('organisation', 'in_force_from')
    op.drop_column('consultation', 'reference_date')
