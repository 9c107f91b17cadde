"""reports: each date's local wall time (for grouping by local weekday, hour and month on every
database), its length in minutes, and the participants an organiser records after a date; a
covering index over them, so a year's report reads the index only

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 15:00:00

"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _local(value, tz):
    return value.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def upgrade():
    with op.batch_alter_table('occurrence') as batch:
        batch.add_column(sa.Column('local_start', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('local_end', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('participants', sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT o.id, o.starts_at, o.ends_at, c.timezone FROM occurrence o "
        "JOIN booking b ON b.id = o.booking_id JOIN centre c ON c.id = b.centre_id")).all()
    zones = {}
    update = sa.text("UPDATE occurrence SET local_start = :s, local_end = :e, minutes = :m WHERE id = :id")
    params = []
    for id_, starts, ends, name in rows:
        tz = zones.setdefault(name, ZoneInfo(name or 'Europe/Berlin'))
        params.append({"id": id_, "s": _local(starts, tz), "e": _local(ends, tz),
                       "m": round((ends - starts).total_seconds() / 60)})
    if params:
        bind.execute(update, params)
    with op.batch_alter_table('occurrence') as batch:
        batch.alter_column('local_start', existing_type=sa.DateTime(), nullable=False)
        batch.alter_column('local_end', existing_type=sa.DateTime(), nullable=False)
        batch.alter_column('minutes', existing_type=sa.Integer(), nullable=False)
        batch.create_check_constraint(op.f('ck_occurrence_participants_not_negative'), 'participants >= 0')
    op.create_index('ix_occurrence_report', 'occurrence',
                    ['local_start', 'local_end', 'booking_id', 'status', 'minutes', 'participants'], unique=False)
    op.create_index('ix_occurrence_booking_start', 'occurrence', ['booking_id', 'local_start'], unique=False)
    op.drop_index('ix_occurrence_booking_id', table_name='occurrence')  # the one above serves its lookups


def downgrade():
    op.create_index('ix_occurrence_booking_id', 'occurrence', ['booking_id'], unique=False)
    op.drop_index('ix_occurrence_booking_start', table_name='occurrence')
    op.drop_index('ix_occurrence_report', table_name='occurrence')
    with op.batch_alter_table('occurrence') as batch:
        batch.drop_constraint(op.f('ck_occurrence_participants_not_negative'), type_='check')
        batch.drop_column('participants')
        batch.drop_column('minutes')
        batch.drop_column('local_end')
        batch.drop_column('local_start')
