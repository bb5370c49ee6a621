"""What asking for a change comes to: allowed or done, refused by a named rule, or already so.

Planning and the rules raise `Refused` or `Unchanged`; the service turns them into a `Verdict`
(from `check`) or an `Outcome` (from `apply`, `undo` and the provider's loads).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from bot.i18n import Text
from bot.routing.addresses import show_addresses
from bot.routing.messages import MESSAGES


class Status(enum.StrEnum):
    OK = "ok"  # check: allowed; apply/undo: done
    REFUSED = "refused"  # a rule says no; nothing written
    UNCHANGED = "unchanged"  # already so; nothing written


@dataclass(frozen=True)
class Verdict:
    """The answer of `check`: allowed (with what will happen), refused (which rule) or already so."""

    status: Status
    message: Text  # the effect when ok, else the refusal or the "nothing to do"
    rule: str | None = None  # the refusing rule's id (see MESSAGES "rule.<id>")
    # When ok: stored addresses that delivered before and bounce after (only ever for an admin).
    bounces: tuple[str, ...] = ()
    # check: the changed address as it was when checked (AddressState JSON), so a later apply can
    # tell whether it still starts from what was previewed.
    before: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def warning(self) -> Text | None:
        """What a preview (or the report of a change made) must say besides the effect: who bounces."""
        if not self.bounces:
            return None
        return MESSAGES("bounce_warning", addresses=show_addresses(self.bounces))


@dataclass(frozen=True)
class Outcome(Verdict):
    """The answer of `apply`/`undo`: done (with the audit id to undo it by), refused or already so."""

    change_id: int | None = None


class Refused(Exception):
    """A rule says no: `rule` is its id, `detail` what is wrong."""

    def __init__(self, rule: str, detail: Text) -> None:
        super().__init__(rule)
        self.rule = rule
        self.detail = detail

    def text(self) -> Text:
        return MESSAGES("refused", rule=MESSAGES(f"rule.{self.rule}"), detail=self.detail)


class Unchanged(Exception):
    """The request is already so: nothing to write."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.key)
        self.message = message
