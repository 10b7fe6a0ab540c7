"""the home feed's own index: top-level cruds by (created_at, uuid)

Revision ID: 7c2e9d4b1a60
Revises: 5e1f0a7c3b21
Create Date: 2026-12-07 15:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '7c2e9d4b1a60'
down_revision = '5e1f0a7c3b21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_activities_home_feed',
        'activities',
        ['created_at', 'uuid'],
        postgresql_where=sa.text('reply_to IS NULL'),
        sqlite_where=sa.text('reply_to IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_activities_home_feed', table_name='activities')
