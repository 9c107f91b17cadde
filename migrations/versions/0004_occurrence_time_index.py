"""occurrence time index

An index on occurrence.starts_at for the queries that select dates by time
across all rooms (public calendar, JSON API, feeds); the conflict check keeps
using ix_occurrence_room_time. On PostgreSQL also GIN indexes on the event
lists the calendar filters by (audiences, languages as jsonb), matching the
expression in events.queries.json_list_contains.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_starts_at', ['starts_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_event_audiences_gin ON event USING gin ((audiences::jsonb))")
        op.execute("CREATE INDEX ix_event_languages_gin ON event USING gin ((languages::jsonb))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_event_languages_gin")
        op.execute("DROP INDEX IF EXISTS ix_event_audiences_gin")
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_starts_at')
