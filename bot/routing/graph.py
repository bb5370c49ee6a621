"""Reading the routing graph inside one transaction: routes, who points where, what an address is.

The rules walk the graph from the changed address (loops, limits, who uses it), so the routes
read so far are kept, and a walk reads one level per query instead of one address per query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.routing.addresses import domain_of, show_address
from bot.routing.messages import MESSAGES
from bot.routing.models import DistributionGroup, Domain, Mailbox, Route, RouteKind
from bot.routing.outcomes import Refused
from bot.routing.state import AddressState
from bot.routing.trace import Delivery, DeliveryKind, Expansion

T = TypeVar("T")

# Prebuilt Core statements: the loop and limit checks run many small lookups per change.
ROUTES = Route.__table__.c
_ROUTES_FROM = (
    select(ROUTES.source, ROUTES.destination, ROUTES.kind)
    .where(ROUTES.source.in_(bindparam("sources", expanding=True)))
    .order_by(ROUTES.id)
)
_SOURCES_TO = (
    select(ROUTES.source)
    .where(
        ROUTES.destination.in_(bindparam("destinations", expanding=True)),
        ROUTES.source != ROUTES.destination,
    )
    .distinct()
)
_MAILBOX_ID = select(Mailbox.__table__.c.id).where(Mailbox.__table__.c.address == bindparam("address"))
_GROUP_NAME = select(DistributionGroup.__table__.c.display_name).where(
    DistributionGroup.__table__.c.address == bindparam("address")
)
_DOMAIN_ID = select(Domain.__table__.c.id).where(Domain.__table__.c.name == bindparam("name"))
# Keeps every IN (...) list far below the databases' bound-parameter limits.
CHUNK = 1000


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RoutingGraph:
    """Reads of the routing tables inside one transaction, with the routes read so far kept."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self._routes: dict[str, list[tuple[str, str]]] = {}

    def _scalar(self, statement: Any, **params: Any) -> Any:
        return self.connection.execute(statement, params).scalar()

    def _fetch(self, sources: Iterable[str]) -> None:
        missing = [source for source in dict.fromkeys(sources) if source not in self._routes]
        for chunk in batched(missing, CHUNK):
            for source in chunk:
                self._routes[source] = []
            for source, destination, kind in self.connection.execute(_ROUTES_FROM, {"sources": list(chunk)}):
                self._routes[source].append((destination, RouteKind(kind).value))

    def lookup(self, source: str) -> list[tuple[str, str]]:
        """The routes of `source` as (destination, kind), in row order, like Postfix gets them."""
        if source not in self._routes:
            self._fetch([source])
        return self._routes[source]

    def load_reachable(self, starts: Iterable[str]) -> None:
        """Read every route reachable from `starts`, one query per level instead of one per address."""
        frontier = list(starts)
        while frontier:
            self._fetch(frontier)
            frontier = list({d for s in frontier for d, _ in self._routes[s] if d not in self._routes})

    def forget(self, source: str) -> None:
        self._routes.pop(source, None)

    def state(self, address: str) -> AddressState:
        group_name = self._scalar(_GROUP_NAME, address=address)
        return AddressState(group_name, frozenset(self.lookup(address)))

    def is_hosted(self, domain: str) -> bool:
        return self._scalar(_DOMAIN_ID, name=domain) is not None

    def domain_id(self, address: str) -> int:
        domain_id = self._scalar(_DOMAIN_ID, name=domain_of(address))
        if domain_id is None:
            raise Refused("own_domain", MESSAGES("not_our_domain", address=show_address(address)))
        return int(domain_id)

    def is_mailbox(self, address: str) -> bool:
        return self._scalar(_MAILBOX_ID, address=address) is not None

    def exists(self, address: str) -> bool:
        """A mailbox, an alias or a group: something Postfix accepts mail for."""
        return (
            self.is_mailbox(address)
            or self._scalar(_GROUP_NAME, address=address) is not None
            or bool(self.lookup(address))
        )

    def users_of(self, address: str) -> list[str]:
        """Other addresses whose routes point at this one."""
        return sorted(self.connection.execute(_SOURCES_TO, {"destinations": [address]}).scalars())

    def path_between(self, starts: Iterable[str], goal: str) -> list[str] | None:
        """A route path from one of `starts` to `goal` (ignoring keep-a-copy self rows), or None."""
        parents: dict[str, str | None] = {start: None for start in starts}
        frontier = list(parents)
        while frontier:
            if goal in parents:
                path = [goal]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return path[::-1]
            self._fetch(frontier)
            next_frontier = []
            for source in frontier:
                for destination, _ in self._routes[source]:
                    if destination not in parents:
                        parents[destination] = source
                        next_frontier.append(destination)
            frontier = next_frontier
        return None

    def ancestors(self, address: str) -> set[str]:
        """Every address whose mail reaches this one (itself included)."""
        found = {address}
        frontier = [address]
        while frontier:
            sources: set[str] = set()
            for chunk in batched(list(frontier), CHUNK):
                sources.update(self.connection.execute(_SOURCES_TO, {"destinations": list(chunk)}).scalars())
            frontier = [source for source in sources if source not in found]
            found.update(frontier)
        return found

    def deliveries(self, expansion: Expansion, scope: frozenset[str] | None = None) -> tuple[Delivery, ...]:
        """What becomes of each final recipient; outside a customer's `scope` only that it is outside."""
        deliveries = []
        for recipient in expansion.recipients:
            if scope is not None and domain_of(recipient) not in scope:
                kind = DeliveryKind.OUTSIDE
            elif self.is_mailbox(recipient):
                kind = DeliveryKind.MAILBOX
            elif self.is_hosted(domain_of(recipient)):
                kind = DeliveryKind.UNKNOWN
            else:
                kind = DeliveryKind.EXTERNAL
            deliveries.append(Delivery(recipient, kind))
        return tuple(deliveries)
