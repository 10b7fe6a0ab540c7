"""pending federation links: in the database, for any worker

Revision ID: 3f6a1d2e9b47
Revises: 8b3d2f61a9c4
Create Date: 2026-12-07 16:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '3f6a1d2e9b47'
down_revision = '8b3d2f61a9c4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('federation_links',
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash')
    )
    op.create_index(op.f('ix_federation_links_expires_at'), 'federation_links', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_federation_links_expires_at'), table_name='federation_links')
    op.drop_table('federation_links')
