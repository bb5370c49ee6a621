"""Undo: put an address back the way an earlier change found it, through the same rules.

Only if nothing changed that address since (the refusal names the later change); an undo is
itself audited, so undoing the undo redoes the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.routing.addresses import show_address
from bot.routing.changes import Actor
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES
from bot.routing.models import AuditEntry
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged
from bot.routing.rules import validate
from bot.routing.scope import concealed_for, in_scope, require_in_scope
from bot.routing.state import AddressState, Plan
from bot.routing.writing import ACTION_UNDO, write_audit, write_plan


def undo_change(graph: RoutingGraph, change_id: int, actor: Actor) -> Outcome:
    session = graph.session
    entry = session.get(AuditEntry, change_id)
    # A customer's admin is told nothing of changes outside their domains, not even that they exist.
    if entry is None or not in_scope(entry.subject, actor.scope):
        raise Refused("undo", MESSAGES("no_such_change", id=change_id))
    if entry.undone_by is not None:
        raise Unchanged(MESSAGES("unchanged.undone", id=change_id, by=entry.undone_by))
    before: dict[str, Any] | None = entry.before
    after: dict[str, Any] | None = entry.after
    if before is None or after is None:  # domains and mailboxes: loaded by the provider, not undone here
        raise Refused("undo", MESSAGES("not_undoable", id=change_id, action=entry.action))
    subject = entry.subject
    current = graph.state(subject)
    if current != AddressState.from_json(after):
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
    plan = Plan(subject, current, AddressState.from_json(before), effect)
    with concealed_for(actor):
        require_in_scope(actor, [d for d, _ in plan.after.routes - plan.before.routes])
        validate(graph, plan, actor)
    write_plan(graph, plan)
    undo_id = write_audit(graph, actor, ACTION_UNDO, subject, plan.before, plan.after, undo_of=change_id)
    entry.undone_by = undo_id
    return Outcome(Status.OK, effect, change_id=undo_id)
