"""flows: a preview remembers which addresses it said would bounce, so Confirm makes no others bounce

Routing may change between an admin's preview and their Confirm; the change is then refused if it
would make an address bounce that the preview did not name. Previews stored before this named none
that Confirm knows of (NULL): confirming one that makes mail bounce asks for a fresh preview.

Revision ID: 0016_previewed_bounces
Revises: 0015_request_origins
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_previewed_bounces"
down_revision = "0015_request_origins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flow_pending_changes") as batch:
        batch.add_column(sa.Column("bounces", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_pending_changes") as batch:
        batch.drop_column("bounces")
