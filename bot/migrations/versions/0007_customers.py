"""customers: their domains and Slack people, their change requests, user groups of agents, and who
requested an approved change in the audit log

Revision ID: 0007_customers
Revises: 0006_anonymised_votes
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_customers"
down_revision = "0006_anonymised_votes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "customer_domains",
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain_id"),
    )
    op.create_index("ix_customer_domains_customer_id", "customer_domains", ["customer_id"])
    op.create_table(
        "customer_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("slack_id", sa.String(length=64), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "slack_id", name="uq_customer_members_kind_slack_id"),
    )
    op.create_index("ix_customer_members_customer_id", "customer_members", ["customer_id"])
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("previewed", sa.JSON(), nullable=True),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("requester_team", sa.String(length=64), nullable=True),
        sa.Column("requester_lang", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("posted_channel", sa.String(length=64), nullable=True),
        sa.Column("posted_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["change_id"], ["audit_log.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_requests_customer_id", "change_requests", ["customer_id"])
    op.create_table(
        "slack_user_groups",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.String(length=100), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "entry"),
    )
    with op.batch_alter_table("audit_log") as table:
        table.add_column(sa.Column("requested_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as table:
        table.drop_column("requested_by")
    op.drop_table("slack_user_groups")
    op.drop_index("ix_change_requests_customer_id", "change_requests")
    op.drop_table("change_requests")
    op.drop_index("ix_customer_members_customer_id", "customer_members")
    op.drop_table("customer_members")
    op.drop_index("ix_customer_domains_customer_id", "customer_domains")
    op.drop_table("customer_domains")
    op.drop_table("customers")
