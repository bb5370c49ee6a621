"""The guided flows: who may, preview with the service's verdict, confirm once, undo.

Every method returns a `Reply` of `Text`s; the Slack listeners and the terminal chat render it
in the user's language and turn its kind into buttons (Confirm/Cancel, Undo) or numbered choices.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.flows.commands import (
    FLOWS,
    Flow,
    Lookup,
    NeedsInput,
    Proposal,
    Read,
    Usage,
    field_errors,
    parse_command,
    usage,
)
from bot.flows.messages import MESSAGES
from bot.flows.store import (
    PENDING_LIFETIME,
    PendingChange,
    PendingState,
    add_pending,
    claim,
    finish,
    record_done,
)
from bot.i18n import Text
from bot.routing.addresses import AddressError, parse_address, show_address
from bot.routing.changes import Actor, Role, change_from_dict
from bot.routing.messages import MESSAGES as ROUTING_MESSAGES
from bot.routing.service import AuditRecord, RoutingService, Status, Verdict

# How long a click that lost the race waits for the winner (it runs after the ack: no Slack deadline).
SETTLE_POLLS = 100
SETTLE_POLL_SECONDS = 0.05
MAX_LIST_ROWS = 200


class ReplyKind(enum.StrEnum):
    PREVIEW = "preview"  # a change waiting: Confirm and Cancel
    DONE = "done"  # a change made: Undo
    INFO = "info"  # anything else: no buttons


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    lines: tuple[Text, ...]
    pending_id: int | None = None  # for PREVIEW and DONE: what the buttons act on

    @classmethod
    def info(cls, *lines: Text) -> Reply:
        return cls(ReplyKind.INFO, lines)


@dataclass(frozen=True)
class Person:
    """Who asks: the Slack user (role from MAILBOT_AGENTS / MAILBOT_ADMINS) or the terminal's operator."""

    user_id: str
    team_id: str | None
    role: Role | None  # None: not allowed to change or look up routing

    @property
    def actor(self) -> Actor:
        assert self.role is not None
        return Actor(self.user_id, self.role, self.team_id)


def role_of(settings: Settings, user_id: str) -> Role | None:
    if user_id in settings.admins:
        return Role.ADMIN
    if user_id in settings.agents:
        return Role.AGENT
    return None


class Flows:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.routing = RoutingService(sessions)

    def refusal(self, *, read: bool = False) -> Reply:
        key = "not_allowed_read" if read else "not_allowed"
        return Reply.info(MESSAGES(key, support=self.settings.support_contact))

    def command(self, command: str, text: str, person: Person) -> Reply | NeedsInput:
        """A slash command: usage, a modal to fill in (NeedsInput), a preview or a lookup's answer.

        Lookups are for agents only, like changes: they show where customers' mail goes (external
        addresses included), and a Slack workspace can hold guests and customers.
        """
        parsed = parse_command(command, text)
        if isinstance(parsed, Usage):
            lines = (parsed.problem, usage(command)) if parsed.problem else (usage(command),)
            return Reply.info(*lines)
        if person.role is None:
            return self.refusal(read=isinstance(parsed, Lookup))
        if isinstance(parsed, Lookup):
            return self.lookup(parsed)
        if isinstance(parsed, NeedsInput):
            return parsed
        return self.propose(parsed, person)

    def submit(self, flow_id: str, values: Mapping[str, str], person: Person) -> Reply | dict[str, Text]:
        """A filled-in modal: the preview, or per field what is wrong (the modal stays open)."""
        if person.role is None:
            return self.refusal()
        flow = FLOWS.get(flow_id)
        if flow is None:  # not a form this bot opened
            return Reply.info(MESSAGES("unknown_pending"))
        cleaned = {name: value.strip() for name, value in values.items() if value and value.strip()}
        errors = field_errors(flow, cleaned)
        if errors:
            return errors
        proposal = Proposal(flow, cleaned)
        verdict = self.routing.check(proposal.change, person.actor)
        if not verdict.ok:
            field = flow.destination_field if verdict.rule in DESTINATION_RULES else flow.fields[0].name
            return {field: verdict.message}
        return self._store_preview(flow, proposal, person, verdict)

    def propose(self, proposal: Proposal, person: Person) -> Reply:
        """The preview: what the change will do with the service's verdict, stored for Confirm."""
        flow = proposal.flow
        verdict = self.routing.check(proposal.change, person.actor)
        if verdict.status is Status.REFUSED:
            return Reply.info(MESSAGES("not_possible", flow=flow.title, reason=verdict.message))
        if verdict.status is Status.UNCHANGED:
            return Reply.info(MESSAGES("nothing_to_do", flow=flow.title, reason=verdict.message))
        return self._store_preview(flow, proposal, person, verdict)

    def _store_preview(self, flow: Flow, proposal: Proposal, person: Person, verdict: Verdict) -> Reply:
        """The preview: the effect, which addresses will bounce (an admin's change only), Confirm."""
        with self.sessions() as session:
            pending_id = add_pending(
                session, flow.id, proposal.change.to_dict(), person.user_id, person.team_id
            )
        lines = (
            MESSAGES("preview", flow=flow.title, effect=verdict.message),
            *with_warning(verdict),
            MESSAGES("preview_hint"),
        )
        return Reply(ReplyKind.PREVIEW, lines, pending_id)

    def confirm(self, pending_id: int, person: Person) -> Reply:
        """Perform a previewed change, once, however often Confirm is pressed or the request retried."""
        if person.role is None:
            return self.refusal()
        with self.sessions() as session:
            row = session.get(PendingChange, pending_id)
            if row is None or row.user_id != person.user_id:
                return self._gone(row)
            if not claim(session, pending_id, PendingState.PENDING, PendingState.PERFORMING):
                return self._not_pending(session, row)
            change = change_from_dict(row.change)
        outcome = self.routing.apply(
            change, person.actor, lambda session, change_id: record_done(session, pending_id, change_id)
        )
        if outcome.ok:
            return Reply(
                ReplyKind.DONE,
                (MESSAGES("done", id=outcome.change_id, effect=outcome.message), *with_warning(outcome)),
                pending_id,
            )
        with self.sessions() as session:
            # Not performed here. A worker still running after its claim went stale may have done it
            # (apply changes nothing twice): then the row is done, and that is the answer.
            if not claim(session, pending_id, PendingState.PERFORMING, PendingState.REFUSED):
                return self._not_pending(session, session.get(PendingChange, pending_id))
        return Reply.info(MESSAGES("refused_at_confirm", reason=outcome.message))

    def cancel(self, pending_id: int, person: Person) -> Reply:
        with self.sessions() as session:
            row = session.get(PendingChange, pending_id)
            if row is None or row.user_id != person.user_id:
                return self._gone(row)
            if not claim(session, pending_id, PendingState.PENDING, PendingState.CANCELLED):
                return self._not_pending(session, row)
        return Reply.info(MESSAGES("cancelled"))

    def undo(self, pending_id: int, person: Person) -> Reply:
        """Undo a change made from a preview (its Undo button); once, like Confirm."""
        if person.role is None:
            return self.refusal()
        with self.sessions() as session:
            row = session.get(PendingChange, pending_id)
            if row is None or row.user_id != person.user_id:
                return self._gone(row)
            if row.change_id is None or not claim(
                session, pending_id, PendingState.DONE, PendingState.UNDOING
            ):
                return self._not_pending(session, row)
            change_id = row.change_id
        reply = self.undo_change(change_id, person)
        with self.sessions() as session:
            # A refused undo (a later change depends on it) can be tried again once that is undone.
            finish(
                session,
                pending_id,
                PendingState.UNDONE if reply.kind is ReplyKind.DONE else PendingState.DONE,
            )
        if reply.kind is ReplyKind.DONE:
            return Reply.info(*reply.lines)
        return Reply(ReplyKind.DONE, reply.lines, pending_id)  # why not, and Undo to try again later

    def undo_change(self, change_id: int, person: Person) -> Reply:
        """Undo an audited change by its id (App Home's Undo, the terminal). DONE when it was undone."""
        if person.role is None:
            return self.refusal()
        outcome = self.routing.undo(change_id, person.actor)
        if outcome.ok:
            undone = MESSAGES("undone", id=outcome.change_id, effect=outcome.message)
            return Reply(ReplyKind.DONE, (undone, *with_warning(outcome)))
        return Reply.info(outcome.message)

    def latest_changes(self, limit: int = 10) -> list[AuditRecord]:
        return self.routing.audit(limit)

    def _gone(self, row: PendingChange | None) -> Reply:
        return Reply.info(MESSAGES("unknown_pending" if row is None else "not_yours"))

    def _not_pending(self, session: Session, row: PendingChange) -> Reply:
        """Why a click found nothing to do. A click racing another one (Slack's retry, a double click,
        another instance) waits for it to finish, so both report the same result."""
        for _ in range(SETTLE_POLLS):
            session.refresh(row)
            if row.state not in (PendingState.PERFORMING, PendingState.UNDOING):
                break
            time.sleep(SETTLE_POLL_SECONDS)
        match PendingState(row.state):
            case PendingState.DONE:  # the message this replaces keeps its Undo button
                return Reply(ReplyKind.DONE, (MESSAGES("already_done", id=row.change_id),), row.id)
            case PendingState.UNDONE:
                return Reply.info(MESSAGES("already_undone", id=row.change_id))
            case PendingState.CANCELLED | PendingState.REFUSED:
                return Reply.info(MESSAGES("already_cancelled"))
            case PendingState.PERFORMING | PendingState.UNDOING:
                return Reply.info(MESSAGES("busy"))
        return Reply.info(MESSAGES("expired", minutes=int(PENDING_LIFETIME.total_seconds() // 60)))

    def lookup(self, lookup: Lookup) -> Reply:
        """The answer to a read-only command; a bad address or domain gets the parser's message."""
        try:
            return self._lookup(lookup.read, lookup.argument)
        except AddressError as error:
            return Reply.info(error.text)

    def _lookup(self, read: Read, argument: str | None) -> Reply:
        if read is Read.ALIAS_LIST:
            aliases = self.routing.aliases(argument)
            rows = [MESSAGES("alias_row", alias=a.alias, mailbox=a.mailbox) for a in aliases]
            return listing(MESSAGES("aliases"), rows, MESSAGES("no_aliases"))
        if read is Read.GROUP_LIST:
            groups = self.routing.groups(argument)
            rows = [
                MESSAGES("group_row", address=g.address, name=g.name or g.address, count=g.member_count)
                for g in groups
            ]
            return listing(MESSAGES("groups"), rows, MESSAGES("no_groups"))
        assert argument is not None  # the other lookups require their address (see Read)
        shown = show_address(parse_address(argument))
        if read is Read.FORWARD_SHOW:
            forward = self.routing.forward(shown)
            if forward is None:
                return Reply.info(MESSAGES("no_forward", address=shown))
            key = "forward_shown_keep_copy" if forward.keep_copy else "forward_shown"
            return Reply.info(MESSAGES(key, address=shown, target=forward.target))
        if read is Read.GROUP_MEMBERS:
            members = self.routing.members(shown)
            if members is None:
                return Reply.info(ROUTING_MESSAGES("not_a_group", address=shown))
            rows = [MESSAGES("member_row", member=m) for m in members]
            return listing(MESSAGES("members", group=shown), rows, MESSAGES("no_members", group=shown))
        trace = self.routing.trace(shown)
        steps = [MESSAGES("trace_row", number=n, step=line) for n, line in enumerate(trace.lines(), start=1)]
        return Reply.info(MESSAGES("trace", address=shown), *steps)


def with_warning(verdict: Verdict) -> tuple[Text, ...]:
    """The line naming the addresses that bounce after a change (only an admin makes such changes)."""
    warning = verdict.warning
    return () if warning is None else (warning,)


def listing(title: Text, rows: list[Text], empty: Text) -> Reply:
    """A list under its title, cut at MAX_LIST_ROWS (one Slack message holds about 40,000 characters)."""
    if not rows:
        return Reply.info(empty)
    more = [MESSAGES("more_rows", count=len(rows) - MAX_LIST_ROWS)] if len(rows) > MAX_LIST_ROWS else []
    return Reply.info(title, *rows[:MAX_LIST_ROWS], *more)


# Rules whose refusal is about where mail would go: shown on the destination field of a modal.
DESTINATION_RULES = frozenset(
    {"alias_target", "known_target", "self_forward", "external_forward", "no_loops", "limits", "no_mail_loss"}
)
