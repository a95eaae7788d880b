"""Steps name their picture

Revision ID: 8b3f6a1d2c08
Revises: 7c1e5a0d9b42
Created: 2026-11-26 03:15:00
"""

import sqlalchemy as sa
from alembic import op


revision = '8b3f6a1d2c08'
down_revision = "7c1e5a0d9b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pose', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('pose')
