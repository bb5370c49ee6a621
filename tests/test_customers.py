"""Customers without Slack (SQLite and PostgreSQL): the directory, a customer admin's scope, what a
customer can learn (nothing about other customers' addresses), requests, approvals and their audit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.conversation import ask
from bot.customers.directory import Additions, CustomerAccess, CustomerDirectory
from bot.customers.models import ChangeRequest, RequestState
from bot.flows.approvals import Approvals, RequestStatus
from bot.flows.core import Flows, Person, Reply, ReplyKind
from bot.i18n import Text
from bot.routing.changes import Actor, AddAlias, AddMembers, CreateGroup, RemoveMember, Role, SetForward
from bot.routing.models import AuditEntry, Route
from bot.routing.service import RoutingService, Status
from tests.support.database_faults import refused_writes

OPERATOR = Actor("operator", Role.ADMIN)
AGENT = Person("UAGENT", "T1", Role.AGENT)
OTHER_AGENT = Person("UAGENT2", "T1", Role.AGENT)


def rendered(reply: Reply | Text, lang: str = "en") -> str:
    lines = (reply,) if isinstance(reply, Text) else reply.lines
    return "\n".join(line.render(lang) for line in lines)  # type: ignore[arg-type]


@pytest.fixture
def world(session_factory: sessionmaker) -> sessionmaker:
    """Two customers on their own domains, and the provider's own domain."""
    routing = RoutingService(session_factory)
    hosted = {"acme.se": ("info", "bo"), "beta.se": ("kim", "lo"), "kulexempel.se": ("anna",)}
    for domain, mailboxes in hosted.items():
        assert routing.add_domain(domain, OPERATOR).ok
        for local in mailboxes:
            assert routing.add_mailbox(f"{local}@{domain}", OPERATOR).ok
    directory = CustomerDirectory(session_factory)
    assert directory.add("Acme", Additions(["acme.se"], ["TACME"], ["UACMEBOSS"], admin=True), OPERATOR).ok
    assert directory.add("Beta", Additions(["beta.se"], ["TBETA"]), OPERATOR).ok
    assert routing.apply(AddAlias("hemlig@beta.se", "kim@beta.se"), OPERATOR).ok
    assert routing.apply(SetForward("lo@beta.se", "lo@gmail.com"), OPERATOR).ok
    return session_factory


def acme_admin(flows: Flows) -> Person:
    person = flows.person("UACMEBOSS", "TACME")
    assert person.customer is not None and person.customer.admin
    return person


def acme_user(flows: Flows) -> Person:
    person = flows.person("UACMEUSER", "TACME")
    assert person.customer is not None and not person.customer.admin
    return person


def routes_and_audit(sessions: sessionmaker) -> tuple[int, int]:
    with sessions() as session:
        routes = session.scalar(select(func.count()).select_from(Route)) or 0
        audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return routes, audit


# -- the directory -------------------------------------------------------------------------------


def test_people_are_recognised_by_user_id_or_workspace(world: sessionmaker) -> None:
    directory = CustomerDirectory(world)
    admin = directory.identify("UACMEBOSS", "TSOMEWHERE")
    assert admin is not None
    assert admin == CustomerAccess(admin.customer_id, "Acme", frozenset({"acme.se"}), admin=True)
    user = directory.identify("UANYONE", "TACME")
    assert user is not None and user.name == "Acme" and not user.admin
    assert directory.identify("UANYONE", "TUNKNOWN") is None
    # The provider's people are nobody's customer, whatever workspace they are in.
    flows = Flows(Settings(agents=frozenset({"UAGENT"})), world)
    assert flows.person("UAGENT", "TACME") == Person("UAGENT", "TACME", Role.AGENT, None)


def test_a_domain_belongs_to_one_customer_and_every_change_is_audited(world: sessionmaker) -> None:
    directory = CustomerDirectory(world)
    taken = directory.add("Gamma", Additions(["acme.se"]), OPERATOR)
    assert taken.status is Status.REFUSED and taken.rule == "one_customer"
    assert "already belongs to the customer Acme" in taken.message.render("en")
    assert directory.customer("Gamma") is None  # all or nothing: not even the customer was made
    assert directory.add("Beta", Additions(teams=["TACME"]), OPERATOR).rule == "one_customer"
    assert directory.add("Gamma", Additions(["nowhere.se"]), OPERATOR).rule == "own_domain"
    assert directory.add("Gamma", Additions(), OPERATOR).status is Status.REFUSED  # a new one needs a domain
    bad_user = Additions(["kulexempel.se"], users=["not-an-id"])
    assert directory.add("Gamma", bad_user, OPERATOR).rule == "slack_id"
    assert directory.add("Acme", Additions(["acme.se"], ["TACME"]), OPERATOR).status is Status.UNCHANGED
    promoted = directory.add("Beta", Additions(users=["UBETA"], admin=True), OPERATOR)
    assert promoted.ok and "the admin UBETA" in promoted.message.render("en")
    removed = directory.remove("Beta", OPERATOR, teams=["TBETA"])
    assert removed.ok and "the workspace TBETA" in removed.message.render("en")
    assert directory.remove("Beta", OPERATOR, domains=["acme.se"]).status is Status.REFUSED
    assert directory.remove("Beta", OPERATOR).ok and directory.customer("Beta") is None
    actions = [r.action for r in RoutingService(world).audit(50) if r.action.startswith("customer.")]
    assert actions == ["customer.remove", "customer.remove", "customer.add", "customer.add", "customer.add"]
    assert directory.identify("UBETA", None) is None


# -- a customer admin's changes ----------------------------------------------------------------------


def test_a_customer_admin_changes_their_own_domain_with_preview_confirm_undo(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    admin = acme_admin(flows)
    preview = flows.command("/alias", "add sales@acme.se info@acme.se", admin)
    assert isinstance(preview, Reply) and preview.kind is ReplyKind.PREVIEW
    assert preview.pending_id is not None
    done = flows.confirm(preview.pending_id, admin)
    assert done.kind is ReplyKind.DONE, rendered(done)
    [record] = [r for r in RoutingService(world).audit(5) if r.action == "alias.add" and "sales" in r.subject]
    assert record.actor == "UACMEBOSS"
    assert flows.undo(preview.pending_id, admin).kind is ReplyKind.INFO
    assert RoutingService(world).aliases("acme.se") == []


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/alias", "add sales@beta.se kim@beta.se"),  # another customer's domain
        ("/alias", "add sales@acme.se kim@beta.se"),  # a target there
        ("/forward", "set bo@acme.se bo@gmail.com"),  # forwarding outside our domains
        ("/forward", "set bo@acme.se anna@kulexempel.se"),  # the provider's own domain
        ("/group", "add team@acme.se kim@beta.se"),  # a member of another customer
        ("/alias", "remove hemlig@beta.se"),
    ],
)
def test_anything_outside_their_domains_is_refused_with_nothing_written(
    world: sessionmaker, command: str, text: str
) -> None:
    flows = Flows(Settings(), world)
    RoutingService(world).apply(CreateGroup("team@acme.se"), OPERATOR)
    before = routes_and_audit(world)
    reply = flows.command(command, text, acme_admin(flows))
    assert isinstance(reply, Reply)
    assert "is not in your domains (acme.se)" in rendered(reply)
    # They may ask support for it instead; nothing is written until an agent approves.
    assert reply.kind is ReplyKind.REQUESTABLE
    assert routes_and_audit(world) == before
    # The routing service itself refuses it for a scoped actor: the CLI and Slack share this.
    outcome = RoutingService(world).apply(AddAlias("sales@beta.se", "kim@beta.se"), acme_admin(flows).actor)
    assert (outcome.status, outcome.rule) == (Status.REFUSED, "own_domains")
    assert routes_and_audit(world) == before


def test_mail_never_leaves_their_domains_through_an_address_of_theirs(world: sessionmaker) -> None:
    """Every address a customer's admin names is theirs, yet a group or mailbox of theirs that the
    provider routes elsewhere (to another customer, or outside) would carry their mail on: refused,
    without naming where, and nothing written. The provider's agents may (inside our domains)."""
    routing = RoutingService(world)
    for setup in (
        CreateGroup("it@acme.se"),
        AddMembers("it@acme.se", ("kim@beta.se",)),  # the provider's consultant at another customer
        SetForward("bo@acme.se", "kim@beta.se", keep_copy=True),
    ):
        assert routing.apply(setup, OPERATOR).ok
    flows = Flows(Settings(), world)
    admin = acme_admin(flows)
    before = routes_and_audit(world)
    for command, text, change in (
        ("/forward", "set info@acme.se it@acme.se", SetForward("info@acme.se", "it@acme.se")),
        ("/forward", "set info@acme.se bo@acme.se keep-copy", SetForward("info@acme.se", "bo@acme.se", True)),
        ("/alias", "add sales@acme.se bo@acme.se", AddAlias("sales@acme.se", "bo@acme.se")),
    ):
        reply = flows.command(command, text, admin)
        assert isinstance(reply, Reply) and reply.kind is ReplyKind.REQUESTABLE, reply
        for lang, says in (("en", "outside your domains"), ("sv", "utanför dina domäner")):
            assert says in rendered(reply, lang) and "beta.se" not in rendered(reply, lang)
        outcome = routing.apply(change, admin.actor)
        assert (outcome.status, outcome.rule) == (Status.REFUSED, "own_domains")
        assert routing.apply(change, Actor("UAGENT", Role.AGENT)).ok  # the provider's agent may
        assert routing.undo(routing.audit(1)[0].id, OPERATOR).ok
    assert routes_and_audit(world)[0] == before[0]
    # Mail that stays in their domains is theirs to route.
    assert routing.apply(AddMembers("it@acme.se", ("info@acme.se",)), admin.actor).ok
    assert routing.apply(AddAlias("sales@acme.se", "info@acme.se"), admin.actor).ok


def test_a_refusal_never_shows_another_customers_addresses(world: sessionmaker) -> None:
    """Rules that name other addresses (who uses an alias, a loop's path) are told without them."""
    routing = RoutingService(world)
    assert routing.apply(AddAlias("kontakt@acme.se", "info@acme.se"), OPERATOR).ok
    assert routing.apply(CreateGroup("all@beta.se"), OPERATOR).ok
    assert routing.apply(AddMembers("all@beta.se", ("kontakt@acme.se",)), OPERATOR).ok
    flows = Flows(Settings(), world)
    reply = flows.command("/alias", "remove kontakt@acme.se", acme_admin(flows))
    assert isinstance(reply, Reply)
    text = rendered(reply)
    assert "in use elsewhere" in text and "outside your domains" in text and "beta.se" not in text
    # An agent sees who uses it.
    agent_reply = flows.command("/alias", "remove kontakt@acme.se", AGENT)
    assert isinstance(agent_reply, Reply) and "all@beta.se" in rendered(agent_reply)


def test_where_mail_would_end_up_is_told_of_their_domains_only(world: sessionmaker) -> None:
    """The rules on where mail ends up (a mailbox reaching an outside address through a group, addresses
    that would bounce) refuse a customer's admin without naming anything outside their domains."""
    routing = RoutingService(world)
    for change in (
        CreateGroup("ext@acme.se"),
        AddMembers("ext@acme.se", ("partner@outside.example",)),
        CreateGroup("team@acme.se"),
        AddMembers("team@acme.se", ("bo@acme.se",)),
        CreateGroup("all@beta.se"),
        AddMembers("all@beta.se", ("team@acme.se",)),
    ):
        assert routing.apply(change, OPERATOR).ok
    flows = Flows(Settings(), world)
    admin = acme_admin(flows)
    before = routes_and_audit(world)
    for command, text, rule, outside in (
        ("/forward", "set info@acme.se ext@acme.se", "external forwarding needs an admin", "partner@"),
        ("/group", "remove team@acme.se bo@acme.se", "no mail is lost", "all@beta.se"),
    ):
        reply = flows.command(command, text, admin)
        assert isinstance(reply, Reply) and reply.kind is ReplyKind.REQUESTABLE, text
        for lang in ("en", "sv"):
            assert "outside.example" not in rendered(reply, lang) and "beta.se" not in rendered(reply, lang)
        assert rule in rendered(reply) and "outside your domains" in rendered(reply)
        # An agent is told the addresses.
        agent_reply = flows.command(command, text, AGENT)
        assert isinstance(agent_reply, Reply)
        assert outside in rendered(agent_reply), rendered(agent_reply)
    assert routes_and_audit(world) == before
    # Asked of support, the post names who would bounce; only an admin's Approve makes it.
    approvals = Approvals(flows)
    request_id = request(flows, admin, "/group", "remove team@acme.se bo@acme.se")
    status = approvals.status(request_id)
    assert status is not None and "all@beta.se" in "\n".join(line.render("en") for line in status.lines)
    refused = approvals.approve(request_id, AGENT)
    assert isinstance(refused, RequestStatus) and refused.open and routes_and_audit(world) == before
    done = approvals.approve(request_id, Person("UADMIN", "T1", Role.ADMIN))
    assert isinstance(done, RequestStatus) and not done.open
    assert "all@beta.se" in "\n".join(line.render("en") for line in done.lines)
    assert done.told is not None and "beta.se" not in done.told.render("en")
    assert routing.members("team@acme.se") == []


def test_lookups_and_trace_show_their_domains_only_and_refuse_alike(world: sessionmaker) -> None:
    routing = RoutingService(world)
    assert routing.apply(SetForward("bo@acme.se", "kim@beta.se"), OPERATOR).ok
    flows = Flows(Settings(), world)
    user = acme_user(flows)
    trace = flows.command("/mailtrace", "bo@acme.se", user)
    assert isinstance(trace, Reply)
    assert "kim@beta.se, outside your domains (not shown here)" in rendered(trace)
    assert "lo@gmail.com" not in rendered(trace)
    existing = flows.command("/mailtrace", "hemlig@beta.se", user)
    missing = flows.command("/mailtrace", "nobody@beta.se", user)
    assert isinstance(existing, Reply) and isinstance(missing, Reply)
    assert rendered(existing).replace("hemlig", "X") == rendered(missing).replace("nobody", "X")
    lookups = (("/forward", "show lo@beta.se"), ("/group", "members all@beta.se"), ("/alias", "list beta.se"))
    for command, text in lookups:
        refused = flows.command(command, text, user)
        assert isinstance(refused, Reply) and "not in your domains" in rendered(refused), text
    aliases = flows.command("/alias", "list", user)
    assert isinstance(aliases, Reply) and "hemlig" not in rendered(aliases)


def test_undo_of_a_change_outside_their_domains_reveals_nothing(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    foreign = next(r.id for r in RoutingService(world).audit(50) if r.subject == "hemlig@beta.se")
    told = flows.undo_change(foreign, acme_admin(flows))
    nothing = flows.undo_change(99999, acme_admin(flows))
    assert rendered(told).replace(str(foreign), "N") == rendered(nothing).replace("99999", "N")


# -- answers about their own setup ---------------------------------------------------------------


def test_answers_use_their_setup_and_say_nothing_of_others(world: sessionmaker) -> None:
    assert RoutingService(world).apply(AddAlias("sales@acme.se", "info@acme.se"), OPERATOR).ok
    flows = Flows(Settings(), world)
    acme = acme_user(flows).customer

    def answer(question: str) -> str:
        with world() as session:
            return ask(session, Settings(), question, user_id="UACMEUSER", customer=acme).answer.text

    assert "sales@acme.se is an alias of info@acme.se" in answer("where does mail to sales@ go?")
    assert "sales@acme.se → info@acme.se" in answer("which aliases do I have?")
    assert "levereras till brevlådan info@acme.se" in answer("vart går mejl till info@?")
    foreign = [
        answer("where does mail to hemlig@beta.se go?"),
        answer("where does mail to nobody@beta.se go?"),
        answer("where does mail to lo@beta.se end up?"),
    ]
    assert len(set(foreign)) == 1 and "only tell you about addresses in your own domains" in foreign[0]
    assert "acme.se" in answer("how do I create an alias?")  # their own domain in the example


# -- requests and approvals ----------------------------------------------------------------------


def request(flows: Flows, person: Person, command: str, text: str) -> int:
    preview = flows.command(command, text, person)
    assert isinstance(preview, Reply) and preview.kind is ReplyKind.REQUESTABLE, preview
    assert preview.pending_id is not None
    opened = flows.request(preview.pending_id, person, "sv")
    assert opened.kind is ReplyKind.REQUESTED and opened.request_id is not None
    assert flows.request(preview.pending_id, person, "sv").kind is ReplyKind.INFO  # once
    return opened.request_id


def test_a_plain_users_request_is_approved_as_previewed_and_audited_with_both(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    user = acme_user(flows)
    before = routes_and_audit(world)
    request_id = request(flows, user, "/alias", "add sales@acme.se info@acme.se")
    assert routes_and_audit(world) == before  # asking writes no routing
    assert approvals.approve(request_id, user) == approvals.approve(request_id, user)  # agents only
    result = approvals.approve(request_id, AGENT)
    assert isinstance(result, RequestStatus) and not result.open
    assert result.told is not None and "är godkänd" in result.told.render("sv")
    [record] = [r for r in RoutingService(world).audit(5) if r.subject == "sales@acme.se"]
    assert (record.actor, record.requested_by) == ("UAGENT", "UACMEUSER")
    again = approvals.approve(request_id, OTHER_AGENT)
    assert isinstance(again, Text) and "already been decided" in again.render("en")


def test_approve_after_routing_changed_shows_the_new_verdict_and_asks_again(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    routing = RoutingService(world)
    assert routing.apply(CreateGroup("team@acme.se", "Team"), OPERATOR).ok
    request_id = request(flows, acme_user(flows), "/group", "add team@acme.se bo@acme.se")
    assert routing.apply(AddMembers("team@acme.se", ("info@acme.se",)), OPERATOR).ok  # meanwhile
    before = routes_and_audit(world)
    asked = approvals.approve(request_id, AGENT)
    assert isinstance(asked, RequestStatus) and asked.open and asked.told is None
    assert "Routing changed since the preview" in "\n".join(line.render("en") for line in asked.lines)
    assert routes_and_audit(world) == before
    done = approvals.approve(request_id, AGENT)  # the second look is approved as now shown
    assert isinstance(done, RequestStatus) and not done.open
    assert routing.members("team@acme.se") == ["bo@acme.se", "info@acme.se"]


def test_approve_makes_no_mail_bounce_that_the_preview_did_not_name(world: sessionmaker) -> None:
    """The request's preview said nothing bounces; meanwhile the group it forwards to was emptied.
    An admin's Approve then writes nothing and shows the new verdict, naming who would bounce;
    approving that is approving those bounces."""
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    routing = RoutingService(world)
    assert routing.apply(CreateGroup("team@acme.se", "Team"), OPERATOR).ok
    assert routing.apply(AddMembers("team@acme.se", ("bo@acme.se",)), OPERATOR).ok
    request_id = request(flows, acme_user(flows), "/forward", "set info@acme.se team@acme.se")
    status = approvals.status(request_id)
    assert status is not None and "bounces" not in "\n".join(line.render("en") for line in status.lines)
    assert routing.apply(RemoveMember("team@acme.se", "bo@acme.se"), OPERATOR).ok  # meanwhile
    before = routes_and_audit(world)
    admin = Person("UADMIN", "T1", Role.ADMIN)
    asked = approvals.approve(request_id, admin)
    assert isinstance(asked, RequestStatus) and asked.open and asked.told is None
    shown = "\n".join(line.render("en") for line in asked.lines)
    assert "Routing changed since the preview" in shown and "mail to info@acme.se bounces" in shown
    assert routes_and_audit(world) == before
    done = approvals.approve(request_id, admin)  # approved as now shown, bounces and all
    assert isinstance(done, RequestStatus) and not done.open
    assert routing.forward("info@acme.se") is not None


def test_reject_needs_a_reason_writes_nothing_and_tells_the_requester(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    request_id = request(flows, acme_admin(flows), "/forward", "set bo@acme.se bo@gmail.com")
    before = routes_and_audit(world)
    assert isinstance(approvals.reject(request_id, AGENT, "  "), Text)
    result = approvals.reject(request_id, AGENT, "We do not forward outside <!channel>")
    assert isinstance(result, RequestStatus) and not result.open and result.told is not None
    assert "We do not forward outside" in result.told.render("en")
    assert routes_and_audit(world) == before
    assert isinstance(approvals.approve(request_id, AGENT), Text)  # decided


def test_an_approve_the_database_refuses_reopens_the_request_at_once(
    world: sessionmaker, engine: Engine
) -> None:
    """The change raised and wrote nothing: the request is open again for the next Approve, not held
    by the failed one's claim until it goes stale."""
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    request_id = request(flows, acme_user(flows), "/alias", "add refused@acme.se bo@acme.se")
    before = routes_and_audit(world)
    with refused_writes(engine, "routes"), pytest.raises(DBAPIError, match="refused by the test"):
        approvals.approve(request_id, AGENT)
    assert routes_and_audit(world) == before  # nothing half-written
    with world() as session:
        assert session.get(ChangeRequest, request_id).state == RequestState.OPEN.value  # type: ignore[union-attr]
    done = approvals.approve(request_id, AGENT)
    assert isinstance(done, RequestStatus) and not done.open


def test_two_agents_approving_at_once_make_one_change(world: sessionmaker) -> None:
    flows = Flows(Settings(), world)
    approvals = Approvals(flows)
    request_id = request(flows, acme_user(flows), "/alias", "add order@acme.se bo@acme.se")
    results: list[RequestStatus | Text] = []
    start = threading.Barrier(2)

    def approve(agent: Person) -> None:
        start.wait()
        results.append(approvals.approve(request_id, agent))

    threads = [threading.Thread(target=approve, args=(agent,)) for agent in (AGENT, OTHER_AGENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(isinstance(result, RequestStatus) for result in results) == [False, True]
    assert [r.subject for r in RoutingService(world).audit(5)].count("order@acme.se") == 1
    with world() as session:
        assert session.get(ChangeRequest, request_id).state == RequestState.APPROVED.value  # type: ignore[union-attr]
