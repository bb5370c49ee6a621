"""routing: each address in an IDN domain keeps its U-label form, so Postfix's lookups need no join

`routes.source_unicode` and `mailboxes.address_unicode` hold `kontakt@exämpel.se` beside
`kontakt@xn--exmpel-cua.se` (NULL in an ASCII domain), each with an index of its non-NULL rows:
the maps answer a U-label key with one more index probe instead of a subquery on `domains` that
Postfix prepared for every key (docs/routing.md, "How Postfix reads the tables").

Revision ID: 0013_unicode_lookup_keys
Revises: 0012_taught_example_askers
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_unicode_lookup_keys"
down_revision = "0012_taught_example_askers"
branch_labels = None
depends_on = None

domains = sa.table("domains", sa.column("id", sa.Integer), sa.column("name"), sa.column("unicode_name"))
mailboxes = sa.table(
    "mailboxes", sa.column("domain_id", sa.Integer), sa.column("address"), sa.column("address_unicode")
)
routes = sa.table("routes", sa.column("source"), sa.column("source_unicode"))
# (table, the U-label form column, its index)
KEYS = (
    ("mailboxes", "address_unicode", "ix_mailboxes_address_unicode"),
    ("routes", "source_unicode", "ix_routes_source_unicode"),
)


def with_domain(address: sa.ColumnElement[str], name: str, unicode_name: str) -> sa.ColumnElement[str]:
    """`local@name` -> `local@unicode_name` in SQL (substr and length count characters in both
    databases; the stored name is ASCII)."""
    local_and_at = sa.func.substr(address, 1, sa.func.length(address) - len(name))
    return local_and_at.concat(sa.literal(unicode_name, sa.String))


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: no table rebuild (see 0008).
    for table, column, index in KEYS:
        op.add_column(table, sa.Column(column, sa.String(length=254), nullable=True))
        only_set = sa.text(f"{column} IS NOT NULL")
        op.create_index(index, table, [column], sqlite_where=only_set, postgresql_where=only_set)
    connection = op.get_bind()
    idns = sa.select(domains.c.id, domains.c.name, domains.c.unicode_name).where(
        domains.c.unicode_name.is_not(None)
    )
    for domain_id, name, unicode_name in connection.execute(idns).all():
        connection.execute(
            sa.update(mailboxes)
            .where(mailboxes.c.domain_id == domain_id)
            .values(address_unicode=with_domain(mailboxes.c.address, name, unicode_name))
        )
        # Every source is an address of one of our domains (the rules refuse others).
        connection.execute(
            sa.update(routes)
            .where(routes.c.source.like(f"%@{name}"))
            .values(source_unicode=with_domain(routes.c.source, name, unicode_name))
        )


def downgrade() -> None:
    for table, column, index in KEYS:
        op.drop_index(index, table_name=table)
        op.drop_column(table, column)
