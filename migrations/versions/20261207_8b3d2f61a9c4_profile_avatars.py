"""profiles: the avatar's S3 key

Revision ID: 8b3d2f61a9c4
Revises: 7c2e9d4b1a60
Create Date: 2026-12-07 15:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '8b3d2f61a9c4'
down_revision = '7c2e9d4b1a60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('profiles') as batch_op:
        batch_op.add_column(sa.Column('avatar_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_profiles_avatar_key'), ['avatar_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('profiles') as batch_op:
        batch_op.drop_index(batch_op.f('ix_profiles_avatar_key'))
        batch_op.drop_column('avatar_key')
