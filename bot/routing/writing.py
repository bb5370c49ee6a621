"""Writing routing changes: the write lock, the rows of a plan, and the audit row beside them.

Every write runs in `run_locked`: one transaction that first takes the routing write lock, so
the rules (which read the whole graph) and the write see the same graph; a refusal rolls it
all back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.routing.addresses import split_extension
from bot.routing.changes import Actor
from bot.routing.graph import RoutingGraph
from bot.routing.models import AuditEntry, DistributionGroup, Route, RouteKind
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged
from bot.routing.state import AddressState, Plan

# Any fixed number: the key of PostgreSQL's advisory lock for routing changes.
ROUTING_LOCK_KEY = 0x6D61696C  # "mail"

# Audit actions that are not Change requests.
ACTION_UNDO = "undo"
ACTION_DOMAIN_ADD = "domain.add"
ACTION_MAILBOX_ADD = "mailbox.add"
ACTION_MAILBOX_IMPORT = "mailbox.import"
# The provider's own loads: audited without a state before and after, so never undone.
PROVIDER_ACTIONS = (ACTION_DOMAIN_ADD, ACTION_MAILBOX_ADD, ACTION_MAILBOX_IMPORT)


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


def run_locked(sessions: sessionmaker[Session], work: Callable[[RoutingGraph], Outcome]) -> Outcome:
    """Run `work` in one transaction under the routing write lock; a refusal writes nothing."""
    with sessions() as session:
        try:
            with session.begin():  # an exception rolls everything back
                lock_routing(session)
                return work(RoutingGraph(session))
        except Refused as refusal:
            return Outcome(Status.REFUSED, refusal.text(), refusal.rule)
        except Unchanged as unchanged:
            return Outcome(Status.UNCHANGED, unchanged.message)


def write_plan(graph: RoutingGraph, plan: Plan) -> None:
    """Make the subject's rows what the plan wants: routes, and the group row of a group."""
    connection, subject = graph.connection, plan.subject
    before, after = plan.before, plan.after
    graph.forget(subject)
    for destination, _ in before.routes - after.routes:
        connection.execute(delete(Route).where(Route.source == subject, Route.destination == destination))
    added = sorted(after.routes - before.routes)
    if added:
        source_unicode = graph.unicode_form(subject)  # the key Postfix gets for the U-label form
        rows = [
            {
                "source": subject,
                "source_unicode": source_unicode,
                "destination": d,
                "destination_base": base_of(d),
                "kind": RouteKind(k),
                "created_at": utcnow(),
            }
            for d, k in added
        ]
        connection.execute(insert(Route), rows)
    if before.group_name is None and after.group_name is not None:
        connection.execute(
            insert(DistributionGroup).values(
                address=subject,
                domain_id=graph.domain_id(subject),
                display_name=after.group_name,
                created_at=utcnow(),
            )
        )
    elif before.group_name is not None and after.group_name is None:
        connection.execute(delete(DistributionGroup).where(DistributionGroup.address == subject))
    elif before.group_name != after.group_name:
        connection.execute(
            update(DistributionGroup)
            .where(DistributionGroup.address == subject)
            .values(display_name=after.group_name)
        )


def write_audit(
    graph: RoutingGraph,
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
        insert(AuditEntry).values(
            at=utcnow(),
            actor=actor.name,
            team=actor.team,
            requested_by=actor.requested_by,
            action=action,
            subject=subject,
            before=before.to_json() if before else None,
            after=after.to_json() if after else details,
            undo_of=undo_of,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def base_of(destination: str) -> str | None:
    """The `destination_base` column: the address without its extension, if it has one."""
    split = split_extension(destination)
    return None if split is None else split[0]


def perform(graph: RoutingGraph, plan: Plan, bounces: tuple[str, ...], actor: Actor, action: str) -> Outcome:
    """Write a checked plan and its audit row; the outcome carries the change id."""
    write_plan(graph, plan)
    change_id = write_audit(graph, actor, action, plan.subject, plan.before, plan.after)
    return Outcome(Status.OK, plan.effect, bounces=bounces, change_id=change_id)
