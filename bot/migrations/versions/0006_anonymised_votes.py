"""feedback: a vote's user may be NULL, so retention and erasure can anonymise votes and keep the counts

Revision ID: 0006_anonymised_votes
Revises: 0005_flow_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_anonymised_votes"
down_revision = "0005_flow_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_votes") as table:
        table.alter_column("user_id", existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    # Anonymised votes have no user left to restore; they go, so the column can take NOT NULL again.
    op.execute("DELETE FROM feedback_votes WHERE user_id IS NULL")
    with op.batch_alter_table("feedback_votes") as table:
        table.alter_column("user_id", existing_type=sa.String(length=64), nullable=False)
