"""programme images: a programme's picture and its partners' logos (uploaded by coordinators, re-encoded and
kept in the database), with a text per language saying what they show

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('extension', sa.String(length=4), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_image'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('image_alt', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_foreign_key(batch_op.f('fk_programme_image_id_programme_image'), 'programme_image',
                                    ['image_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('programme_partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('logo_alt', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_foreign_key(batch_op.f('fk_programme_partner_logo_id_programme_image'), 'programme_image',
                                    ['logo_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('programme_partner', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programme_partner_logo_id_programme_image'), type_='foreignkey')
        batch_op.drop_column('logo_alt')
        batch_op.drop_column('logo_id')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programme_image_id_programme_image'), type_='foreignkey')
        batch_op.drop_column('image_alt')
        batch_op.drop_column('image_id')
    op.drop_table('programme_image')
