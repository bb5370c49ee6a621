"""teaching: questions agents taught the bot (text, label, who taught it and when) and their audit

Revision ID: 0010_taught_examples
Revises: 0009_postmaster_and_abuse
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_taught_examples"
down_revision = "0009_postmaster_and_abuse"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taught_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("taught_by", sa.String(length=64), nullable=False),
        sa.Column("taught_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "taught_example_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("example_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["example_id"], ["taught_examples.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("taught_example_changes")
    op.drop_table("taught_examples")
