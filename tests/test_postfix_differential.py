"""Differential test: whatever agents and admins change, a real Postfix delivers what `trace` says.

Hypothesis draws sequences of changes over a few addresses (so they collide often): aliases,
forwards with and without a copy, groups in groups, outside members (one in a domain that looks
like ours), plus-addressed and U-label spellings, empty groups, a new domain that routes already
point into, and undo. Each step goes through `RoutingService` as an agent or an admin. After every
step:

- a refused (or already-so) change wrote nothing, and `check` said what `apply` did;
- nothing loops or passes the limits, and postmaster@/abuse@ reach only our mailboxes;
- an agent's change added no outside recipient to any mailbox's mail and made no address bounce
  (an address the change removed on purpose aside); an admin's change names exactly the
  addresses that stop delivering (`Outcome.bounces`), as `trace` sees every address.

After the sequence, a real Postfix (one per database, reading the tables live: no restart
between examples) gets one message for every address of the universe, in several spellings,
and delivers exactly what `trace` says: the Maildirs, the outside sink, the bounces, a 550 at
RCPT for unknown addresses and a 451 4.6.0 for loops, and its queue ends empty.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Base, make_engine, make_sessionmaker, upgrade
from bot.routing import queries
from bot.routing.addresses import parse_address
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
    Role,
    SetForward,
)
from bot.routing.models import AuditEntry, DistributionGroup, Domain, Mailbox, Route
from bot.routing.service import MAX_DELIVERIES, Outcome, RoutingService
from bot.routing.trace import DeliveryKind, Trace
from tests.support.leftovers import private_directory
from tests.support.postfix_instance import PostfixInstance, Sent, Sink, share_with_postfix, wait_for
from tests.support.routing_world import ADMIN, AGENT, D, snapshot

IDN, IDN_A = "exämpel.se", "xn--exmpel-cua.se"
PARTNER = "partner.example"  # not ours until a step adds it; routes may point there before
MAILBOXES = [f"box0@{D}", f"box1@{D}", f"info@{IDN}"]
NAMES = [f"name0@{D}", f"name1@{D}", f"kontakt@{IDN}", f"x@{PARTNER}"]  # aliases or groups, or nothing
PROTECTED = [f"postmaster@{D}", f"abuse@{D}"]
# Outside: also a domain that looks like ours (a Cyrillic "е") and a local part with SQL's quote.
LOOKALIKE = "kulex\u0435mpel.se"
OUTSIDE = ["friend@outside.example", "friend+tag@outside.example", f"y@{PARTNER}", f"o'brien@{LOOKALIKE}"]
EXTENDED = [f"box0+tag@{D}", f"name0+x@{D}", f"kontakt+x@{IDN}"]
# Every address mail is sent to at the end: the universe in the spellings Postfix may get.
PROBES = [
    *MAILBOXES,
    *NAMES,
    *PROTECTED,
    *EXTENDED,
    f"kontakt@{IDN_A}",
    f"INFO@{IDN.upper()}",
    f"NAME1@{D.upper()}",
    f"nobody@{D}",
    f"abuse@{IDN}",
    f"y@{PARTNER}",
]
TABLES: tuple[type[Base], ...] = (Domain, Mailbox, DistributionGroup, Route, AuditEntry)  # insert order


def spellings(address: str) -> st.SearchStrategy[str]:
    """How a person may type an address: as is, in capitals, an IDN by its A-label."""
    forms = {address, address.upper(), address.replace(IDN, IDN_A)}
    return st.sampled_from(sorted(forms))


def mostly(fitting: st.SearchStrategy[str], anything: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four of the kind the change is for, so most changes do something."""
    return st.one_of(fitting, fitting, fitting, anything)


MAILBOX = st.sampled_from(MAILBOXES).flatmap(spellings)
NAME = st.sampled_from(NAMES).flatmap(spellings)
OURS = st.sampled_from(MAILBOXES + NAMES + PROTECTED).flatmap(spellings)
TARGET = st.one_of(OURS, st.sampled_from(OUTSIDE + EXTENDED).flatmap(spellings))
# Members that exist whatever the state: mailboxes (also with an extension) and outside addresses.
MEMBER = st.sampled_from([*MAILBOXES, *OUTSIDE, EXTENDED[0]]).flatmap(spellings)
# Where a forward or a member points: another name (a group or alias, for nesting), something that
# exists anyway (a mailbox, an outside address), or anything at all.
POINTED_AT = st.one_of(NAME, MEMBER, TARGET)
CHANGES = st.one_of(
    st.builds(AddAlias, mostly(NAME, OURS), mostly(MAILBOX, TARGET)),
    st.builds(RemoveAlias, mostly(NAME, OURS)),
    st.builds(SetForward, mostly(MAILBOX, OURS), POINTED_AT, st.booleans()),
    st.builds(ClearForward, mostly(MAILBOX, OURS)),
    st.builds(CreateGroup, mostly(NAME, OURS), st.just("G")),
    st.builds(DeleteGroup, mostly(NAME, OURS)),
    st.builds(AddMembers, mostly(NAME, OURS), st.lists(POINTED_AT, min_size=1, max_size=3).map(tuple)),
    st.builds(RemoveMember, mostly(NAME, OURS), POINTED_AT),
)


@dataclass(frozen=True)
class Undo:
    nth: int  # of the changes done so far in this example (modulo their number)


@dataclass(frozen=True)
class AddPartnerDomain:
    pass


Step = tuple[Change | Undo | AddPartnerDomain, Role]


def made_into_something(name: str) -> st.SearchStrategy[list[Step]]:
    """An admin makes a name an alias, a group (with members), or leaves it free: the state the
    steps start from."""
    members = st.lists(MEMBER, max_size=3).map(
        lambda chosen: [(AddMembers(name, tuple(chosen)), Role.ADMIN)] if chosen else []
    )
    return st.one_of(
        st.just([]),
        MAILBOX.map(lambda mailbox: [(AddAlias(name, mailbox), Role.ADMIN)]),
        members.map(lambda adding: [(CreateGroup(name, "G"), Role.ADMIN), *adding]),
    )


SETUP = st.tuples(*(made_into_something(name) for name in NAMES[:3])).map(
    lambda parts: [step for part in parts for step in part]
)
# Steps by kind and weight: a domain add makes Postfix reload (slow), so about one step in thirty.
STEP_KINDS: dict[str, st.SearchStrategy[Step]] = {
    "change": st.tuples(CHANGES, st.sampled_from(Role)),
    "undo": st.tuples(st.builds(Undo, st.integers(0, 7)), st.sampled_from(Role)),
    "domain": st.just((AddPartnerDomain(), Role.ADMIN)),
}
STEPS = st.sampled_from(["change"] * 24 + ["undo"] * 5 + ["domain"]).flatmap(STEP_KINDS.__getitem__)


def actor_of(role: Role) -> Actor:
    return ADMIN if role is Role.ADMIN else AGENT


def delivers(trace: Trace) -> bool:
    """All mail to the address arrives somewhere: nothing bounces, nothing loops."""
    return bool(trace.deliveries) and all(d.kind is not DeliveryKind.UNKNOWN for d in trace.deliveries)


def is_ours(trace: Trace) -> bool:
    """The address is in one of our domains (an outside address is sent on without a lookup)."""
    return bool(trace.steps) or any(d.kind is not DeliveryKind.EXTERNAL for d in trace.deliveries)


def outside(trace: Trace) -> set[str]:
    return {d.address for d in trace.deliveries if d.kind is DeliveryKind.EXTERNAL}


@dataclass
class MailWorld:
    """The routing database, the service on it, and a Postfix (and outside sink) reading it."""

    sessions: sessionmaker[Session]
    service: RoutingService
    postfix: PostfixInstance
    sink: Sink
    base: dict[type[Base], list[dict[str, Any]]]

    def reset(self) -> None:
        """Back to the base state (domains, mailboxes, postmaster@/abuse@) for the next example."""
        with self.sessions() as session, session.begin():
            partner_was_ours = session.scalar(select(Domain.id).where(Domain.name == PARTNER)) is not None
            for table in reversed(TABLES):
                session.execute(delete(table))
            for table in TABLES:
                if self.base[table]:
                    session.execute(insert(table), self.base[table])
        if partner_was_ours:  # the partner's addresses are outside again: relayed, not unknown
            self.postfix.reload(lambda: self.postfix.rcpt_code(f"nobody@{PARTNER}") == 250)

    def tables(self) -> tuple[object, ...]:
        return snapshot(self.sessions)

    def addresses(self) -> list[str]:
        """Every address of the universe and of the database, stored form."""
        with self.sessions() as session:
            known = {
                *session.scalars(select(Mailbox.address)),
                *session.scalars(select(DistributionGroup.address)),
                *session.scalars(select(Route.source)),
            }
        return sorted(known | {parse_address(a) for a in MAILBOXES + NAMES + PROTECTED + [f"abuse@{IDN}"]})

    def mailboxes(self) -> set[str]:
        with self.sessions() as session:
            return set(session.scalars(select(Mailbox.address)))

    def exists(self, address: str) -> bool:
        with self.sessions() as session:
            return any(
                session.scalar(select(column).where(column == address).limit(1)) is not None
                for column in (Mailbox.address, DistributionGroup.address, Route.source)
            )

    def fates(self) -> dict[str, Trace]:
        """`trace` of every address (in one session: what RoutingService.trace does for one)."""
        addresses = self.addresses()
        with self.sessions() as session:
            return {address: queries.trace(session, address) for address in addresses}

    def perform(self, step: Step, done: list[int]) -> tuple[Outcome, str | None]:
        """Do one step; returns its outcome and the address it changed (None for a domain)."""
        what, role = step
        actor = actor_of(role)
        if isinstance(what, AddPartnerDomain):
            outcome = self.service.add_domain(PARTNER, actor)
            if outcome.ok:  # as docs/operations.md says: running smtpd processes remember the old class
                self.postfix.reload(lambda: self.postfix.rcpt_code(f"nobody@{PARTNER}") == 550)
            return outcome, None
        if isinstance(what, Undo):
            if not done:
                return self.service.undo(10**6, actor), None
            outcome = self.service.undo(done[what.nth % len(done)], actor)
        else:
            verdict = self.service.check(what, actor)
            outcome = self.service.apply(what, actor)
            # The preview says what Confirm does (nothing changes between them here).
            assert (verdict.status, verdict.rule, verdict.bounces) == (
                outcome.status,
                outcome.rule,
                outcome.bounces,
            ), (verdict, outcome)
        subject = self.service.audit(1)[0].subject if outcome.ok else None
        return outcome, parse_address(subject) if subject and "@" in subject else None


@dataclass
class Seen:
    """The tables and every address's trace as the last step left them."""

    tables: tuple[object, ...]
    fates: dict[str, Trace]


def check_step(world: MailWorld, step: Step, done: list[int], seen: Seen) -> Seen:
    """Do one step and check what it did; returns the state after it."""
    before = seen.fates
    mailboxes = world.mailboxes()
    outcome, subject = world.perform(step, done)
    event(f"{step[1].value} {type(step[0]).__name__}: {outcome.status.value} {outcome.rule or ''}")
    if not outcome.ok:
        assert outcome.change_id is None
        assert world.tables() == seen.tables, f"{outcome.status} but something was written"
        return seen
    assert outcome.change_id is not None
    done.append(outcome.change_id)
    after = world.fates()
    for address, trace in after.items():
        assert not trace.loops, f"{address} loops after {step}"
        assert len(trace.deliveries) <= MAX_DELIVERIES
    for address in after:
        protected = address.split("@")[0] in ("postmaster", "abuse")
        if protected and address in before and delivers(before[address]):
            deliveries = after[address].deliveries
            assert deliveries and all(d.kind is DeliveryKind.MAILBOX for d in deliveries), (address, step)
    removed_on_purpose = subject if subject is not None and not world.exists(subject) else None
    lost = {
        address
        for address, trace in before.items()
        if is_ours(trace)
        and delivers(trace)
        and not delivers(after[address])
        and address != removed_on_purpose
    }
    _, role = step
    if role is Role.AGENT:
        assert not lost, f"an agent's {step} made {sorted(lost)} bounce"
        for mailbox in mailboxes:
            added = outside(after[mailbox]) - outside(before[mailbox])
            assert not added, f"an agent's {step} sent {mailbox}'s mail to {added}"
    else:
        assert set(outcome.bounces) == lost, (step, outcome.bounces, lost)
    return Seen(world.tables(), after)


@dataclass(frozen=True)
class Expected:
    refused: int | None  # 550 at RCPT (unknown), 451 at DATA (Postfix defers: a loop), None: queued
    maildirs: Counter[str]  # "domain/local/" -> messages
    relayed: Counter[str]  # outside recipient -> messages
    bounced: Counter[str]  # recipient reported failed to the sender -> count


def expected(trace: Trace) -> Expected:
    if trace.loops:
        return Expected(451, Counter(), Counter(), Counter())
    kinds = [d.kind for d in trace.deliveries]
    if not trace.steps and kinds == [DeliveryKind.UNKNOWN]:
        return Expected(550, Counter(), Counter(), Counter())
    maildirs: Counter[str] = Counter()
    for delivery in trace.deliveries:
        if delivery.mailbox is not None:
            local, _, domain = delivery.mailbox.rpartition("@")
            maildirs[f"{domain}/{local}/"] += 1
    return Expected(
        None,
        maildirs,
        Counter(d.address for d in trace.deliveries if d.kind is DeliveryKind.EXTERNAL),
        Counter(d.address for d in trace.deliveries if d.kind is DeliveryKind.UNKNOWN),
    )


def check_postfix(world: MailWorld) -> None:
    """Every probe address gets a message; Postfix must deliver each exactly as `trace` says."""
    with world.sessions() as session:
        traces = {probe: queries.trace(session, probe) for probe in PROBES}
    wanted = {probe: expected(trace) for probe, trace in traces.items()}
    sent = world.postfix.send_each(PROBES)

    def arrived() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]] | None:
        if not world.postfix.queue_is_empty():
            return None
        return world.postfix.maildir_deliveries(), world.sink.relayed(), world.sink.bounced()

    maildirs, relayed, bounced = wait_for(arrived, "Postfix's queue to empty")
    for message in sent:
        want = wanted[message.recipient]
        got = got_for(message, maildirs, relayed, bounced)
        assert got == want, (
            f"{message.recipient}: Postfix {got}, trace {want}\n"
            + "\n".join(line.render("en") for line in traces[message.recipient].lines())
            + world.postfix.log()[-2000:]
        )
    world.postfix.clear_mail()
    world.sink.clear()


def got_for(
    message: Sent,
    maildirs: dict[str, list[str]],
    relayed: dict[str, list[str]],
    bounced: dict[str, list[str]],
) -> Expected:
    return Expected(
        message.refused,
        Counter(maildirs.get(message.marker, [])),
        Counter(relayed.get(message.marker, [])),
        Counter(bounced.get(message.marker, [])),
    )


def check_sequence(world: MailWorld, setup: list[Step], steps: list[Step]) -> None:
    world.reset()
    done: list[int] = []
    seen = Seen(world.tables(), world.fates())
    for step in setup + steps:
        seen = check_step(world, step, done, seen)
    check_postfix(world)


@pytest.fixture(scope="module")
def world(database_kind: str, request: pytest.FixtureRequest) -> Iterator[MailWorld]:
    """One Postfix per database kind for the whole module, reading sqlite: or pgsql: maps."""
    root, root_guard = private_directory("mailbot-differential-")
    root.chmod(0o755)  # Postfix's unprivileged daemons walk into it
    if database_kind == "postgresql":
        database_url = request.getfixturevalue("postgres_server").create_migrated_database("differential")
    else:
        database = root / "db" / "mailbot.db"
        database.parent.mkdir()
        database_url = f"sqlite:///{database}"
    engine: Engine = make_engine(database_url)
    upgrade(engine)
    if database_kind == "sqlite":
        share_with_postfix(root / "db" / "mailbot.db")
    sessions = make_sessionmaker(engine)
    service = RoutingService(sessions)
    for domain in (D, IDN):
        assert service.add_domain(domain, ADMIN).ok
    for mailbox in MAILBOXES:
        assert service.add_mailbox(mailbox, ADMIN).ok
    with sessions() as session:
        base = {
            table: [
                {column.key: getattr(row, column.key) for column in table.__table__.columns}
                for row in session.scalars(select(table))
            ]
            for table in TABLES
        }
    sink = Sink()
    sink.controller.start()
    postfix = PostfixInstance(root / "postfix", database_url, sink.controller.port)
    try:
        postfix.start()
        yield MailWorld(sessions, service, postfix, sink, base)
    finally:
        postfix.stop()
        sink.controller.stop()
        engine.dispose()
        shutil.rmtree(root, ignore_errors=True)
        root_guard.release()


B0, B1, INFO = MAILBOXES
N0, N1, KONTAKT, PX = NAMES
FRIEND = OUTSIDE[0]


# The issue's cases, so every run tries them (each also as the other role where that matters).
ISSUE_CASES: list[list[Step]] = [
    # An agent reaches outside through a group: forward to a group with an outside member, an
    # outside member added to a group a mailbox forwards to, a group in a group; an admin may.
    [
        (CreateGroup(N0), Role.AGENT),
        (AddMembers(N0, (FRIEND,)), Role.AGENT),
        (SetForward(B0, N0, True), Role.AGENT),
        (SetForward(B0, N0, True), Role.ADMIN),
    ],
    [
        (CreateGroup(N0), Role.AGENT),
        (AddMembers(N0, (B1,)), Role.AGENT),
        (SetForward(B0, N0), Role.AGENT),
        (CreateGroup(N1), Role.AGENT),
        (AddMembers(N1, ("friend+tag@outside.example",)), Role.AGENT),
        (AddMembers(N0, (N1,)), Role.AGENT),
        (AddMembers(N0, (FRIEND,)), Role.AGENT),
    ],
    # An agent undoes an admin's clearing of an outside forward.
    [(SetForward(B0, FRIEND), Role.ADMIN), (ClearForward(B0), Role.ADMIN), (Undo(1), Role.AGENT)],
    # Mail loss: forwarding to an empty group, emptying a group something forwards to.
    [(CreateGroup(N0), Role.AGENT), (SetForward(B0, N0), Role.AGENT), (SetForward(B0, N0), Role.ADMIN)],
    [
        (CreateGroup(N0), Role.AGENT),
        (AddMembers(N0, (B1,)), Role.AGENT),
        (SetForward(B0, N0), Role.AGENT),
        (RemoveMember(N0, B1), Role.AGENT),
        (RemoveMember(N0, B1), Role.ADMIN),
    ],
    # A new domain that a forward and a group point into.
    [
        (CreateGroup(N1), Role.AGENT),
        (AddMembers(N1, (f"y@{PARTNER}", B1)), Role.ADMIN),
        (SetForward(B0, f"y@{PARTNER}"), Role.ADMIN),
        (AddPartnerDomain(), Role.ADMIN),
        (CreateGroup(PX), Role.AGENT),
    ],
    # Loops Postfix sees: a group holding itself as name+x, a forward to the mailbox's own extension.
    [(CreateGroup(N0), Role.AGENT), (AddMembers(N0, (B0, f"name0+x@{D}")), Role.ADMIN)],
    [
        (SetForward(B0, f"box0+tag@{D}", True), Role.ADMIN),
        (SetForward(B0, f"BOX0+x@{D.upper()}"), Role.ADMIN),
    ],
    # U-labels, keep-a-copy, an extension target; and the protected addresses.
    [
        (AddAlias(KONTAKT, INFO), Role.AGENT),
        (SetForward(INFO.upper(), f"box0+tag@{D}", True), Role.AGENT),
        (RemoveMember(PROTECTED[1], PROTECTED[0]), Role.ADMIN),
        (DeleteGroup(PROTECTED[1]), Role.ADMIN),
        (SetForward(PROTECTED[0], FRIEND, True), Role.ADMIN),
        (AddMembers(PROTECTED[1], (FRIEND,)), Role.ADMIN),
        (SetForward(B0, PROTECTED[1]), Role.AGENT),
    ],
]


def with_issue_cases(test: Any) -> Any:
    for case in ISSUE_CASES:
        test = example(setup=[], steps=case)(test)
    return test


SETTINGS: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=100, **SETTINGS)  # per database: 200 in all
@given(setup=SETUP, steps=st.lists(STEPS, min_size=1, max_size=10))
@with_issue_cases
def test_postfix_delivers_what_trace_says(world: MailWorld, setup: list[Step], steps: list[Step]) -> None:
    check_sequence(world, setup, steps)


@pytest.mark.slow
@settings(max_examples=1000, **SETTINGS)  # per database: 2,000 in all (`pytest -m slow`)
@given(setup=SETUP, steps=st.lists(STEPS, min_size=1, max_size=10))
@with_issue_cases
def test_postfix_delivers_what_trace_says_at_length(
    world: MailWorld, setup: list[Step], steps: list[Step]
) -> None:
    check_sequence(world, setup, steps)
