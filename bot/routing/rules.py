"""The routing rules: what may never be written, each refusal naming its rule in sv/en.

`validate` holds the rules that must be true of any state, whatever change or undo leads to it
(loops, limits, who may forward out, nothing left pointing at a removed address); planning
checks the rest with words that fit the change asked for.
"""

from __future__ import annotations

import unicodedata

from bot.routing.addresses import AddressError, domain_of, parse_address, show_address, show_addresses
from bot.routing.changes import Actor, Role
from bot.routing.graph import RoutingGraph
from bot.routing.messages import MESSAGES
from bot.routing.models import RouteKind
from bot.routing.outcomes import Refused
from bot.routing.state import AddressState, Plan
from bot.routing.trace import expand

# Our own limits, far below Postfix's 1000 (virtual_alias_recursion_limit / expansion_limit).
MAX_GROUP_MEMBERS = 200
MAX_DELIVERIES = 500  # final recipients of one address, after every alias/forward/group
MAX_DEPTH = 10  # lookups in the longest chain (support@ -> group -> alias -> mailbox -> forward ...)
MAX_NAME = 200  # display names of mailboxes and groups (the columns' length)


def parse(raw: str) -> str:
    """The stored form of an address someone typed, or a refusal by the "valid address" rule."""
    try:
        return parse_address(raw)
    except AddressError as error:
        raise Refused("address", error.text) from None


def check_name(name: str) -> str:
    """A display name as stored: one line of printable text, at most MAX_NAME characters."""
    if len(name) > MAX_NAME:
        raise Refused("limits", MESSAGES("name_too_long", limit=MAX_NAME))
    if any(unicodedata.category(c) == "Cc" for c in name):  # line break, tab, NUL (PostgreSQL refuses it)
        raise Refused("name", MESSAGES("name_unprintable"))
    return name


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


def validate(graph: RoutingGraph, plan: Plan, actor: Actor) -> None:
    """The rules every state must keep, whatever change or undo leads to it."""
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
            raise Refused("external_forward", MESSAGES("external_forward", target=show_address(destination)))
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
    if not added:
        return  # removing routes can create neither a loop nor a bigger fan-out
    path = graph.path_between([d for d, _ in added], subject)
    if path is not None:
        raise Refused(
            "no_loops", MESSAGES("loop", path=" → ".join(show_address(a) for a in [subject, *path]))
        )
    check_limits(graph, plan)


def check_limits(graph: RoutingGraph, plan: Plan) -> None:
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
