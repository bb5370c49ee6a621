"""Where mail to an address ends up: Postfix's virtual alias expansion, step by step.

`expand` follows Postfix 3.7's cleanup (cleanup_map1n.c with mail_addr_map.c): each address in
the list is looked up again and again until the lookup finds nothing. A lookup tries the address
as it is, then, for `user+ext@domain`, `user@domain`, whose results get "+ext" inserted before
their "@" (recipient_delimiter = +, propagate_unmatched_extensions). An address that expanded
into itself (keep a copy) is marked and never expanded again. More than 1000 addresses in the
list (duplicates counted), 1000 lookups of one address, or a result longer than 1000 characters
make Postfix defer the mail ("4.6.0 Alias expansion error"), which is why the service refuses
loops and keeps far below those limits. Duplicates are delivered once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import Text
from bot.routing.addresses import show_address, show_outside, split_extension, with_extension
from bot.routing.messages import MESSAGES

# Postfix's virtual_alias_recursion_limit, virtual_alias_expansion_limit and
# virtual_alias_address_length_limit (defaults).
POSTFIX_RECURSION_LIMIT = 1000
POSTFIX_EXPANSION_LIMIT = 1000
POSTFIX_ADDRESS_LENGTH_LIMIT = 1000

# One table lookup, as virtual_alias_maps answers one key: [(destination, kind)], in row order.
Lookup = Callable[[str], Sequence[tuple[str, str]]]


class DeliveryKind(enum.StrEnum):
    MAILBOX = "mailbox"  # one of our mailboxes: lands in its Maildir
    EXTERNAL = "external"  # outside our domains: Postfix sends it on
    UNKNOWN = "unknown"  # in our domains but nothing has that address: rejected
    OUTSIDE = "outside"  # outside the domains of the customer who asks: not followed or judged


@dataclass(frozen=True)
class Step:
    source: str
    destinations: tuple[str, ...]
    kinds: tuple[str, ...]  # the route kind of each destination
    depth: int  # 1 for the address itself, 2 for what it expanded into, ...

    def describe(self) -> Text:
        kind = next((k for k in self.kinds if k != "keep_copy"), "keep_copy")
        if kind == "forward" and "keep_copy" in self.kinds:
            kind = "forward_keep_copy"
        shown = [show_address(d) for d in self.destinations if d != self.source]
        return MESSAGES(f"trace.step.{kind}", source=show_address(self.source), destinations=", ".join(shown))


@dataclass(frozen=True)
class Delivery:
    address: str  # the final recipient as Postfix has it (an extension and a U-label domain kept)
    kind: DeliveryKind
    mailbox: str | None = None  # for MAILBOX: the stored address of the mailbox it lands in

    def describe(self) -> Text:
        outside = self.kind is DeliveryKind.EXTERNAL
        shown = show_outside(self.address) if outside else show_address(self.address)
        return MESSAGES(f"trace.{self.kind.value}", address=shown)


@dataclass(frozen=True)
class Expansion:
    """What Postfix makes of one recipient address: final recipients, or a loop error."""

    steps: tuple[Step, ...]
    recipients: tuple[str, ...]  # final addresses, each once, in Postfix's order
    slots: int  # final addresses counted with duplicates, as Postfix's expansion limit counts them
    depth: int  # the longest chain of lookups
    loops: bool  # a limit was hit: Postfix defers the mail (a loop, or too many or too long)


def map_lookup(address: str, lookup: Lookup) -> list[tuple[str, str]]:
    """What virtual_alias_maps gives for `address`: the address itself, else without its extension
    with the extension carried over to each result."""
    rows = list(lookup(address))
    if rows:
        return rows
    split = split_extension(address)
    if split is None:
        return []
    base, extension = split
    return [(with_extension(destination, extension), kind) for destination, kind in lookup(base)]


def expand(address: str, lookup: Lookup) -> Expansion:
    """Expand one (casefolded) recipient as cleanup does; `lookup` answers one table key."""
    slots = [address]
    slot_depth = [1]
    expanded_into_itself: set[str] = set()
    steps: list[Step] = []
    depth = 1
    slot = 0

    def deferred() -> Expansion:
        return Expansion(tuple(steps), (), len(slots), depth, loops=True)

    while slot < len(slots):
        if len(slots) > POSTFIX_EXPANSION_LIMIT:
            return deferred()
        for count in range(POSTFIX_RECURSION_LIMIT + 1):
            current = slots[slot]
            if current in expanded_into_itself:
                break
            if count == POSTFIX_RECURSION_LIMIT:
                return deferred()
            rows = map_lookup(current, lookup)
            if not rows:
                break
            destinations = tuple(destination for destination, _ in rows)
            if any(len(destination) > POSTFIX_ADDRESS_LENGTH_LIMIT for destination in destinations):
                return deferred()
            steps.append(Step(current, destinations, tuple(kind for _, kind in rows), slot_depth[slot]))
            slots[slot] = destinations[0]
            slots.extend(destinations[1:])
            slot_depth[slot] += 1
            slot_depth.extend([slot_depth[slot]] * (len(destinations) - 1))
            depth = max(depth, slot_depth[slot])
            if current in destinations:
                expanded_into_itself.add(current)
        slot += 1
    return Expansion(tuple(steps), tuple(dict.fromkeys(slots)), len(slots), depth, loops=False)


@dataclass(frozen=True)
class Trace:
    address: str
    steps: tuple[Step, ...]
    deliveries: tuple[Delivery, ...]
    loops: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": show_address(self.address),
            "steps": [
                {
                    "source": show_address(step.source),
                    "destinations": [show_address(d) for d in step.destinations],
                    "kinds": list(step.kinds),
                    "depth": step.depth,
                }
                for step in self.steps
            ],
            "deliveries": [
                {
                    "address": show_address(d.address),
                    "kind": d.kind.value,
                    "mailbox": show_address(d.mailbox) if d.mailbox else None,
                }
                for d in self.deliveries
            ],
            "loops": self.loops,
        }

    def lines(self) -> list[Text]:
        """The steps and then the outcome, as sentences for a person."""
        texts = [step.describe() for step in self.steps]
        if self.loops:
            return [*texts, MESSAGES("trace.loop")]
        return texts + [delivery.describe() for delivery in self.deliveries]
