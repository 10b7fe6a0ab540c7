"""passkeys: when each last signed in, and who was already offered one

Revision ID: 5e1f0a7c3b21
Revises: c9fd152b82c5
Create Date: 2026-12-04 18:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '5e1f0a7c3b21'
down_revision = 'c9fd152b82c5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('passkey_uses',
    sa.Column('sub', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('passkey_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sub', 'passkey_id')
    )
    op.create_table('passkey_offers',
    sa.Column('sub', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('offered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sub')
    )


def downgrade() -> None:
    op.drop_table('passkey_offers')
    op.drop_table('passkey_uses')
