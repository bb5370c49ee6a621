"""teaching: a taught example remembers the answered question it was taught from, also when an agent
reworded it, so that its asker stays linked (erasure withdraws it) and the question leaves the list of
questions to teach

Examples taught before are linked to the question of their asker with their exact text.

Revision ID: 0016_taught_example_questions
Revises: 0015_request_origins
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_taught_example_questions"
down_revision = "0015_request_origins"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_taught_examples_question_id_answered_questions"


def upgrade() -> None:
    with op.batch_alter_table("taught_examples") as table:
        table.add_column(sa.Column("question_id", sa.Integer(), nullable=True))
        table.create_foreign_key(FOREIGN_KEY, "answered_questions", ["question_id"], ["id"])
    op.execute(
        "UPDATE taught_examples SET question_id = ("
        " SELECT asked.id FROM answered_questions AS asked"
        " WHERE asked.question = taught_examples.question AND asked.user_id = taught_examples.asked_by"
        " ORDER BY asked.id LIMIT 1)"
        " WHERE asked_by IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("taught_examples") as table:
        table.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        table.drop_column("question_id")
