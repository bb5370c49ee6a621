"""Planning: one change request -> the wanted state of one address, checked against every rule.

Each change kind has its planner, which refuses what does not fit that kind ("not a mailbox",
"already an alias") or says it is already so; `plan_change` then runs the rules every state
must keep (`rules.validate`).
"""

from __future__ import annotations

from bot.i18n import Text
from bot.routing.addresses import domain_of, show_address, show_addresses, show_outside, split_extension
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
    SetForward,
)
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES
from bot.routing.models import RouteKind
from bot.routing.outcomes import Refused, Unchanged
from bot.routing.rules import (
    AllowedBounces,
    check_name,
    parse,
    refuse_if_taken,
    require_hosted_name,
    validate,
)
from bot.routing.scope import concealed_for, named_addresses, require_in_scope
from bot.routing.state import AddressState, Plan


def plan_change(
    graph: RoutingGraph, change: Change, actor: Actor, allow_bounces: AllowedBounces = True
) -> tuple[Plan, tuple[str, ...]]:
    """The plan for `change` by `actor` and the addresses it makes bounce; raises Refused or Unchanged.
    A customer admin's change names addresses in their own domains only, checked before anything is
    read; refusals that would show addresses outside them are concealed (see `scope`)."""
    require_in_scope(actor.scope, [parse(raw) for raw in named_addresses(change)])
    with concealed_for(actor):
        plan = _plan(graph, change)
        return plan, validate(graph, plan, actor, allow_bounces)


def _plan(graph: RoutingGraph, change: Change) -> Plan:
    match change:
        case AddAlias(alias=raw_alias, mailbox=raw_mailbox):
            plan = _plan_add_alias(graph, parse(raw_alias), parse(raw_mailbox))
        case RemoveAlias(alias=raw_alias):
            plan = _plan_remove_alias(graph, parse(raw_alias))
        case SetForward(address=raw_address, target=raw_target, keep_copy=keep_copy):
            plan = _plan_set_forward(graph, parse(raw_address), parse(raw_target), keep_copy)
        case ClearForward(address=raw_address):
            plan = _plan_clear_forward(graph, parse(raw_address))
        case CreateGroup(address=raw_address, name=name):
            plan = _plan_create_group(graph, parse(raw_address), name.strip())
        case DeleteGroup(address=raw_address):
            plan = _plan_delete_group(graph, parse(raw_address))
        case AddMembers(group=raw_group, members=raw_members):
            plan = _plan_add_members(graph, parse(raw_group), [parse(m) for m in raw_members])
        case RemoveMember(group=raw_group, member=raw_member):
            plan = _plan_remove_member(graph, parse(raw_group), parse(raw_member))
        case _:
            raise TypeError(f"not a routing change: {change!r}")
    return plan


def _same_address(address: str, other: str) -> bool:
    """`other` is `address`, or `address` with an extension (Postfix looks that up as `address`)."""
    split = split_extension(other)
    return other == address or (split is not None and split[0] == address)


def _plan_add_alias(graph: RoutingGraph, alias: str, mailbox: str) -> Plan:
    graph.domain_id(alias)
    before = graph.state(alias)
    refuse_if_taken(graph, alias, before, allowed="alias")
    if not before.routes:
        require_hosted_name(alias)
    current = before.destinations(RouteKind.ALIAS)
    if current == [mailbox]:
        raise Unchanged(MESSAGES("unchanged.alias", alias=show_address(alias), mailbox=show_address(mailbox)))
    if current:
        raise Refused(
            "one_thing",
            MESSAGES("already_alias", address=show_address(alias), mailbox=show_addresses(current)),
        )
    if not graph.is_mailbox(mailbox):
        raise Refused("alias_target", MESSAGES("not_a_mailbox", address=show_address(mailbox)))
    after = AddressState(None, frozenset({(mailbox, RouteKind.ALIAS.value)}))
    return Plan(alias, before, after, _alias_effect(graph, alias, mailbox))


def _alias_effect(graph: RoutingGraph, alias: str, mailbox: str) -> Text:
    """Where mail to the new alias goes: the mailbox's inbox, unless the mailbox forwards it on."""
    shown = {"alias": show_address(alias), "mailbox": show_address(mailbox)}
    forwarding = graph.state(mailbox)
    targets = forwarding.destinations(RouteKind.FORWARD)
    if not targets:
        return MESSAGES("effect.add_alias", **shown)
    keeps_copy = bool(forwarding.destinations(RouteKind.KEEP_COPY))
    key = "effect.add_alias_forwarded_keep_copy" if keeps_copy else "effect.add_alias_forwarded"
    return _noting_outside(graph, MESSAGES(key, target=show_addresses(targets), **shown), targets)


def _plan_remove_alias(graph: RoutingGraph, alias: str) -> Plan:
    before = graph.state(alias)
    shown = show_address(alias)
    if graph.is_mailbox(alias):
        raise Refused("one_thing", MESSAGES("not_an_alias", address=shown, what=MESSAGES("what.mailbox")))
    if before.group_name is not None:
        raise Refused("one_thing", MESSAGES("not_an_alias", address=shown, what=MESSAGES("what.group")))
    mailboxes = before.destinations(RouteKind.ALIAS)
    if not mailboxes:
        raise Unchanged(MESSAGES("unchanged.no_alias", alias=shown))
    effect = MESSAGES("effect.remove_alias", alias=shown, mailbox=show_addresses(mailboxes))
    return Plan(alias, before, AddressState(None, frozenset()), effect)


def _mailbox_state(graph: RoutingGraph, address: str) -> AddressState:
    graph.domain_id(address)
    if not graph.is_mailbox(address):
        raise Refused("forward_source", MESSAGES("not_a_mailbox", address=show_address(address)))
    return graph.state(address)


def _plan_set_forward(graph: RoutingGraph, address: str, target: str, keep_copy: bool) -> Plan:
    before = _mailbox_state(graph, address)
    if _same_address(address, target):
        raise Refused("self_forward", MESSAGES("self_forward", address=show_address(address)))
    routes = {(target, RouteKind.FORWARD.value)}
    if keep_copy:
        routes.add((address, RouteKind.KEEP_COPY.value))
    after = AddressState(None, frozenset(routes))
    if after == before:
        raise Unchanged(MESSAGES("unchanged.forward", address=show_address(address)))
    key = "effect.set_forward_keep_copy" if keep_copy else "effect.set_forward"
    effect = MESSAGES(key, address=show_address(address), target=show_address(target))
    return Plan(address, before, after, _noting_outside(graph, effect, [target]))


def _plan_clear_forward(graph: RoutingGraph, address: str) -> Plan:
    before = _mailbox_state(graph, address)
    targets = before.destinations(RouteKind.FORWARD)
    if not targets:
        raise Unchanged(MESSAGES("unchanged.no_forward", address=show_address(address)))
    effect = MESSAGES("effect.clear_forward", address=show_address(address), target=show_addresses(targets))
    return Plan(address, before, AddressState(None, frozenset()), effect)


def _plan_create_group(graph: RoutingGraph, address: str, name: str) -> Plan:
    graph.domain_id(address)
    before = graph.state(address)
    shown = show_address(address)
    refuse_if_taken(graph, address, before, allowed="group")
    if before.group_name is None:
        require_hosted_name(address)
    check_name(name)
    if before.group_name is not None:
        if before.group_name == name:
            raise Unchanged(MESSAGES("unchanged.group", address=shown))
        raise Refused("one_thing", MESSAGES("group_named_otherwise", address=shown, name=before.group_name))
    after = AddressState(name, frozenset())
    return Plan(address, before, after, MESSAGES("effect.create_group", address=shown, name=name or shown))


def _group_state(graph: RoutingGraph, group: str) -> AddressState:
    state = graph.state(group)
    if state.group_name is None:
        raise Refused("exists", MESSAGES("not_a_group", address=show_address(group)))
    return state


def _plan_delete_group(graph: RoutingGraph, group: str) -> Plan:
    before = graph.state(group)
    shown = show_address(group)
    if before.group_name is None:
        if graph.exists(group):
            raise Refused("exists", MESSAGES("not_a_group", address=shown))
        raise Unchanged(MESSAGES("unchanged.no_group", address=shown))
    effect = MESSAGES("effect.delete_group", address=shown, count=len(before.routes))
    return Plan(group, before, AddressState(None, frozenset()), effect)


def _plan_add_members(graph: RoutingGraph, group: str, members: list[str]) -> Plan:
    before = _group_state(graph, group)
    if not members:
        raise Refused("exists", MESSAGES("no_members_given"))
    if any(_same_address(group, member) for member in members):
        raise Refused("no_loops", MESSAGES("group_in_itself", address=show_address(group)))
    current = set(before.destinations(RouteKind.MEMBER))
    new = [m for m in dict.fromkeys(members) if m not in current]
    if not new:
        raise Unchanged(MESSAGES("unchanged.members", group=show_address(group)))
    after = AddressState(before.group_name, before.routes | {(m, RouteKind.MEMBER.value) for m in new})
    effect = MESSAGES("effect.add_members", group=show_address(group), members=show_addresses(new))
    return Plan(group, before, after, _noting_outside(graph, effect, new))


def _noting_outside(graph: RoutingGraph, effect: Text, targets: list[str]) -> Text:
    """The effect, then which of the targets are outside our domains: one may look like ours."""
    outside = [show_outside(target) for target in targets if not graph.is_hosted(domain_of(target))]
    return MESSAGES("effect.outside", effect=effect, addresses=", ".join(outside)) if outside else effect


def _plan_remove_member(graph: RoutingGraph, group: str, member: str) -> Plan:
    before = _group_state(graph, group)
    route = (member, RouteKind.MEMBER.value)
    if route not in before.routes:
        raise Unchanged(
            MESSAGES("unchanged.no_member", group=show_address(group), member=show_address(member))
        )
    after = AddressState(before.group_name, before.routes - {route})
    shown = {"group": show_address(group), "member": show_address(member)}
    rows_after = sorted(after.routes)
    # A query per level, not per address:
    graph.load_reachable(destination for destination, _ in before.routes)
    remaining = graph.expand(
        group, lambda key: rows_after if graph.stored_form(key) == group else graph.lookup(key)
    )
    # Another member may lead there too (a group holding it): Postfix still delivers. Who exactly is not
    # named, as a customer's admin may not see every recipient.
    if set(graph.expand(member).recipients) & set(remaining.recipients):
        effect = MESSAGES("effect.remove_member_still_reached", **shown)
    else:
        effect = MESSAGES("effect.remove_member", **shown)
    return Plan(group, before, after, effect)
