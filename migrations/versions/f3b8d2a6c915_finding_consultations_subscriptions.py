"""Finding consultations: a folded title for search; e-mail subscriptions to new consultations

Revision ID: f3b8d2a6c915
Revises: c4a1e2f3d5b6
Create Date: 2026-12-05 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d2a6c915'
down_revision = 'c4a1e2f3d5b6'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: SQLite keeps the consultation table (others reference it).
    op.add_column('consultation', sa.Column('title_key', sa.String(length=500), server_default='',
                                            nullable=False))
    _fold_titles()
    op.create_table(
        'subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('email_key', sa.String(length=254), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
        sa.Column('confirm_expires_at', sa.DateTime(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['organisation.id'],
                                name=op.f('fk_subscription_agency_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription')),
        sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_subscription_confirm_token_hash')),
        sa.UniqueConstraint('email_key', 'scope', name=op.f('uq_subscription_email_key')),
    )
    op.create_index(op.f('ix_subscription_agency_id'), 'subscription', ['agency_id'], unique=False)
    op.create_table(
        'subscription_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_subscription_delivery_consultation_id_consultation')),
        sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'],
                                name=op.f('fk_subscription_delivery_subscription_id_subscription')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_delivery')),
        sa.UniqueConstraint('subscription_id', 'consultation_id',
                            name=op.f('uq_subscription_delivery_subscription_id')),
    )
    op.create_index(op.f('ix_subscription_delivery_consultation_id'), 'subscription_delivery',
                    ['consultation_id'], unique=False)
    op.create_index(op.f('ix_subscription_delivery_subscription_id'), 'subscription_delivery',
                    ['subscription_id'], unique=False)
    op.create_table(
        'announcement',
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('noticed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_announcement_consultation_id_consultation')),
        sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_announcement')),
    )
    # Consultations already visible were published before anyone could subscribe.
    op.execute("INSERT INTO announcement (consultation_id, noticed_at) "
               "SELECT id, CURRENT_TIMESTAMP FROM consultation WHERE published")


def _fold_titles():
    from consult.textnorm import search_key

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title FROM consultation")).all()
    for row_id, title in rows:
        bind.execute(sa.text("UPDATE consultation SET title_key = :key WHERE id = :id"),
                     {"key": search_key(title)[:500], "id": row_id})


def downgrade():
    op.drop_table('announcement')
    op.drop_index(op.f('ix_subscription_delivery_subscription_id'), table_name='subscription_delivery')
    op.drop_index(op.f('ix_subscription_delivery_consultation_id'), table_name='subscription_delivery')
    op.drop_table('subscription_delivery')
    op.drop_index(op.f('ix_subscription_agency_id'), table_name='subscription')
    op.drop_table('subscription')
    op.drop_column('consultation', 'title_key')  # plain DROP COLUMN: no rebuild on SQLite
