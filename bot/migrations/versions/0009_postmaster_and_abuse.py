"""routing: every hosted domain gets postmaster@ and abuse@ (RFC 2142) if it has nothing there yet

New domains get them from `domain add`; this gives domains added before the rule the same: a
mailbox postmaster@ and a group abuse@ whose member is postmaster@, each with an audit row.

Revision ID: 0009_postmaster_and_abuse
Revises: 0008_idn_and_extension_lookups
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_postmaster_and_abuse"
down_revision = "0008_idn_and_extension_lookups"
branch_labels = None
depends_on = None

ACTOR = "mailbot db upgrade"

domains = sa.table("domains", sa.column("id", sa.Integer), sa.column("name"))
mailboxes = sa.table(
    "mailboxes",
    sa.column("address"),
    sa.column("domain_id", sa.Integer),
    sa.column("maildir"),
    sa.column("display_name"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
groups = sa.table(
    "distribution_groups",
    sa.column("address"),
    sa.column("domain_id", sa.Integer),
    sa.column("display_name"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
routes = sa.table(
    "routes",
    sa.column("source"),
    sa.column("destination"),
    sa.column("kind"),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
audit_log = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor"),
    sa.column("action"),
    sa.column("subject"),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def is_taken(connection: sa.Connection, address: str) -> bool:
    """A mailbox, a group or an alias already has the address."""
    return any(
        connection.execute(sa.select(sa.literal(1)).where(column == address).limit(1)).first() is not None
        for column in (mailboxes.c.address, groups.c.address, routes.c.source)
    )


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    for domain_id, name in connection.execute(sa.select(domains.c.id, domains.c.name)).all():
        postmaster, abuse = f"postmaster@{name}", f"abuse@{name}"
        if not is_taken(connection, postmaster):
            row = {"address": postmaster, "domain_id": domain_id, "maildir": f"{name}/postmaster/"}
            row["display_name"] = "Postmaster"
            connection.execute(sa.insert(mailboxes).values(**row, created_at=now))
            audit = {"at": now, "actor": ACTOR, "action": "mailbox.add", "subject": postmaster, "after": row}
            connection.execute(sa.insert(audit_log).values(**audit))
        if not is_taken(connection, abuse):
            group = {"address": abuse, "domain_id": domain_id, "display_name": "Abuse", "created_at": now}
            connection.execute(sa.insert(groups).values(**group))
            connection.execute(
                sa.insert(routes).values(source=abuse, destination=postmaster, kind="member", created_at=now)
            )
            state = {"group": "Abuse", "routes": [[postmaster, "member"]]}
            audit = {"at": now, "actor": ACTOR, "action": "group.create", "subject": abuse}
            connection.execute(
                sa.insert(audit_log).values(**audit, before={"group": None, "routes": []}, after=state)
            )


def downgrade() -> None:
    """The addresses stay: mail to them keeps arriving, and removing them would lose it."""
