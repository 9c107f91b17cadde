"""outbox: every mail stored with the change that causes it; worker heartbeats; job slots

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_key', sa.String(length=200), nullable=False),
        sa.Column('sender', sa.String(length=320), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=True),
        sa.Column('message_id', sa.String(length=250), nullable=False),
        sa.Column('message', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('give_up_at', sa.DateTime(), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('claimed_by', sa.String(length=120), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('purged_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notice_key'),
    )
    op.create_index('ix_outbox_mail_due', 'outbox_mail', ['status', 'next_attempt_at'])
    op.create_table(
        'worker_beat',
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('slot', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('job', 'scope', 'slot', name='uq_job_run_slot'),
    )


def downgrade():
    op.drop_table('job_run')
    op.drop_table('worker_beat')
    op.drop_index('ix_outbox_mail_due', table_name='outbox_mail')
    op.drop_table('outbox_mail')
