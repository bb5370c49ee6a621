"""flows, customers: a preview (and a request's preview) remembers which addresses it said would
bounce, so Confirm (and Approve) makes no others bounce

Routing may change between an admin's preview and their Confirm or Approve; the change is then
refused if it would make an address bounce that the preview did not name. Previews stored before
this named none that Confirm knows of (NULL): confirming one that makes mail bounce asks for a fresh
preview, and an Approve shows the new verdict and asks again.

Revision ID: 0017_previewed_bounces
Revises: 0016_taught_example_questions
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_previewed_bounces"
down_revision = "0016_taught_example_questions"
branch_labels = None
depends_on = None


TABLES = ("flow_pending_changes", "change_requests")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("bounces", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("bounces")
