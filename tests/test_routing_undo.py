"""Undo chains are honest: `undo N` undoes N exactly when N is in effect, says "already undone"
exactly when it is not, and `undone_by` (what the audit log and Slack's Home tab show) is true."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.orm import sessionmaker

from bot.routing.changes import (
    Actor,
    AddAlias,
    AddMembers,
    Change,
    CreateGroup,
    RemoveAlias,
    Role,
)
from bot.routing.graph import RoutingGraph
from bot.routing.service import RoutingService, Status
from bot.routing.state import AddressState
from bot.routing.undo import undo_chain
from tests.support.cli import Mailbot

ADMIN = Actor("operator", Role.ADMIN)
D = "kulexempel.se"


def a(local: str) -> str:
    return f"{local}@{D}"


@pytest.fixture
def service(session_factory: sessionmaker) -> RoutingService:
    service = RoutingService(session_factory)
    assert service.add_domain(D, ADMIN).ok
    for local in ("anna", "bertil", "cecilia"):
        assert service.add_mailbox(a(local), ADMIN).ok
    return service


def done(service: RoutingService, change: Change) -> int:
    outcome = service.apply(change, ADMIN)
    assert outcome.ok and outcome.change_id is not None, outcome.message.render("en")
    return outcome.change_id


def undone(service: RoutingService, change_id: int) -> int:
    outcome = service.undo(change_id, ADMIN)
    assert outcome.ok and outcome.change_id is not None, outcome.message.render("en")
    return outcome.change_id


def aliases(service: RoutingService) -> list[tuple[str, str]]:
    return [(info.alias, info.mailbox) for info in service.aliases()]


def undone_by(service: RoutingService) -> dict[int, int | None]:
    return {record.id: record.undone_by for record in service.audit(limit=1000)}


def test_a_change_redone_by_undoing_its_undo_can_be_undone_again(service: RoutingService) -> None:
    added = done(service, AddAlias(a("support"), a("anna")))
    first_undo = undone(service, added)
    redo = undone(service, first_undo)
    assert aliases(service) == [(a("support"), a("anna"))]  # the change is in effect again
    flags = undone_by(service)
    assert (flags[added], flags[first_undo], flags[redo]) == (None, redo, None)

    again = service.undo(added, ADMIN)  # was "already undone (by first_undo)": not true
    assert again.ok, again.message.render("en")
    assert aliases(service) == []
    flags = undone_by(service)
    assert (flags[added], flags[first_undo], flags[redo]) == (again.change_id, None, again.change_id)

    twice = service.undo(added, ADMIN)
    assert twice.status is Status.UNCHANGED
    assert f"already undone (by change {again.change_id})" in twice.message.render("en")
    assert service.undo(redo, ADMIN).status is Status.UNCHANGED  # the redo is not in effect either
    # The first undo's effect (no alias) is in effect again: undoing it brings the alias back.
    assert undone(service, first_undo)
    assert aliases(service) == [(a("support"), a("anna"))]


def test_a_later_change_is_named_and_a_provider_load_is_no_change_of_routing(service: RoutingService) -> None:
    added = done(service, AddAlias(a("support"), a("anna")))
    removed = done(service, RemoveAlias(a("support")))
    again = done(service, AddAlias(a("support"), a("bertil")))
    refusal = service.undo(added, ADMIN)
    assert (refusal.status, refusal.rule) == (Status.REFUSED, "undo")
    assert f"by change {again}" in refusal.message.render("en")
    assert service.undo(removed, ADMIN).rule == "undo"
    assert aliases(service) == [(a("support"), a("bertil"))]


def test_undo_through_the_command_line_is_honest_too(database_url: str) -> None:
    mailbot = Mailbot(database_url)
    mailbot("demo")
    added = mailbot.json("alias", "add", "support@kulexempel.se", "anna@kulexempel.se")["change_id"]  # type: ignore[index]
    first_undo = mailbot.json("undo", str(added))["change_id"]  # type: ignore[index]
    mailbot("undo", str(first_undo))
    assert "goes back to how it was before change" in mailbot("undo", str(added)).stdout
    assert mailbot.json("alias", "list") == []
    assert "already undone" in mailbot("undo", str(added)).stdout


def test_random_undo_sequences_keep_every_promise(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    """Random changes to one address and undos of any earlier change: whatever is asked, an undo
    that is done puts the address back as the change found it, "already undone" is said only when
    the change is not in effect, and `undone_by` is empty along the chain exactly where a change
    is in effect."""
    rng = random.Random(9)
    group = a("sales")
    done(service, CreateGroup(group, "Sales"))
    history: dict[int, tuple[AddressState, AddressState]] = {}  # change id -> (state before, after)
    seen: set[Status] = set()

    def state() -> AddressState:
        members = service.members(group)
        assert members is not None
        return AddressState("Sales", frozenset((m, "member") for m in members))

    for _ in range(60):
        before = state()
        if rng.random() < 0.3 or not history:
            member = rng.choice([a("anna"), a("bertil"), a("cecilia")])
            outcome = service.apply(AddMembers(group, (member,)), ADMIN)
            if outcome.ok:
                assert outcome.change_id is not None
                history[outcome.change_id] = (before, state())
            continue
        target = rng.choice(sorted(history))
        outcome = service.undo(target, ADMIN)
        seen.add(outcome.status)
        target_before, target_after = history[target]
        if outcome.ok:
            assert before == target_after and state() == target_before
            assert outcome.change_id is not None
            history[outcome.change_id] = (before, state())
        elif outcome.status is Status.UNCHANGED:
            assert before == target_before != target_after
        assert outcome.status is not Status.REFUSED or state() == before
    assert seen == set(Status)  # undone, already undone and replaced by a later change all came up
    with session_factory() as session:
        chain = undo_chain(RoutingGraph(session), group)
    for steps, link in enumerate(chain):
        assert (link.undone_by is None) == (steps % 2 == 0), (steps, link.id, link.undone_by)
