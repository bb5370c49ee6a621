"""Slack: the after-ack job queue, whose unique receipts replace the event receipts table

Revision ID: 0011_slack_job_queue
Revises: 0010_taught_examples
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_slack_job_queue"
down_revision = "0010_taught_examples"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=128), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt"),
    )
    with op.batch_alter_table("slack_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_slack_jobs_claim_order", ["state", "priority", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_jobs_finished_at"), ["finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_jobs_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("slack_event_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_event_receipts_received_at"))
    op.drop_table("slack_event_receipts")


def downgrade() -> None:
    op.create_table(
        "slack_event_receipts",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("slack_event_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_event_receipts_received_at"), ["received_at"], unique=False
        )

    with op.batch_alter_table("slack_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_jobs_user_id"))
        batch_op.drop_index(batch_op.f("ix_slack_jobs_finished_at"))
        batch_op.drop_index("ix_slack_jobs_claim_order")
    op.drop_table("slack_jobs")
