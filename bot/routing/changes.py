"""Change requests and who asks for them.

A change is a small frozen value that can be stored as JSON (a pending Slack confirmation) and
performed later, by another process, with `RoutingService.apply`. Addresses in a change are as
the person typed them; the service parses and normalises them when it checks the change.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class Role(enum.StrEnum):
    AGENT = "agent"  # may change aliases, internal forwards and groups
    ADMIN = "admin"  # may also forward outside our domains


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    team: str | None = None


class _ChangeRequest:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"action": "alias.add", "alias": ..., "mailbox": ...}."""
        fields = asdict(self)  # type: ignore[call-overload]
        if "members" in fields:
            fields["members"] = list(fields["members"])
        return {"action": ACTIONS[type(self)], **fields}


@dataclass(frozen=True)
class AddAlias(_ChangeRequest):
    alias: str
    mailbox: str


@dataclass(frozen=True)
class RemoveAlias(_ChangeRequest):
    alias: str


@dataclass(frozen=True)
class SetForward(_ChangeRequest):
    address: str
    target: str
    keep_copy: bool = False


@dataclass(frozen=True)
class ClearForward(_ChangeRequest):
    address: str


@dataclass(frozen=True)
class CreateGroup(_ChangeRequest):
    address: str
    name: str = ""


@dataclass(frozen=True)
class DeleteGroup(_ChangeRequest):
    address: str


@dataclass(frozen=True)
class AddMembers(_ChangeRequest):
    group: str
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        # Accept any sequence (a JSON list, say) but keep the value hashable and frozen.
        object.__setattr__(self, "members", tuple(self.members))


@dataclass(frozen=True)
class RemoveMember(_ChangeRequest):
    group: str
    member: str


Change = (
    AddAlias | RemoveAlias | SetForward | ClearForward | CreateGroup | DeleteGroup | AddMembers | RemoveMember
)

# The action name stored in the audit log and in a change's JSON form.
ACTIONS: dict[type, str] = {
    AddAlias: "alias.add",
    RemoveAlias: "alias.remove",
    SetForward: "forward.set",
    ClearForward: "forward.clear",
    CreateGroup: "group.create",
    DeleteGroup: "group.delete",
    AddMembers: "group.add_members",
    RemoveMember: "group.remove_member",
}
_CHANGE_TYPES = {action: change_type for change_type, action in ACTIONS.items()}


def action_of(change: Change) -> str:
    return ACTIONS[type(change)]


def change_from_dict(data: dict[str, Any]) -> Change:
    """The inverse of `to_dict`; raises ValueError for an unknown action or wrong fields."""
    fields = dict(data)
    action = fields.pop("action", None)
    change_type = _CHANGE_TYPES.get(action)  # type: ignore[arg-type]
    if change_type is None:
        raise ValueError(f"unknown change action {action!r}")
    try:
        return change_type(**fields)
    except TypeError as error:
        raise ValueError(f"bad fields for {action}: {error}") from None
