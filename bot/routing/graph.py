"""Reading the routing graph inside one transaction, as Postfix reads it.

Postfix finds an address through three tables (`bot.routing.postfix`): a lookup key may carry an
address extension (`anna+news@`, found as `anna@`) or a U-label domain (`exämpel.se`, found as its
A-label). `lookup`, `mailbox_of` and `is_hosted` answer as those tables do, so `trace` and the
rules see what Postfix sees. The rules walk the graph from a changed address (loops, limits, who
uses it), so the routes read so far are kept, and a walk reads one level per query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from bot.routing.addresses import domain_of, show_address, split_extension, unicode_form
from bot.routing.messages import MESSAGES
from bot.routing.models import DistributionGroup, Domain, Mailbox, Route, RouteKind
from bot.routing.outcomes import Refused
from bot.routing.scope import in_scope
from bot.routing.state import AddressState
from bot.routing.trace import Delivery, DeliveryKind, Expansion, Lookup, expand

T = TypeVar("T")

# Prebuilt Core statements: the loop and limit checks run many small lookups per change.
ROUTES = Route.__table__.c
_ROUTES_FROM = (
    select(ROUTES.source, ROUTES.destination, ROUTES.kind)
    .where(ROUTES.source.in_(bindparam("sources", expanding=True)))
    .order_by(ROUTES.id)
)
# Sources whose mail goes on to one of `destinations` (directly or as `destination+extension`);
# keep-a-copy rows (an address to itself) are not "going on".
_SOURCES_TO = (
    select(ROUTES.source)
    .where(
        or_(
            ROUTES.destination.in_(bindparam("destinations", expanding=True)),
            ROUTES.destination_base.in_(bindparam("destinations", expanding=True)),
        ),
        ROUTES.source != ROUTES.destination,
    )
    .distinct()
)
_MAILBOX_ID = select(Mailbox.__table__.c.id).where(Mailbox.__table__.c.address == bindparam("address"))
_GROUP_NAME = select(DistributionGroup.__table__.c.display_name).where(
    DistributionGroup.__table__.c.address == bindparam("address")
)
_DOMAIN_ID = select(Domain.__table__.c.id).where(Domain.__table__.c.name == bindparam("name"))
_MAILBOXES_AMONG = select(Mailbox.__table__.c.address).where(
    Mailbox.__table__.c.address.in_(bindparam("addresses", expanding=True))
)
_DOMAINS_AMONG = select(Domain.__table__.c.name).where(
    Domain.__table__.c.name.in_(bindparam("names", expanding=True))
)
_UNICODE_OF_DOMAIN = select(Domain.__table__.c.unicode_name).where(
    Domain.__table__.c.name == bindparam("name")
)
_DOMAIN_OF_UNICODE = select(Domain.__table__.c.name).where(
    Domain.__table__.c.unicode_name == bindparam("unicode_name")
)
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
        self._unicode_domains: dict[str, str | None] = {}
        # Mailboxes and domains do not change while routes do: what was asked is kept.
        self._mailboxes: dict[str, bool] = {}
        self._domains: dict[str, bool] = {}
        self._unicode_names: dict[str, str | None] = {}

    def _scalar(self, statement: Any, **params: Any) -> Any:
        return self.connection.execute(statement, params).scalar()

    def _fetch(self, sources: Iterable[str]) -> None:
        missing = [source for source in dict.fromkeys(sources) if source not in self._routes]
        for chunk in batched(missing, CHUNK):
            for source in chunk:
                self._routes[source] = []
            for source, destination, kind in self.connection.execute(_ROUTES_FROM, {"sources": list(chunk)}):
                self._routes[source].append((destination, RouteKind(kind).value))

    def stored_form(self, key: str) -> str | None:
        """The stored address a lookup key names: itself, or for a U-label domain of ours the
        address with its A-label (what the maps' queries do); None for a U-label not ours."""
        domain = domain_of(key)
        if domain.isascii():
            return key
        if domain not in self._unicode_domains:
            self._unicode_domains[domain] = self._scalar(_DOMAIN_OF_UNICODE, unicode_name=domain)
        name = self._unicode_domains[domain]
        return None if name is None else f"{key.rpartition('@')[0]}@{name}"

    def unicode_form(self, address: str) -> str | None:
        """A stored address with its domain's U-label, None in an ASCII domain (or one not ours)."""
        domain = domain_of(address)
        if domain not in self._unicode_names:
            self._unicode_names[domain] = self._scalar(_UNICODE_OF_DOMAIN, name=domain)
        return unicode_form(address, self._unicode_names[domain])

    def keys_of(self, address: str) -> list[str]:
        """The keys Postfix may look a stored address up by: itself and, in an IDN, its U-label form."""
        unicode_key = self.unicode_form(address)
        return [address] if unicode_key is None else [address, unicode_key]

    def lookup(self, key: str) -> list[tuple[str, str]]:
        """virtual_alias_maps for one key: the routes as (destination, kind), in row order."""
        source = self.stored_form(key)
        if source is None:
            return []
        if source not in self._routes:
            self._fetch([source])
        return self._routes[source]

    def load_reachable(self, starts: Iterable[str]) -> None:
        """Read every route reachable from `starts`, one query per level instead of one per address."""
        frontier = list(starts)
        while frontier:
            self._fetch(frontier)
            reached = {d for s in frontier for d, _ in self._routes[s]}
            bases = {split[0] for d in reached if (split := split_extension(d)) is not None}
            frontier = [d for d in reached | bases if d not in self._routes]

    def forget(self, source: str) -> None:
        self._routes.pop(source, None)

    def forget_all(self) -> None:
        """Drop what was read so far (after a write that changes more than one address's routes)."""
        self._routes.clear()
        self._unicode_domains.clear()
        self._mailboxes.clear()
        self._domains.clear()
        self._unicode_names.clear()

    def state(self, address: str) -> AddressState:
        group_name = self._scalar(_GROUP_NAME, address=address)
        return AddressState(group_name, frozenset(self.lookup(address)))

    def is_hosted(self, domain: str) -> bool:
        """virtual_mailbox_domains: one of our domains, by its A-label or (casefolded) U-label."""
        if not domain.isascii():
            return self.stored_form(f"@{domain}") is not None
        if domain not in self._domains:
            self._domains[domain] = self._scalar(_DOMAIN_ID, name=domain) is not None
        return self._domains[domain]

    def domain_id(self, address: str) -> int:
        domain_id = self._scalar(_DOMAIN_ID, name=domain_of(address))
        if domain_id is None:
            raise Refused("own_domain", MESSAGES("not_our_domain", address=show_address(address)))
        return int(domain_id)

    def is_mailbox(self, address: str) -> bool:
        """Exactly this stored address is a mailbox."""
        if address not in self._mailboxes:
            self._mailboxes[address] = self._scalar(_MAILBOX_ID, address=address) is not None
        return self._mailboxes[address]

    def _read_mailboxes_and_domains(self, addresses: Iterable[str]) -> None:
        """Ask once for all that `is_mailbox` and `is_hosted` will be asked about these addresses."""
        candidates = set()
        for address in addresses:
            split = split_extension(address)
            for candidate in (address, split[0] if split else None):
                if candidate is not None and (stored := self.stored_form(candidate)) is not None:
                    candidates.add(stored)
        unknown = sorted(a for a in candidates if a not in self._mailboxes)
        for chunk in batched(unknown, CHUNK):
            found = set(self.connection.execute(_MAILBOXES_AMONG, {"addresses": list(chunk)}).scalars())
            self._mailboxes.update((address, address in found) for address in chunk)
        domains = sorted({domain_of(a) for a in candidates} - set(self._domains))
        for chunk in batched(domains, CHUNK):
            found = set(self.connection.execute(_DOMAINS_AMONG, {"names": list(chunk)}).scalars())
            self._domains.update((domain, domain in found) for domain in chunk)

    def is_group(self, address: str) -> bool:
        return self._scalar(_GROUP_NAME, address=address) is not None

    def mailbox_of(self, key: str) -> str | None:
        """virtual_mailbox_maps (and virtual(8)) for a recipient: the mailbox it lands in, tried as
        it is and then without its extension; None when it is no mailbox of ours."""
        split = split_extension(key)
        for candidate in (key, split[0] if split else None):
            if candidate is None:
                continue
            stored = self.stored_form(candidate)
            if stored is not None and self.is_mailbox(stored):
                return stored
        return None

    def exists(self, address: str) -> bool:
        """Postfix accepts mail for it: a mailbox, an alias or a group (also as `name+extension`)."""
        split = split_extension(address)
        for candidate in (address, split[0] if split else None):
            if candidate is not None and (
                self.is_mailbox(candidate) or self.is_group(candidate) or self.lookup(candidate)
            ):
                return True
        return False

    def node_of(self, destination: str) -> str:
        """The stored source whose routes Postfix follows for `destination`."""
        split = split_extension(destination)
        if split is None or self.lookup(destination):
            return destination
        return split[0]

    def users_of(self, address: str) -> list[str]:
        """Other addresses whose routes point at this one."""
        return sorted(self.connection.execute(_SOURCES_TO, {"destinations": [address]}).scalars())

    def path_between(self, starts: Iterable[str], goal: str) -> list[str] | None:
        """A route path from one of `starts` to `goal` as Postfix follows it (an address with an
        extension leads to its base; keep-a-copy self rows lead nowhere), or None. The path names
        each address as the routes write it (`g+tag@`, not the `g@` it leads to)."""
        parents: dict[str, str | None] = {}  # node -> the node it was reached from
        written: dict[str, str] = {}  # node -> the destination that reached it
        for start in starts:
            node = goal if start == goal else self.node_of(start)
            if node not in parents:
                parents[node], written[node] = None, start
        frontier = list(parents)
        while frontier:
            if goal in parents:
                path = [goal]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return [written[node] for node in reversed(path)]
            self._fetch(frontier)
            next_frontier = []
            for source in frontier:
                for destination, _ in self._routes[source]:
                    node = self.node_of(destination)
                    if node not in parents and destination != source:
                        parents[node], written[node] = source, destination
                        next_frontier.append(node)
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

    def expand(self, key: str, lookup: Lookup | None = None) -> Expansion:
        """Postfix's expansion of `key` (with `lookup` standing in for the tables if given)."""
        return expand(key, lookup or self.lookup)

    def in_scope(self, key: str, scope: frozenset[str] | None) -> bool:
        """Whether a lookup key names an address in a customer's `scope` (None: every address);
        a U-label key by its stored domain, one not ours never."""
        if scope is None:
            return True
        stored = self.stored_form(key)
        return stored is not None and in_scope(stored, scope)

    def deliveries(self, expansion: Expansion, scope: frozenset[str] | None = None) -> tuple[Delivery, ...]:
        """What becomes of each final recipient (for a mailbox: which one it lands in); outside a
        customer's `scope` only that it is outside."""
        self._read_mailboxes_and_domains(expansion.recipients)
        deliveries = []
        for recipient in expansion.recipients:
            if not self.in_scope(recipient, scope):
                deliveries.append(Delivery(recipient, DeliveryKind.OUTSIDE))
            elif (mailbox := self.mailbox_of(recipient)) is not None:
                deliveries.append(Delivery(recipient, DeliveryKind.MAILBOX, mailbox))
            elif self.is_hosted(domain_of(recipient)):
                deliveries.append(Delivery(recipient, DeliveryKind.UNKNOWN))
            else:
                deliveries.append(Delivery(recipient, DeliveryKind.EXTERNAL))
        return tuple(deliveries)
