"""Reminders: weekdays and a time on users, push subscriptions, and delivery claims

Revision ID: 7c1e5a0d9b42
Revises: 6f0a1c9e4b26
Created: 2026-11-26 02:55:00
"""

import sqlalchemy as sa
from alembic import op


revision = "7c1e5a0d9b42"
down_revision = "6f0a1c9e4b26"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_days", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("reminder_time", sa.String(length=5), nullable=True))

    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("login_session_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=120), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["login_session_id"], ["login_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint"),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_push_subscriptions_login_session_id"), ["login_session_id"]
        )
        batch_op.create_index(batch_op.f("ix_push_subscriptions_user_id"), ["user_id"])

    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "local_date", "local_time"),
    )
    with op.batch_alter_table("reminder_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_deliveries_user_id"), ["user_id"])


def downgrade():
    with op.batch_alter_table("reminder_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_deliveries_user_id"))
    op.drop_table("reminder_deliveries")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_user_id"))
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_login_session_id"))
    op.drop_table("push_subscriptions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reminder_time")
        batch_op.drop_column("reminder_days")
