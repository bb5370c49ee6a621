"""routing: U-label names of IDN domains and extension-free destinations, for Postfix-faithful lookups

`domains.unicode_name` lets the Postfix maps answer a U-label key (kontakt@exämpel.se, smtputf8) as
they answer its A-label; `routes.destination_base` (anna@ for anna+news@) lets the rules find every
address whose mail reaches anna@ through an address extension.

Revision ID: 0008_idn_and_extension_lookups
Revises: 0007_customers
"""

import idna
import sqlalchemy as sa
from alembic import op

revision = "0008_idn_and_extension_lookups"
down_revision = "0007_customers"
branch_labels = None
depends_on = None

domains = sa.table("domains", sa.column("id", sa.Integer), sa.column("name"), sa.column("unicode_name"))
routes = sa.table(
    "routes", sa.column("id", sa.Integer), sa.column("destination"), sa.column("destination_base")
)


def unicode_name(name: str) -> str | None:
    """The casefolded U-label of an IDN, as Postfix looks it up; None when it is plain ASCII."""
    try:
        folded = idna.decode(name).casefold()
    except idna.IDNAError:
        return None
    return None if folded.isascii() else folded


def destination_base(destination: str) -> str | None:
    """`user+ext@domain` -> `user@domain` (Postfix splits at the first "+", never to an empty name)."""
    local, at, domain = destination.rpartition("@")
    position = local.find("+")
    return None if position <= 0 else f"{local[:position]}{at}{domain}"


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: no table rebuild (on SQLite a rebuild of `domains` trips the
    # foreign keys of existing mailboxes).
    op.add_column("domains", sa.Column("unicode_name", sa.String(length=253), nullable=True))
    op.create_index("uq_domains_unicode_name", "domains", ["unicode_name"], unique=True)
    op.add_column("routes", sa.Column("destination_base", sa.String(length=254), nullable=True))
    op.create_index("ix_routes_destination_base_source", "routes", ["destination_base", "source"])
    connection = op.get_bind()
    for domain_id, name in connection.execute(sa.select(domains.c.id, domains.c.name)).all():
        if (folded := unicode_name(name)) is not None:
            named = sa.update(domains).where(domains.c.id == domain_id)
            connection.execute(named.values(unicode_name=folded))
    extended = sa.select(routes.c.id, routes.c.destination).where(routes.c.destination.like("%+%"))
    for route_id, destination in connection.execute(extended).all():
        base = destination_base(destination)
        connection.execute(sa.update(routes).where(routes.c.id == route_id).values(destination_base=base))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no rebuild, see upgrade).
    op.drop_index("ix_routes_destination_base_source", table_name="routes")
    op.drop_column("routes", "destination_base")
    op.drop_index("uq_domains_unicode_name", table_name="domains")
    op.drop_column("domains", "unicode_name")
