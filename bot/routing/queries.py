"""Read queries for adapters: trace, and the lists of domains, mailboxes, aliases, forwards, groups, audit.

Each takes an open session and returns plain values in the shown (Unicode) form. Functions that
take an address raise AddressError for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.routing.addresses import (
    parse_address,
    parse_domain,
    recipient_key,
    show_address,
    show_addresses,
    show_domain,
)
from bot.routing.graph import RoutingGraph
from bot.routing.models import MAX_ID, AuditEntry, DistributionGroup, Domain, Mailbox, Route, RouteKind
from bot.routing.trace import Trace


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
    requested_by: str | None = None  # the customer whose request `actor` approved


def trace(session: Session, address: str, scope: frozenset[str] | None = None) -> Trace:
    """Where mail to `address` ends up, as Postfix expands it (the address as Postfix would get it:
    an extension and a U-label domain are kept, see `recipient_key`). With a customer's `scope`,
    addresses outside it end the walk and are shown as such (what becomes of their mail is not
    theirs to see)."""
    key = recipient_key(address)
    graph = RoutingGraph(session)

    def lookup(source: str) -> list[tuple[str, str]]:
        return graph.lookup(source) if graph.in_scope(source, scope) else []

    stored = graph.stored_form(key)
    if stored is not None and scope is None:
        graph.load_reachable([stored])
    expansion = graph.expand(key, lookup)
    deliveries = () if expansion.loops else graph.deliveries(expansion, scope)
    return Trace(key, expansion.steps, deliveries, expansion.loops)


def domains(session: Session) -> list[str]:
    return [show_domain(name) for name in session.scalars(select(Domain.name).order_by(Domain.name))]


def mailboxes(session: Session, domain: str | None = None) -> list[MailboxInfo]:
    query = select(Mailbox.address, Mailbox.display_name, Mailbox.maildir).order_by(Mailbox.address)
    if domain is not None:
        query = query.join(Domain).where(Domain.name == parse_domain(domain))
    return [MailboxInfo(show_address(a), n, m) for a, n, m in session.execute(query)]


def aliases(session: Session, domain: str | None = None) -> list[AliasInfo]:
    return [AliasInfo(s, d) for s, d in _routes_of_kind(session, RouteKind.ALIAS, domain)]


def forward(session: Session, address: str) -> ForwardInfo | None:
    """The forward of a mailbox, or None."""
    parsed = parse_address(address)
    state = RoutingGraph(session).state(parsed)
    targets = state.destinations(RouteKind.FORWARD)
    if not targets:
        return None
    keep_copy = (parsed, RouteKind.KEEP_COPY.value) in state.routes
    return ForwardInfo(show_address(parsed), show_addresses(targets), keep_copy)


def forwards(session: Session, domain: str | None = None) -> list[ForwardInfo]:
    """The forwarded mailboxes, of one domain or all."""
    targets: dict[str, list[str]] = {}
    for source, target in _routes_of_kind(session, RouteKind.FORWARD, domain):
        targets.setdefault(source, []).append(target)
    copies = {source for source, _ in _routes_of_kind(session, RouteKind.KEEP_COPY, domain)}
    return [ForwardInfo(source, ", ".join(found), source in copies) for source, found in targets.items()]


def members(session: Session, group: str) -> list[str] | None:
    """The members of a group (shown form), or None when it is no group."""
    parsed = parse_address(group)
    state = RoutingGraph(session).state(parsed)
    if state.group_name is None:
        return None
    return [show_address(m) for m in state.destinations(RouteKind.MEMBER)]


def groups(session: Session, domain: str | None = None) -> list[GroupInfo]:
    query = select(DistributionGroup.address, DistributionGroup.display_name).order_by(
        DistributionGroup.address
    )
    if domain is not None:
        query = query.join(Domain).where(Domain.name == parse_domain(domain))
    rows = session.execute(query).all()
    counts = dict(
        session.execute(
            select(Route.source, func.count()).where(Route.kind == RouteKind.MEMBER).group_by(Route.source)
        ).all()
    )
    return [GroupInfo(show_address(a), n, counts.get(a, 0)) for a, n in rows]


def _routes_of_kind(session: Session, kind: RouteKind, domain: str | None) -> list[tuple[str, str]]:
    query = select(Route.source, Route.destination).where(Route.kind == kind).order_by(Route.source)
    if domain is not None:
        query = query.where(Route.source.like(f"%@{parse_domain(domain)}"))
    return [(show_address(s), show_address(d)) for s, d in session.execute(query)]


def audit(session: Session, limit: int = 50) -> list[AuditRecord]:
    """The newest `limit` audit entries, newest first (a limit beyond every id means all of them)."""
    limit = max(0, min(limit, MAX_ID))
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
            e.requested_by,
        )
        for e in entries
    ]


def _show_subject(subject: str) -> str:
    return show_address(subject) if "@" in subject else show_domain(subject)
