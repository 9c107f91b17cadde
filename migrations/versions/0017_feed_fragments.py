"""feed fragments: each event's VEVENT text kept in the database, so a restarted worker does not render them again

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_fragment',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_feed_fragment'))
    )
    op.create_index(op.f('ix_feed_fragment_day'), 'feed_fragment', ['day'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_feed_fragment_day'), table_name='feed_fragment')
    op.drop_table('feed_fragment')
