"""Agents decide customers' requests (no Slack here).

Approve makes exactly the change the request previewed: the request row is claimed once, however
many agents press Approve at once, and the change is written only if the changed address is still
as the preview found it; otherwise nothing is written and the new verdict is shown for a second
look. Reject needs a reason, which the requester reads. The requester is told either outcome in
their own language; the audit log names the approving agent as actor and the requester beside. A
customer's admin sees their customer's requests, waiting and recently decided, and their other people
their own (`of_customer`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Lang
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.customers.models import ChangeRequest, RequestState
from bot.customers.requests import (
    MAX_REASON,
    claim_request,
    customer_name,
    customer_requests,
    record_approved,
    reopen,
)
from bot.db import utcnow
from bot.flows.commands import FLOWS
from bot.flows.core import SETTLE_POLL_SECONDS, SETTLE_POLLS, SUPPORT_VIEW, Flows, Person, with_warning
from bot.flows.messages import MESSAGES
from bot.i18n import Someone, Text, text_from_json, text_to_json
from bot.routing.changes import (
    Actor,
    AddAlias,
    AddMembers,
    Change,
    ClearForward,
    CreateGroup,
    DeleteGroup,
    RemoveAlias,
    RemoveMember,
    Role,
    SetForward,
    change_from_dict,
)
from bot.routing.models import AuditEntry
from bot.routing.service import Outcome, Status, Verdict


@dataclass(frozen=True)
class RequestStatus:
    """A request as agents see it (the message in the support channel) and what its requester is told."""

    request_id: int
    requester: Someone
    requester_lang: Lang
    customer: str | None
    customer_id: int | None
    lines: tuple[Text, ...]  # the change as it looks now, or what became of it
    open: bool  # still waiting for an agent: Approve and Reject under it
    posted: tuple[str, str] | None  # (channel, ts) of the message agents saw it in
    origin: dict[str, Any] | None  # where the request came in, as its adapter named it (None: the terminal)
    told: Text | None = None  # to tell the requester now (a decision), in `requester_lang`

    @property
    def header(self) -> Text:
        customer = self.customer or CUSTOMERS("support.no_customer")
        return CUSTOMERS("support.request", id=self.request_id, requester=self.requester, customer=customer)

    def to_json(self) -> dict[str, Any]:
        """The status as JSON, for another process to show (a decision made in the terminal, in Slack)."""
        return {
            "request_id": self.request_id,
            "requester": self.requester.user_id,
            "requester_lang": self.requester_lang,
            "customer": self.customer,
            "customer_id": self.customer_id,
            "lines": [text_to_json(line) for line in self.lines],
            "open": self.open,
            "posted": self.posted,
            "origin": self.origin,
            "told": None if self.told is None else text_to_json(self.told),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestStatus:
        return cls(
            request_id=data["request_id"],
            requester=Someone(data["requester"]),
            requester_lang=data["requester_lang"],
            customer=data["customer"],
            customer_id=data["customer_id"],
            lines=tuple(text_from_json(line) for line in data["lines"]),
            open=data["open"],
            posted=None if data["posted"] is None else (data["posted"][0], data["posted"][1]),
            origin=data["origin"],
            told=None if data["told"] is None else text_from_json(data["told"]),
        )


# How many of a customer's requests their admin sees: waiting, and decided (the latest).
SHOWN_WAITING = 20
SHOWN_DECIDED = 10


@dataclass(frozen=True)
class RequestSummary:
    """One of a customer's requests as their admin sees it: what, who asked and when, what became of it."""

    request_id: int
    what: Text
    requester: Someone
    requested_at: datetime
    state: RequestState
    decided_at: datetime | None
    reason: str | None  # why it was rejected
    change_id: int | None  # the audit id of the change an approval made


@dataclass(frozen=True)
class CustomerRequests:
    customer: str
    waiting: tuple[RequestSummary, ...]  # newest first
    decided: tuple[RequestSummary, ...]  # latest decision first
    requester: str | None = None  # only this person's own (one of the customer's people, not an admin)


class ChangedSincePreview(Exception):
    """The changed address is no longer as the request's preview found it: write nothing."""


def preview_lines(flow_id: str, verdict: Verdict) -> tuple[Text, ...]:
    """The change as support would make it now, and which addresses it would make bounce."""
    title = FLOWS[flow_id].title
    if verdict.status is Status.OK:
        return (CUSTOMERS("support.preview", flow=title, effect=verdict.message), *with_warning(verdict))
    return (CUSTOMERS("support.refused_now", flow=title, reason=verdict.message),)


def change_summary(flow_id: str, change: Change) -> Text:
    """A change in a few words: the flow and the addresses it names."""
    match change:
        case AddAlias(alias=source, mailbox=target):
            detail = CUSTOMERS("summary.to", source=source, target=target)
        case SetForward(address=source, target=target, keep_copy=keep_copy):
            detail = CUSTOMERS("summary.to_copy" if keep_copy else "summary.to", source=source, target=target)
        case AddMembers(group=group, members=members):
            detail = CUSTOMERS("summary.members", group=group, members=", ".join(members))
        case RemoveMember(group=group, member=member):
            detail = CUSTOMERS("summary.members", group=group, members=member)
        case RemoveAlias(alias=address):
            detail = CUSTOMERS("summary.one", address=address)
        case ClearForward(address=address) | CreateGroup(address=address) | DeleteGroup(address=address):
            detail = CUSTOMERS("summary.one", address=address)
    return CUSTOMERS("summary", flow=FLOWS[flow_id].title, detail=detail)


def _summary(row: ChangeRequest) -> RequestSummary:
    return RequestSummary(
        request_id=row.id,
        what=change_summary(row.flow_id, change_from_dict(row.change)),
        requester=Someone(row.requester),
        requested_at=row.created_at,
        state=RequestState(row.state),
        decided_at=row.decided_at,
        reason=row.reason,
        change_id=row.change_id,
    )


# Writes, in the decision's own transaction, that it is to be shown where the request came in (an
# adapter's outbox: the Slack app's job queue when the terminal decides). The decision and the note
# are committed together or not at all, so no decision goes untold however the process ends.
Announce = Callable[[Session, RequestStatus], None]


class Approvals:
    def __init__(self, flows: Flows, announce: Announce | None = None) -> None:
        self.flows = flows
        self.sessions = flows.sessions
        self.routing = flows.routing
        self.announce = announce

    def of_customer(self, person: Person) -> CustomerRequests | None:
        """A customer's admin: their customer's requests, waiting and recently decided; one of the
        customer's other people: their own, of that customer. None for anyone else (the provider's
        people decide them in the support channel)."""
        access = person.customer
        if access is None:
            return None
        requester = None if access.admin else person.user_id
        with self.sessions() as session:
            waiting, decided = customer_requests(
                session, access.customer_id, waiting=SHOWN_WAITING, decided=SHOWN_DECIDED, requester=requester
            )
        summaries = tuple(map(_summary, waiting)), tuple(map(_summary, decided))
        return CustomerRequests(access.name, *summaries, requester=requester)

    def watchers(self, customer_id: int, requester: str) -> list[str]:
        """Who sees a request in their App Home: the customer's admins, and whoever made it."""
        admins = self.flows.customers.admins(customer_id)
        return admins if requester in admins else [*admins, requester]

    def status(self, request_id: int) -> RequestStatus | None:
        """The request with its change as support would make it now (for posting it to agents)."""
        with self.sessions() as session:
            row = session.get(ChangeRequest, request_id)
            if row is None:
                return None
            verdict = self.routing.check(change_from_dict(row.change), SUPPORT_VIEW)
            return self._status(session, row, preview_lines(row.flow_id, verdict))

    def approve(self, request_id: int, person: Person) -> RequestStatus | Text:
        """Make the requested change as previewed; a Text is a note for the clicker alone."""
        if person.role is None:
            return CUSTOMERS("agents_only")
        with self.sessions() as session:
            row = session.get(ChangeRequest, request_id)
            if row is None:
                return CUSTOMERS("unknown_request")
            claimed = claim_request(session, request_id, RequestState.OPEN, RequestState.APPROVING)
            session.commit()
            if not claimed:
                return self._settled(session, row)
            change, previewed, bounces = change_from_dict(row.change), row.previewed, row.bounces
        actor = Actor(person.user_id, person.role, person.team_id, requested_by=row.requester)
        approved: list[RequestStatus] = []

        def only_as_previewed(session: Session, outcome: Outcome) -> None:
            entry = session.get(AuditEntry, outcome.change_id)
            if entry is None or entry.before != previewed:
                raise ChangedSincePreview
            record_approved(session, request_id, entry.id, person.user_id)
            approver = Someone(person.user_id)
            line = CUSTOMERS("approved", approver=approver, id=outcome.change_id, effect=outcome.message)
            told = CUSTOMERS("told.approved", id=request_id, effect=outcome.message)
            approved.append(self._told(session, request_id, (line, *with_warning(outcome)), told))

        try:
            # Routing elsewhere may have changed too: no address bounces that the preview did not name.
            outcome = self.routing.apply(
                change, actor, only_as_previewed, allow_bounces=frozenset(bounces or ())
            )
        except ChangedSincePreview:
            return self._ask_again(request_id, change, actor)
        except Exception:
            # Nothing was written (one transaction): open again, so Approve works at once instead of
            # after STALE_CLAIM. Without the database the claim stays, and goes stale.
            with suppress(SQLAlchemyError), self.sessions() as session:
                reopen(session, request_id, previewed, bounces)
                session.commit()
            raise
        if outcome.ok:
            return approved[0]
        if outcome.rule == "no_mail_loss" and person.role is Role.ADMIN:  # bounces the preview did not name
            return self._ask_again(request_id, change, actor)
        with self.sessions() as session:  # a rule says no now (an outside forward needs an admin, say)
            reopen(session, request_id, previewed, bounces)
            refused = CUSTOMERS("approve_refused", reason=outcome.message)
            status = self._told(session, request_id, (refused,))
            session.commit()
            return status

    def _ask_again(self, request_id: int, change: Change, actor: Actor) -> RequestStatus:
        verdict = self.routing.check(change, actor)
        with self.sessions() as session:
            reopen(session, request_id, verdict.before, verdict.bounces)
            row = self._row(session, request_id)
            lines = (CUSTOMERS("support.changed"), *preview_lines(row.flow_id, verdict))
            status = self._told(session, request_id, lines)
            session.commit()
            return status

    def reject(self, request_id: int, person: Person, reason: str) -> RequestStatus | Text:
        """Turn the request down, saying why (the requester reads the reason)."""
        if person.role is None:
            return CUSTOMERS("agents_only")
        reason = reason.strip()[:MAX_REASON]
        if not reason:
            return CUSTOMERS("reason_required")
        with self.sessions() as session:
            row = session.get(ChangeRequest, request_id)
            if row is None:
                return CUSTOMERS("unknown_request")
            decided = claim_request(
                session,
                request_id,
                RequestState.OPEN,
                RequestState.REJECTED,
                decided_by=person.user_id,
                decided_at=utcnow(),
                reason=reason,
            )
            if not decided:
                session.commit()
                return self._settled(session, row)
            line = CUSTOMERS("rejected", approver=Someone(person.user_id), reason=reason)
            told = CUSTOMERS("told.rejected", id=request_id, flow=FLOWS[row.flow_id].title, reason=reason)
            status = self._told(session, request_id, (line,), told)
            session.commit()
            return status

    def _told(
        self, session: Session, request_id: int, lines: tuple[Text, ...], told: Text | None = None
    ) -> RequestStatus:
        """The request as written in `session`'s transaction, announced in it (`announce`): the caller
        commits both, so what became of it is shown elsewhere exactly when it is written."""
        status = self._status(session, self._row(session, request_id), lines, told)
        if self.announce is not None:
            self.announce(session, status)
        return status

    def _settled(self, session: Session, row: ChangeRequest) -> Text:
        """Why a click found the request not open: waits for an Approve in progress, like the flows."""
        for _ in range(SETTLE_POLLS):
            session.refresh(row)
            if row.state != RequestState.APPROVING.value:
                break
            time.sleep(SETTLE_POLL_SECONDS)
        match RequestState(row.state):
            case RequestState.APPROVED:
                state = CUSTOMERS("state.approved", id=row.change_id)
            case RequestState.REJECTED:
                state = CUSTOMERS("state.rejected")
            case RequestState.APPROVING:
                state = CUSTOMERS("state.approving")
            case RequestState.OPEN:  # an Approve that made nothing reopened it meanwhile
                return MESSAGES("busy")
        return CUSTOMERS("already_decided", id=row.id, state=state)

    @staticmethod
    def _row(session: Session, request_id: int) -> ChangeRequest:
        row = session.get(ChangeRequest, request_id)
        assert row is not None  # requests are never deleted
        session.refresh(row)
        return row

    @staticmethod
    def _status(
        session: Session, row: ChangeRequest, lines: tuple[Text, ...], told: Text | None = None
    ) -> RequestStatus:
        posted = (row.posted_channel, row.posted_ts) if row.posted_channel and row.posted_ts else None
        return RequestStatus(
            request_id=row.id,
            requester=Someone(row.requester),
            requester_lang="en" if row.requester_lang == "en" else "sv",
            customer=customer_name(session, row),
            customer_id=row.customer_id,
            lines=lines,
            open=row.state == RequestState.OPEN.value,
            posted=posted,
            origin=row.origin,
            told=told,
        )
