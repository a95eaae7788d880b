"""Users say whether they take a statin

Pregnancy and osteoporosis join the conditions list; that list is JSON, so it needs no
column change. Stored "hormone" values stay as they were: the person may mean either.

Revision ID: 3c1f0a7d2b13
Revises: 4c1e7d2b9a04
Created: 2026-11-26 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c1f0a7d2b13"
down_revision = "4c1e7d2b9a04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("takes_statins", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("takes_statins")
