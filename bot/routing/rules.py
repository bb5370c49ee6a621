"""The routing rules: what may never be written, each refusal naming its rule in sv/en.

`validate` holds the rules that must be true of any state, whatever change or undo leads to it.
Most are about where mail ends up, so they are checked on Postfix's own expansion of every
address whose mail passes the changed one, before and after the change:

- no loops, and far below Postfix's limits (more would be deferred forever);
- the protected addresses postmaster@ and abuse@ of each domain reach a mailbox of ours, and
  nothing outside (RFC 2142);
- an agent never makes a mailbox's mail reach an outside address it did not reach before, by any
  path (alias, forward, group, group in group ...): only an admin sends mail outside;
- no mail is lost: an address that delivered before still delivers, or the change names every
  address that will bounce, and only an admin may make it (`allow_bounces`). The address a change
  removes on purpose is not counted: its effect already says that mail to it is rejected.

Planning checks the rest with words that fit the change asked for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from bot.routing.addresses import (
    AddressError,
    domain_of,
    is_hosted_local_part,
    parse_address,
    show_address,
    show_addresses,
)
from bot.routing.changes import Actor, Role
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES
from bot.routing.models import RouteKind
from bot.routing.outcomes import Refused
from bot.routing.scope import show_scope
from bot.routing.state import AddressState, Plan
from bot.routing.trace import POSTFIX_EXPANSION_LIMIT, Delivery, DeliveryKind, Expansion, Lookup

# Our own limits, far below Postfix's 1000 (virtual_alias_recursion_limit / expansion_limit).
MAX_GROUP_MEMBERS = 200
MAX_DELIVERIES = 500  # addresses one address expands to, duplicates counted (as Postfix counts them)
MAX_DEPTH = 10  # lookups in the longest chain (support@ -> group -> alias -> mailbox -> forward ...)
MAX_NAME = 200  # display names of mailboxes and groups (the columns' length)
# RFC 2142: every domain we host answers these, and they reach people of ours.
PROTECTED_LOCAL_PARTS = ("postmaster", "abuse")
MAX_NAMED = 20  # addresses a message names before it says "and N more"

# What mail to one address comes to: its final recipients with where each lands.
Deliveries = tuple[Delivery, ...]
# The bounces an admin's change may make: any (True: a change the admin confirmed knowing them), none
# (False), or only these stored addresses (the ones its preview named: routing may change before Confirm).
AllowedBounces = bool | frozenset[str]


def parse(raw: str) -> str:
    """The stored form of an address someone typed, or a refusal by the "valid address" rule."""
    try:
        return parse_address(raw)
    except AddressError as error:
        raise Refused("address", error.text) from None


def name_list(addresses: Iterable[str]) -> str:
    """Addresses for a message, at most MAX_NAMED of them."""
    listed = sorted(addresses)
    shown = show_addresses(listed[:MAX_NAMED])
    if len(listed) > MAX_NAMED:
        return f"{shown} (+{len(listed) - MAX_NAMED})"
    return shown


def check_name(name: str) -> str:
    """A display name as stored: one line of printable text, at most MAX_NAME characters."""
    if len(name) > MAX_NAME:
        raise Refused("limits", MESSAGES("name_too_long", limit=MAX_NAME))
    if any(unicodedata.category(c) == "Cc" for c in name):  # line break, tab, NUL (PostgreSQL refuses it)
        raise Refused("name", MESSAGES("name_unprintable"))
    return name


def require_hosted_name(address: str) -> None:
    """A new mailbox, alias or group: its local part names a folder and has no extension."""
    if not is_hosted_local_part(address):
        raise Refused("local_part", MESSAGES("hosted_local_part", address=show_address(address)))


def refuse_if_taken(graph: RoutingGraph, address: str, state: AddressState, allowed: str) -> None:
    """One address is one thing: refuse if `address` is already something other than `allowed`."""
    shown = show_address(address)
    if allowed != "mailbox" and graph.is_mailbox(address):
        raise Refused("one_thing", MESSAGES("already_mailbox", address=shown))
    if allowed != "group" and state.group_name is not None:
        raise Refused("one_thing", MESSAGES("already_group", address=shown))
    aliases = state.destinations(RouteKind.ALIAS)
    if allowed != "alias" and aliases:
        raise Refused("one_thing", MESSAGES("already_alias", address=shown, mailbox=show_addresses(aliases)))


def is_protected(graph: RoutingGraph, address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return local in PROTECTED_LOCAL_PARTS and graph.is_hosted(domain)


def validate(
    graph: RoutingGraph, plan: Plan, actor: Actor, allow_bounces: AllowedBounces = True
) -> tuple[str, ...]:
    """The rules every state must keep, whatever change or undo leads to it. Returns the addresses
    that delivered before and will bounce after (only an admin may get a non-empty answer)."""
    subject, after = plan.subject, plan.after
    # Planning checks this with nicer words; here it also guards an undo (a mailbox added since).
    becomes_alias_or_group = after.group_name is not None or bool(after.destinations(RouteKind.ALIAS))
    if becomes_alias_or_group and graph.is_mailbox(subject):
        raise Refused("one_thing", MESSAGES("already_mailbox", address=show_address(subject)))
    added = [(d, k) for d, k in after.routes - plan.before.routes if d != subject]
    for destination, _ in added:
        if graph.is_hosted(domain_of(destination)) and not graph.exists(destination):
            raise Refused("known_target", MESSAGES("unknown_internal", address=show_address(destination)))
    still_exists = after.group_name is not None or graph.is_mailbox(subject) or bool(after.routes)
    if not still_exists and (users := graph.users_of(subject)):
        raise Refused(
            "in_use", MESSAGES("in_use", address=show_address(subject), users=show_addresses(users))
        )
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
    if added:
        path = graph.path_between([d for d, _ in added], subject)
        if path is not None:
            shown = " → ".join(show_address(a) for a in [subject, *path])
            raise Refused("no_loops", MESSAGES("loop", path=shown))
    # Any added row can grow an expansion, a keep-a-copy row too (see `_check_limits`). So can a removed
    # keep-a-copy row: Postfix expands an address that expanded into itself once per message, however
    # many paths lead to it; without the copy, every path expands it again.
    removed = plan.before.routes - after.routes
    grows = bool(after.routes - plan.before.routes) or any(
        destination == subject for destination, _ in removed
    )
    return _check_where_mail_ends_up(graph, plan, actor, allow_bounces, limits=grows)


def _check_where_mail_ends_up(
    graph: RoutingGraph, plan: Plan, actor: Actor, allow_bounces: AllowedBounces, limits: bool
) -> tuple[str, ...]:
    """Expand every address whose mail passes the changed one after the change, and before it
    where the answer depends on it (most changes leave most addresses delivering: no need)."""
    rows_after = sorted(plan.after.routes)

    def lookup_after(key: str) -> list[tuple[str, str]]:
        return rows_after if graph.stored_form(key) == plan.subject else graph.lookup(key)

    affected = sorted(graph.ancestors(plan.subject))
    graph.load_reachable([*affected, *(destination for destination, _ in rows_after)])
    known_before: dict[str, Deliveries] = {}

    def before(address: str) -> Deliveries:
        if address not in known_before:
            known_before[address] = graph.deliveries(graph.expand(address))
        return known_before[address]

    after: dict[str, Deliveries] = {}
    for address in affected:
        if limits:
            expansion = expand_within_limits(graph, address, lookup_after)
        else:
            expansion = graph.expand(address, lookup_after)
        after[address] = graph.deliveries(expansion)
    for address in affected:
        if is_protected(graph, address) and not reaches_only_our_mailboxes(after[address]):
            check_protected(address, after[address], reaches_only_our_mailboxes(before(address)))
    if actor.role is not Role.ADMIN:
        for address in affected:
            if _kinds(after[address], DeliveryKind.EXTERNAL) and graph.is_mailbox(address):
                _check_outside_reach(plan, address, before(address), after[address])
    if actor.scope is not None:
        for address in affected:
            _check_scope_reach(graph, actor.scope, address, before(address), after[address])
    # Removing an address on purpose (alias remove, group delete, undo of a creation) rejects mail
    # to it, as the change's effect says; that is not lost mail. Anything else that stops is.
    removed = not (plan.after.group_name is not None or plan.after.routes or graph.is_mailbox(plan.subject))
    stopped = [address for address in affected if not delivers(after[address])]
    bounces = bouncing_addresses({a: before(a) for a in stopped}, after)
    return refuse_lost_mail([a for a in bounces if not (removed and a == plan.subject)], actor, allow_bounces)


def expand_within_limits(graph: RoutingGraph, address: str, lookup: Lookup | None = None) -> Expansion:
    """The expansion of `address`, after `_check_limits` for every key Postfix may look it up by (a
    U-label key can expand further than the A-label one)."""
    expansion = graph.expand(address, lookup)
    for key in graph.keys_of(address):
        _check_limits(address, expansion if key == address else graph.expand(key, lookup))
    return expansion


def _check_limits(address: str, expansion: Expansion) -> None:
    shown = show_address(address)
    if expansion.loops:
        raise Refused("limits", MESSAGES("postfix_defers", address=shown, limit=POSTFIX_EXPANSION_LIMIT))
    if expansion.depth > MAX_DEPTH:
        raise Refused("limits", MESSAGES("too_deep", address=shown, count=expansion.depth, limit=MAX_DEPTH))
    if expansion.slots > MAX_DELIVERIES:
        raise Refused(
            "limits",
            MESSAGES("too_many_deliveries", address=shown, count=expansion.slots, limit=MAX_DELIVERIES),
        )


def _kinds(deliveries: Deliveries, kind: DeliveryKind) -> set[str]:
    return {delivery.address for delivery in deliveries if delivery.kind is kind}


def reaches_only_our_mailboxes(deliveries: Deliveries) -> bool:
    return bool(deliveries) and all(delivery.kind is DeliveryKind.MAILBOX for delivery in deliveries)


def check_protected(address: str, after: Deliveries, held_before: bool = True) -> None:
    """postmaster@ and abuse@ reach a mailbox of ours and nothing else (RFC 2142). One that did not
    before (a database older than the rule) may be mended step by step, but never sent outside."""
    if reaches_only_our_mailboxes(after):
        return
    goes_outside = bool(_kinds(after, DeliveryKind.EXTERNAL))
    if goes_outside or held_before:
        key = "protected_outside" if goes_outside else "protected_lost"
        raise Refused("protected", MESSAGES(key, address=show_address(address)))


def _check_outside_reach(plan: Plan, mailbox: str, before: Deliveries, after: Deliveries) -> None:
    new_outside = _kinds(after, DeliveryKind.EXTERNAL) - _kinds(before, DeliveryKind.EXTERNAL)
    if not new_outside:
        return
    direct = new_outside & {d for d, k in plan.after.routes if k == RouteKind.FORWARD.value}
    if mailbox == plan.subject and direct:
        raise Refused("external_forward", MESSAGES("external_forward", target=name_list(direct)))
    detail = MESSAGES("outside_reach", mailbox=show_address(mailbox), outside=name_list(new_outside))
    raise Refused("external_forward", detail)


def _check_scope_reach(
    graph: RoutingGraph, scope: frozenset[str], address: str, before: Deliveries, after: Deliveries
) -> None:
    """A customer's admin names only their own addresses, but one of them may carry mail on (a group
    with another customer's member, a mailbox the provider forwards): their change must not make
    mail reach anyone outside their domains that it did not reach before."""

    def beyond_scope(deliveries: Deliveries) -> set[str]:
        return {
            d.address
            for d in deliveries
            if d.kind is not DeliveryKind.UNKNOWN and not graph.in_scope(d.address, scope)
        }

    if beyond_scope(after) - beyond_scope(before):
        raise Refused(
            "own_domains", MESSAGES("leaves_scope", address=show_address(address), domains=show_scope(scope))
        )


def delivers(deliveries: Deliveries) -> bool:
    """Mail to the address arrives, all of it: something receives it and no part bounces."""
    return bool(deliveries) and not _kinds(deliveries, DeliveryKind.UNKNOWN)


def bouncing_addresses(before: Mapping[str, Deliveries], after: Mapping[str, Deliveries]) -> list[str]:
    """Addresses that delivered before and do not after (all or part of their mail bounces)."""
    return sorted(address for address in before if delivers(before[address]) and not delivers(after[address]))


def refuse_lost_mail(bounces: list[str], actor: Actor, allow_bounces: AllowedBounces) -> tuple[str, ...]:
    """Only an admin makes mail bounce, and only when allowed to (a confirmed preview naming them)."""
    if not bounces:
        return ()
    if actor.role is not Role.ADMIN:
        raise Refused("no_mail_loss", MESSAGES("bounces_need_admin", addresses=name_list(bounces)))
    if isinstance(allow_bounces, frozenset):
        if unwarned := [address for address in bounces if address not in allow_bounces]:
            raise Refused("no_mail_loss", MESSAGES("bounces_since_preview", addresses=name_list(unwarned)))
    elif not allow_bounces:
        raise Refused("no_mail_loss", MESSAGES("bounces_need_confirmation", addresses=name_list(bounces)))
    return tuple(bounces)
