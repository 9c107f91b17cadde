"""data version: one counter raised by every commit that writes content, so caches check freshness with one
lookup

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'counter': 0}])


def downgrade():
    op.drop_table('data_version')
