"""Whatever agents ask for, in whatever order, the routing stays deliverable: property-based tests.

Hypothesis draws sequences of changes over a few addresses (so they collide often) and applies
them through the service; after every step no address loops, the limits hold and no address is
two things at once. A customer's admin, whatever they change in their own domain, never makes
mail reach an address outside it that it did not reach before.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db import make_engine, make_sessionmaker, upgrade
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
from bot.routing.models import DistributionGroup, Mailbox, Route, RouteKind
from bot.routing.service import MAX_DELIVERIES, MAX_DEPTH, RoutingService, Status
from bot.routing.trace import DeliveryKind

ADMIN = Actor("operator", Role.ADMIN)
D = "kulexempel.se"
MAILBOXES = [f"box{n}@{D}" for n in range(2)]
OTHERS = [f"name{n}@{D}" for n in range(2)]
OUTSIDE = ["friend@outside.example"]
ANY = st.sampled_from(MAILBOXES + OTHERS + OUTSIDE)
OURS = st.sampled_from(MAILBOXES + OTHERS)
EXAMPLE_NUMBERS = itertools.count()

CHANGES = st.one_of(
    st.builds(AddAlias, OURS, ANY),
    st.builds(RemoveAlias, OURS),
    st.builds(SetForward, OURS, ANY, st.booleans()),
    st.builds(ClearForward, OURS),
    st.builds(CreateGroup, OURS, st.just("G")),
    st.builds(DeleteGroup, OURS),
    st.builds(AddMembers, OURS, st.lists(ANY, min_size=1, max_size=3).map(tuple)),
    st.builds(RemoveMember, OURS, ANY),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated database with our domain and mailboxes, copied for every example."""
    path = tmp_path_factory.mktemp("routing-properties") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    service = RoutingService(make_sessionmaker(engine))
    service.add_domain(D, ADMIN)
    for mailbox in MAILBOXES:
        service.add_mailbox(mailbox, ADMIN)
    engine.dispose()  # checkpoints the WAL into the file, so copying the file copies everything
    yield path


def assert_invariants(service: RoutingService, session_factory: object) -> None:
    for address in MAILBOXES + OTHERS:
        trace = service.trace(address)
        assert not trace.loops, address
        assert len(trace.deliveries) <= MAX_DELIVERIES
        assert max((step.depth for step in trace.steps), default=0) <= MAX_DEPTH
    with session_factory() as session:  # type: ignore[operator]
        mailboxes = set(session.scalars(select(Mailbox.address)))
        groups = set(session.scalars(select(DistributionGroup.address)))
        aliases = set(session.scalars(select(Route.source).where(Route.kind == RouteKind.ALIAS)))
        forwarding = set(session.scalars(select(Route.source).where(Route.kind == RouteKind.FORWARD)))
        members_of = set(session.scalars(select(Route.source).where(Route.kind == RouteKind.MEMBER)))
    assert not (mailboxes & groups) and not (mailboxes & aliases) and not (groups & aliases)
    assert forwarding <= mailboxes and members_of <= groups


B0, B1, N0, N1 = *MAILBOXES, *OTHERS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CHANGES, min_size=1, max_size=12))
# Loops that random draws reach only now and then, so every run tries them.
@example(changes=[SetForward(B0, B1), SetForward(B1, B0)])
@example(changes=[CreateGroup(N0), CreateGroup(N1), AddMembers(N0, (N1,)), AddMembers(N1, (N0,))])
@example(changes=[CreateGroup(N0), AddMembers(N0, (B0, B1)), SetForward(B1, N0)])
def test_any_sequence_of_changes_keeps_routing_deliverable(
    template: Path, tmp_path: Path, changes: list[Change]
) -> None:
    database = tmp_path / f"example{next(EXAMPLE_NUMBERS)}.db"  # tmp_path is shared by the examples
    shutil.copy(template, database)
    engine = make_engine(f"sqlite:///{database}")
    session_factory = make_sessionmaker(engine)
    service = RoutingService(session_factory)
    try:
        for change in changes:
            outcome = service.apply(change, ADMIN)  # type: ignore[arg-type]
            assert outcome.status in (Status.OK, Status.REFUSED, Status.UNCHANGED)
            assert (outcome.change_id is not None) == (outcome.status is Status.OK)
            assert_invariants(service, session_factory)
            if outcome.ok:
                undone = service.undo(outcome.change_id, ADMIN)  # type: ignore[arg-type]
                assert undone.ok, undone.message.render("en")
                assert_invariants(service, session_factory)
                assert service.undo(undone.change_id, ADMIN).ok  # type: ignore[arg-type]  # redo
    finally:
        engine.dispose()


P = "partner.se"  # another customer's domain
CUSTOMER_ADMIN = Actor("UCUSTOMER", Role.AGENT, scope=frozenset({D}))
THEIRS = st.sampled_from(MAILBOXES + OTHERS + [f"name2@{D}"])
# What the provider set up: names of the customer's that carry mail to the partner and outside.
PROVIDER_SETUP: list[Change] = [
    CreateGroup(f"name2@{D}", "Shared"),
    AddMembers(f"name2@{D}", (f"kim@{P}", OUTSIDE[0])),
    SetForward(MAILBOXES[1], f"kim@{P}", keep_copy=True),
    CreateGroup(f"all@{P}", "Partner"),
    AddMembers(f"all@{P}", (f"kim@{P}", MAILBOXES[0])),
]
CUSTOMER_CHANGES = st.one_of(
    st.builds(AddAlias, THEIRS, THEIRS),
    st.builds(RemoveAlias, THEIRS),
    st.builds(SetForward, THEIRS, THEIRS, st.booleans()),
    st.builds(ClearForward, THEIRS),
    st.builds(CreateGroup, THEIRS, st.just("G")),
    st.builds(DeleteGroup, THEIRS),
    st.builds(AddMembers, THEIRS, st.lists(THEIRS, min_size=1, max_size=3).map(tuple)),
    st.builds(RemoveMember, THEIRS, THEIRS),
)


def beyond(service: RoutingService, address: str) -> set[str]:
    """Where mail to `address` goes outside the customer's domain (not counting what bounces)."""
    trace = service.trace(address)
    return {
        d.address for d in trace.deliveries if d.kind is not DeliveryKind.UNKNOWN and "@" + D not in d.address
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(CUSTOMER_CHANGES, min_size=1, max_size=12))
@example(changes=[SetForward(B0, f"name2@{D}")])
@example(changes=[CreateGroup(N0), AddMembers(N0, (B1,)), SetForward(B0, N0, True)])
@example(changes=[AddAlias(N0, B1)])
def test_a_customer_admin_never_sends_mail_beyond_their_domain(
    template: Path, tmp_path: Path, changes: list[Change]
) -> None:
    database = tmp_path / f"example{next(EXAMPLE_NUMBERS)}.db"
    shutil.copy(template, database)
    engine = make_engine(f"sqlite:///{database}")
    service = RoutingService(make_sessionmaker(engine))
    try:
        assert service.add_domain(P, ADMIN).ok and service.add_mailbox(f"kim@{P}", ADMIN).ok
        for setup in PROVIDER_SETUP:
            assert service.apply(setup, ADMIN).ok
        universe = [*MAILBOXES, *OTHERS, f"name2@{D}", f"all@{P}", f"kim@{P}"]
        for change in changes:
            before = {address: beyond(service, address) for address in universe}
            outcome = service.apply(change, CUSTOMER_ADMIN)
            if outcome.ok:
                for address in universe:
                    assert beyond(service, address) <= before[address], (change, address)
    finally:
        engine.dispose()
