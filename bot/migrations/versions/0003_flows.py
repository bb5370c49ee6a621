"""flows: pending changes and user locales

Revision ID: 0003_flows
Revises: 0004_slack_oauth
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_flows"
down_revision = "0004_slack_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_user_locales",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "flow_pending_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["audit_log.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("flow_pending_changes")
    op.drop_table("flow_user_locales")
