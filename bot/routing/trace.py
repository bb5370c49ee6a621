"""Where mail to an address ends up: Postfix's virtual alias expansion, step by step.

`expand` follows Postfix 3.7's cleanup_map1n.c: each address in the list is looked up again and
again until the lookup finds nothing; an address that expanded into itself (keep a copy) is
marked and never expanded again; more than 1000 steps or addresses is an error (the mail is
deferred, which is why the service refuses loops). Duplicates are delivered once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import Text
from bot.routing.addresses import show_address
from bot.routing.messages import MESSAGES

# Postfix's virtual_alias_recursion_limit and virtual_alias_expansion_limit (defaults).
POSTFIX_RECURSION_LIMIT = 1000
POSTFIX_EXPANSION_LIMIT = 1000

# source -> [(destination, kind)] as the routes table has them, in row order.
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
    address: str
    kind: DeliveryKind

    def describe(self) -> Text:
        return MESSAGES(f"trace.{self.kind.value}", address=show_address(self.address))


@dataclass(frozen=True)
class Expansion:
    """What Postfix makes of one recipient address: final recipients, or a loop error."""

    steps: tuple[Step, ...]
    recipients: tuple[str, ...]  # final addresses, each once, in Postfix's order
    depth: int  # the longest chain of lookups
    loops: bool  # the recursion or expansion limit was hit: Postfix defers the mail


def expand(address: str, lookup: Lookup) -> Expansion:
    slots = [address]
    slot_depth = [1]
    expanded_into_itself: set[str] = set()
    steps: list[Step] = []
    depth = 1
    slot = 0
    while slot < len(slots):
        if len(slots) > POSTFIX_EXPANSION_LIMIT:
            return Expansion(tuple(steps), (), depth, loops=True)
        for count in range(POSTFIX_RECURSION_LIMIT + 1):
            current = slots[slot]
            if current in expanded_into_itself:
                break
            if count == POSTFIX_RECURSION_LIMIT:
                return Expansion(tuple(steps), (), depth, loops=True)
            rows = lookup(current)
            if not rows:
                break
            destinations = tuple(destination for destination, _ in rows)
            steps.append(Step(current, destinations, tuple(kind for _, kind in rows), slot_depth[slot]))
            slots[slot] = destinations[0]
            slots.extend(destinations[1:])
            slot_depth[slot] += 1
            slot_depth.extend([slot_depth[slot]] * (len(destinations) - 1))
            depth = max(depth, slot_depth[slot])
            if current in destinations:
                expanded_into_itself.add(current)
        slot += 1
    return Expansion(tuple(steps), tuple(dict.fromkeys(slots)), depth, loops=False)


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
                {"address": show_address(d.address), "kind": d.kind.value} for d in self.deliveries
            ],
            "loops": self.loops,
        }

    def lines(self) -> list[Text]:
        """The steps and then the outcome, as sentences for a person."""
        texts = [step.describe() for step in self.steps]
        if self.loops:
            return [*texts, MESSAGES("trace.loop")]
        return texts + [delivery.describe() for delivery in self.deliveries]
