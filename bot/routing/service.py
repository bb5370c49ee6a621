"""The routing service every adapter (command line, Slack flows, terminal chat) calls.

`check` says what a change would do or which rule refuses it, writing nothing. `apply` takes the
routing write lock, checks again inside the transaction, writes the change and its audit row
together. `undo` puts an address back the way an earlier change found it.

Each change is turned into the wanted state of one address (its `routes` rows and, for a group,
its group row); `_validate` runs the rules that must hold for any state (loops, limits, who may
forward out, nothing left pointing at a removed address) so that undo obeys them too.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.i18n import Text
from bot.routing.addresses import (
    AddressError,
    domain_of,
    parse_address,
    parse_domain,
    show_address,
    show_domain,
)
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
    action_of,
)
from bot.routing.messages import MESSAGES
from bot.routing.models import AuditEntry, DistributionGroup, Domain, Mailbox, Route, RouteKind
from bot.routing.trace import Delivery, DeliveryKind, Expansion, Trace, expand

# Our own limits, far below Postfix's 1000 (virtual_alias_recursion_limit / expansion_limit).
MAX_GROUP_MEMBERS = 200
MAX_DELIVERIES = 500  # final recipients of one address, after every alias/forward/group
MAX_DEPTH = 10  # lookups in the longest chain (support@ -> group -> alias -> mailbox -> forward ...)
MAX_NAME = 200  # display names of mailboxes and groups (the columns' length)

# Any fixed number: the key of PostgreSQL's advisory lock for routing changes.
ROUTING_LOCK_KEY = 0x6D61696C  # "mail"

# Audit actions that are not Change requests.
ACTION_UNDO = "undo"
ACTION_DOMAIN_ADD = "domain.add"
ACTION_MAILBOX_ADD = "mailbox.add"
ACTION_MAILBOX_IMPORT = "mailbox.import"


class Status(enum.StrEnum):
    OK = "ok"  # check: allowed; apply/undo: done
    REFUSED = "refused"  # a rule says no; nothing written
    UNCHANGED = "unchanged"  # already so; nothing written


@dataclass(frozen=True)
class Verdict:
    """The answer of `check`: allowed (with what will happen), refused (which rule) or already so."""

    status: Status
    message: Text  # the effect when ok, else the refusal or the "nothing to do"
    rule: str | None = None  # the refusing rule's id (see MESSAGES "rule.<id>")

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


@dataclass(frozen=True)
class Outcome(Verdict):
    """The answer of `apply`/`undo`: done (with the audit id to undo it by), refused or already so."""

    change_id: int | None = None


@dataclass(frozen=True)
class AliasInfo:
    alias: str  # shown (Unicode) form
    mailbox: str


@dataclass(frozen=True)
class ForwardInfo:
    address: str
    target: str
    keep_copy: bool


@dataclass(frozen=True)
class GroupInfo:
    address: str
    name: str
    member_count: int


@dataclass(frozen=True)
class MailboxInfo:
    address: str
    name: str
    maildir: str


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    team: str | None
    action: str
    subject: str  # shown form
    before: Any
    after: Any
    undo_of: int | None
    undone_by: int | None


class Refused(Exception):
    def __init__(self, rule: str, detail: Text) -> None:
        super().__init__(rule)
        self.rule = rule
        self.detail = detail

    def text(self) -> Text:
        return MESSAGES("refused", rule=MESSAGES(f"rule.{self.rule}"), detail=self.detail)


class Unchanged(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message.key)
        self.message = message


@dataclass(frozen=True)
class AddressState:
    """What one address is in the routing tables: its group row (if a group) and its routes."""

    group_name: str | None
    routes: frozenset[tuple[str, str]]  # (destination, kind)

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group_name, "routes": sorted([list(route) for route in self.routes])}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AddressState:
        return cls(data["group"], frozenset((d, k) for d, k in data["routes"]))

    def destinations(self, kind: RouteKind) -> list[str]:
        return sorted(d for d, k in self.routes if k == kind.value)


@dataclass(frozen=True)
class Plan:
    subject: str
    before: AddressState
    after: AddressState
    effect: Text


def lock_routing(session: Session) -> None:
    """Serialise routing writers for the rest of this transaction (call it first).

    The loop check and "one address is one thing" read the whole graph, so two writers must not
    interleave. SQLite: take the database write lock now, not at the first INSERT. PostgreSQL: a
    transaction-scoped advisory lock, released at commit/rollback.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))
    elif dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROUTING_LOCK_KEY})
    else:
        raise NotImplementedError(f"no routing lock for {dialect}")


def _parse(raw: str) -> str:
    try:
        return parse_address(raw)
    except AddressError as error:
        raise Refused("address", error.text) from None


def _list(addresses: Iterable[str]) -> str:
    return ", ".join(show_address(a) for a in addresses)


T = TypeVar("T")

# Prebuilt Core statements: the loop and limit checks run many small lookups per change.
_routes = Route.__table__.c
_ROUTES_FROM = (
    select(_routes.source, _routes.destination, _routes.kind)
    .where(_routes.source.in_(bindparam("sources", expanding=True)))
    .order_by(_routes.id)
)
_SOURCES_TO = (
    select(_routes.source)
    .where(
        _routes.destination.in_(bindparam("destinations", expanding=True)),
        _routes.source != _routes.destination,
    )
    .distinct()
)
_MAILBOX_ID = select(Mailbox.__table__.c.id).where(Mailbox.__table__.c.address == bindparam("address"))
_GROUP_NAME = select(DistributionGroup.__table__.c.display_name).where(
    DistributionGroup.__table__.c.address == bindparam("address")
)
_DOMAIN_ID = select(Domain.__table__.c.id).where(Domain.__table__.c.name == bindparam("name"))
# Keeps every IN (...) list far below the databases' bound-parameter limits.
_CHUNK = 1000


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Graph:
    """Reads of the routing tables inside one transaction, with the routes read so far kept."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self._routes: dict[str, list[tuple[str, str]]] = {}

    def _scalar(self, statement: Any, **params: Any) -> Any:
        return self.connection.execute(statement, params).scalar()

    def _fetch(self, sources: Iterable[str]) -> None:
        missing = [source for source in dict.fromkeys(sources) if source not in self._routes]
        for chunk in batched(missing, _CHUNK):
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
        return domain_id

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
            for chunk in batched(list(frontier), _CHUNK):
                sources.update(self.connection.execute(_SOURCES_TO, {"destinations": list(chunk)}).scalars())
            frontier = [source for source in sources if source not in found]
            found.update(frontier)
        return found

    def deliveries(self, expansion: Expansion) -> tuple[Delivery, ...]:
        deliveries = []
        for recipient in expansion.recipients:
            if self.is_mailbox(recipient):
                kind = DeliveryKind.MAILBOX
            elif self.is_hosted(domain_of(recipient)):
                kind = DeliveryKind.UNKNOWN
            else:
                kind = DeliveryKind.EXTERNAL
            deliveries.append(Delivery(recipient, kind))
        return tuple(deliveries)


class RoutingService:
    def __init__(self, session_factory: sessionmaker) -> None:
        self._sessions = session_factory

    # -- changes ---------------------------------------------------------------------------------

    def check(self, change: Change, actor: Actor) -> Verdict:
        """What the change would do, or why it is refused or not needed. Writes nothing."""
        with self._sessions() as session:
            try:
                plan = self._plan(_Graph(session), change, actor)
            except Refused as refusal:
                return Verdict(Status.REFUSED, refusal.text(), refusal.rule)
            except Unchanged as unchanged:
                return Verdict(Status.UNCHANGED, unchanged.message)
            return Verdict(Status.OK, plan.effect)

    def apply(
        self, change: Change, actor: Actor, then: Callable[[Session, int], None] | None = None
    ) -> Outcome:
        """Check every rule again under the write lock, then write the change and its audit row;
        `then(session, change_id)` writes the caller's record of it in the same transaction."""

        def work(graph: _Graph) -> Outcome:
            outcome = self._perform(graph, self._plan(graph, change, actor), actor, change)
            if then is not None:
                assert outcome.change_id is not None
                then(graph.session, outcome.change_id)
            return outcome

        return self._locked(work)

    def undo(self, change_id: int, actor: Actor) -> Outcome:
        """Put the changed address back as change `change_id` found it, if nothing since depends on it."""
        return self._locked(lambda graph: self._undo(graph, change_id, actor))

    def _locked(self, work: Callable[[_Graph], Outcome]) -> Outcome:
        with self._sessions() as session:
            try:
                with session.begin():  # an exception rolls everything back
                    lock_routing(session)
                    return work(_Graph(session))
            except Refused as refusal:
                return Outcome(Status.REFUSED, refusal.text(), refusal.rule)
            except Unchanged as unchanged:
                return Outcome(Status.UNCHANGED, unchanged.message)

    def _perform(self, graph: _Graph, plan: Plan, actor: Actor, change: Change) -> Outcome:
        self._write(graph, plan)
        change_id = self._audit(graph, actor, action_of(change), plan.subject, plan.before, plan.after)
        return Outcome(Status.OK, plan.effect, change_id=change_id)

    def _undo(self, graph: _Graph, change_id: int, actor: Actor) -> Outcome:
        session = graph.session
        entry = session.get(AuditEntry, change_id)
        if entry is None:
            raise Refused("undo", MESSAGES("no_such_change", id=change_id))
        if entry.undone_by is not None:
            raise Unchanged(MESSAGES("unchanged.undone", id=change_id, by=entry.undone_by))
        if entry.before is None:  # domains and mailboxes: loaded by the provider, not undone here
            raise Refused("undo", MESSAGES("not_undoable", id=change_id, action=entry.action))
        subject = entry.subject
        current = graph.state(subject)
        if current != AddressState.from_json(entry.after):
            later = session.scalar(
                select(AuditEntry.id)
                .where(AuditEntry.subject == subject, AuditEntry.id > change_id)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            )
            raise Refused(
                "undo", MESSAGES("changed_since", address=show_address(subject), id=change_id, later=later)
            )
        effect = MESSAGES("effect.undo", address=show_address(subject), id=change_id, action=entry.action)
        plan = Plan(subject, current, AddressState.from_json(entry.before), effect)
        self._validate(graph, plan, actor)
        self._write(graph, plan)
        undo_id = self._audit(graph, actor, ACTION_UNDO, subject, plan.before, plan.after, undo_of=change_id)
        entry.undone_by = undo_id
        return Outcome(Status.OK, effect, change_id=undo_id)

    # -- planning: one change -> the wanted state of one address ---------------------------------

    def _plan(self, graph: _Graph, change: Change, actor: Actor) -> Plan:
        match change:
            case AddAlias(alias=raw_alias, mailbox=raw_mailbox):
                plan = self._plan_add_alias(graph, _parse(raw_alias), _parse(raw_mailbox))
            case RemoveAlias(alias=raw_alias):
                plan = self._plan_remove_alias(graph, _parse(raw_alias))
            case SetForward(address=raw_address, target=raw_target, keep_copy=keep_copy):
                plan = self._plan_set_forward(graph, _parse(raw_address), _parse(raw_target), keep_copy)
            case ClearForward(address=raw_address):
                plan = self._plan_clear_forward(graph, _parse(raw_address))
            case CreateGroup(address=raw_address, name=name):
                plan = self._plan_create_group(graph, _parse(raw_address), name.strip())
            case DeleteGroup(address=raw_address):
                plan = self._plan_delete_group(graph, _parse(raw_address))
            case AddMembers(group=raw_group, members=raw_members):
                plan = self._plan_add_members(graph, _parse(raw_group), [_parse(m) for m in raw_members])
            case RemoveMember(group=raw_group, member=raw_member):
                plan = self._plan_remove_member(graph, _parse(raw_group), _parse(raw_member))
            case _:
                raise TypeError(f"not a routing change: {change!r}")
        self._validate(graph, plan, actor)
        return plan

    def _refuse_if_taken(self, graph: _Graph, address: str, state: AddressState, allowed: str) -> None:
        """One address is one thing: refuse if `address` is already something other than `allowed`."""
        shown = show_address(address)
        if allowed != "mailbox" and graph.is_mailbox(address):
            raise Refused("one_thing", MESSAGES("already_mailbox", address=shown))
        if allowed != "group" and state.group_name is not None:
            raise Refused("one_thing", MESSAGES("already_group", address=shown))
        aliases = state.destinations(RouteKind.ALIAS)
        if allowed != "alias" and aliases:
            raise Refused("one_thing", MESSAGES("already_alias", address=shown, mailbox=_list(aliases)))

    def _plan_add_alias(self, graph: _Graph, alias: str, mailbox: str) -> Plan:
        graph.domain_id(alias)
        before = graph.state(alias)
        self._refuse_if_taken(graph, alias, before, allowed="alias")
        current = before.destinations(RouteKind.ALIAS)
        if current == [mailbox]:
            raise Unchanged(
                MESSAGES("unchanged.alias", alias=show_address(alias), mailbox=show_address(mailbox))
            )
        if current:
            raise Refused(
                "one_thing", MESSAGES("already_alias", address=show_address(alias), mailbox=_list(current))
            )
        if not graph.is_mailbox(mailbox):
            raise Refused("alias_target", MESSAGES("not_a_mailbox", address=show_address(mailbox)))
        after = AddressState(None, frozenset({(mailbox, RouteKind.ALIAS.value)}))
        effect = MESSAGES("effect.add_alias", alias=show_address(alias), mailbox=show_address(mailbox))
        return Plan(alias, before, after, effect)

    def _plan_remove_alias(self, graph: _Graph, alias: str) -> Plan:
        before = graph.state(alias)
        shown = show_address(alias)
        if graph.is_mailbox(alias):
            raise Refused("one_thing", MESSAGES("not_an_alias", address=shown, what=MESSAGES("what.mailbox")))
        if before.group_name is not None:
            raise Refused("one_thing", MESSAGES("not_an_alias", address=shown, what=MESSAGES("what.group")))
        mailboxes = before.destinations(RouteKind.ALIAS)
        if not mailboxes:
            raise Unchanged(MESSAGES("unchanged.no_alias", alias=shown))
        effect = MESSAGES("effect.remove_alias", alias=shown, mailbox=_list(mailboxes))
        return Plan(alias, before, AddressState(None, frozenset()), effect)

    def _mailbox_state(self, graph: _Graph, address: str) -> AddressState:
        graph.domain_id(address)
        if not graph.is_mailbox(address):
            raise Refused("forward_source", MESSAGES("not_a_mailbox", address=show_address(address)))
        return graph.state(address)

    def _plan_set_forward(self, graph: _Graph, address: str, target: str, keep_copy: bool) -> Plan:
        before = self._mailbox_state(graph, address)
        if target == address:
            raise Refused("self_forward", MESSAGES("self_forward", address=show_address(address)))
        routes = {(target, RouteKind.FORWARD.value)}
        if keep_copy:
            routes.add((address, RouteKind.KEEP_COPY.value))
        after = AddressState(None, frozenset(routes))
        if after == before:
            raise Unchanged(MESSAGES("unchanged.forward", address=show_address(address)))
        key = "effect.set_forward_keep_copy" if keep_copy else "effect.set_forward"
        return Plan(
            address, before, after, MESSAGES(key, address=show_address(address), target=show_address(target))
        )

    def _plan_clear_forward(self, graph: _Graph, address: str) -> Plan:
        before = self._mailbox_state(graph, address)
        targets = before.destinations(RouteKind.FORWARD)
        if not targets:
            raise Unchanged(MESSAGES("unchanged.no_forward", address=show_address(address)))
        effect = MESSAGES("effect.clear_forward", address=show_address(address), target=_list(targets))
        return Plan(address, before, AddressState(None, frozenset()), effect)

    def _plan_create_group(self, graph: _Graph, address: str, name: str) -> Plan:
        graph.domain_id(address)
        before = graph.state(address)
        shown = show_address(address)
        self._refuse_if_taken(graph, address, before, allowed="group")
        _check_name(name)
        if before.group_name is not None:
            if before.group_name == name:
                raise Unchanged(MESSAGES("unchanged.group", address=shown))
            raise Refused(
                "one_thing", MESSAGES("group_named_otherwise", address=shown, name=before.group_name)
            )
        after = AddressState(name, frozenset())
        return Plan(
            address, before, after, MESSAGES("effect.create_group", address=shown, name=name or shown)
        )

    def _group_state(self, graph: _Graph, group: str) -> AddressState:
        state = graph.state(group)
        if state.group_name is None:
            raise Refused("exists", MESSAGES("not_a_group", address=show_address(group)))
        return state

    def _plan_delete_group(self, graph: _Graph, group: str) -> Plan:
        before = graph.state(group)
        shown = show_address(group)
        if before.group_name is None:
            if graph.exists(group):
                raise Refused("exists", MESSAGES("not_a_group", address=shown))
            raise Unchanged(MESSAGES("unchanged.no_group", address=shown))
        effect = MESSAGES("effect.delete_group", address=shown, count=len(before.routes))
        return Plan(group, before, AddressState(None, frozenset()), effect)

    def _plan_add_members(self, graph: _Graph, group: str, members: list[str]) -> Plan:
        before = self._group_state(graph, group)
        if not members:
            raise Refused("exists", MESSAGES("no_members_given"))
        if group in members:
            raise Refused("no_loops", MESSAGES("group_in_itself", address=show_address(group)))
        current = set(before.destinations(RouteKind.MEMBER))
        new = [m for m in dict.fromkeys(members) if m not in current]
        if not new:
            raise Unchanged(MESSAGES("unchanged.members", group=show_address(group)))
        after = AddressState(before.group_name, before.routes | {(m, RouteKind.MEMBER.value) for m in new})
        effect = MESSAGES("effect.add_members", group=show_address(group), members=_list(new))
        return Plan(group, before, after, effect)

    def _plan_remove_member(self, graph: _Graph, group: str, member: str) -> Plan:
        before = self._group_state(graph, group)
        route = (member, RouteKind.MEMBER.value)
        if route not in before.routes:
            raise Unchanged(
                MESSAGES("unchanged.no_member", group=show_address(group), member=show_address(member))
            )
        after = AddressState(before.group_name, before.routes - {route})
        effect = MESSAGES("effect.remove_member", group=show_address(group), member=show_address(member))
        return Plan(group, before, after, effect)

    # -- rules that hold for every state, whatever change or undo leads to it ---------------------

    def _validate(self, graph: _Graph, plan: Plan, actor: Actor) -> None:
        subject, after = plan.subject, plan.after
        # Planning checks this with nicer words; here it also guards an undo (a mailbox added since).
        becomes_alias_or_group = after.group_name is not None or bool(after.destinations(RouteKind.ALIAS))
        if becomes_alias_or_group and graph.is_mailbox(subject):
            raise Refused("one_thing", MESSAGES("already_mailbox", address=show_address(subject)))
        added = [(d, k) for d, k in after.routes - plan.before.routes if d != subject]
        for destination, kind in added:
            hosted = graph.is_hosted(domain_of(destination))
            if hosted and not graph.exists(destination):
                raise Refused("known_target", MESSAGES("unknown_internal", address=show_address(destination)))
            if not hosted and kind == RouteKind.FORWARD.value and actor.role is not Role.ADMIN:
                raise Refused(
                    "external_forward", MESSAGES("external_forward", target=show_address(destination))
                )
        still_exists = after.group_name is not None or graph.is_mailbox(subject) or bool(after.routes)
        if not still_exists and (users := graph.users_of(subject)):
            raise Refused("in_use", MESSAGES("in_use", address=show_address(subject), users=_list(users)))
        members = after.destinations(RouteKind.MEMBER)
        if len(members) > MAX_GROUP_MEMBERS:
            raise Refused(
                "limits",
                MESSAGES(
                    "too_many_members",
                    group=show_address(subject),
                    count=len(members),
                    limit=MAX_GROUP_MEMBERS,
                ),
            )
        if not added:
            return  # removing routes can create neither a loop nor a bigger fan-out
        path = graph.path_between([d for d, _ in added], subject)
        if path is not None:
            raise Refused(
                "no_loops", MESSAGES("loop", path=" → ".join(show_address(a) for a in [subject, *path]))
            )
        self._check_limits(graph, plan)

    def _check_limits(self, graph: _Graph, plan: Plan) -> None:
        """Every address whose mail passes the changed one stays within depth and fan-out caps."""
        wanted = sorted(plan.after.routes)

        def lookup(source: str) -> list[tuple[str, str]]:
            return wanted if source == plan.subject else graph.lookup(source)

        ancestors = graph.ancestors(plan.subject)
        graph.load_reachable([*ancestors, *(destination for destination, _ in wanted)])
        for address in sorted(ancestors):
            expansion = expand(address, lookup)
            shown = show_address(address)
            if expansion.depth > MAX_DEPTH:
                raise Refused(
                    "limits", MESSAGES("too_deep", address=shown, count=expansion.depth, limit=MAX_DEPTH)
                )
            if len(expansion.recipients) > MAX_DELIVERIES:
                raise Refused(
                    "limits",
                    MESSAGES(
                        "too_many_deliveries",
                        address=shown,
                        count=len(expansion.recipients),
                        limit=MAX_DELIVERIES,
                    ),
                )

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, graph: _Graph, plan: Plan) -> None:
        connection, subject = graph.connection, plan.subject
        before, after = plan.before, plan.after
        graph.forget(subject)
        for destination, _ in before.routes - after.routes:
            connection.execute(delete(Route).where(Route.source == subject, Route.destination == destination))
        added = sorted(after.routes - before.routes)
        if added:
            rows = [
                {"source": subject, "destination": d, "kind": RouteKind(k), "created_at": utcnow()}
                for d, k in added
            ]
            connection.execute(insert(Route), rows)
        groups = DistributionGroup.__table__
        if before.group_name is None and after.group_name is not None:
            connection.execute(
                insert(groups).values(
                    address=subject,
                    domain_id=graph.domain_id(subject),
                    display_name=after.group_name,
                    created_at=utcnow(),
                )
            )
        elif before.group_name is not None and after.group_name is None:
            connection.execute(delete(groups).where(groups.c.address == subject))
        elif before.group_name != after.group_name:
            connection.execute(
                update(groups).where(groups.c.address == subject).values(display_name=after.group_name)
            )

    def _audit(
        self,
        graph: _Graph,
        actor: Actor,
        action: str,
        subject: str,
        before: AddressState | None,
        after: AddressState | None,
        undo_of: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Write the audit row in the change's transaction; return its id (the change id)."""
        result = graph.connection.execute(
            insert(AuditEntry.__table__).values(
                at=utcnow(),
                actor=actor.name,
                team=actor.team,
                action=action,
                subject=subject,
                before=before.to_json() if before else None,
                after=after.to_json() if after else details,
                undo_of=undo_of,
            )
        )
        return result.inserted_primary_key[0]

    # -- domains and mailboxes (loaded by the provider, not changed from Slack) ------------------

    def add_domain(self, name: str, actor: Actor) -> Outcome:
        def work(graph: _Graph) -> Outcome:
            try:
                domain = parse_domain(name)
            except AddressError as error:
                raise Refused("address", error.text) from None
            if graph.is_hosted(domain):
                raise Unchanged(MESSAGES("unchanged.domain", domain=show_domain(domain)))
            graph.connection.execute(insert(Domain.__table__).values(name=domain, created_at=utcnow()))
            change_id = self._audit(
                graph, actor, ACTION_DOMAIN_ADD, domain, None, None, details={"domain": domain}
            )
            return Outcome(
                Status.OK, MESSAGES("effect.add_domain", domain=show_domain(domain)), change_id=change_id
            )

        return self._locked(work)

    def add_mailbox(self, address: str, actor: Actor, name: str = "") -> Outcome:
        def work(graph: _Graph) -> Outcome:
            parsed = _parse(address)
            self._check_new_mailbox(graph, parsed)
            row = _mailbox_row(parsed, graph.domain_id(parsed), name)
            graph.connection.execute(insert(Mailbox.__table__), [row])
            change_id = self._audit(graph, actor, ACTION_MAILBOX_ADD, parsed, None, None, details=row)
            return Outcome(
                Status.OK, MESSAGES("effect.add_mailbox", address=show_address(parsed)), change_id=change_id
            )

        return self._locked(work)

    def _check_new_mailbox(self, graph: _Graph, address: str) -> None:
        graph.domain_id(address)
        if graph.is_mailbox(address):
            raise Unchanged(MESSAGES("unchanged.mailbox", address=show_address(address)))
        state = graph.state(address)
        self._refuse_if_taken(graph, address, state, allowed="mailbox")

    def import_mailboxes(
        self,
        rows: Sequence[tuple[str, str]],
        actor: Actor,
        progress: Callable[[int], None] = lambda done: None,
        batch_size: int = 5000,
    ) -> Outcome:
        """Add many (address, name) mailboxes in one transaction: all of them, or none.

        Refuses (naming the line, counting the header as line 1) on the first bad or duplicate
        address. Addresses that already exist as mailboxes are refused too: an import is for new ones.
        `progress(n)` is called after each batch of n rows is checked and again as rows are written.
        """

        def work(graph: _Graph) -> Outcome:
            domain_ids = dict(graph.connection.execute(select(Domain.name, Domain.id)).all())
            first_line: dict[str, int] = {}
            prepared = []
            for number, (raw, name) in enumerate(rows, start=2):
                try:
                    address = parse_address(raw)
                except AddressError as error:
                    raise Refused(
                        "address", MESSAGES("import_line", line=number, detail=error.text)
                    ) from None
                if address in first_line:
                    detail = MESSAGES(
                        "import_duplicate", address=show_address(address), first=first_line[address]
                    )
                    raise Refused("one_thing", MESSAGES("import_line", line=number, detail=detail))
                first_line[address] = number
                domain_id = domain_ids.get(domain_of(address))
                if domain_id is None:
                    detail = MESSAGES("domain_unknown", domain=show_domain(domain_of(address)))
                    raise Refused("own_domain", MESSAGES("import_line", line=number, detail=detail))
                try:
                    prepared.append(_mailbox_row(address, domain_id, name))
                except Refused as refusal:
                    raise Refused(
                        refusal.rule, MESSAGES("import_line", line=number, detail=refusal.detail)
                    ) from None
            self._insert_new_mailboxes(graph, prepared, first_line, progress, batch_size)
            subject = f"{len(prepared)} mailboxes"
            details = {"count": len(prepared)}
            change_id = self._audit(graph, actor, ACTION_MAILBOX_IMPORT, subject, None, None, details=details)
            return Outcome(Status.OK, MESSAGES("effect.import", count=len(prepared)), change_id=change_id)

        return self._locked(work)

    def _insert_new_mailboxes(
        self,
        graph: _Graph,
        rows: list[dict[str, Any]],
        lines: dict[str, int],
        progress: Callable[[int], None],
        batch_size: int,
    ) -> None:
        """Insert, then let the database find clashes: far faster than asking about each address first.

        An existing mailbox trips the unique index (the savepoint keeps the transaction usable to
        find which line); an existing group or alias is found by two joins over the new rows only.
        """
        connection = graph.connection
        mailboxes, groups = Mailbox.__table__.c, DistributionGroup.__table__.c
        newest = connection.execute(select(func.max(mailboxes.id))).scalar() or 0
        try:
            with connection.begin_nested():
                for batch in batched(rows, batch_size):
                    connection.execute(insert(Mailbox.__table__), list(batch))
                    progress(len(batch))
        except IntegrityError:
            existing = select(mailboxes.address).where(mailboxes.address.in_(bindparam("a", expanding=True)))
            for chunk in batched(list(lines), _CHUNK):
                clashes = connection.execute(existing, {"a": chunk}).scalars()
                self._refuse_clash(lines, dict.fromkeys(clashes, "mailbox"))
            raise
        new_rows = select(mailboxes.address).where(mailboxes.id > newest)
        groups_hit = new_rows.where(select(groups.id).where(groups.address == mailboxes.address).exists())
        aliases_hit = new_rows.where(select(_routes.id).where(_routes.source == mailboxes.address).exists())
        found = dict.fromkeys(connection.execute(groups_hit).scalars(), "group")
        found.update(dict.fromkeys(connection.execute(aliases_hit).scalars(), "alias"))
        self._refuse_clash(lines, found)

    def _refuse_clash(self, lines: dict[str, int], found: dict[str, str]) -> None:
        """Refuse, naming the first line whose address is already a mailbox, group or alias."""
        if found:
            address = min(found, key=lines.__getitem__)
            what = MESSAGES(f"what.{found[address]}")
            detail = MESSAGES("mailbox_exists_as", address=show_address(address), what=what)
            raise Refused("one_thing", MESSAGES("import_line", line=lines[address], detail=detail))

    # -- reads --------------------------------------------------------------------------------------

    def trace(self, address: str) -> Trace:
        """Where mail to `address` ends up, as Postfix expands it. Raises AddressError for bad input."""
        parsed = parse_address(address)
        with self._sessions() as session:
            graph = _Graph(session)
            graph.load_reachable([parsed])
            expansion = expand(parsed, graph.lookup)
            deliveries = () if expansion.loops else graph.deliveries(expansion)
            return Trace(parsed, expansion.steps, deliveries, expansion.loops)

    def domains(self) -> list[str]:
        with self._sessions() as session:
            return [show_domain(name) for name in session.scalars(select(Domain.name).order_by(Domain.name))]

    def mailboxes(self, domain: str | None = None) -> list[MailboxInfo]:
        with self._sessions() as session:
            query = select(Mailbox.address, Mailbox.display_name, Mailbox.maildir).order_by(Mailbox.address)
            if domain is not None:
                query = query.join(Domain).where(Domain.name == parse_domain(domain))
            return [MailboxInfo(show_address(a), n, m) for a, n, m in session.execute(query)]

    def aliases(self, domain: str | None = None) -> list[AliasInfo]:
        return [AliasInfo(s, d) for s, d in self._routes_of_kind(RouteKind.ALIAS, domain)]

    def forward(self, address: str) -> ForwardInfo | None:
        """The forward of a mailbox, or None. Raises AddressError for bad input."""
        parsed = parse_address(address)
        with self._sessions() as session:
            state = _Graph(session).state(parsed)
        targets = state.destinations(RouteKind.FORWARD)
        if not targets:
            return None
        keep_copy = (parsed, RouteKind.KEEP_COPY.value) in state.routes
        return ForwardInfo(show_address(parsed), _list(targets), keep_copy)

    def members(self, group: str) -> list[str] | None:
        """The members of a group (shown form), or None when it is no group. Raises AddressError."""
        parsed = parse_address(group)
        with self._sessions() as session:
            state = _Graph(session).state(parsed)
        if state.group_name is None:
            return None
        return [show_address(m) for m in state.destinations(RouteKind.MEMBER)]

    def groups(self, domain: str | None = None) -> list[GroupInfo]:
        with self._sessions() as session:
            query = select(DistributionGroup.address, DistributionGroup.display_name).order_by(
                DistributionGroup.address
            )
            if domain is not None:
                query = query.join(Domain).where(Domain.name == parse_domain(domain))
            groups = session.execute(query).all()
            counts = dict(
                session.execute(
                    select(Route.source, func.count())
                    .where(Route.kind == RouteKind.MEMBER)
                    .group_by(Route.source)
                ).all()
            )
        return [GroupInfo(show_address(a), n, counts.get(a, 0)) for a, n in groups]

    def _routes_of_kind(self, kind: RouteKind, domain: str | None) -> list[tuple[str, str]]:
        with self._sessions() as session:
            query = select(Route.source, Route.destination).where(Route.kind == kind).order_by(Route.source)
            if domain is not None:
                query = query.where(Route.source.like(f"%@{parse_domain(domain)}"))
            return [(show_address(s), show_address(d)) for s, d in session.execute(query)]

    def audit(self, limit: int = 50) -> list[AuditRecord]:
        """The newest audit entries first."""
        with self._sessions() as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
            return [
                AuditRecord(
                    e.id,
                    e.at,
                    e.actor,
                    e.team,
                    e.action,
                    _show_subject(e.subject),
                    e.before,
                    e.after,
                    e.undo_of,
                    e.undone_by,
                )
                for e in entries
            ]


def _show_subject(subject: str) -> str:
    return show_address(subject) if "@" in subject else show_domain(subject)


def _check_name(name: str) -> str:
    """A display name as stored: one line of printable text, at most MAX_NAME characters."""
    if len(name) > MAX_NAME:
        raise Refused("limits", MESSAGES("name_too_long", limit=MAX_NAME))
    if any(unicodedata.category(c) == "Cc" for c in name):  # line break, tab, NUL (PostgreSQL refuses it)
        raise Refused("name", MESSAGES("name_unprintable"))
    return name


def _mailbox_row(address: str, domain_id: int, name: str) -> dict[str, Any]:
    local, _, domain = address.rpartition("@")
    # virtual(8) delivers to Maildir when the path ends in "/", relative to virtual_mailbox_base.
    return {
        "address": address,
        "domain_id": domain_id,
        "maildir": f"{domain}/{local}/",
        "display_name": _check_name(name.strip()),
    }
