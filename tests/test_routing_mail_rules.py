"""The rules about where mail ends up (issue 9), each tried the way a hostile or careless user would.

1. a local part is a folder name, never a path; 2. an agent never sends a mailbox's mail outside,
by any path; 3. a change that makes addresses bounce names them, and only an admin may make it;
4. Postfix's own lookups (extensions, U-labels) and limits (duplicates counted); 5. postmaster@
and abuse@ always reach a mailbox of ours. Every refusal names its rule in Swedish and English and
writes nothing. The real Postfix checks the same in tests/test_postfix_differential.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from bot.routing.addresses import AddressError, is_hosted_local_part, parse_address
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
)
from bot.routing.mailbox_csv import MailboxLine
from bot.routing.postfix import main_cf_snippet
from bot.routing.service import MAX_DELIVERIES, Outcome, RoutingService, Status
from bot.routing.trace import DeliveryKind
from tests.support.routing_world import ADMIN, AGENT, D, a, seeded_service, snapshot

OUT = "friend@outside.example"


@pytest.fixture
def service(session_factory: sessionmaker) -> RoutingService:
    return seeded_service(session_factory)


def ok(service: RoutingService, change: Change, actor: Actor = AGENT) -> Outcome:
    outcome = service.apply(change, actor)
    assert outcome.ok, outcome.message.render("en")
    return outcome


def refused(
    service: RoutingService, session_factory: sessionmaker, change: Change, actor: Actor, rule: str
) -> str:
    """Check and apply both refuse by `rule`, in both languages, writing nothing; the English text."""
    before = snapshot(session_factory)
    verdict = service.check(change, actor)
    outcome = service.apply(change, actor)
    assert (verdict.status, verdict.rule) == (Status.REFUSED, rule), verdict.message.render("en")
    assert (outcome.status, outcome.rule, outcome.change_id) == (Status.REFUSED, rule, None)
    assert outcome.message.render("sv").startswith("Nekat enligt regeln")
    assert snapshot(session_factory) == before
    return outcome.message.render("en")


def deliveries(service: RoutingService, address: str) -> list[tuple[str, DeliveryKind, str | None]]:
    trace = service.trace(address)
    assert not trace.loops
    return sorted((d.address, d.kind, d.mailbox) for d in trace.deliveries)


# -- 1. a local part is a folder name, never a path ------------------------------------------------

PATH_LIKE = [
    "anna/",
    "anna/x",
    "a/./b",
    "_hidden",
    "-rf",
    "anna+x",
    "a%b",
    "a!b",
    "o'brien",
    "a=b",
    "{x}",
    "a|b",
    "~anna",
    "a*",
    "a$b",
    "a#b",
    "a?b",
    "a&b",
    "a^b",
    "a`b",
]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("local", PATH_LIKE)
def test_no_address_of_ours_is_a_path_or_an_extension(
    service: RoutingService, session_factory: sessionmaker, local: str
) -> None:
    address = a(local)
    rows = [MailboxLine(2, a("erik"), "Erik"), MailboxLine(3, address, "X")]
    before = snapshot(session_factory)
    for outcome in (
        service.add_mailbox(address, ADMIN),
        service.add_mailbox(address.upper(), ADMIN),
        service.import_mailboxes(rows, ADMIN),
        service.apply(AddAlias(address, a("anna")), ADMIN),
        service.apply(CreateGroup(address), ADMIN),
    ):
        assert (outcome.status, outcome.rule) == (Status.REFUSED, "local_part"), outcome.message.render("en")
        assert "a-z, 0-9" in outcome.message.render("en") and "a-z, 0-9" in outcome.message.render("sv")
    assert "line 3" in service.import_mailboxes(rows, ADMIN).message.render("en")
    assert snapshot(session_factory) == before


@pytest.mark.parametrize("local", ["..", ".hidden", "anna.", "a..b", "a b", 'a"b', "a\\b", "a\x00b"])
def test_dots_spaces_and_quotes_that_could_make_paths_are_no_address_at_all(local: str) -> None:
    with pytest.raises(AddressError):
        parse_address(a(local))


@given(st.text(alphabet="abcz09._-+/", min_size=1, max_size=20))
def test_a_hosted_local_part_is_one_folder_inside_the_domains_folder(local: str) -> None:
    try:
        address = parse_address(a(local))
    except AddressError:
        return
    if not is_hosted_local_part(address):
        return
    base = Path("/var/mail/vhosts")
    maildir = (base / D / local).resolve()  # what virtual(8) makes of "domain/local/"
    assert maildir.parent == base / D and maildir.name == local
    assert not local.startswith(".") and "+" not in local


def test_outside_addresses_and_extensions_are_still_fine_as_targets(service: RoutingService) -> None:
    ok(service, SetForward(a("anna"), "x/y+z@outside.example"), ADMIN)  # their address, not our folder
    ok(service, CreateGroup(a("news"), "News"))
    ok(service, AddMembers(a("news"), (a("bertil+news"), "o'brien@outside.example")), ADMIN)
    assert [d[0] for d in deliveries(service, a("news"))] == [a("bertil+news"), "o'brien@outside.example"]
    for good in ("anna.berg", "a-b", "a_b", "0a", "x"):
        assert service.add_mailbox(a(good), ADMIN).ok
    assert {m.maildir for m in service.mailboxes(D)} >= {f"{D}/anna.berg/", f"{D}/a_b/", f"{D}/0a/"}


# -- 2. an agent never sends a mailbox's mail outside, by any path ---------------------------------


def test_an_agent_cannot_reach_outside_through_a_group(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, CreateGroup(a("partners")))
    ok(service, AddMembers(a("partners"), (OUT,)))  # a group may have outside members
    for keep_copy in (False, True):
        text = refused(
            service,
            session_factory,
            SetForward(a("anna"), a("partners"), keep_copy),
            AGENT,
            "external_forward",
        )
        assert f"mail to {a('anna')} would then also reach {OUT}" in text
    assert service.check(SetForward(a("anna"), a("partners")), ADMIN).ok


def test_an_agent_cannot_add_an_outside_member_where_a_mailbox_forwards(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, CreateGroup(a("team")))
    ok(service, AddMembers(a("team"), (a("bertil"),)))
    ok(service, AddAlias(a("support"), a("anna")))
    ok(service, SetForward(a("anna"), a("team")))  # support@ -> anna@ -> team@ -> bertil@
    refused(service, session_factory, AddMembers(a("team"), (OUT,)), AGENT, "external_forward")
    # ... nor a group that has one (groups in groups), nor an extension of it (propagated: out+x).
    ok(service, CreateGroup(a("outer")))
    ok(service, AddMembers(a("outer"), ("friend+news@outside.example",)))
    refused(service, session_factory, AddMembers(a("team"), (a("outer"),)), AGENT, "external_forward")
    refused(service, session_factory, AddMembers(a("team"), (a("outer+x"),)), AGENT, "external_forward")
    # A mailbox whose forward an admin set is "outside" too: forwarding to it reaches there.
    ok(service, SetForward(a("cecilia"), OUT), ADMIN)
    refused(service, session_factory, AddMembers(a("team"), (a("cecilia"),)), AGENT, "external_forward")
    refused(service, session_factory, SetForward(a("bertil"), a("cecilia+x")), AGENT, "external_forward")
    ok(service, AddMembers(a("outer"), (a("cecilia"),)))  # nobody's mailbox forwards to outer@


def test_an_agent_cannot_undo_an_admins_change_back_to_outside(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, SetForward(a("anna"), OUT), ADMIN)
    cleared = ok(service, ClearForward(a("anna")))  # reach shrinks: an agent may
    assert cleared.change_id is not None
    before = snapshot(session_factory)
    outcome = service.undo(cleared.change_id, AGENT)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "external_forward")
    assert snapshot(session_factory) == before
    assert service.undo(cleared.change_id, ADMIN).ok


# -- 3. a change that makes addresses bounce names them; only an admin may make it -----------------


def test_forwarding_to_an_empty_group_bounces_so_only_an_admin_may(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, AddAlias(a("support"), a("anna")))
    ok(service, CreateGroup(a("empty")))
    text = refused(service, session_factory, SetForward(a("anna"), a("empty")), AGENT, "no_mail_loss")
    assert f"mail to {a('anna')}, {a('support')} would then bounce" in text
    verdict = service.check(SetForward(a("anna"), a("empty")), ADMIN)
    assert verdict.ok and verdict.bounces == (a("anna"), a("support"))
    assert verdict.warning is not None
    assert "mail to anna@kulexempel.se, support@kulexempel.se bounces" in verdict.warning.render("en")
    assert "studsar" in verdict.warning.render("sv")
    no_confirmation = service.apply(SetForward(a("anna"), a("empty")), ADMIN, allow_bounces=False)
    assert (no_confirmation.status, no_confirmation.rule) == (Status.REFUSED, "no_mail_loss")
    done = service.apply(SetForward(a("anna"), a("empty")), ADMIN)
    assert done.ok and done.bounces == verdict.bounces
    assert deliveries(service, a("support")) == [(a("empty"), DeliveryKind.UNKNOWN, None)]


def test_emptying_a_group_bounces_it_and_what_forwards_to_it(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, CreateGroup(a("team")))
    ok(service, AddMembers(a("team"), (a("bertil"), OUT)), ADMIN)
    ok(service, SetForward(a("anna"), a("team")), ADMIN)
    ok(service, RemoveMember(a("team"), OUT))  # not the last: fine
    refused(service, session_factory, RemoveMember(a("team"), a("bertil")), AGENT, "no_mail_loss")
    assert service.check(RemoveMember(a("team"), a("bertil")), ADMIN).bounces == (a("anna"), a("team"))


def test_removing_an_address_on_purpose_is_not_lost_mail(service: RoutingService) -> None:
    alias = ok(service, AddAlias(a("support"), a("anna")))
    ok(service, CreateGroup(a("team")))
    ok(service, AddMembers(a("team"), (a("bertil"),)))
    removed = ok(service, RemoveAlias(a("support")))  # the effect says: rejected from now on
    assert removed.bounces == () and "rejected" in removed.message.render("en")
    assert ok(service, DeleteGroup(a("team"))).bounces == ()
    assert alias.change_id is not None and service.undo(alias.change_id, AGENT).status is Status.REFUSED
    assert removed.change_id is not None and service.undo(removed.change_id, AGENT).ok  # redo


def test_a_new_domain_that_routes_point_into_names_who_bounces(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, SetForward(a("anna"), "x@partner.se", keep_copy=True), ADMIN)
    ok(service, CreateGroup(a("team")))
    ok(service, AddMembers(a("team"), ("y@partner.se", a("bertil"))))
    before = snapshot(session_factory)
    unconfirmed = service.add_domain("partner.se", ADMIN, allow_bounces=False)
    assert (unconfirmed.status, unconfirmed.rule) == (Status.REFUSED, "no_mail_loss")
    assert "anna@kulexempel.se, team@kulexempel.se" in unconfirmed.message.render("en")
    by_agent = service.add_domain("partner.se", AGENT)
    assert (by_agent.status, by_agent.rule) == (Status.REFUSED, "no_mail_loss")
    assert snapshot(session_factory) == before
    added = service.add_domain("partner.se", ADMIN)
    assert added.ok and added.bounces == (a("anna"), a("team"))
    assert (a("team"), DeliveryKind.UNKNOWN, None) not in deliveries(service, a("team"))
    assert ("y@partner.se", DeliveryKind.UNKNOWN, None) in deliveries(service, a("team"))


# -- 4. Postfix's own lookups and limits ----------------------------------------------------------


def test_extensions_are_looked_up_as_postfix_does(service: RoutingService) -> None:
    ok(service, AddAlias(a("support"), a("anna")))
    ok(service, SetForward(a("bertil"), OUT, keep_copy=True), ADMIN)
    assert deliveries(service, a("anna+tag")) == [(a("anna+tag"), DeliveryKind.MAILBOX, a("anna"))]
    assert deliveries(service, a("support+x")) == [(a("anna+x"), DeliveryKind.MAILBOX, a("anna"))]
    assert deliveries(service, "BERTIL+Tag@KULEXEMPEL.SE") == [
        (a("bertil+tag"), DeliveryKind.MAILBOX, a("bertil")),
        ("friend+tag@outside.example", DeliveryKind.EXTERNAL, None),
    ]
    assert deliveries(service, a("+x")) == [(a("+x"), DeliveryKind.UNKNOWN, None)]  # never split
    assert deliveries(service, a("nobody+x")) == [(a("nobody+x"), DeliveryKind.UNKNOWN, None)]


def test_a_group_holding_itself_by_an_extension_is_a_loop(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, CreateGroup(a("g")))
    ok(service, CreateGroup(a("h")))
    ok(service, AddMembers(a("h"), (a("anna"),)))
    assert "itself" in refused(service, session_factory, AddMembers(a("g"), (a("g+x"),)), ADMIN, "no_loops")
    ok(service, AddMembers(a("g"), (a("h"),)))
    text = refused(service, session_factory, AddMembers(a("h"), (a("g+tag"),)), ADMIN, "no_loops")
    assert "h@kulexempel.se → g+tag@kulexempel.se → h@kulexempel.se" in text
    refused(service, session_factory, SetForward(a("anna"), a("anna+x")), ADMIN, "self_forward")
    ok(service, SetForward(a("bertil"), a("g+x")), ADMIN)  # no loop: g reaches anna, not bertil


def test_the_expansion_limit_counts_duplicates_as_postfix_does(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    # Nine teams share the same 60 outside people: 60 distinct recipients, 540 for Postfix's count.
    people = tuple(f"p{n}@outside.example" for n in range(60))
    teams = [a(f"team{n}") for n in range(9)]
    for team in teams:
        ok(service, CreateGroup(team))
        ok(service, AddMembers(team, people))
    ok(service, CreateGroup(a("all")))
    ok(service, AddMembers(a("all"), tuple(teams[:8])))
    text = refused(service, session_factory, AddMembers(a("all"), (teams[8],)), ADMIN, "limits")
    assert f"would reach 540 recipients; at most {MAX_DELIVERIES}" in text


def test_a_u_label_key_counts_a_keep_copy_twice_as_postfix_does(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    # Postfix compares "info@exämpel.se" with the A-label result "info@xn--exmpel-cua.se": not
    # the same, so the U-label form expands info@ once more (and its forward with it).
    ok(service, CreateGroup(a("many")))
    for part, size in (("p", 200), ("q", 60)):
        ok(service, CreateGroup(a(part)))
        ok(service, AddMembers(a(part), tuple(f"{part}{n}@outside.example" for n in range(size))), ADMIN)
        ok(service, AddMembers(a("many"), (a(part),)))
    ok(service, SetForward("info@exämpel.se", a("many")), ADMIN)  # 260 for either spelling
    text = refused(service, session_factory, SetForward("info@exämpel.se", a("many"), True), ADMIN, "limits")
    assert f"info@exämpel.se would reach 521 recipients; at most {MAX_DELIVERIES}" in text  # A-label: 261


def test_u_label_addresses_trace_like_their_a_label(service: RoutingService) -> None:
    ok(service, AddAlias("kontakt@exämpel.se", "info@exämpel.se"))
    info = "info@xn--exmpel-cua.se"
    for typed in ("kontakt@exämpel.se", "KONTAKT@EXÄMPEL.SE", "kontakt@xn--exmpel-cua.se"):
        assert deliveries(service, typed) == [(info, DeliveryKind.MAILBOX, info)]
    assert deliveries(service, "kontakt+x@exämpel.se") == [
        ("info+x@xn--exmpel-cua.se", DeliveryKind.MAILBOX, info)
    ]
    assert deliveries(service, "info@EXÄMPEL.se") == [("info@exämpel.se", DeliveryKind.MAILBOX, info)]
    # A spelling Postfix folds to another domain is another domain (NFD, or ß folding to "ss").
    assert deliveries(service, "info@exa\u0308mpel.se")[0][1] is DeliveryKind.EXTERNAL
    assert service.add_domain("straße.de", ADMIN).ok
    assert service.trace("info@STRAßE.de").deliveries[0].address == "info@strasse.de"
    # Two names in DNS, one to Postfix (final sigma folds to sigma): the second is refused.
    assert service.add_domain("σίσυφος.gr", ADMIN).ok
    alike = service.add_domain("σίσυφοσ.gr", ADMIN)
    assert (alike.status, alike.rule) == (Status.REFUSED, "one_thing")
    assert "same domain as σίσυφος.gr" in alike.message.render("en")


def test_the_postfix_snippet_sets_what_the_rules_count_on(tmp_path: Path) -> None:
    snippet = main_cf_snippet(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)
    for line in (
        "recipient_delimiter = +",
        "smtputf8_enable = yes",
        "propagate_unmatched_extensions = canonical, virtual",
    ):
        assert line in snippet.splitlines()


# -- 5. postmaster@ and abuse@ always reach a mailbox of ours --------------------------------------


def test_a_new_domain_comes_with_postmaster_and_abuse(service: RoutingService) -> None:
    assert deliveries(service, a("postmaster")) == [(a("postmaster"), DeliveryKind.MAILBOX, a("postmaster"))]
    assert deliveries(service, a("abuse")) == [(a("postmaster"), DeliveryKind.MAILBOX, a("postmaster"))]
    added = service.add_domain("kund.se", ADMIN, postmaster=a("anna"))
    assert (
        added.ok
        and "postmaster@kund.se and abuse@kund.se reach anna@kulexempel.se" in added.message.render("en")
    )
    for address in ("postmaster@kund.se", "abuse@kund.se", "Abuse+x@Kund.se"):
        assert [d[2] for d in deliveries(service, address)] == [a("anna")]


@pytest.mark.parametrize(
    ("groups", "actor", "says"), [(3, AGENT, "600 recipients"), (6, ADMIN, "Postfix's limits")]
)
def test_dropping_a_keep_a_copy_keeps_every_address_within_the_limits(
    service: RoutingService, session_factory: sessionmaker, groups: int, actor: Actor, says: str
) -> None:
    """anna keeps a copy and forwards to a group of 200: Postfix expands her once per message, however
    many groups lead to her (she expanded into herself). Without the copy every path expands her again:
    through three groups 600 addresses (our limit is 500), through six past Postfix's 1000, deferred
    forever. Removing a row can grow an expansion; refused by "limits", nothing written."""
    ok(service, CreateGroup(a("fan"), "Fan"))
    ok(service, AddMembers(a("fan"), tuple(f"bertil+{n}@{D}" for n in range(200))))
    ok(service, SetForward(a("anna"), a("fan"), keep_copy=True))
    for n in range(groups):
        ok(service, CreateGroup(a(f"h{n}"), "H"))
        ok(service, AddMembers(a(f"h{n}"), (a("anna"),)))
    ok(service, CreateGroup(a("all"), "All"))
    ok(service, AddMembers(a("all"), tuple(a(f"h{n}") for n in range(groups))))
    message = refused(service, session_factory, SetForward(a("anna"), a("fan")), actor, "limits")
    assert "all@kulexempel.se" in message and says in message
    assert len(service.trace(a("all")).deliveries) == 201


@pytest.mark.parametrize("members", [3, 5])
def test_a_new_domain_keeps_every_address_within_the_limits(
    service: RoutingService, session_factory: sessionmaker, members: int
) -> None:
    """Addresses of a domain not yet ours are outside addresses: one slot each. Once it is ours, its
    abuse@ (and abuse+x@) expand through the postmaster mailbox into everything that reaches: a group
    holding five of them would pass Postfix's 1000 (451, deferred forever), three our 500. Refused by
    "limits", not let through as "bounces" (even with them allowed), and nothing written."""
    ok(service, CreateGroup(a("fan"), "Fan"))
    ok(service, AddMembers(a("fan"), tuple(f"bertil+{n}@{D}" for n in range(200))))
    ok(service, SetForward(a("anna"), a("fan"), keep_copy=True))  # 201 addresses
    ok(service, CreateGroup(a("partners"), "Partners"))
    partner_abuse = ["abuse@partner.se", *(f"abuse+{n}@partner.se" for n in range(members - 1))]
    ok(service, AddMembers(a("partners"), tuple(partner_abuse)))
    before = snapshot(session_factory)
    outcome = service.add_domain("partner.se", ADMIN, postmaster=a("anna"))
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "limits"), outcome.message.render("en")
    assert f"{members * 201} recipients" in outcome.message.render("en") or members * 201 > 1000
    assert "partners@kulexempel.se" in outcome.message.render("en")
    assert snapshot(session_factory) == before
    assert service.add_domain("partner.se", ADMIN).ok  # with its own postmaster mailbox: one each


def test_a_new_domains_postmaster_and_abuse_keep_within_the_limits(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    """postmaster@ and abuse@ are one lookup more than the mailbox they reach (`--postmaster`)."""
    chain = [a(f"m{n}") for n in range(10)]
    for mailbox in chain:
        assert service.add_mailbox(mailbox, ADMIN).ok
    for source, target in reversed(list(zip(chain, chain[1:], strict=False))):
        ok(service, SetForward(source, target))
    assert max(step.depth for step in service.trace(chain[0]).steps) == 9  # ten lookups: the limit
    before = snapshot(session_factory)
    outcome = service.add_domain("kund.se", ADMIN, postmaster=chain[0])
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "limits"), outcome.message.render("en")
    assert "postmaster@kund.se would pass through 11 steps" in outcome.message.render("en")
    assert snapshot(session_factory) == before
    assert service.add_domain("kund.se", ADMIN, postmaster=chain[1]).ok


@pytest.mark.parametrize("postmaster", [a("nobody"), a("support"), OUT, a("forwards")])
def test_postmaster_must_be_a_mailbox_that_stays_inside(
    service: RoutingService, session_factory: sessionmaker, postmaster: str
) -> None:
    ok(service, AddAlias(a("support"), a("anna")))
    assert service.add_mailbox(a("forwards"), ADMIN).ok
    ok(service, SetForward(a("forwards"), OUT), ADMIN)
    before = snapshot(session_factory)
    outcome = service.add_domain("kund.se", ADMIN, postmaster=postmaster)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "protected"), outcome.message.render("en")
    assert snapshot(session_factory) == before


def test_nothing_removes_postmaster_or_abuse_or_sends_them_outside(
    service: RoutingService, session_factory: sessionmaker
) -> None:
    ok(service, AddAlias(a("hostmaster"), a("postmaster")))
    for change in (
        RemoveMember(a("abuse"), a("postmaster")),
        DeleteGroup(a("abuse")),
        AddMembers(a("abuse"), (OUT,)),
        SetForward(a("postmaster"), OUT),
        SetForward(a("postmaster"), OUT, keep_copy=True),
    ):
        text = refused(service, session_factory, change, ADMIN, "protected")
        assert "RFC 2142" in text
    # Moved, not lost: another mailbox of ours first, then the old one may go.
    ok(service, AddMembers(a("abuse"), (a("anna"),)))
    ok(service, RemoveMember(a("abuse"), a("postmaster")))
    ok(service, SetForward(a("postmaster"), a("cecilia"), keep_copy=True), ADMIN)
    # Indirect: the mailbox abuse@ reaches may not forward outside either, nor the alias's target.
    refused(service, session_factory, SetForward(a("anna"), OUT, keep_copy=True), ADMIN, "protected")
    refused(service, session_factory, SetForward(a("cecilia"), OUT), ADMIN, "protected")
    abuse_created = [e for e in service.audit(100) if e.subject == a("abuse") and e.action == "group.create"]
    assert service.undo(abuse_created[0].id, ADMIN).rule in ("undo", "protected")


def test_a_preview_says_which_addresses_are_outside_our_domains(service: RoutingService) -> None:
    """An outside domain can look like ours (a Cyrillic "е" in kulexеmpel.se): the preview says which
    addresses are outside, and shows an internationalised one also as DNS knows it."""
    lookalike = "anna@kulex\u0435mpel.se"
    ok(service, CreateGroup(a("team"), "Team"))
    verdict = service.check(AddMembers(a("team"), (lookalike, a("bertil"), "bob@gmail.com")), AGENT)
    assert verdict.ok
    en, sv = verdict.message.render("en"), verdict.message.render("sv")
    assert en.endswith(
        "Outside our domains: anna@kulex\u0435mpel.se (anna@xn--kulexmpel-k0h.se), bob@gmail.com."
    )
    assert sv.endswith(
        "Utanför våra domäner: anna@kulex\u0435mpel.se (anna@xn--kulexmpel-k0h.se), bob@gmail.com."
    )
    forward = service.check(SetForward(a("anna"), lookalike), ADMIN).message.render("en")
    assert "Outside our domains: anna@kulex\u0435mpel.se (anna@xn--kulexmpel-k0h.se)." in forward
    inside = service.check(SetForward(a("anna"), "info@exämpel.se"), AGENT).message.render("en")
    assert "Outside" not in inside and "xn--" not in inside
    ok(service, SetForward(a("anna"), lookalike), ADMIN)
    lines = [line.render("en") for line in service.trace(a("anna")).lines()]
    assert lines[-1] == "sent out of our domains to anna@kulex\u0435mpel.se (anna@xn--kulexmpel-k0h.se)"


def test_an_alias_preview_says_where_its_mailboxs_forward_takes_the_mail(service: RoutingService) -> None:
    """An alias of a mailbox that forwards (without a copy) does not land in that inbox: the preview
    says where it goes, as trace and Postfix do."""
    ok(service, SetForward(a("anna"), a("bertil")))
    ok(service, SetForward(a("cecilia"), a("bertil"), keep_copy=True))
    moved = service.check(AddAlias(a("support"), a("anna")), AGENT).message
    assert moved.render("en") == (
        "Mail to support@kulexempel.se will go to anna@kulexempel.se, which forwards it to "
        "bertil@kulexempel.se: it does not land in anna@kulexempel.se's inbox."
    )
    assert "vidarebefordrar" in moved.render("sv")
    copied = service.check(AddAlias(a("info"), a("cecilia")), AGENT).message.render("en")
    assert copied == (
        "Mail to info@kulexempel.se will land in cecilia@kulexempel.se's inbox, which also forwards it "
        "to bertil@kulexempel.se."
    )
    ok(service, AddAlias(a("support"), a("anna")))
    assert [d.address for d in service.trace(a("support")).deliveries] == [a("bertil")]


def test_a_member_removed_but_still_reached_through_another_is_named(service: RoutingService) -> None:
    """Removing anna from a group whose other member (a group) also holds anna: Postfix still
    delivers the group's mail to anna, and the preview says so instead of "no longer"."""
    for change in (
        CreateGroup(a("team"), "Team"),
        AddMembers(a("team"), (a("anna"), a("bertil"))),
        CreateGroup(a("all"), "All"),
        AddMembers(a("all"), (a("anna"), a("team"), a("cecilia"))),
    ):
        ok(service, change)
    effect = service.check(RemoveMember(a("all"), a("anna")), AGENT).message
    assert effect.render("en") == (
        "anna@kulexempel.se is no longer a member of all@kulexempel.se, but mail to all@kulexempel.se "
        "still reaches anna@kulexempel.se (or some of its recipients) through another member."
    )
    assert "genom en annan medlem" in effect.render("sv")
    gone = service.check(RemoveMember(a("all"), a("cecilia")), AGENT).message.render("en")
    assert gone == "cecilia@kulexempel.se will no longer get mail sent to all@kulexempel.se."
    ok(service, RemoveMember(a("all"), a("anna")))
    assert a("anna") in [d.address for d in service.trace(a("all")).deliveries]
