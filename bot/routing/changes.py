"""Change requests and who asks for them.

A change is a small frozen value that can be stored as JSON (a pending Slack confirmation) and
performed later, by another process, with `RoutingService.apply`. Addresses in a change are as
the person typed them; the service parses and normalises them when it checks the change.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any, ClassVar


class Role(enum.StrEnum):
    AGENT = "agent"  # may change aliases, internal forwards and groups
    ADMIN = "admin"  # may also forward outside our domains


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    team: str | None = None
    # A customer's admin: the domains (stored form) every address of a change must be in, and beyond
    # which nothing is shown. None: the provider's people, who may touch any domain.
    scope: frozenset[str] | None = None
    # An agent approving a customer's request: the requester, named in the audit beside the approver.
    requested_by: str | None = None


class _ChangeRequest:
    action: ClassVar[str]  # the name stored in the audit log and in the JSON form

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"action": "alias.add", "alias": ..., "mailbox": ...}."""
        fields = asdict(self)  # type: ignore[call-overload]
        if "members" in fields:
            fields["members"] = list(fields["members"])
        return {"action": self.action, **fields}


@dataclass(frozen=True)
class AddAlias(_ChangeRequest):
    action: ClassVar[str] = "alias.add"
    alias: str
    mailbox: str


@dataclass(frozen=True)
class RemoveAlias(_ChangeRequest):
    action: ClassVar[str] = "alias.remove"
    alias: str


@dataclass(frozen=True)
class SetForward(_ChangeRequest):
    action: ClassVar[str] = "forward.set"
    address: str
    target: str
    keep_copy: bool = False


@dataclass(frozen=True)
class ClearForward(_ChangeRequest):
    action: ClassVar[str] = "forward.clear"
    address: str


@dataclass(frozen=True)
class CreateGroup(_ChangeRequest):
    action: ClassVar[str] = "group.create"
    address: str
    name: str = ""


@dataclass(frozen=True)
class DeleteGroup(_ChangeRequest):
    action: ClassVar[str] = "group.delete"
    address: str


@dataclass(frozen=True)
class AddMembers(_ChangeRequest):
    action: ClassVar[str] = "group.add_members"
    group: str
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        # Accept any sequence (a JSON list, say) but keep the value hashable and frozen.
        object.__setattr__(self, "members", tuple(self.members))


@dataclass(frozen=True)
class RemoveMember(_ChangeRequest):
    action: ClassVar[str] = "group.remove_member"
    group: str
    member: str


Change = (
    AddAlias | RemoveAlias | SetForward | ClearForward | CreateGroup | DeleteGroup | AddMembers | RemoveMember
)

_CHANGE_TYPES: dict[str, type[Change]] = {
    change_type.action: change_type
    for change_type in (
        AddAlias,
        RemoveAlias,
        SetForward,
        ClearForward,
        CreateGroup,
        DeleteGroup,
        AddMembers,
        RemoveMember,
    )
}


def action_of(change: Change) -> str:
    return change.action


def change_from_dict(data: dict[str, Any]) -> Change:
    """The inverse of `to_dict`; raises ValueError for an unknown action or wrong fields."""
    fields = dict(data)
    action = fields.pop("action", None)
    change_type = _CHANGE_TYPES.get(action)
    if change_type is None:
        raise ValueError(f"unknown change action {action!r}")
    try:
        return change_type(**fields)
    except TypeError as error:
        raise ValueError(f"bad fields for {action}: {error}") from None
