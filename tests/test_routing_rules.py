"""The routing service's rules: every refusal names its rule and writes nothing, every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from bot.routing.changes import (
    Actor,
    AddAlias,
    AddMembers,
    Change,
    ClearForward,
    CreateGroup,
    DeleteGroup,
    RemoveAlias,
    RemoveMember,
    SetForward,
    change_from_dict,
)
from bot.routing.mailbox_csv import MailboxLine
from bot.routing.models import RouteKind
from bot.routing.service import (
    MAX_DELIVERIES,
    MAX_DEPTH,
    MAX_GROUP_MEMBERS,
    MAX_NAME,
    RoutingService,
    Status,
)
from bot.routing.trace import DeliveryKind
from tests.support.routing_world import ADMIN, AGENT, a, seeded_service, snapshot


@pytest.fixture
def service(session_factory: sessionmaker) -> RoutingService:
    return seeded_service(session_factory)


def apply_ok(service: RoutingService, change: Change, actor: Actor = AGENT) -> int:
    outcome = service.apply(change, actor)
    assert outcome.status is Status.OK, outcome.message.render("en")
    assert outcome.change_id is not None
    return outcome.change_id


REFUSALS: list[tuple[str, list[Change], Change, str, str]] = [
    # (case, setup, refused change, rule, words in the English message)
    ("bad address", [], AddAlias("support kulexempel.se", a("anna")), "address", "has no @"),
    (
        "alias outside our domains",
        [],
        AddAlias("support@gmail.com", a("anna")),
        "own_domain",
        "not in one of our",
    ),
    (
        "alias of a non-mailbox",
        [],
        AddAlias(a("support"), a("nobody")),
        "alias_target",
        "not one of our mailboxes",
    ),
    (
        "alias to an outside address",
        [],
        AddAlias(a("support"), "x@gmail.com"),
        "alias_target",
        "not one of our",
    ),
    ("alias that is a mailbox", [], AddAlias(a("bertil"), a("anna")), "one_thing", "already a mailbox"),
    (
        "alias of another mailbox",
        [AddAlias(a("support"), a("anna"))],
        AddAlias(a("support"), a("bertil")),
        "one_thing",
        "already an alias of anna@",
    ),
    (
        "alias that is a group",
        [CreateGroup(a("sales"))],
        AddAlias(a("sales"), a("anna")),
        "one_thing",
        "group",
    ),
    ("group that is a mailbox", [], CreateGroup(a("anna"), "Anna"), "one_thing", "already a mailbox"),
    (
        "group that is an alias",
        [AddAlias(a("support"), a("anna"))],
        CreateGroup(a("support")),
        "one_thing",
        "already an alias",
    ),
    (
        "group renamed by create",
        [CreateGroup(a("sales"), "Sales")],
        CreateGroup(a("sales"), "Other"),
        "one_thing",
        'named "Sales"',
    ),
    ("remove a mailbox as alias", [], RemoveAlias(a("anna")), "one_thing", "not an alias but a mailbox"),
    (
        "forward from a non-mailbox",
        [],
        SetForward(a("nobody"), a("anna")),
        "forward_source",
        "not one of our",
    ),
    ("forward to itself", [], SetForward(a("anna"), a("anna")), "self_forward", "to itself"),
    ("forward to itself with copy", [], SetForward(a("anna"), a("anna"), True), "self_forward", "to itself"),
    ("forward to unknown internal", [], SetForward(a("anna"), a("nobody")), "known_target", "does not exist"),
    (
        "agent forwards outside",
        [],
        SetForward(a("anna"), "anna@gmail.com"),
        "external_forward",
        "only an admin",
    ),
    (
        "forward loop",
        [SetForward(a("anna"), a("bertil"))],
        SetForward(a("bertil"), a("anna")),
        "no_loops",
        "bertil@kulexempel.se → anna@kulexempel.se → bertil@kulexempel.se",
    ),
    (
        "loop through alias and group",
        [AddAlias(a("support"), a("anna")), CreateGroup(a("sales")), AddMembers(a("sales"), (a("support"),))],
        SetForward(a("anna"), a("sales")),
        "no_loops",
        "loop",
    ),
    (
        "group in itself",
        [CreateGroup(a("sales"))],
        AddMembers(a("sales"), (a("sales"),)),
        "no_loops",
        "itself",
    ),
    (
        "groups containing each other",
        [CreateGroup(a("sales")), CreateGroup(a("team")), AddMembers(a("sales"), (a("team"),))],
        AddMembers(a("team"), (a("sales"),)),
        "no_loops",
        "loop",
    ),
    (
        "members of a non-group",
        [],
        AddMembers(a("anna"), (a("bertil"),)),
        "exists",
        "not a distribution group",
    ),
    (
        "unknown internal member",
        [CreateGroup(a("sales"))],
        AddMembers(a("sales"), (a("x"),)),
        "known_target",
        "x@",
    ),
    ("no members", [CreateGroup(a("sales"))], AddMembers(a("sales"), ()), "exists", "at least one member"),
    (
        "bad member",
        [CreateGroup(a("sales"))],
        AddMembers(a("sales"), ("x@@y",)),
        "address",
        "not allowed",
    ),
    (
        "too many members",
        [CreateGroup(a("sales"))],
        AddMembers(a("sales"), tuple(f"m{n}@outside.example" for n in range(MAX_GROUP_MEMBERS + 1))),
        "limits",
        f"at most {MAX_GROUP_MEMBERS}",
    ),
    (
        "remove alias a group uses",
        [AddAlias(a("support"), a("anna")), CreateGroup(a("sales")), AddMembers(a("sales"), (a("support"),))],
        RemoveAlias(a("support")),
        "in_use",
        "still used by sales@",
    ),
    (
        "delete group a forward uses",
        [CreateGroup(a("sales")), AddMembers(a("sales"), (a("bertil"),)), SetForward(a("anna"), a("sales"))],
        DeleteGroup(a("sales")),
        "in_use",
        "still used by anna@",
    ),
    ("delete a mailbox as group", [], DeleteGroup(a("anna")), "exists", "not a distribution group"),
]


# The rules are plain queries, the same on both databases; the matrix runs on SQLite to stay fast
# (the other tests here, and the concurrency test, run on PostgreSQL too).
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("setup", "change", "rule", "words"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_a_refused_change_names_its_rule_and_writes_nothing(
    service: RoutingService,
    session_factory: sessionmaker,
    setup: list[Change],
    change: Change,
    rule: str,
    words: str,
) -> None:
    for step in setup:
        apply_ok(service, step)
    before = snapshot(session_factory)
    verdict = service.check(change, AGENT)
    outcome = service.apply(change, AGENT)
    assert (verdict.status, verdict.rule) == (Status.REFUSED, rule)
    assert (outcome.status, outcome.rule, outcome.change_id) == (Status.REFUSED, rule, None)
    english, swedish = outcome.message.render("en"), outcome.message.render("sv")
    assert words in english
    assert english.startswith("Refused by the rule") and swedish.startswith("Nekat enligt regeln")
    assert snapshot(session_factory) == before  # no route, no audit row


def test_chains_deeper_than_the_limit_are_refused(service: RoutingService) -> None:
    # g1 -> g2 -> ... each group one level deeper; the last link would pass MAX_DEPTH.
    groups = [a(f"level{n}") for n in range(MAX_DEPTH)]
    for group in groups:
        apply_ok(service, CreateGroup(group))
    apply_ok(service, AddMembers(groups[-1], (a("anna"),)))
    for upper, lower in zip(groups[:-2], groups[1:-1], strict=True):
        apply_ok(service, AddMembers(upper, (lower,)))
    outcome = service.apply(AddMembers(groups[-2], (groups[-1],)), AGENT)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "limits")
    assert f"at most {MAX_DEPTH}" in outcome.message.render("en")


def test_more_final_recipients_than_the_limit_are_refused(service: RoutingService) -> None:
    teams = [a(f"team{n}") for n in range(3)]
    per_team = MAX_GROUP_MEMBERS
    for n, team in enumerate(teams):
        apply_ok(service, CreateGroup(team))
        apply_ok(service, AddMembers(team, tuple(f"p{n}.{k}@outside.example" for k in range(per_team))))
    apply_ok(service, CreateGroup(a("everyone")))
    apply_ok(service, AddMembers(a("everyone"), tuple(teams[:2])))
    outcome = service.apply(AddMembers(a("everyone"), (teams[2],)), AGENT)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "limits")
    assert f"would reach {3 * per_team} recipients; at most {MAX_DELIVERIES}" in outcome.message.render("en")


def test_display_names_too_long_or_with_control_characters_are_refused_not_an_error(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    before = snapshot(session_factory)
    long_name = "n" * (MAX_NAME + 1)
    outcomes = [
        service.apply(CreateGroup(a("sales"), long_name), AGENT),
        service.add_mailbox(a("david"), ADMIN, long_name),
        service.import_mailboxes(
            [MailboxLine(2, a("erik"), "Erik"), MailboxLine(3, a("frida"), long_name)], ADMIN
        ),
    ]
    for outcome in outcomes:
        assert (outcome.status, outcome.rule) == (Status.REFUSED, "limits")
        assert f"at most {MAX_NAME} characters" in outcome.message.render("en")
    assert "rad 3" in outcomes[2].message.render("sv")
    for name in ("Sales\nteam", "Sales\tteam", "Sales\x00"):
        outcome = service.apply(CreateGroup(a("sales"), name), AGENT)
        assert (outcome.status, outcome.rule) == (Status.REFUSED, "name"), name
        assert "line breaks" in outcome.message.render("en")
    assert service.add_mailbox(a("david"), ADMIN, "David\x00").rule == "name"
    assert snapshot(session_factory) == before
    assert service.apply(CreateGroup(a("sales"), "n" * MAX_NAME), AGENT).ok
    assert service.apply(
        CreateGroup(a("saljare"), "Försäljning\u00a0– Åsa & co 👨\u200d👩\u200d👧"), AGENT
    ).ok


def test_an_admin_may_forward_outside_and_keep_a_copy(service: RoutingService) -> None:
    verdict = service.check(SetForward(a("anna"), "Anna@Gmail.com", keep_copy=True), ADMIN)
    assert verdict.ok
    assert verdict.message.render("en") == (
        "Mail to anna@kulexempel.se will be forwarded to anna@gmail.com, "
        "and a copy stays in anna@kulexempel.se's inbox. Outside our domains: anna@gmail.com."
    )
    apply_ok(service, SetForward(a("anna"), "Anna@Gmail.com", keep_copy=True), ADMIN)
    forward = service.forward(a("anna"))
    assert forward is not None and (forward.target, forward.keep_copy) == ("anna@gmail.com", True)
    deliveries = {(d.address, d.kind) for d in service.trace(a("anna")).deliveries}
    assert deliveries == {(a("anna"), DeliveryKind.MAILBOX), ("anna@gmail.com", DeliveryKind.EXTERNAL)}


def test_the_same_request_twice_changes_nothing_the_second_time(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    changes: list[Change] = [
        AddAlias("Support@KulExempel.se", a("anna")),
        SetForward(a("bertil"), a("cecilia")),
        CreateGroup(a("sales"), "Sales"),
        AddMembers(a("sales"), (a("anna"), "Partner@Outside.example")),
        RemoveMember(a("sales"), "partner@outside.example"),
        ClearForward(a("bertil")),
        RemoveAlias(a("support")),
        DeleteGroup(a("sales")),
    ]
    for change in changes:
        audit_rows_before = snapshot(session_factory)[-1]
        apply_ok(service, change)
        tables = snapshot(session_factory)
        assert tables[-1] == audit_rows_before + 1  # one audit row per change
        assert service.check(change, AGENT).status is Status.UNCHANGED
        again = service.apply(change, AGENT)
        assert (again.status, again.change_id) == (Status.UNCHANGED, None)
        assert "nothing to do" in again.message.render("en") and "inget att göra" in again.message.render(
            "sv"
        )
        assert snapshot(session_factory) == tables


def test_every_change_writes_one_audit_row_with_before_and_after(service: RoutingService) -> None:
    change_id = apply_ok(service, AddAlias(a("support"), a("anna")))
    entry = service.audit(limit=1)[0]
    assert (entry.id, entry.actor, entry.team, entry.action) == (change_id, "U123AGENT", "T1", "alias.add")
    assert entry.subject == a("support")
    assert entry.before == {"group": None, "routes": []}
    assert entry.after == {"group": None, "routes": [[a("anna"), "alias"]]}


def test_idn_addresses_are_stored_as_punycode_and_shown_in_unicode(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    apply_ok(service, AddAlias("kontakt@EXÄMPEL.se", "info@exämpel.se"))
    routes = snapshot(session_factory)[0]
    assert ("kontakt@xn--exmpel-cua.se", "info@xn--exmpel-cua.se", RouteKind.ALIAS) in routes
    assert [(x.alias, x.mailbox) for x in service.aliases("exämpel.se")] == [
        ("kontakt@exämpel.se", "info@exämpel.se")
    ]


def test_undo_restores_the_state_and_can_be_redone(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    apply_ok(service, CreateGroup(a("sales"), "Sales"))
    before = snapshot(session_factory)[0]
    added = apply_ok(service, AddMembers(a("sales"), (a("anna"), a("bertil"))))
    undone = service.undo(added, ADMIN)
    assert undone.ok and undone.change_id is not None
    assert snapshot(session_factory)[0] == before
    assert service.members(a("sales")) == []
    assert service.undo(added, ADMIN).status is Status.UNCHANGED
    redone = service.undo(undone.change_id, ADMIN)
    assert redone.ok
    assert service.members(a("sales")) == [a("anna"), a("bertil")]


def test_undo_is_refused_when_a_later_change_depends_on_it(service: RoutingService) -> None:
    created = apply_ok(service, CreateGroup(a("sales")))
    added = apply_ok(service, AddMembers(a("sales"), (a("anna"),)))
    refused = service.undo(created, ADMIN)
    assert (refused.status, refused.rule) == (Status.REFUSED, "undo")
    assert f"by change {added}" in refused.message.render("en")
    alias = apply_ok(service, AddAlias(a("support"), a("anna")))
    apply_ok(service, AddMembers(a("sales"), (a("support"),)))
    in_use = service.undo(alias, ADMIN)
    assert (in_use.status, in_use.rule) == (Status.REFUSED, "in_use")


def test_undo_does_not_make_a_mailbox_an_alias(service: RoutingService) -> None:
    apply_ok(service, AddAlias(a("support"), a("anna")))
    removed = apply_ok(service, RemoveAlias(a("support")))
    assert service.add_mailbox(a("support"), ADMIN).ok
    outcome = service.undo(removed, ADMIN)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "one_thing")
    assert service.trace(a("support")).deliveries[0].address == a("support")


def test_undo_obeys_the_loop_rule(service: RoutingService) -> None:
    forward = apply_ok(service, SetForward(a("anna"), a("bertil")))
    cleared = apply_ok(service, ClearForward(a("anna")))
    apply_ok(service, SetForward(a("bertil"), a("anna")))
    outcome = service.undo(cleared, ADMIN)  # would bring back anna -> bertil: a loop now
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "no_loops")
    assert service.undo(10_000, ADMIN).rule == "undo"
    domain_added = service.audit(limit=1000)[-1]
    assert domain_added.action == "domain.add"
    assert "cannot be undone" in service.undo(domain_added.id, ADMIN).message.render("en")
    assert forward  # the first change stays in the log


def test_trace_follows_postfix_expansion(service: RoutingService) -> None:
    apply_ok(service, AddAlias(a("support"), a("anna")))
    apply_ok(service, SetForward(a("anna"), a("bertil"), keep_copy=True))
    apply_ok(service, CreateGroup(a("sales"), "Sales"))
    apply_ok(service, AddMembers(a("sales"), (a("support"), a("bertil"), "partner@outside.example")))
    trace = service.trace("SALES@kulexempel.se")
    assert sorted((d.address, d.kind) for d in trace.deliveries) == [
        (a("anna"), DeliveryKind.MAILBOX),
        (a("bertil"), DeliveryKind.MAILBOX),  # once, though reached twice
        ("partner@outside.example", DeliveryKind.EXTERNAL),
    ]
    assert [step.source for step in trace.steps] == [a("sales"), a("support"), a("anna")]
    lines = [line.render("en") for line in trace.lines()]
    assert lines[0].startswith("the group sales@kulexempel.se has the members")
    assert "anna@kulexempel.se is forwarded to bertil@kulexempel.se and keeps a copy" in lines
    assert service.trace(a("nobody")).deliveries[0].kind is DeliveryKind.UNKNOWN
    external = {"address": "partner@outside.example", "kind": "external", "mailbox": None}
    assert external in trace.to_dict()["deliveries"]


def test_changes_survive_a_json_round_trip() -> None:
    changes: list[Change] = [
        AddAlias("a@x.se", "b@x.se"),
        RemoveAlias("a@x.se"),
        SetForward("a@x.se", "c@y.se", keep_copy=True),
        ClearForward("a@x.se"),
        CreateGroup("g@x.se", "G"),
        DeleteGroup("g@x.se"),
        AddMembers("g@x.se", ("a@x.se", "c@y.se")),
        RemoveMember("g@x.se", "a@x.se"),
    ]
    for change in changes:
        assert change_from_dict(change.to_dict()) == change
    with pytest.raises(ValueError, match="unknown change action"):
        change_from_dict({"action": "alias.explode"})
    with pytest.raises(ValueError, match="bad fields"):
        change_from_dict({"action": "alias.add", "alias": "a@x.se"})
