"""The guided flows in `mailbot chat`, typed on standard input: preview, numbered Confirm, Undo."""

from __future__ import annotations

import getpass

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService

DOMAIN = "kulexempel.se"


@pytest.fixture
def routing(session_factory: sessionmaker) -> RoutingService:
    service = RoutingService(session_factory)
    operator = Actor("operator", Role.ADMIN)
    service.add_domain(DOMAIN, operator)
    for name in ("anna", "bo"):
        service.add_mailbox(f"{name}@{DOMAIN}", operator)
    return service


def chat(database_url: str, *lines: str, lang: str = "en") -> str:
    result = CliRunner().invoke(
        main,
        ["chat"],
        input="\n".join([*lines, "quit", ""]),
        env={"DATABASE_URL": database_url, "MAILBOT_LANG": lang},
    )
    assert result.exception is None, result.output
    return result.output


def test_perform_and_undo_a_change(database_url: str, routing: RoutingService) -> None:
    output = chat(
        database_url,
        f"/alias add support@{DOMAIN} anna@{DOMAIN}",
        "1",  # Confirm
        f"/mailtrace support@{DOMAIN}",
    )
    assert "Mail to support@kulexempel.se will land in anna@kulexempel.se's inbox." in output
    assert "  1) Confirm\n  2) Cancel\n" in output
    assert "Done (change" in output and "  1) Undo\n" in output
    assert "delivered to the mailbox anna@kulexempel.se" in output
    [record] = [r for r in routing.audit() if r.action == "alias.add"]
    assert record.actor == getpass.getuser()

    output = chat(database_url, f"/alias remove support@{DOMAIN}", "1", "1")  # Confirm, then Undo
    assert "Done (change" in output and "Undone (change" in output
    assert [a.alias for a in routing.aliases()] == [f"support@{DOMAIN}"]


def test_missing_fields_are_asked_for_and_checked(database_url: str, routing: RoutingService) -> None:
    output = chat(
        database_url,
        "/group",
        "not an address",
        "Sales",
        f"sales@{DOMAIN}",  # asked again: only the field that was wrong
        "1",
    )
    assert "The group's address? (an empty line cancels)" in output
    assert 'The group\'s address: "not an address" has no @' in output
    assert 'sales@kulexempel.se becomes the group "Sales"' in output
    assert routing.members(f"sales@{DOMAIN}") == []


def test_the_operator_may_forward_outside(database_url: str, routing: RoutingService) -> None:
    output = chat(database_url, "/forward", f"bo@{DOMAIN}", "bo@gmail.com", "yes", "1")
    assert "Keep a copy in the mailbox? (yes/no)" in output
    assert "a copy stays in bo@kulexempel.se's inbox" in output
    forward = routing.forward(f"bo@{DOMAIN}")
    assert forward is not None and forward.keep_copy


def test_an_articles_flow_is_a_numbered_choice_in_swedish(database_url: str, routing: RoutingService) -> None:
    first = chat(database_url, "vad är ett alias?", lang="sv")
    number = next(
        line.split(")")[0].strip() for line in first.splitlines() if line.endswith(") Skapa ett alias")
    )
    output = chat(
        database_url, "vad är ett alias?", number, f"info@{DOMAIN}", f"bo@{DOMAIN}", "2", lang="sv"
    )  # ... then Cancel
    assert "== Skapa ett alias ==" in output
    assert "Post till info@kulexempel.se hamnar i" in output and "bo@kulexempel.se" in output
    assert "Avbrutet; inget ändrades." in output
    assert routing.aliases() == []
