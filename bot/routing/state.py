"""The state of one address in the routing tables, and a change as that state before and after.

Every change (and every undo) is turned into the wanted state of one address, so the rules,
the writer and the audit log deal with one shape only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import Text
from bot.routing.models import RouteKind


@dataclass(frozen=True)
class AddressState:
    """What one address is in the routing tables: its group row (if a group) and its routes."""

    group_name: str | None
    routes: frozenset[tuple[str, str]]  # (destination, kind)

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group_name, "routes": sorted([list(route) for route in self.routes])}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AddressState:
        return cls(data["group"], frozenset((d, k) for d, k in data["routes"]))

    def destinations(self, kind: RouteKind) -> list[str]:
        return sorted(d for d, k in self.routes if k == kind.value)


@dataclass(frozen=True)
class Plan:
    """A change to one address: its state now, the state wanted, and the effect in plain words."""

    subject: str
    before: AddressState
    after: AddressState
    effect: Text
