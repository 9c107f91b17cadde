"""operations: idempotency keys; the request id on each outbox mail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotent_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('location', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key', name='uq_idempotent_request_key'),
    )
    op.create_index('ix_idempotent_request_created_at', 'idempotent_request', ['created_at'])
    with op.batch_alter_table('outbox_mail') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mail') as batch:
        batch.drop_column('request_id')
    op.drop_index('ix_idempotent_request_created_at', table_name='idempotent_request')
    op.drop_table('idempotent_request')
