"""teaching: a taught example keeps who asked its question, so erasing that person withdraws it

Examples taught before are linked to the first person who asked their exact text, while the answered
questions still name them (an example an agent typed names no one, unless someone asked those words).

Revision ID: 0012_taught_example_askers
Revises: 0011_slack_job_queue
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_taught_example_askers"
down_revision = "0011_slack_job_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("taught_examples") as table:
        table.add_column(sa.Column("asked_by", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE taught_examples SET asked_by = ("
        " SELECT asked.user_id FROM answered_questions AS asked"
        " WHERE asked.question = taught_examples.question AND asked.user_id IS NOT NULL"
        " ORDER BY asked.id LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("taught_examples") as table:
        table.drop_column("asked_by")
