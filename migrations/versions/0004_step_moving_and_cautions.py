"""Steps say whether they move in slow repetitions and which cautions they carry

Revision ID: 4c1e7d2b9a04
Revises: a5dfe9be559a
Created: 2026-11-26 02:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '4c1e7d2b9a04'
down_revision = 'a5dfe9be559a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('moving', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('cautions', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('cautions')
        batch_op.drop_column('moving')
