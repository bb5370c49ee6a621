"""Two writers at once (separate connections, started together) cannot make a loop or a duplicate."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from bot.db import make_engine, make_sessionmaker
from bot.routing.changes import Actor, AddAlias, Change, CreateGroup, Role, SetForward
from bot.routing.models import DistributionGroup, Route
from bot.routing.service import Outcome, RoutingService, Status

ADMIN = Actor("operator", Role.ADMIN)
ROUNDS = 6
D = "kulexempel.se"


def race(database_url: str, first: Change, second: Change) -> list[Outcome]:
    """Apply two changes from two threads, each with its own engine, released at the same moment."""
    start = threading.Barrier(2)
    results: list[Outcome] = []
    engines = [make_engine(database_url) for _ in range(2)]

    def writer(engine: Engine, change: Change) -> Callable[[], None]:
        service = RoutingService(make_sessionmaker(engine))

        def run() -> None:
            start.wait()
            results.append(service.apply(change, ADMIN))

        return run

    threads = [threading.Thread(target=writer(e, c)) for e, c in zip(engines, (first, second), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return results


@pytest.fixture
def service(engine: Engine) -> RoutingService:
    service = RoutingService(make_sessionmaker(engine))
    service.add_domain(D, ADMIN)
    for n in range(2 * ROUNDS):
        service.add_mailbox(f"box{n}@{D}", ADMIN)
    return service


def test_two_writers_cannot_close_a_loop_between_them(service: RoutingService, database_url: str) -> None:
    for n in range(ROUNDS):
        one, two = f"box{2 * n}@{D}", f"box{2 * n + 1}@{D}"
        outcomes = race(database_url, SetForward(one, two), SetForward(two, one))
        assert sorted(o.status for o in outcomes) == [Status.OK, Status.REFUSED]
        assert [o.rule for o in outcomes if o.status is Status.REFUSED] == ["no_loops"]
        assert not service.trace(one).loops and not service.trace(two).loops


def test_two_writers_cannot_make_one_address_two_things(
    service: RoutingService, engine: Engine, database_url: str
) -> None:
    for n in range(ROUNDS):
        address = f"shared{n}@{D}"
        outcomes = race(database_url, CreateGroup(address, "Group"), AddAlias(address, f"box{n}@{D}"))
        assert sorted(o.status for o in outcomes) == [Status.OK, Status.REFUSED]
        assert [o.rule for o in outcomes if o.status is Status.REFUSED] == ["one_thing"]
    same = AddAlias(f"twice@{D}", f"box0@{D}")
    outcomes = race(database_url, same, same)
    assert sorted(o.status for o in outcomes) == [Status.OK, Status.UNCHANGED]
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).where(Route.source == f"twice@{D}")) == 1
        group_or_alias = session.scalars(
            select(func.count())
            .select_from(DistributionGroup)
            .where(DistributionGroup.address.like("shared%"))
        ).one()
        aliases = session.scalars(
            select(func.count(Route.source.distinct())).where(Route.source.like("shared%"))
        ).one()
        assert group_or_alias + aliases == ROUNDS
