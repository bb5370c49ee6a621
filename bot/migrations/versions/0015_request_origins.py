"""customers: a request remembers where it came in (the Slack workspace), so a decision made in the
terminal is shown there with that workspace's bot token

Requests opened before this knew only their requester's own workspace (`requester_team`), which is
where they came in unless the requester was a guest of a Slack Connect channel: it fills `origin`.

Revision ID: 0015_request_origins
Revises: 0014_rejection_decision_times
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_request_origins"
down_revision = "0014_rejection_decision_times"
branch_labels = None
depends_on = None

requests = sa.table(
    "change_requests",
    sa.column("id", sa.Integer),
    sa.column("requester_team", sa.String),
    sa.column("origin", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("change_requests") as batch:
        batch.add_column(sa.Column("origin", sa.JSON(), nullable=True))
    connection = op.get_bind()
    known = connection.execute(
        sa.select(requests.c.id, requests.c.requester_team).where(requests.c.requester_team.is_not(None))
    )
    for request_id, team in known.all():
        origin = {"team_id": team, "enterprise_id": None, "is_enterprise_install": False}
        connection.execute(requests.update().where(requests.c.id == request_id).values(origin=origin))


def downgrade() -> None:
    with op.batch_alter_table("change_requests") as batch:
        batch.drop_column("origin")
