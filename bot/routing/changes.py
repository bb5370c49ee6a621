"""Change requests and who asks for them.

A change is a small frozen value that can be stored as JSON (a pending Slack confirmation) and
performed later, by another process, with `RoutingService.apply`. Addresses in a change are as
the person typed them; the service parses and normalises them when it checks the change.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from bot.i18n import Text
from bot.routing.messages import MESSAGES

# The audit log's columns: who acted, and in which Slack workspace.
MAX_ACTOR = 200
MAX_TEAM = 64
# Line and paragraph separators, control and format characters (NUL, line breaks, bidi overrides):
# in an actor's name they would forge or hide lines of the audit log.
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class Role(enum.StrEnum):
    AGENT = "agent"  # may change aliases, internal forwards and groups
    ADMIN = "admin"  # may also forward outside our domains


class ActorError(ValueError):
    """A name that cannot be audited; `text` says why in sv/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def has_unprintable(text: str) -> bool:
    return any(unicodedata.category(c) in UNPRINTABLE_CATEGORIES for c in text)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change, as the audit log records it. Raises ActorError for a name or team
    that is empty, longer than its column or not one line of printable text."""

    name: str
    role: Role
    team: str | None = None
    # A customer's admin: the domains (stored form) every address of a change must be in, and beyond
    # which nothing is shown. None: the provider's people, who may touch any domain.
    scope: frozenset[str] | None = None
    # An agent approving a customer's request: the requester, named in the audit beside the approver.
    requested_by: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ActorError(MESSAGES("actor.empty"))
        for value, limit in ((self.name, MAX_ACTOR), (self.team or "", MAX_TEAM)):
            if len(value) > limit:
                raise ActorError(MESSAGES("actor.too_long", limit=limit))
            if has_unprintable(value):
                raise ActorError(MESSAGES("actor.unprintable"))


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
