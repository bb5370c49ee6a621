"""A routing database with two domains and a few mailboxes, for the routing tests.

Both domains get postmaster@ and abuse@ from `domain add`; kulexempel.se has anna, bertil and
cecilia, exämpel.se has info (an IDN, stored as xn--exmpel-cua.se).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.routing.changes import Actor, Role
from bot.routing.models import AuditEntry, DistributionGroup, Domain, Mailbox, Route
from bot.routing.service import RoutingService

ADMIN = Actor("operator", Role.ADMIN)
AGENT = Actor("U123AGENT", Role.AGENT, team="T1")
D = "kulexempel.se"


def a(local: str) -> str:
    return f"{local}@{D}"


def seeded_service(session_factory: sessionmaker[Session]) -> RoutingService:
    service = RoutingService(session_factory)
    for domain in (D, "exämpel.se"):
        assert service.add_domain(domain, ADMIN).ok
    for mailbox in (a("anna"), a("bertil"), a("cecilia"), "info@exämpel.se"):
        assert service.add_mailbox(mailbox, ADMIN).ok
    return service


def snapshot(session_factory: sessionmaker[Session]) -> tuple[Any, ...]:
    """Everything a routing change writes, for "a refused change wrote nothing"."""
    with session_factory() as session:
        return (
            sorted(session.execute(select(Route.source, Route.destination, Route.kind)).all()),
            sorted(session.scalars(select(Mailbox.address))),
            sorted(session.execute(select(DistributionGroup.address, DistributionGroup.display_name)).all()),
            sorted(session.scalars(select(Domain.name))),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )
