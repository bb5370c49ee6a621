"""Routing data written before the Postfix-faithful rules (and the U-label columns) gets what they count on
when migrated."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from bot.db import alembic_config, make_sessionmaker
from bot.db import upgrade as upgrade_to_newest
from bot.routing.changes import AddAlias, SetForward
from bot.routing.postfix import map_type, write_config
from bot.routing.service import RoutingService
from bot.routing.trace import DeliveryKind
from tests.support.routing_world import ADMIN, a, seeded_service

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


def test_addresses_written_before_their_u_label_forms_get_them_and_postfix_finds_them(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    service = seeded_service(make_sessionmaker(engine))
    for change in (
        AddAlias("kontakt@exämpel.se", "info@exämpel.se"),
        SetForward("info@exämpel.se", a("anna"), keep_copy=True),
        AddAlias(a("support"), a("bertil")),
    ):
        assert service.apply(change, ADMIN).ok
    written = u_label_forms(engine)
    assert written["mailboxes"]["info@xn--exmpel-cua.se"] == "info@exämpel.se"
    assert written["routes"]["kontakt@xn--exmpel-cua.se"] == "kontakt@exämpel.se"
    assert written["routes"][a("support")] is None
    command.downgrade(alembic_config(engine), "0012_taught_example_askers")  # as a database before them
    assert "source_unicode" not in {column["name"] for column in inspect(engine).get_columns("routes")}
    upgrade_to_newest(engine)
    assert u_label_forms(engine) == written

    write_config(database_url, tmp_path / "postfix")
    (tmp_path / "main.cf").write_text("compatibility_level = 3.6\nsmtputf8_enable = yes\n")

    def postmap(table: str, key: str) -> list[str]:
        command = [
            "postmap",
            "-c",
            str(tmp_path),
            "-q",
            key,
            f"{map_type(database_url)}:{tmp_path / 'postfix' / table}.cf",
        ]
        answer = subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        return sorted(answer.split(",")) if answer else []

    for key in (
        "kontakt@exämpel.se",
        "KONTAKT@EXÄMPEL.SE",
        "info@exämpel.se",
        "abuse@exämpel.se",
        "a@exämpel.se",
    ):
        steps = service.trace(key).steps
        assert postmap("virtual_alias_maps", key) == (sorted(steps[0].destinations) if steps else [])
    assert postmap("virtual_mailbox_maps", "Info@Exämpel.se") == ["xn--exmpel-cua.se/info/"]
    assert postmap("virtual_mailbox_maps", "postmaster@exämpel.se") == ["xn--exmpel-cua.se/postmaster/"]


def u_label_forms(engine: Engine) -> dict[str, dict[str, str | None]]:
    """Every mailbox's and route source's U-label form column, by table."""
    with engine.connect() as connection:
        return {
            "mailboxes": dict(
                connection.execute(text("SELECT address, address_unicode FROM mailboxes")).all()
            ),
            "routes": dict(connection.execute(text("SELECT source, source_unicode FROM routes")).all()),
        }
