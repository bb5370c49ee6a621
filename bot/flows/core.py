"""The guided flows: who may, preview with the service's verdict, confirm once, undo.

Every method returns a `Reply` of `Text`s; the Slack listeners and the terminal chat render it
in the user's language and turn its kind into buttons (Confirm/Cancel, Undo) or numbered choices.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Lang, Settings
from bot.customers.directory import CustomerAccess, CustomerDirectory
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.customers.requests import open_request
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
    give_back,
    record_done,
    record_undone,
)
from bot.i18n import Text
from bot.routing.addresses import AddressError, parse_address, parse_domain, show_address, show_domain
from bot.routing.changes import Actor, Role, change_from_dict
from bot.routing.messages import MESSAGES as ROUTING_MESSAGES
from bot.routing.outcomes import Refused
from bot.routing.scope import require_in_scope, show_scope
from bot.routing.service import AuditRecord, RoutingService, Status, Verdict

# How long a click that lost the race waits for the winner (it runs after the ack: no Slack deadline).
SETTLE_POLLS = 100
SETTLE_POLL_SECONDS = 0.05
MAX_LIST_ROWS = 200


class ReplyKind(enum.StrEnum):
    PREVIEW = "preview"  # a change waiting: Confirm and Cancel
    REQUESTABLE = "requestable"  # a change this person may not make: Request this change and Cancel
    REQUESTED = "requested"  # a request opened: the adapter shows it to support (`request_id`)
    DONE = "done"  # a change made: Undo
    INFO = "info"  # anything else: no buttons


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    lines: tuple[Text, ...]
    pending_id: int | None = None  # for PREVIEW, REQUESTABLE and DONE: what the buttons act on
    request_id: int | None = None  # for REQUESTED

    @classmethod
    def info(cls, *lines: Text) -> Reply:
        return cls(ReplyKind.INFO, lines)


@dataclass(frozen=True)
class Person:
    """Who asks: the provider's agent or admin (MAILBOT_AGENTS / MAILBOT_ADMINS), a customer's person
    (their own domains only: an admin changes them, anyone else requests changes), or nobody known."""

    user_id: str
    team_id: str | None
    role: Role | None  # the provider's people; None: not one of them
    customer: CustomerAccess | None = None  # a customer's person (the provider's people are no one's)

    @property
    def may_look(self) -> bool:
        """May see routing: all of it (the provider's people) or their own domains (a customer's)."""
        return self.role is not None or self.customer is not None

    @property
    def may_change(self) -> bool:
        return self.role is not None or (self.customer is not None and self.customer.admin)

    @property
    def scope(self) -> frozenset[str] | None:
        """The domains this person may see and change (None: every domain)."""
        if self.role is not None:
            return None
        return self.customer.domains if self.customer is not None else frozenset()

    @property
    def actor(self) -> Actor:
        """Who changes routing; a customer's person as their admin would (what they may ask for)."""
        if self.role is not None:
            return Actor(self.user_id, self.role, self.team_id)
        return Actor(self.user_id, Role.AGENT, self.team_id, scope=self.scope)


def role_of(
    settings: Settings, user_id: str, groups: Mapping[str, Collection[str]] | None = None
) -> Role | None:
    """The provider's role of a user: listed by id, or a member of a listed Slack user group (`groups`
    maps each group entry of MAILBOT_AGENTS / MAILBOT_ADMINS to its members, resolved by the adapter)."""

    def listed(entries: frozenset[str]) -> bool:
        return user_id in entries or any(user_id in (groups or {}).get(entry, ()) for entry in entries)

    if listed(settings.admins):
        return Role.ADMIN
    if listed(settings.agents):
        return Role.AGENT
    return None


class Flows:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.routing = RoutingService(sessions)
        self.customers = CustomerDirectory(sessions)

    def person(
        self, user_id: str, team_id: str | None, groups: Mapping[str, Collection[str]] | None = None
    ) -> Person:
        """Who a Slack user is: the provider's agent or admin, else maybe a customer's person."""
        role = role_of(self.settings, user_id, groups)
        customer = None if role is not None else self.customers.identify(user_id, team_id)
        return Person(user_id, team_id, role, customer)

    def refusal(self, *, read: bool = False) -> Reply:
        key = "not_allowed_read" if read else "not_allowed"
        return Reply.info(MESSAGES(key, support=self.settings.support_contact))

    def command(self, command: str, text: str, person: Person) -> Reply | NeedsInput:
        """A slash command: usage, a modal to fill in (NeedsInput), a preview or a lookup's answer.

        Lookups show where mail goes (external addresses included): the provider's people see every
        domain, a customer's people their own domains, anyone else (guests of a workspace) nothing.
        """
        parsed = parse_command(command, text)
        if isinstance(parsed, Usage):
            lines = (parsed.problem, usage(command)) if parsed.problem else (usage(command),)
            return Reply.info(*lines)
        if not person.may_look:
            return self.refusal(read=isinstance(parsed, Lookup))
        if isinstance(parsed, Lookup):
            return self.lookup(parsed, person)
        if isinstance(parsed, NeedsInput):
            return parsed
        return self.propose(parsed, person)

    def submit(self, flow_id: str, values: Mapping[str, str], person: Person) -> Reply | dict[str, Text]:
        """A filled-in modal: the preview, or per field what is wrong (the modal stays open)."""
        if not person.may_look:
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
        if verdict.status is Status.REFUSED and self._requestable(person, verdict.rule):
            return self._store_request_preview(proposal, person, verdict.message, refused=True)
        if not verdict.ok:
            field = flow.destination_field if verdict.rule in DESTINATION_RULES else flow.fields[0].name
            return {field: verdict.message}
        return self._store_preview(flow, proposal, person, verdict)

    def propose(self, proposal: Proposal, person: Person) -> Reply:
        """The preview: what the change will do with the service's verdict, stored for Confirm (or,
        for a customer's person who may not make it, for Request this change)."""
        flow = proposal.flow
        verdict = self.routing.check(proposal.change, person.actor)
        if verdict.status is Status.REFUSED:
            if self._requestable(person, verdict.rule):
                return self._store_request_preview(proposal, person, verdict.message, refused=True)
            return Reply.info(MESSAGES("not_possible", flow=flow.title, reason=verdict.message))
        if verdict.status is Status.UNCHANGED:
            return Reply.info(MESSAGES("nothing_to_do", flow=flow.title, reason=verdict.message))
        return self._store_preview(flow, proposal, person, verdict)

    @staticmethod
    def _requestable(person: Person, rule: str | None) -> bool:
        """A customer's person refused only for who they are (outside their domains, an outside
        forward) may ask support for the change; the provider's people have no one to ask."""
        return person.customer is not None and rule in REQUESTABLE_RULES

    def _store_preview(self, flow: Flow, proposal: Proposal, person: Person, verdict: Verdict) -> Reply:
        """The preview: the effect, which addresses will bounce (an admin's change only), Confirm."""
        if not person.may_change:
            return self._store_request_preview(proposal, person, verdict.message, refused=False)
        pending_id = self._add_pending(proposal, person, verdict.bounces)
        lines = (
            MESSAGES("preview", flow=flow.title, effect=verdict.message),
            *with_warning(verdict),
            MESSAGES("preview_hint"),
        )
        return Reply(ReplyKind.PREVIEW, lines, pending_id)

    def _store_request_preview(
        self, proposal: Proposal, person: Person, verdict: Text, *, refused: bool
    ) -> Reply:
        flow = proposal.flow
        key = "not_possible" if refused else "preview"
        first = (
            MESSAGES(key, flow=flow.title, reason=verdict)
            if refused
            else MESSAGES(key, flow=flow.title, effect=verdict)
        )
        return Reply(
            ReplyKind.REQUESTABLE, (first, CUSTOMERS("request_hint")), self._add_pending(proposal, person)
        )

    def _add_pending(self, proposal: Proposal, person: Person, bounces: tuple[str, ...] = ()) -> int:
        with self.sessions() as session:
            return add_pending(
                session, proposal.flow.id, proposal.change.to_dict(), person.user_id, person.team_id, bounces
            )

    def request(
        self, pending_id: int, person: Person, lang: Lang, origin: dict[str, Any] | None = None
    ) -> Reply:
        """Request this change: the previewed change goes to support as a request (once, however often
        the button is pressed); `lang` is the language the requester will be told the outcome in,
        `origin` where they asked, as the adapter names it (JSON), to tell them there."""
        if person.customer is None:
            return self.refusal()
        with self.sessions() as session:
            row = session.get(PendingChange, pending_id)
            if row is None or row.user_id != person.user_id:
                return self._gone(row)
            if not claim(session, pending_id, PendingState.PENDING, PendingState.REQUESTED):
                return self._not_pending(session, row)
            change = change_from_dict(row.change)
            # How the change looks to support now: Approve makes it only from this state.
            verdict = self.routing.check(change, SUPPORT_VIEW)
            request_id = open_request(
                session,
                row.flow_id,
                change.to_dict(),
                previewed=verdict.before,
                bounces=verdict.bounces,
                requester=person.user_id,
                requester_team=person.team_id,
                requester_lang=lang,
                customer_id=person.customer.customer_id,
                origin=origin,
            )
        key = "requested" if self.settings.support_channel else "requested_no_channel"
        text = CUSTOMERS(key, id=request_id, support=self.settings.support_contact)
        return Reply(ReplyKind.REQUESTED, (text,), request_id=request_id)

    def confirm(self, pending_id: int, person: Person) -> Reply:
        """Perform a previewed change, once, however often Confirm is pressed or the request retried."""
        if not person.may_change:
            return self.refusal()
        with self.sessions() as session:
            row = session.get(PendingChange, pending_id)
            if row is None or row.user_id != person.user_id:
                return self._gone(row)
            if not claim(session, pending_id, PendingState.PENDING, PendingState.PERFORMING):
                return self._not_pending(session, row)
            change, previewed_bounces = change_from_dict(row.change), frozenset(row.bounces or ())
        with self._given_back_on_failure(pending_id, PendingState.PERFORMING, PendingState.PENDING):
            outcome = self.routing.apply(
                change,
                person.actor,
                lambda session, done: record_done(session, pending_id, done.change_id),
                allow_bounces=previewed_bounces,  # routing may have changed since: no bounce unwarned
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
                row = session.get(PendingChange, pending_id)
                return self._gone(row) if row is None else self._not_pending(session, row)
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
        if not person.may_change:
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
        with self._given_back_on_failure(pending_id, PendingState.UNDOING, PendingState.DONE):
            outcome = self.routing.undo(
                change_id, person.actor, then=lambda session, _undone: record_undone(session, pending_id)
            )
        if outcome.ok:
            return Reply.info(
                MESSAGES("undone", id=outcome.change_id, effect=outcome.message), *with_warning(outcome)
            )
        with self.sessions() as session:
            # A refused undo (a later change depends on it) can be tried again once that is undone.
            finish(session, pending_id, PendingState.DONE)
        return Reply(ReplyKind.DONE, (outcome.message,), pending_id)  # why not, and Undo to try again later

    def undo_change(self, change_id: int, person: Person) -> Reply:
        """Undo an audited change by its id (App Home's Undo, the terminal). DONE when it was undone."""
        if not person.may_change:
            return self.refusal()
        outcome = self.routing.undo(change_id, person.actor)
        if outcome.ok:
            undone = MESSAGES("undone", id=outcome.change_id, effect=outcome.message)
            return Reply(ReplyKind.DONE, (undone, *with_warning(outcome)))
        return Reply.info(outcome.message)

    @contextmanager
    def _given_back_on_failure(
        self, pending_id: int, claimed: PendingState, previous: PendingState
    ) -> Iterator[None]:
        """A change that raises wrote nothing (one transaction): give its claim back, so the same
        button works again at once instead of after STALE_CLAIM. Without the database the claim
        stays, and goes stale."""
        try:
            yield
        except Exception:
            with suppress(SQLAlchemyError), self.sessions() as session:
                give_back(session, pending_id, claimed, previous)
            raise

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
            case PendingState.REQUESTED:
                return Reply.info(CUSTOMERS("already_requested"))
            case PendingState.PERFORMING | PendingState.UNDOING:
                return Reply.info(MESSAGES("busy"))
        return Reply.info(MESSAGES("expired", count=int(PENDING_LIFETIME.total_seconds() // 60)))

    def lookup(self, lookup: Lookup, person: Person) -> Reply:
        """The answer to a read-only command; a bad address or domain gets the parser's message. A
        customer's person sees their own domains only; anything else gets the same refusal whether
        it exists or not."""
        try:
            return self._lookup(lookup.read, lookup.argument, person.scope)
        except AddressError as error:
            return Reply.info(error.text)
        except Refused as refusal:
            return Reply.info(refusal.detail)

    def _domains(self, argument: str | None, scope: frozenset[str] | None) -> Sequence[str | None]:
        """The domains a list is about: the one asked for, or for a customer's person their own."""
        if scope is None:
            return [argument]
        if argument is None:
            return sorted(scope)
        domain = parse_domain(argument)
        if domain not in scope:
            shown = ROUTING_MESSAGES("outside_scope", address=show_domain(domain), domains=show_scope(scope))
            raise Refused("own_domains", shown)
        return [domain]

    def _lookup(self, read: Read, argument: str | None, scope: frozenset[str] | None) -> Reply:
        if read is Read.ALIAS_LIST:
            aliases = [a for domain in self._domains(argument, scope) for a in self.routing.aliases(domain)]
            rows = [MESSAGES("alias_row", alias=a.alias, mailbox=a.mailbox) for a in aliases]
            return listing(MESSAGES("aliases"), rows, MESSAGES("no_aliases"))
        if read is Read.GROUP_LIST:
            groups = [g for domain in self._domains(argument, scope) for g in self.routing.groups(domain)]
            rows = [
                MESSAGES("group_row", address=g.address, name=g.name or g.address, count=g.member_count)
                for g in groups
            ]
            return listing(MESSAGES("groups"), rows, MESSAGES("no_groups"))
        assert argument is not None  # the other lookups require their address (see Read)
        parsed = parse_address(argument)
        require_in_scope(scope, [parsed])
        shown = show_address(parsed)
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
        trace = self.routing.trace(shown, scope)
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


# Refusals a customer's person may take to support as a request: they are about who asks, not the change
# (outside their domains; mail sent outside or made to bounce, which only the provider's admin may do).
REQUESTABLE_RULES = frozenset({"own_domains", "external_forward", "no_mail_loss"})
# How support sees a request (its effect and whether it is possible): with every permission.
SUPPORT_VIEW = Actor("support", Role.ADMIN)
# Rules whose refusal is about where mail would go: shown on the destination field of a modal.
DESTINATION_RULES = frozenset(
    {"alias_target", "known_target", "self_forward", "external_forward", "no_loops", "limits", "no_mail_loss"}
)
