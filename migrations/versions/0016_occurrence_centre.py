"""occurrence centre: each date carries its booking's centre, indexed with its start (a centre's dates in order)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 07:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('occurrence', sa.Column('centre_id', sa.Integer(), nullable=True))
    op.execute('UPDATE occurrence SET centre_id = (SELECT booking.centre_id FROM booking '
               'WHERE booking.id = occurrence.booking_id)')
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.alter_column('centre_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_occurrence_centre_id_centre'), 'centre', ['centre_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_occurrence_centre_time', ['centre_id', 'starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_centre_time')
        batch_op.drop_constraint(batch_op.f('fk_occurrence_centre_id_centre'), type_='foreignkey')
        batch_op.drop_column('centre_id')
