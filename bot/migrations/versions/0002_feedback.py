"""feedback: answered questions and "Was this helpful?" votes

Revision ID: 0002_feedback
Revises: 0001_routing
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_feedback"
down_revision = "0001_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answered_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answered_questions_asked_at"), ["asked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_answered_questions_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "feedback_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("wants_person", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["answered_questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", "user_id", name="uq_feedback_votes_question_user"),
    )


def downgrade() -> None:
    op.drop_table("feedback_votes")
    with op.batch_alter_table("answered_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answered_questions_topic_id"))
        batch_op.drop_index(batch_op.f("ix_answered_questions_asked_at"))

    op.drop_table("answered_questions")
