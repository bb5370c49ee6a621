"""Command text -> what to do: a complete change, a change with fields missing, a lookup, or usage.

The same field names are the modal's `block_id`s, so a command and a modal go through one check.
Addresses stay as typed here; the routing service parses and judges them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.flows.messages import MESSAGES
from bot.i18n import Text
from bot.routing.addresses import AddressError, parse_address
from bot.routing.changes import (
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

COMMANDS = ("/alias", "/forward", "/group", "/mailtrace")
KEEP_COPY_WORDS = frozenset({"keep-copy", "keep_copy", "--keep-copy", "behåll-kopia", "behall-kopia"})
YES = "yes"  # a checked keep_copy checkbox's value
HELP_WORDS = frozenset({"help", "hjälp", "hjalp", "?"})
# Slack may send an address it linked as <mailto:a@b.se|a@b.se>.
_MAILTO = re.compile(r"<mailto:[^|>]*\|([^>]*)>|<mailto:([^>]*)>")
_SEPARATORS = re.compile(r"[\s,;]+")


class FieldKind(enum.Enum):
    ADDRESS = "address"  # one address (one word of a command)
    ADDRESSES = "addresses"  # the rest of the words, at least one address
    TEXT = "text"  # the rest of the words, optional free text
    FLAG = "flag"  # an optional keep-copy word / checkbox


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the modal block_id and the key in `values`
    label: str  # MESSAGES key
    kind: FieldKind = FieldKind.ADDRESS

    @property
    def required(self) -> bool:
        return self.kind in (FieldKind.ADDRESS, FieldKind.ADDRESSES)


@dataclass(frozen=True)
class Flow:
    id: str  # "alias.add": the routing action, and the answers' `flow`
    command: str
    fields: tuple[FieldSpec, ...]
    build: Callable[[Mapping[str, str]], Change]

    @property
    def title(self) -> Text:
        return MESSAGES(f"flow.{self.id}")

    @property
    def destination_field(self) -> str:
        """The field a refusal about where mail goes (loop, external, unknown target) belongs to."""
        return self.fields[1].name if len(self.fields) > 1 else self.fields[0].name


def split_addresses(value: str) -> list[str]:
    return [part for part in _SEPARATORS.split(value) if part]


ADDRESS = "address"
_FLOWS = (
    Flow(
        "alias.add",
        "/alias",
        (FieldSpec(ADDRESS, "field.alias"), FieldSpec("mailbox", "field.mailbox")),
        lambda v: AddAlias(alias=v[ADDRESS], mailbox=v["mailbox"]),
    ),
    Flow("alias.remove", "/alias", (FieldSpec(ADDRESS, "field.alias"),), lambda v: RemoveAlias(v[ADDRESS])),
    Flow(
        "forward.set",
        "/forward",
        (
            FieldSpec(ADDRESS, "field.forward_source"),
            FieldSpec("target", "field.target"),
            FieldSpec("keep_copy", "field.keep_copy", FieldKind.FLAG),
        ),
        lambda v: SetForward(v[ADDRESS], v["target"], keep_copy=v.get("keep_copy") == YES),
    ),
    Flow(
        "forward.clear",
        "/forward",
        (FieldSpec(ADDRESS, "field.forward_source"),),
        lambda v: ClearForward(v[ADDRESS]),
    ),
    Flow(
        "group.create",
        "/group",
        (FieldSpec(ADDRESS, "field.group"), FieldSpec("name", "field.name", FieldKind.TEXT)),
        lambda v: CreateGroup(v[ADDRESS], v.get("name", "")),
    ),
    Flow(
        "group.add_members",
        "/group",
        (FieldSpec(ADDRESS, "field.group"), FieldSpec("members", "field.members", FieldKind.ADDRESSES)),
        lambda v: AddMembers(v[ADDRESS], tuple(split_addresses(v["members"]))),
    ),
    Flow(
        "group.remove_member",
        "/group",
        (FieldSpec(ADDRESS, "field.group"), FieldSpec("members", "field.member")),
        lambda v: RemoveMember(v[ADDRESS], v["members"]),
    ),
    Flow("group.delete", "/group", (FieldSpec(ADDRESS, "field.group"),), lambda v: DeleteGroup(v[ADDRESS])),
)
FLOWS: dict[str, Flow] = {flow.id: flow for flow in _FLOWS}


class Read(enum.Enum):
    """Lookups: (id, whether the one argument, an address or a domain, is required)."""

    ALIAS_LIST = ("alias.list", False)
    FORWARD_SHOW = ("forward.show", True)
    GROUP_MEMBERS = ("group.members", True)
    GROUP_LIST = ("group.list", False)
    TRACE = ("trace", True)

    @property
    def needs_argument(self) -> bool:
        return self.value[1]


# command -> subcommand -> a flow id or a lookup; None: the command's only form (/mailtrace ADDRESS).
SUBCOMMANDS: dict[str, dict[str | None, str | Read]] = {
    "/alias": {"add": "alias.add", "remove": "alias.remove", "list": Read.ALIAS_LIST},
    "/forward": {"set": "forward.set", "clear": "forward.clear", "show": Read.FORWARD_SHOW},
    "/group": {
        "create": "group.create",
        "add": "group.add_members",
        "remove": "group.remove_member",
        "members": Read.GROUP_MEMBERS,
        "delete": "group.delete",
        "list": Read.GROUP_LIST,
    },
    "/mailtrace": {None: Read.TRACE},
}
# A bare command opens the modal of its most common change.
BARE_COMMAND_FLOW = {"/alias": "alias.add", "/forward": "forward.set", "/group": "group.create"}


@dataclass(frozen=True)
class Usage:
    command: str
    problem: Text | None = None  # None: the user asked for help


@dataclass(frozen=True)
class NeedsInput:
    flow: Flow
    values: dict[str, str]  # what the command already gave


@dataclass(frozen=True)
class Proposal:
    flow: Flow
    values: dict[str, str]

    @property
    def change(self) -> Change:
        return self.flow.build(self.values)


@dataclass(frozen=True)
class Lookup:
    read: Read
    argument: str | None


Parsed = Usage | NeedsInput | Proposal | Lookup


def command_words(text: str) -> list[str]:
    """The words of a command's text, as the person typed them: Slack sends "&", "<" and ">" as
    entities (its own markup, such as a linked address, uses the characters themselves)."""
    text = _MAILTO.sub(lambda m: m.group(1) or m.group(2), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split()


def usage(command: str) -> Text:
    return MESSAGES(f"usage.{command}")


def parse_command(command: str, text: str) -> Parsed:
    """What `/command text` asks for. `command` must be one of COMMANDS."""
    words = command_words(text)
    subcommands = SUBCOMMANDS[command]
    if words and words[0].casefold() in HELP_WORDS:
        return Usage(command)
    if None in subcommands:
        sub, rest = None, words
    elif not words:
        return NeedsInput(FLOWS[BARE_COMMAND_FLOW[command]], {})
    else:
        sub, rest = words[0].casefold(), words[1:]
        if sub not in subcommands:
            return Usage(command, MESSAGES("unknown_subcommand", command=command, word=words[0]))
    target = subcommands[sub]
    if isinstance(target, Read):
        if len(rest) > 1:
            return Usage(command, MESSAGES("too_many_words", command=command, sub=sub or ""))
        if target.needs_argument and not rest:
            return Usage(command, MESSAGES("address_missing"))
        return Lookup(target, rest[0] if rest else None)
    flow = FLOWS[target]
    values, problem = _values_from_words(flow, rest)
    if problem is not None:
        return Usage(command, problem)
    if any(field.required and not values.get(field.name) for field in flow.fields):
        return NeedsInput(flow, values)
    return Proposal(flow, values)


def _values_from_words(flow: Flow, words: list[str]) -> tuple[dict[str, str], Text | None]:
    values: dict[str, str] = {}
    rest = list(words)
    for field in flow.fields:
        if not rest:
            break
        if field.kind is FieldKind.ADDRESS:
            values[field.name] = rest.pop(0)
        elif field.kind is FieldKind.FLAG:
            word = rest.pop(0)
            if word.casefold() not in KEEP_COPY_WORDS:
                return values, MESSAGES("not_keep_copy", word=word)
            values[field.name] = YES
        else:
            values[field.name] = " ".join(rest)
            rest = []
    if rest:
        sub = next(s for s, target in SUBCOMMANDS[flow.command].items() if target == flow.id)
        return values, MESSAGES("too_many_words", command=flow.command, sub=sub)
    return values, None


def field_errors(flow: Flow, values: Mapping[str, str]) -> dict[str, Text]:
    """Per field, what is wrong with a modal's input before the routing rules are asked (empty: fine)."""
    errors: dict[str, Text] = {}
    for field in flow.fields:
        value = (values.get(field.name) or "").strip()
        if field.required and not value:
            errors[field.name] = MESSAGES("field_required")
            continue
        addresses = [value] if field.kind is FieldKind.ADDRESS else []
        if field.kind is FieldKind.ADDRESSES:
            addresses = split_addresses(value)
        for address in addresses:
            try:
                parse_address(address)
            except AddressError as error:
                errors[field.name] = error.text
                break
    return errors
