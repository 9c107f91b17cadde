"""terms of use: house rules, responsible person, fees, buffers, keys and deposit, cancellation terms, quiet hours

Each date now blocks its room for its time widened by the room's set-up and
clean-up buffers (occurrence.blocked_start/blocked_end, filled with the date
itself for existing rows). On PostgreSQL the exclusion constraint of 0002 is
replaced by one over the blocked intervals of approved dates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'house_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('text', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_house_rules_centre_id_centre'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_house_rules_created_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_house_rules')),
        sa.UniqueConstraint('centre_id', 'version', name='uq_house_rules_version'),
    )
    op.create_index(op.f('ix_house_rules_centre_id'), 'house_rules', ['centre_id'], unique=False)

    with op.batch_alter_table('centre') as batch:
        batch.add_column(sa.Column('currency', sa.String(length=3), nullable=False, server_default='EUR'))
        batch.add_column(sa.Column('reduced_percent', sa.Integer(), nullable=False, server_default='50'))
        batch.add_column(sa.Column('commercial_percent', sa.Integer(), nullable=False, server_default='150'))
        batch.add_column(sa.Column('cancel_free_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('late_cancel_fee_cents', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('late_cancel_online', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('quiet_from', sa.Time(), nullable=True))
        batch.add_column(sa.Column('asks_responsible', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('room') as batch:
        for name in ('setup_minutes', 'cleanup_minutes', 'hourly_rate_cents', 'flat_rate_cents', 'deposit_cents'):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('booking') as batch:
        batch.add_column(sa.Column('house_rules_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('terms_accepted_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('responsible_name', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('responsible_phone', sa.String(length=50), nullable=False, server_default=''))
        batch.add_column(sa.Column('responsible_adult', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('commercial', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('tariff', sa.String(length=20), nullable=False, server_default='free'))
        batch.add_column(sa.Column('tariff_reason', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('currency', sa.String(length=3), nullable=False, server_default='EUR'))
        batch.add_column(sa.Column('fee_cents', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('deposit_cents', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('cancellation_fee_cents', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('deposit_received_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('deposit_returned_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('closed_dates', sa.JSON(), nullable=False, server_default='[]'))
        batch.create_foreign_key(batch.f('fk_booking_house_rules_id_house_rules'), 'house_rules', ['house_rules_id'], ['id'],
                                 ondelete='SET NULL')

    op.create_table(
        'key_handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('occurrence_id', sa.Integer(), nullable=True),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('handed_out_at', sa.DateTime(), nullable=False),
        sa.Column('handed_out_by_id', sa.Integer(), nullable=True),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('returned_at', sa.DateTime(), nullable=True),
        sa.Column('returned_by_id', sa.Integer(), nullable=True),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_key_handover_booking_id_booking'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_key_handover_occurrence_id_occurrence'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handed_out_by_id'], ['user.id'], name=op.f('fk_key_handover_handed_out_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['returned_by_id'], ['user.id'], name=op.f('fk_key_handover_returned_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_handover')),
    )
    op.create_index(op.f('ix_key_handover_booking_id'), 'key_handover', ['booking_id'], unique=False)
    op.create_index(op.f('ix_key_handover_due_at'), 'key_handover', ['due_at'], unique=False)
    op.create_index(op.f('ix_key_handover_returned_at'), 'key_handover', ['returned_at'], unique=False)

    with op.batch_alter_table('occurrence') as batch:
        batch.add_column(sa.Column('blocked_start', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('blocked_end', sa.DateTime(), nullable=True))
    op.execute("UPDATE occurrence SET blocked_start = starts_at, blocked_end = ends_at")
    with op.batch_alter_table('occurrence') as batch:
        batch.alter_column('blocked_start', existing_type=sa.DateTime(), nullable=False)
        batch.alter_column('blocked_end', existing_type=sa.DateTime(), nullable=False)
        batch.create_check_constraint(op.f('ck_occurrence_blocked_covers_date'), 'blocked_start <= starts_at AND blocked_end >= ends_at')
        batch.create_index('ix_occurrence_room_blocked', ['room_id', 'blocked_start', 'blocked_end'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE occurrence DROP CONSTRAINT IF EXISTS ex_occurrence_no_overlap")
        op.execute(
            "ALTER TABLE occurrence ADD CONSTRAINT ex_occurrence_no_overlap "
            "EXCLUDE USING gist (room_id WITH =, tsrange(blocked_start, blocked_end) WITH &&) "
            "WHERE (status = 'approved')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE occurrence DROP CONSTRAINT IF EXISTS ex_occurrence_no_overlap")
        op.execute(
            "ALTER TABLE occurrence ADD CONSTRAINT ex_occurrence_no_overlap "
            "EXCLUDE USING gist (room_id WITH =, tsrange(starts_at, ends_at) WITH &&) "
            "WHERE (status = 'approved')"
        )
    with op.batch_alter_table('occurrence') as batch:
        batch.drop_index('ix_occurrence_room_blocked')
        batch.drop_constraint(op.f('ck_occurrence_blocked_covers_date'), type_='check')
        batch.drop_column('blocked_end')
        batch.drop_column('blocked_start')
    op.drop_table('key_handover')
    with op.batch_alter_table('booking') as batch:
        batch.drop_constraint(batch.f('fk_booking_house_rules_id_house_rules'), type_='foreignkey')
        for name in ('closed_dates', 'deposit_returned_at', 'deposit_received_at', 'cancellation_fee_cents',
                     'deposit_cents', 'fee_cents', 'currency', 'tariff_reason', 'tariff', 'commercial',
                     'responsible_adult', 'responsible_phone', 'responsible_name', 'terms_accepted_at',
                     'house_rules_id'):
            batch.drop_column(name)
    with op.batch_alter_table('room') as batch:
        for name in ('deposit_cents', 'flat_rate_cents', 'hourly_rate_cents', 'cleanup_minutes', 'setup_minutes'):
            batch.drop_column(name)
    with op.batch_alter_table('centre') as batch:
        for name in ('asks_responsible', 'quiet_from', 'late_cancel_online', 'late_cancel_fee_cents',
                     'cancel_free_days', 'commercial_percent', 'reduced_percent', 'currency'):
            batch.drop_column(name)
    op.drop_index(op.f('ix_house_rules_centre_id'), table_name='house_rules')
    op.drop_table('house_rules')
