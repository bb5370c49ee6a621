"""The customer directory: customers, the domains they own and the Slack people who speak for them.

Changed by the provider (`mailbot customer add|remove`), audited in the routing audit log under the
routing write lock (a customer's domains decide what their admins may change), and read to recognise
who asks: a Slack user listed as the customer's (maybe as admin), or anyone of a listed workspace.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.customers.messages import MESSAGES
from bot.customers.models import Customer, CustomerDomain, CustomerMember, MemberKind
from bot.db import utcnow
from bot.i18n import Text
from bot.routing.addresses import AddressError, parse_domain, show_domain
from bot.routing.changes import Actor
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES as ROUTING
from bot.routing.models import Domain
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged
from bot.routing.writing import run_locked, write_audit

ACTION_ADD = "customer.add"
ACTION_REMOVE = "customer.remove"
MAX_NAME = 100
SLACK_IDS = {
    MemberKind.TEAM: re.compile(r"[TE][A-Z0-9]{2,30}"),
    MemberKind.USER: re.compile(r"[UW][A-Z0-9]{2,30}"),
}


class CustomerRefused(Refused):
    """A refusal of the directory: its rule is named from this catalog, not routing's."""

    def text(self) -> Text:
        return ROUTING("refused", rule=MESSAGES(f"rule.{self.rule}"), detail=self.detail)


@dataclass(frozen=True)
class CustomerAccess:
    """Someone recognised as a customer's: the customer, their domains, whether they may change them."""

    customer_id: int
    name: str
    domains: frozenset[str]  # stored (punycode) form
    admin: bool

    @property
    def shown_domains(self) -> str:
        return ", ".join(sorted(show_domain(domain) for domain in self.domains))


@dataclass(frozen=True)
class CustomerInfo:
    name: str
    domains: list[str]  # shown form
    teams: list[str]
    users: list[str]
    admins: list[str]
    created_at: datetime


@dataclass(frozen=True)
class Additions:
    """What `add` is asked to give a customer (as typed)."""

    domains: Sequence[str] = ()
    teams: Sequence[str] = ()
    users: Sequence[str] = ()
    admin: bool = False  # the users are the customer's admins


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME or any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise CustomerRefused("customer", MESSAGES("bad_name"))
    return cleaned


def slack_id(kind: MemberKind, value: str) -> str:
    cleaned = value.strip().upper()
    if not SLACK_IDS[kind].fullmatch(cleaned):
        raise CustomerRefused("slack_id", MESSAGES(f"bad_{kind.value}", value=value))
    return cleaned


def _domain(value: str) -> str:
    try:
        return parse_domain(value)
    except AddressError as error:
        raise Refused("address", error.text) from None


def _what(kind: str, values: Iterable[str]) -> list[Text]:
    return [MESSAGES(f"what.{kind}", value=value) for value in values]


def _joined(parts: list[Text]) -> Text:
    """Several texts as one value, comma-separated (a Text tree, so it renders in either language)."""
    if not parts:
        return MESSAGES("show.nothing")
    joined = parts[-1]
    for part in reversed(parts[:-1]):
        joined = MESSAGES("list", first=part, rest=joined)
    return joined


class CustomerDirectory:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- changes (the provider's) ---------------------------------------------------------------

    def add(self, name: str, additions: Additions, actor: Actor) -> Outcome:
        """Create the customer NAME or give it more domains and Slack people; all of it or none."""
        return run_locked(self._sessions, lambda graph: self._add(graph, check_name(name), additions, actor))

    def _add(self, graph: RoutingGraph, name: str, additions: Additions, actor: Actor) -> Outcome:
        connection = graph.connection
        domains = list(dict.fromkeys(_domain(d) for d in additions.domains))
        teams = list(dict.fromkeys(slack_id(MemberKind.TEAM, t) for t in additions.teams))
        users = list(dict.fromkeys(slack_id(MemberKind.USER, u) for u in additions.users))
        customer_id = connection.execute(select(Customer.id).where(Customer.name == name)).scalar()
        created = customer_id is None
        if created and not domains:
            raise CustomerRefused("customer", MESSAGES("no_domain"))
        domain_ids: dict[str, int] = {}
        for domain in domains:
            domain_id = connection.execute(select(Domain.id).where(Domain.name == domain)).scalar()
            if domain_id is None:
                raise Refused("own_domain", ROUTING("domain_unknown", domain=show_domain(domain)))
            owner = connection.execute(
                select(Customer.id, Customer.name)
                .join(CustomerDomain, CustomerDomain.customer_id == Customer.id)
                .where(CustomerDomain.domain_id == domain_id)
            ).first()
            if owner is not None and owner.id != customer_id:
                raise CustomerRefused(
                    "one_customer", MESSAGES("domain_taken", domain=show_domain(domain), customer=owner.name)
                )
            if owner is None:
                domain_ids[domain] = int(domain_id)
        members = [(MemberKind.TEAM, team, False) for team in teams]
        members += [(MemberKind.USER, user, additions.admin) for user in users]
        new_members: list[tuple[MemberKind, str, bool]] = []
        promoted: list[str] = []
        for kind, value, admin in members:
            row = connection.execute(
                select(CustomerMember.customer_id, CustomerMember.admin, Customer.name)
                .join(Customer, Customer.id == CustomerMember.customer_id)
                .where(CustomerMember.kind == kind.value, CustomerMember.slack_id == value)
            ).first()
            if row is not None and row.customer_id != customer_id:
                who = MESSAGES(f"what.{kind.value}", value=value)
                raise CustomerRefused("one_customer", MESSAGES("member_taken", who=who, customer=row.name))
            if row is None:
                new_members.append((kind, value, admin))
            elif admin and not row.admin:
                promoted.append(value)
        if not (created or domain_ids or new_members or promoted):
            raise Unchanged(MESSAGES("unchanged", customer=name))
        if created:
            customer_id = connection.execute(
                insert(Customer).values(name=name, created_at=utcnow()).returning(Customer.id)
            ).scalar_one()
        for domain_id in domain_ids.values():
            connection.execute(insert(CustomerDomain).values(domain_id=domain_id, customer_id=customer_id))
        for kind, value, admin in new_members:
            connection.execute(
                insert(CustomerMember).values(
                    customer_id=customer_id, kind=kind.value, slack_id=value, admin=admin
                )
            )
        for value in promoted:
            connection.execute(
                update(CustomerMember)
                .where(CustomerMember.kind == MemberKind.USER.value, CustomerMember.slack_id == value)
                .values(admin=True)
            )
        details = {
            "customer": name,
            "domains": list(domain_ids),
            "teams": [v for k, v, _ in new_members if k is MemberKind.TEAM],
            "users": [v for k, v, _ in new_members if k is MemberKind.USER],
            "admins": [v for k, v, a in new_members if a] + promoted,
        }
        change_id = write_audit(graph, actor, ACTION_ADD, name, None, None, details=_audited(details))
        what = self._described(details)
        key = "created" if created else "added"
        return Outcome(Status.OK, MESSAGES(key, customer=name, what=what), change_id=change_id)

    def remove(
        self,
        name: str,
        actor: Actor,
        domains: Sequence[str] = (),
        teams: Sequence[str] = (),
        users: Sequence[str] = (),
    ) -> Outcome:
        """Take domains or Slack people from the customer NAME, or (none named) remove the customer."""
        return run_locked(
            self._sessions, lambda graph: self._remove(graph, name.strip(), actor, domains, teams, users)
        )

    def _remove(
        self,
        graph: RoutingGraph,
        name: str,
        actor: Actor,
        domains: Sequence[str],
        teams: Sequence[str],
        users: Sequence[str],
    ) -> Outcome:
        connection = graph.connection
        customer_id = connection.execute(select(Customer.id).where(Customer.name == name)).scalar()
        if customer_id is None:
            raise CustomerRefused("customer", MESSAGES("unknown_customer", customer=name))
        if not (domains or teams or users):
            details: dict[str, Any] = {"customer": name, **self._members_of(graph.session, customer_id)}
            connection.execute(delete(CustomerDomain).where(CustomerDomain.customer_id == customer_id))
            connection.execute(delete(CustomerMember).where(CustomerMember.customer_id == customer_id))
            connection.execute(delete(Customer).where(Customer.id == customer_id))
            change_id = write_audit(graph, actor, ACTION_REMOVE, name, None, None, details=_audited(details))
            return Outcome(Status.OK, MESSAGES("deleted", customer=name), change_id=change_id)
        removed: dict[str, list[str]] = {"domains": [], "teams": [], "users": []}
        for raw in domains:
            domain = _domain(raw)
            domain_id = connection.execute(
                select(CustomerDomain.domain_id)
                .join(Domain, Domain.id == CustomerDomain.domain_id)
                .where(Domain.name == domain, CustomerDomain.customer_id == customer_id)
            ).scalar()
            if domain_id is None:
                what = MESSAGES("what.domain", value=show_domain(domain))
                raise CustomerRefused("customer", MESSAGES("not_theirs", what=what, customer=name))
            connection.execute(delete(CustomerDomain).where(CustomerDomain.domain_id == domain_id))
            removed["domains"].append(domain)
        for kind, values, key in ((MemberKind.TEAM, teams, "teams"), (MemberKind.USER, users, "users")):
            for raw in values:
                value = slack_id(kind, raw)
                gone = connection.execute(
                    delete(CustomerMember).where(
                        CustomerMember.customer_id == customer_id,
                        CustomerMember.kind == kind.value,
                        CustomerMember.slack_id == value,
                    )
                ).rowcount
                if not gone:
                    what = MESSAGES(f"what.{kind.value}", value=value)
                    raise CustomerRefused("customer", MESSAGES("not_theirs", what=what, customer=name))
                removed[key].append(value)
        details = {"customer": name, **removed}
        change_id = write_audit(graph, actor, ACTION_REMOVE, name, None, None, details=_audited(details))
        return Outcome(
            Status.OK, MESSAGES("removed", customer=name, what=self._described(details)), change_id=change_id
        )

    @staticmethod
    def _described(details: dict[str, Any]) -> Text:
        admins = set(details.get("admins", []))
        parts = _what("domain", (show_domain(d) for d in details.get("domains", [])))
        parts += _what("team", details.get("teams", []))
        parts += _what("user", (u for u in details.get("users", []) if u not in admins))
        parts += _what("admin", sorted(admins))
        return _joined(parts)

    # -- reads --------------------------------------------------------------------------------------

    def customers(self) -> list[CustomerInfo]:
        with self._sessions() as session:
            rows = session.execute(select(Customer).order_by(Customer.name)).scalars().all()
            return [self._info(session, row) for row in rows]

    def customer(self, name: str) -> CustomerInfo | None:
        with self._sessions() as session:
            row = session.scalar(select(Customer).where(Customer.name == name.strip()))
            return None if row is None else self._info(session, row)

    def _info(self, session: Session, customer: Customer) -> CustomerInfo:
        members = self._members_of(session, customer.id)
        return CustomerInfo(
            customer.name,
            [show_domain(d) for d in members["domains"]],
            members["teams"],
            members["users"],
            members["admins"],
            customer.created_at,
        )

    @staticmethod
    def _members_of(session: Session, customer_id: int) -> dict[str, list[str]]:
        domains = session.scalars(
            select(Domain.name)
            .join(CustomerDomain, CustomerDomain.domain_id == Domain.id)
            .where(CustomerDomain.customer_id == customer_id)
            .order_by(Domain.name)
        ).all()
        rows = session.execute(
            select(CustomerMember.kind, CustomerMember.slack_id, CustomerMember.admin)
            .where(CustomerMember.customer_id == customer_id)
            .order_by(CustomerMember.slack_id)
        ).all()
        return {
            "domains": list(domains),
            "teams": [s for k, s, _ in rows if k == MemberKind.TEAM.value],
            "users": [s for k, s, _ in rows if k == MemberKind.USER.value],
            "admins": [s for k, s, a in rows if k == MemberKind.USER.value and a],
        }

    def admins(self, customer_id: int) -> list[str]:
        """The Slack users listed as the customer's admins."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(CustomerMember.slack_id)
                    .where(
                        CustomerMember.customer_id == customer_id,
                        CustomerMember.kind == MemberKind.USER.value,
                        CustomerMember.admin.is_(True),
                    )
                    .order_by(CustomerMember.slack_id)
                )
            )

    def access(self, name: str, admin: bool = True) -> CustomerAccess | None:
        """The customer NAME as one of their people sees it (the terminal's and CLI's --as-customer)."""
        with self._sessions() as session:
            customer_id = session.scalar(select(Customer.id).where(Customer.name == name.strip()))
            return None if customer_id is None else _access(session, customer_id, name.strip(), admin)

    def identify(self, user_id: str, team_id: str | None) -> CustomerAccess | None:
        """The customer whose person this is: listed by user id (maybe as admin), else by workspace."""
        with self._sessions() as session:
            rows = session.execute(
                select(CustomerMember.customer_id, CustomerMember.kind, CustomerMember.admin, Customer.name)
                .join(Customer, Customer.id == CustomerMember.customer_id)
                .where(
                    ((CustomerMember.kind == MemberKind.USER.value) & (CustomerMember.slack_id == user_id))
                    | ((CustomerMember.kind == MemberKind.TEAM.value) & (CustomerMember.slack_id == team_id))
                )
            ).all()
            if not rows:
                return None
            # A user listed by id wins over their workspace (they may be another customer's consultant).
            row = min(rows, key=lambda r: r.kind != MemberKind.USER.value)
            return _access(
                session, row.customer_id, row.name, row.kind == MemberKind.USER.value and row.admin
            )


def _audited(details: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a directory change: domains and workspaces, but of people only how many
    (the audit is kept for good; who is listed now is in customer_members, which erasure reaches)."""
    people = {key: len(details.get(key, [])) for key in ("users", "admins")}
    return {key: value for key, value in details.items() if key not in people} | people


def _access(session: Session, customer_id: int, name: str, admin: bool) -> CustomerAccess:
    domains = session.scalars(
        select(Domain.name)
        .join(CustomerDomain, CustomerDomain.domain_id == Domain.id)
        .where(CustomerDomain.customer_id == customer_id)
    ).all()
    return CustomerAccess(customer_id, name, frozenset(domains), admin)
