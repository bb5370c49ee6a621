"""customers: a rejection stored before its decision time was recorded gets its claim's time

Until 0012's release a rejection set `claimed_at` (when the agent pressed Reject) but not
`decided_at`; both are the moment of the decision, so the claim's time fills the gap once, here,
and readers need no fallback.

Revision ID: 0014_rejection_decision_times
Revises: 0013_unicode_lookup_keys
"""

from alembic import op

revision = "0014_rejection_decision_times"
down_revision = "0013_unicode_lookup_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE change_requests SET decided_at = claimed_at WHERE state = 'rejected' AND decided_at IS NULL"
    )


def downgrade() -> None:
    pass  # the times filled in are true ones: nothing to take back
