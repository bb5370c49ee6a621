"""The flows core without Slack: command parsing, preview, confirm once, undo, who may, modal checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from bot.config import Lang, Settings
from bot.db import utcnow
from bot.flows.commands import Lookup, NeedsInput, Proposal, Read, Usage, parse_command
from bot.flows.core import MAX_LIST_ROWS, Flows, Person, Reply, ReplyKind, listing, role_of
from bot.flows.messages import MESSAGES
from bot.flows.store import (
    PENDING_LIFETIME,
    PENDING_RETENTION,
    STALE_CLAIM,
    PendingChange,
    PendingState,
    cached_lang,
    claim,
    remember_locale,
)
from bot.routing.changes import Actor, AddAlias, AddMembers, CreateGroup, RemoveMember, Role, SetForward
from bot.routing.models import AuditEntry
from bot.routing.service import RoutingService
from bot.slack.slack_text import plain_text
from tests.support.database_faults import refused_writes

OPERATOR = Actor("operator", Role.ADMIN)
AGENT = Person("UAGENT", "T1", Role.AGENT)
ADMIN = Person("UADMIN", "T1", Role.ADMIN)
CUSTOMER = Person("U1", "T1", None)


def rendered(reply: Reply, lang: Lang = "en") -> str:
    return "\n".join(line.render(lang) for line in reply.lines)


def reply_to(flows: Flows, command: str, text: str, person: Person) -> Reply:
    """The reply to a complete command (not a form asking for the missing fields)."""
    reply = flows.command(command, text, person)
    assert isinstance(reply, Reply), reply
    return reply


@pytest.fixture
def flows(settings: Settings, session_factory: sessionmaker) -> Flows:
    routing = RoutingService(session_factory)
    routing.add_domain("kulexempel.se", OPERATOR)
    for name in ("anna", "bo"):
        routing.add_mailbox(f"{name}@kulexempel.se", OPERATOR)
    return Flows(settings, session_factory)


def audit_count(flows: Flows) -> int:
    with flows.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/alias", "help", Usage("/alias")),
        ("/group", "", NeedsInput),
        ("/alias", "add support@kulexempel.se", NeedsInput),
        ("/alias", "list", Lookup(Read.ALIAS_LIST, None)),
        ("/alias", "list kulexempel.se", Lookup(Read.ALIAS_LIST, "kulexempel.se")),
        ("/mailtrace", "a@kulexempel.se", Lookup(Read.TRACE, "a@kulexempel.se")),
        ("/group", "members sales@kulexempel.se", Lookup(Read.GROUP_MEMBERS, "sales@kulexempel.se")),
    ],
)
def test_parse_command_kinds(command: str, text: str, expected: object) -> None:
    parsed = parse_command(command, text)
    if isinstance(expected, type):
        assert isinstance(parsed, expected)
    else:
        assert parsed == expected


def test_parse_complete_changes() -> None:
    forward = parse_command("/forward", "set anna@kulexempel.se anna@gmail.com keep-copy")
    assert isinstance(forward, Proposal)
    assert forward.change == SetForward("anna@kulexempel.se", "anna@gmail.com", keep_copy=True)
    members = parse_command("/group", "add sales@kulexempel.se anna@kulexempel.se, bo@kulexempel.se")
    assert isinstance(members, Proposal)
    assert members.change == AddMembers("sales@kulexempel.se", ("anna@kulexempel.se", "bo@kulexempel.se"))
    named = parse_command("/group", "create sales@kulexempel.se Sales team")
    assert isinstance(named, Proposal) and named.values["name"] == "Sales team"


def test_command_text_is_read_as_the_person_typed_it() -> None:
    """Slack sends a command's text with "&", "<" and ">" as entities (and a linked address as
    <mailto:...>); the Slack adapter reads it as typed before the flows parse it: a group named R&D is
    stored as "R&D", and an outside address with "&" is that address."""
    named = parse_command("/group", plain_text("create rd@kulexempel.se R&amp;D &lt;lab&gt; &amp;amp;"))
    assert isinstance(named, Proposal) and named.values["name"] == "R&D <lab> &amp;"
    forward = parse_command(
        "/forward", plain_text("set <mailto:anna@kulexempel.se|anna@kulexempel.se> a&amp;b@gmail.com")
    )
    assert isinstance(forward, Proposal)
    assert forward.change == SetForward("anna@kulexempel.se", "a&b@gmail.com")


@pytest.mark.parametrize(
    ("command", "text", "says"),
    [
        ("/alias", "rename a b", 'cannot "rename"'),
        ("/forward", "set a@x.se b@x.se maybe", 'understand "maybe"'),
        ("/alias", "remove a@x.se b@x.se", "more words than /alias remove"),
        ("/mailtrace", "", "give the address"),
    ],
)
def test_bad_commands_get_usage(command: str, text: str, says: str) -> None:
    parsed = parse_command(command, text)
    assert isinstance(parsed, Usage) and parsed.problem is not None
    assert says in parsed.problem.render("en")


def test_roles_from_settings() -> None:
    settings = Settings(agents=frozenset({"UAGENT"}), admins=frozenset({"UADMIN"}))
    assert [role_of(settings, u) for u in ("UAGENT", "UADMIN", "U1")] == [Role.AGENT, Role.ADMIN, None]


def test_preview_confirm_twice_undo(flows: Flows) -> None:
    before = audit_count(flows)
    preview = reply_to(flows, "/alias", "add support@kulexempel.se anna@kulexempel.se", AGENT)
    assert preview.kind is ReplyKind.PREVIEW and preview.pending_id is not None
    assert "Mail to support@kulexempel.se will land in anna@kulexempel.se's inbox" in rendered(preview)
    assert "Förhandsgranska" not in rendered(preview, "sv") and "Bekräfta" in rendered(preview, "sv")
    assert audit_count(flows) == before  # a preview writes nothing

    done = flows.confirm(preview.pending_id, AGENT)
    assert done.kind is ReplyKind.DONE and "Done (change" in rendered(done)
    assert [d.address for d in flows.routing.trace("support@kulexempel.se").deliveries] == [
        "anna@kulexempel.se"
    ]
    again = flows.confirm(preview.pending_id, AGENT)
    assert "already been made" in rendered(again)
    assert (again.kind, again.pending_id) == (ReplyKind.DONE, preview.pending_id)  # Undo stays
    assert audit_count(flows) == before + 1

    undone = flows.undo(preview.pending_id, AGENT)
    assert "Undone (change" in rendered(undone)
    assert flows.routing.aliases() == []
    assert "already undone" in rendered(flows.undo(preview.pending_id, AGENT))
    assert audit_count(flows) == before + 2


def test_cancel_then_confirm_does_nothing(flows: Flows) -> None:
    preview = reply_to(flows, "/group", "create sales@kulexempel.se Sales", AGENT)
    assert preview.pending_id is not None
    assert "Cancelled" in rendered(flows.cancel(preview.pending_id, AGENT))
    assert "cancelled" in rendered(flows.confirm(preview.pending_id, AGENT))
    assert flows.routing.members("sales@kulexempel.se") is None


def test_someone_elses_or_old_preview_is_not_performed(flows: Flows) -> None:
    preview = reply_to(flows, "/alias", "add info@kulexempel.se bo@kulexempel.se", AGENT)
    assert preview.pending_id is not None
    assert "someone else" in rendered(flows.confirm(preview.pending_id, ADMIN))
    with flows.sessions() as session:
        session.execute(
            update(PendingChange).values(created_at=utcnow() - PENDING_LIFETIME - PENDING_LIFETIME)
        )
        session.commit()
    assert "older than 30 minutes" in rendered(flows.confirm(preview.pending_id, AGENT))
    assert flows.routing.aliases() == []


def stuck_performing(flows: Flows, pending_id: int, claimed_ago: timedelta) -> None:
    """The row as a worker leaves it that claimed Confirm and died before the change was written."""
    with flows.sessions() as session:
        assert claim(session, pending_id, PendingState.PENDING, PendingState.PERFORMING)
        session.execute(
            update(PendingChange)
            .where(PendingChange.id == pending_id)
            .values(claimed_at=utcnow() - claimed_ago)
        )
        session.commit()


def test_a_confirm_left_unfinished_by_a_dead_worker_is_taken_over_after_a_while(flows: Flows) -> None:
    before = audit_count(flows)
    preview = reply_to(flows, "/alias", "add info@kulexempel.se bo@kulexempel.se", AGENT)
    assert preview.pending_id is not None
    stuck_performing(flows, preview.pending_id, STALE_CLAIM + timedelta(seconds=1))

    done = flows.confirm(preview.pending_id, AGENT)
    assert (done.kind, done.pending_id) == (ReplyKind.DONE, preview.pending_id)  # with Undo
    assert "Done (change" in rendered(done)
    again = flows.confirm(preview.pending_id, AGENT)
    assert "already been made" in rendered(again) and again.kind is ReplyKind.DONE
    assert [a.alias for a in flows.routing.aliases()] == ["info@kulexempel.se"]
    assert audit_count(flows) == before + 1
    assert "Undone (change" in rendered(flows.undo(preview.pending_id, AGENT))


def test_a_stale_claim_whose_change_is_already_so_performs_nothing_twice(flows: Flows) -> None:
    preview = reply_to(flows, "/alias", "add hej@kulexempel.se anna@kulexempel.se", AGENT)
    assert preview.pending_id is not None
    stuck_performing(flows, preview.pending_id, STALE_CLAIM + timedelta(seconds=1))
    flows.routing.apply(AddAlias("hej@kulexempel.se", "anna@kulexempel.se"), OPERATOR)  # meanwhile
    before = audit_count(flows)

    reply = flows.confirm(preview.pending_id, AGENT)
    assert reply.kind is ReplyKind.INFO
    assert rendered(reply).startswith("Nothing was changed.") and "already" in rendered(reply)
    assert audit_count(flows) == before


def test_an_undo_left_unfinished_by_a_dead_worker_is_taken_over_after_a_while(flows: Flows) -> None:
    preview = reply_to(flows, "/alias", "add info@kulexempel.se bo@kulexempel.se", AGENT)
    assert preview.pending_id is not None
    assert "Done (change" in rendered(flows.confirm(preview.pending_id, AGENT))
    with flows.sessions() as session:  # a worker claimed Undo and died before the undo was written
        assert claim(session, preview.pending_id, PendingState.DONE, PendingState.UNDOING)
        session.execute(
            update(PendingChange)
            .where(PendingChange.id == preview.pending_id)
            .values(claimed_at=utcnow() - STALE_CLAIM - timedelta(seconds=1))
        )
        session.commit()

    assert "Undone (change" in rendered(flows.undo(preview.pending_id, AGENT))
    assert "already undone" in rendered(flows.undo(preview.pending_id, AGENT))
    assert flows.routing.aliases() == []


def test_a_change_the_database_refuses_gives_its_claim_back_and_can_be_confirmed_again(
    flows: Flows, engine: Engine
) -> None:
    preview = reply_to(flows, "/alias", "add info@kulexempel.se bo@kulexempel.se", AGENT)
    assert preview.pending_id is not None
    with refused_writes(engine, "routes"), pytest.raises(DBAPIError, match="refused by the test"):
        flows.confirm(preview.pending_id, AGENT)
    assert flows.routing.aliases() == []  # nothing half-written
    assert "Done (change" in rendered(flows.confirm(preview.pending_id, AGENT))  # at once, not in 15 s
    with refused_writes(engine, "audit_log"), pytest.raises(DBAPIError, match="refused by the test"):
        flows.undo(preview.pending_id, AGENT)
    assert [alias.alias for alias in flows.routing.aliases()] == ["info@kulexempel.se"]
    assert "Undone (change" in rendered(flows.undo(preview.pending_id, AGENT))


def test_old_pending_changes_are_deleted_when_a_new_one_is_stored(flows: Flows) -> None:
    old = reply_to(flows, "/group", "create old@kulexempel.se", AGENT)
    kept = reply_to(flows, "/group", "create kept@kulexempel.se", AGENT)
    with flows.sessions() as session:
        for reply, age in ((old, PENDING_RETENTION + timedelta(hours=1)), (kept, timedelta(days=6))):
            session.execute(
                update(PendingChange)
                .where(PendingChange.id == reply.pending_id)
                .values(created_at=utcnow() - age)
            )
        session.commit()
    new = reply_to(flows, "/group", "create new@kulexempel.se", AGENT)
    with flows.sessions() as session:
        ids = set(session.scalars(select(PendingChange.id)))
    assert ids == {kept.pending_id, new.pending_id} and old.pending_id is not None
    assert "no longer find" in rendered(flows.confirm(old.pending_id, AGENT))


def test_non_agent_is_refused_politely_and_nothing_is_stored(flows: Flows) -> None:
    before = audit_count(flows)
    for command, text in [
        ("/alias", "add support@kulexempel.se anna@kulexempel.se"),
        ("/forward", "set anna@kulexempel.se bo@kulexempel.se"),
        ("/group", "create sales@kulexempel.se"),
        ("/group", "list"),
        ("/mailtrace", "anna@kulexempel.se"),
    ]:
        reply = reply_to(flows, command, text, CUSTOMER)
        assert reply.kind is ReplyKind.INFO
        assert "only the support team's agents" in rendered(reply)
        assert "support@kulexempel.se" in rendered(reply, "sv") and "Tyvärr" in rendered(reply, "sv")
    with flows.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingChange)) == 0
    assert audit_count(flows) == before


def test_external_forward_needs_an_admin(flows: Flows) -> None:
    refused = reply_to(flows, "/forward", "set anna@kulexempel.se anna@gmail.com", AGENT)
    assert refused.kind is ReplyKind.INFO
    assert "only an admin may forward there" in rendered(refused)
    preview = reply_to(flows, "/forward", "set anna@kulexempel.se anna@gmail.com", ADMIN)
    assert preview.pending_id is not None
    assert flows.confirm(preview.pending_id, ADMIN).kind is ReplyKind.DONE
    assert flows.routing.forward("anna@kulexempel.se") is not None


def test_a_change_that_makes_mail_bounce_is_an_admins_and_its_preview_says_who_bounces(flows: Flows) -> None:
    created = reply_to(flows, "/group", "create team@kulexempel.se Team", AGENT)
    assert created.pending_id is not None and flows.confirm(created.pending_id, AGENT).kind is ReplyKind.DONE
    command = "set anna@kulexempel.se team@kulexempel.se"  # an empty group: anna's mail would bounce
    refused = reply_to(flows, "/forward", command, AGENT)
    assert refused.kind is ReplyKind.INFO and refused.pending_id is None
    assert 'Refused by the rule "no mail is lost"' in rendered(refused)
    assert 'Nekat enligt regeln "ingen post går förlorad"' in rendered(refused, "sv")
    modal = flows.submit(
        "forward.set", {"address": "anna@kulexempel.se", "target": "team@kulexempel.se"}, AGENT
    )
    assert isinstance(modal, dict) and "would then bounce" in modal["target"].render("en")

    preview = reply_to(flows, "/forward", command, ADMIN)
    assert preview.kind is ReplyKind.PREVIEW and preview.pending_id is not None
    assert "Note: after this change, mail to anna@kulexempel.se bounces (is rejected)." in rendered(preview)
    assert "Obs: efter ändringen studsar (avvisas) post till anna@kulexempel.se." in rendered(preview, "sv")
    done = flows.confirm(preview.pending_id, ADMIN)
    assert done.kind is ReplyKind.DONE and "mail to anna@kulexempel.se bounces" in rendered(done)


def test_confirm_makes_no_mail_bounce_that_its_preview_did_not_name(flows: Flows) -> None:
    """Routing may change between an admin's preview and Confirm (another agent's change): Confirm
    then makes nothing bounce that the preview did not warn of. It refuses, naming who would
    bounce, writes nothing, and a fresh preview warns of it."""
    routing = flows.routing
    assert routing.apply(CreateGroup("team@kulexempel.se"), OPERATOR).ok
    assert routing.apply(AddMembers("team@kulexempel.se", ("bo@kulexempel.se",)), OPERATOR).ok
    command = "set anna@kulexempel.se team@kulexempel.se"
    preview = reply_to(flows, "/forward", command, ADMIN)
    assert preview.pending_id is not None and "bounces" not in rendered(preview)
    # Meanwhile someone else empties the group (nothing forwarded to it yet: only team@ bounces).
    assert routing.apply(RemoveMember("team@kulexempel.se", "bo@kulexempel.se"), OPERATOR).ok
    before = audit_count(flows)
    refused = flows.confirm(preview.pending_id, ADMIN)
    assert refused.kind is ReplyKind.INFO and audit_count(flows) == before
    assert routing.forward("anna@kulexempel.se") is None
    assert "anna@kulexempel.se" in rendered(refused) and "since the preview" in rendered(refused)
    assert "anna@kulexempel.se" in rendered(refused, "sv") and "sedan förhandsvisningen" in rendered(
        refused, "sv"
    )
    again = reply_to(flows, "/forward", command, ADMIN)
    assert again.pending_id is not None and "mail to anna@kulexempel.se bounces" in rendered(again)
    assert flows.confirm(again.pending_id, ADMIN).kind is ReplyKind.DONE


def test_undo_names_the_addresses_it_makes_bounce(flows: Flows) -> None:
    """An admin's Undo has no preview: what it made bounce is said with its result."""
    assert flows.routing.apply(CreateGroup("team@kulexempel.se"), OPERATOR).ok
    added = reply_to(flows, "/group", "add team@kulexempel.se bo@kulexempel.se", ADMIN)
    assert added.pending_id is not None and flows.confirm(added.pending_id, ADMIN).kind is ReplyKind.DONE
    assert flows.routing.apply(SetForward("anna@kulexempel.se", "team@kulexempel.se"), OPERATOR).ok
    undone = flows.undo(added.pending_id, ADMIN)
    assert "Undone (change" in rendered(undone)
    assert "mail to anna@kulexempel.se, team@kulexempel.se bounces" in rendered(undone)


def test_loop_is_refused_with_the_path(flows: Flows) -> None:
    first = reply_to(flows, "/forward", "set anna@kulexempel.se bo@kulexempel.se", AGENT)
    assert first.pending_id is not None and flows.confirm(first.pending_id, AGENT).kind is ReplyKind.DONE
    loop = reply_to(flows, "/forward", "set bo@kulexempel.se anna@kulexempel.se", AGENT)
    assert loop.kind is ReplyKind.INFO
    assert "loop" in rendered(
        loop
    ) and "bo@kulexempel.se → anna@kulexempel.se → bo@kulexempel.se" in rendered(loop)
    assert "slinga" in rendered(loop, "sv")


def test_modal_checks_land_on_their_fields(flows: Flows) -> None:
    bad = flows.submit("alias.add", {"address": "not an address", "mailbox": "anna@kulexempel.se"}, AGENT)
    assert isinstance(bad, dict) and set(bad) == {"address"}
    unknown = flows.submit("alias.add", {"address": "a@kulexempel.se", "mailbox": "x@kulexempel.se"}, AGENT)
    assert isinstance(unknown, dict) and "not one of our mailboxes" in unknown["mailbox"].render("en")
    missing = flows.submit("group.add_members", {"address": "g@kulexempel.se", "members": " "}, AGENT)
    assert isinstance(missing, dict) and "fill in" in missing["members"].render("en")
    good = flows.submit("group.create", {"address": "sales@kulexempel.se", "name": "Sales"}, AGENT)
    assert not isinstance(good, dict) and good.kind is ReplyKind.PREVIEW


def test_bare_command_asks_for_fields(flows: Flows) -> None:
    needs = flows.command("/group", "", AGENT)
    assert isinstance(needs, NeedsInput) and needs.flow.id == "group.create"
    assert reply_to(flows, "/group", "", CUSTOMER).kind is ReplyKind.INFO


def test_lookups(flows: Flows) -> None:
    preview = reply_to(flows, "/group", "create sales@kulexempel.se Sales", AGENT)
    assert preview.pending_id is not None
    flows.confirm(preview.pending_id, AGENT)
    add = reply_to(flows, "/group", "add sales@kulexempel.se anna@kulexempel.se bo@kulexempel.se", AGENT)
    assert add.pending_id is not None
    flows.confirm(add.pending_id, AGENT)
    for command in ("create solo@kulexempel.se Solo", "add solo@kulexempel.se anna@kulexempel.se"):
        reply = reply_to(flows, "/group", command, AGENT)
        assert reply.pending_id is not None
        flows.confirm(reply.pending_id, AGENT)
    groups = reply_to(flows, "/group", "list", AGENT)
    assert '• sales@kulexempel.se "Sales" (2 members)' in rendered(groups)
    assert '• solo@kulexempel.se "Solo" (1 member)' in rendered(groups)
    assert '"Sales" (2 medlemmar)' in rendered(groups, "sv") and '"Solo" (1 medlem)' in rendered(groups, "sv")
    members = rendered(reply_to(flows, "/group", "members sales@kulexempel.se", AGENT))
    assert "• anna@kulexempel.se\n• bo@kulexempel.se" in members
    trace = rendered(reply_to(flows, "/mailtrace", "Sales@kulexempel.se", AGENT))
    assert "delivered to the mailbox anna@kulexempel.se" in trace
    assert "is not forwarded" in rendered(reply_to(flows, "/forward", "show anna@kulexempel.se", AGENT))
    assert "has no @" in rendered(reply_to(flows, "/mailtrace", "nobody", AGENT))


def test_locale_cache(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        assert cached_lang(session, "U1") == (False, None)
        remember_locale(session, "U1", "sv-SE")
        remember_locale(session, "U2", "de-DE")
        assert cached_lang(session, "U1") == (True, "sv")
        assert cached_lang(session, "U2") == (True, None)


def test_long_lists_are_cut_and_say_how_many_more() -> None:
    rows = [MESSAGES("member_row", member=f"m{n}@kulexempel.se") for n in range(MAX_LIST_ROWS + 5)]
    reply = listing(MESSAGES("aliases"), rows, MESSAGES("no_aliases"))
    assert len(reply.lines) == MAX_LIST_ROWS + 2
    assert rendered(reply).endswith("… and 5 more (name a domain for a shorter list).")
    assert rendered(listing(MESSAGES("aliases"), [], MESSAGES("no_aliases"))) == "No aliases."
