"""A customer's own domains: what an actor with a scope may name, and what it may be shown.

A customer's admin acts with `Actor.scope`, their domains. Every address a change names (source,
target, member) must be in one of them; that is checked before anything is read, so the refusal is
the same whether or not an address exists. Other rules' refusals can name addresses the change does
not (a loop's path, who uses an alias, an address whose mail passes the changed one): when one of
those lies outside the scope, the details give way to a neutral sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from bot.i18n import Text
from bot.routing.addresses import AddressError, domain_of, parse_domain, show_address, show_domain
from bot.routing.changes import Actor, Change
from bot.routing.messages import MESSAGES
from bot.routing.outcomes import Refused

# Change fields that are not addresses.
NOT_ADDRESSES = frozenset({"action", "name", "keep_copy"})
# An address inside a sentence: lists are joined with ", ", paths with " → ".
ADDRESS_IN_TEXT = re.compile(r"[^\s,;()<>→\"']+@([^\s,;()<>→\"']+)")


def named_addresses(change: Change) -> list[str]:
    """Every address a change names, as typed."""
    found: list[str] = []
    for key, value in change.to_dict().items():
        if key not in NOT_ADDRESSES:
            found.extend(value if isinstance(value, list) else [value])
    return found


def in_scope(address: str, scope: frozenset[str] | None) -> bool:
    """Whether a stored address is one the scope may see (None: every address)."""
    return scope is None or domain_of(address) in scope


def show_scope(scope: frozenset[str]) -> str:
    return ", ".join(sorted(show_domain(domain) for domain in scope))


def require_in_scope(scope: frozenset[str] | None, addresses: Iterable[str]) -> None:
    """Refuse the first stored address outside `scope`, a customer admin's domains (None: everywhere)."""
    if scope is None:
        return
    for address in addresses:
        if not in_scope(address, scope):
            raise Refused(
                "own_domains",
                MESSAGES("outside_scope", address=show_address(address), domains=show_scope(scope)),
            )


def mentions_outside(text: Text, scope: frozenset[str]) -> bool:
    """Whether a message (its values, nested messages included) shows an address outside `scope`."""
    for value in text.values.values():
        if isinstance(value, Text):
            if mentions_outside(value, scope):
                return True
            continue
        for match in ADDRESS_IN_TEXT.finditer(str(value)):
            try:
                domain = parse_domain(match.group(1))
            except AddressError:
                return True  # not ours to judge: hide it
            if domain not in scope:
                return True
    return False


@contextmanager
def concealed_for(actor: Actor) -> Iterator[None]:
    """Refusals raised inside keep their rule, but not details that show addresses outside the scope."""
    try:
        yield
    except Refused as refusal:
        if actor.scope is not None and mentions_outside(refusal.detail, actor.scope):
            raise Refused(refusal.rule, MESSAGES("concealed")) from None
        raise
