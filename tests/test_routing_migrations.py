"""Routing data written before the Postfix-faithful rules gets what they count on when migrated."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, text

from bot.db import alembic_config, make_sessionmaker
from bot.db import upgrade as upgrade_to_newest
from bot.routing.service import RoutingService
from bot.routing.trace import DeliveryKind

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_old_domains_get_u_labels_postmaster_abuse_and_routes_their_extension_base(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0007_customers")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO domains (id, name, created_at) "
                "VALUES (1, 'xn--exmpel-cua.se', :now), (2, 'kund.se', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO mailboxes (address, domain_id, maildir, display_name, created_at) "
                "VALUES ('info@xn--exmpel-cua.se', 1, 'xn--exmpel-cua.se/info/', '', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(  # kund.se already routes abuse@ somewhere: left as it is
            text(
                "INSERT INTO routes (source, destination, kind, created_at) VALUES "
                "('abuse@kund.se', 'info@xn--exmpel-cua.se', 'alias', :now), "
                "('news@kund.se', 'info+news@xn--exmpel-cua.se', 'alias', :now)"
            ),
            {"now": NOW},
        )
    upgrade_to_newest(engine)
    with engine.connect() as connection:
        names = {n: u for n, u in connection.execute(text("SELECT name, unicode_name FROM domains"))}
        routes = connection.execute(text("SELECT destination, destination_base FROM routes"))
        bases = {destination: base for destination, base in routes}
    assert names == {"xn--exmpel-cua.se": "exämpel.se", "kund.se": None}
    assert bases["info+news@xn--exmpel-cua.se"] == "info@xn--exmpel-cua.se"
    service = RoutingService(make_sessionmaker(engine))
    for address, mailbox in (
        ("postmaster@exämpel.se", "postmaster@xn--exmpel-cua.se"),
        ("abuse@exämpel.se", "postmaster@xn--exmpel-cua.se"),
        ("postmaster@kund.se", "postmaster@kund.se"),
        ("abuse@kund.se", "info@xn--exmpel-cua.se"),
    ):
        assert [(d.kind, d.mailbox) for d in service.trace(address).deliveries] == [
            (DeliveryKind.MAILBOX, mailbox)
        ]
    assert {entry.actor for entry in service.audit()} == {"mailbot db upgrade"}
    assert service.members("abuse@exämpel.se") == ["postmaster@exämpel.se"]
