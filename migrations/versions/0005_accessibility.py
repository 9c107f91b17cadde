"""accessibility: site texts and sign language videos

The easy-language text as admins edit it, and videos in German Sign Language with WebVTT captions and a
transcript (accessibility.models).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 01:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_language_video',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('mime_type', sa.String(length=20), nullable=False),
        sa.Column('captions', sa.Text(), nullable=False),
        sa.Column('transcript', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )


    op.create_table(
        'site_text',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade():
    op.drop_table('site_text')
    op.drop_table('sign_language_video')
