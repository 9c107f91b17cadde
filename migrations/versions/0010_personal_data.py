"""accounts and personal data: association admins, invitations, password resets, deleted accounts

Every member an association has so far becomes one of its admins (members
were added by operators and by registration, both as the association's
admins), so every association keeps at least one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('association_member') as batch:
        batch.add_column(sa.Column('admin', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE association_member SET admin = :yes").bindparams(yes=True))
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('association') as batch:
        batch.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
    op.create_table(
        'password_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_reset_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash')),
    )
    op.create_index(op.f('ix_password_reset_user_id'), 'password_reset', ['user_id'], unique=False)
    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('association_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['association_id'], ['association.id'],
                                name=op.f('fk_invitation_association_id_association'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_invitation_invited_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_invitation_accepted_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash')),
    )
    op.create_index(op.f('ix_invitation_association_id'), 'invitation', ['association_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_invitation_association_id'), table_name='invitation')
    op.drop_table('invitation')
    op.drop_index(op.f('ix_password_reset_user_id'), table_name='password_reset')
    op.drop_table('password_reset')
    with op.batch_alter_table('association') as batch:
        batch.drop_column('deleted_at')
    with op.batch_alter_table('user') as batch:
        batch.drop_column('deleted_at')
    with op.batch_alter_table('association_member') as batch:
        batch.drop_column('admin')
