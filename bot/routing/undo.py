"""Undo: put an address back the way an earlier change found it, through the same rules.

The changes of one address form a chain through their undos: the newest change, the change it
undid (if it is an undo), the change that one undid, and so on. Change N is in effect when it is
in that chain an even number of steps from the newest (0: it is the newest; 2: it was undone and
that undo was undone), and then undoing it reverts the newest change; an odd number of steps
means it is undone already; not in the chain means a later change replaced it (the refusal names
it). An undo is itself audited, so undoing the undo redoes the change; `undone_by` is kept true
along the chain (set where a change is undone now, cleared where it is in effect again).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.routing.addresses import show_address
from bot.routing.changes import Actor
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES
from bot.routing.models import MAX_ID, AuditEntry
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged
from bot.routing.rules import AllowedBounces, validate
from bot.routing.scope import concealed_for, in_scope, require_in_scope
from bot.routing.state import AddressState, Plan
from bot.routing.writing import ACTION_UNDO, PROVIDER_ACTIONS, write_audit, write_plan


def undo_change(
    graph: RoutingGraph, change_id: int, actor: Actor, allow_bounces: AllowedBounces = True
) -> Outcome:
    session = graph.session
    entry = session.get(AuditEntry, change_id) if 1 <= change_id <= MAX_ID else None
    # A customer's admin is told nothing of changes outside their domains, not even that they exist.
    if entry is None or not in_scope(entry.subject, actor.scope):
        raise Refused("undo", MESSAGES("no_such_change", id=change_id))
    if entry.action in PROVIDER_ACTIONS or entry.before is None or entry.after is None:
        raise Refused("undo", MESSAGES("not_undoable", id=change_id, action=entry.action))
    subject = entry.subject
    chain = undo_chain(graph, subject)
    newest = chain[0]
    steps = next((n for n, link in enumerate(chain) if link.id == change_id), None)
    if steps is None:
        raise Refused(
            "undo", MESSAGES("changed_since", address=show_address(subject), id=change_id, later=newest.id)
        )
    if steps % 2 == 1:
        raise Unchanged(MESSAGES("unchanged.undone", id=change_id, by=newest.id))
    current = graph.state(subject)
    if newest.after is None or newest.before is None or current != AddressState.from_json(newest.after):
        # The tables no longer say what the newest change wrote: changed outside mailbot.
        raise Refused("undo", MESSAGES("changed_outside", address=show_address(subject), id=newest.id))
    effect = MESSAGES("effect.undo", address=show_address(subject), id=change_id, action=entry.action)
    plan = Plan(subject, current, AddressState.from_json(newest.before), effect)
    with concealed_for(actor):
        require_in_scope(actor.scope, [d for d, _ in plan.after.routes - plan.before.routes])
        bounces = validate(graph, plan, actor, allow_bounces)
    write_plan(graph, plan)
    undo_id = write_audit(graph, actor, ACTION_UNDO, subject, plan.before, plan.after, undo_of=newest.id)
    for position, link in enumerate(chain):
        link.undone_by = undo_id if position % 2 == 0 else None
    return Outcome(Status.OK, effect, bounces=bounces, change_id=undo_id)


def undo_chain(graph: RoutingGraph, subject: str) -> list[AuditEntry]:
    """The newest routing change of `subject`, then the change it undid, and so on back to one that
    is no undo. The provider's loads (a mailbox added) change no routing state and are not in it."""
    session = graph.session
    newest = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == subject, AuditEntry.action.not_in(PROVIDER_ACTIONS))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one()
    chain = [newest]
    while (undone := chain[-1].undo_of) is not None:
        chain.append(session.get_one(AuditEntry, undone))
    return chain
