"""flows: when a pending change was claimed, so a claim left by a dead worker can be taken over

Revision ID: 0005_flow_claims
Revises: 0003_flows
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_flow_claims"
down_revision = "0003_flows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flow_pending_changes") as table:
        table.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_pending_changes") as table:
        table.drop_column("claimed_at")
