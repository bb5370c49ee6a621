"""The routing service every adapter (command line, Slack flows, terminal chat) calls.

A thin facade over the routing core: `check` says what a change would do or which rule refuses
it, writing nothing; `apply` takes the routing write lock, checks again inside the transaction,
writes the change and its audit row together; `undo` puts an address back the way an earlier
change found it. The work is done in the modules named for it:

- `graph`: reading the routing tables;  `rules`: what is refused and why;
- `planning`: a change request -> the wanted state of one address;
- `writing`: the lock, the rows and the audit row;  `undo`: undoing an audited change;
- `provisioning`: domains, mailboxes and their CSV import;  `queries`: trace and the lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.routing import provisioning, queries
from bot.routing.changes import Actor, Change, action_of
from bot.routing.graph import RoutingGraph
from bot.routing.mailbox_csv import MailboxLine
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged, Verdict
from bot.routing.planning import plan_change
from bot.routing.queries import AliasInfo, AuditRecord, ForwardInfo, GroupInfo, MailboxInfo
from bot.routing.rules import MAX_DELIVERIES, MAX_DEPTH, MAX_GROUP_MEMBERS, MAX_NAME, AllowedBounces
from bot.routing.trace import Trace
from bot.routing.undo import undo_change
from bot.routing.writing import perform, run_locked

# What callers import from here (the API kept when the core was split into modules).
__all__ = [
    "MAX_DELIVERIES",
    "MAX_DEPTH",
    "MAX_GROUP_MEMBERS",
    "MAX_NAME",
    "AliasInfo",
    "AuditRecord",
    "ForwardInfo",
    "GroupInfo",
    "MailboxInfo",
    "Outcome",
    "RoutingService",
    "Status",
    "Verdict",
]


class RoutingService:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    # -- changes ---------------------------------------------------------------------------------

    def check(self, change: Change, actor: Actor) -> Verdict:
        """What the change would do, or why it is refused or not needed. Writes nothing. An admin's
        verdict names the addresses the change makes bounce (`bounces`, `warning`): the preview."""
        with self._sessions() as session:
            try:
                plan, bounces = plan_change(RoutingGraph(session), change, actor)
            except Refused as refusal:
                return Verdict(Status.REFUSED, refusal.text(), refusal.rule)
            except Unchanged as unchanged:
                return Verdict(Status.UNCHANGED, unchanged.message)
            return Verdict(Status.OK, plan.effect, bounces=bounces, before=plan.before.to_json())

    def apply(
        self,
        change: Change,
        actor: Actor,
        then: Callable[[Session, Outcome], None] | None = None,
        allow_bounces: AllowedBounces = True,
    ) -> Outcome:
        """Check every rule again under the write lock, then write the change and its audit row;
        `then(session, outcome)` writes the caller's record of it in the same transaction.
        `allow_bounces=False`: refuse, even for an admin, a change that makes addresses bounce
        (callers without a preview ask for it until the admin confirms); a set of addresses: refuse
        one that makes others bounce (Confirm allows those its preview named)."""

        def work(graph: RoutingGraph) -> Outcome:
            plan, bounces = plan_change(graph, change, actor, allow_bounces)
            outcome = perform(graph, plan, bounces, actor, action_of(change))
            if then is not None:
                then(graph.session, outcome)
            return outcome

        return run_locked(self._sessions, work)

    def undo(
        self,
        change_id: int,
        actor: Actor,
        allow_bounces: AllowedBounces = True,
        then: Callable[[Session, Outcome], None] | None = None,
    ) -> Outcome:
        """Put the changed address back as change `change_id` found it, if nothing since depends on it;
        `then(session, outcome)` writes the caller's record of it in the same transaction (as `apply`'s)."""

        def work(graph: RoutingGraph) -> Outcome:
            outcome = undo_change(graph, change_id, actor, allow_bounces)
            if then is not None and outcome.change_id is not None:
                then(graph.session, outcome)
            return outcome

        return run_locked(self._sessions, work)

    # -- domains and mailboxes (loaded by the provider, not changed from Slack) ------------------

    def add_domain(
        self, name: str, actor: Actor, postmaster: str | None = None, allow_bounces: bool = True
    ) -> Outcome:
        """Host a domain with postmaster@ and abuse@ (see `provisioning.add_domain`)."""
        return run_locked(
            self._sessions,
            lambda graph: provisioning.add_domain(graph, name, actor, postmaster, allow_bounces),
        )

    def add_mailbox(self, address: str, actor: Actor, name: str = "") -> Outcome:
        return run_locked(self._sessions, lambda graph: provisioning.add_mailbox(graph, address, actor, name))

    def import_mailboxes(
        self,
        rows: Sequence[MailboxLine],
        actor: Actor,
        progress: Callable[[int], None] = lambda done: None,
        batch_size: int = 5000,
    ) -> Outcome:
        """Add many mailboxes (read from a file by `mailbox_csv.read_mailbox_csv`) in one
        transaction: all of them, or none (see `provisioning.import_mailboxes`)."""
        return run_locked(
            self._sessions,
            lambda graph: provisioning.import_mailboxes(graph, rows, actor, progress, batch_size),
        )

    # -- reads --------------------------------------------------------------------------------------

    def trace(self, address: str, scope: frozenset[str] | None = None) -> Trace:
        """Where mail to `address` ends up, as Postfix expands it. Raises AddressError for bad input.
        With a customer's `scope` the walk stops at addresses outside it (shown, not followed)."""
        with self._sessions() as session:
            return queries.trace(session, address, scope)

    def domains(self) -> list[str]:
        with self._sessions() as session:
            return queries.domains(session)

    def mailboxes(self, domain: str | None = None) -> list[MailboxInfo]:
        with self._sessions() as session:
            return queries.mailboxes(session, domain)

    def aliases(self, domain: str | None = None) -> list[AliasInfo]:
        with self._sessions() as session:
            return queries.aliases(session, domain)

    def forward(self, address: str) -> ForwardInfo | None:
        """The forward of a mailbox, or None. Raises AddressError for bad input."""
        with self._sessions() as session:
            return queries.forward(session, address)

    def members(self, group: str) -> list[str] | None:
        """The members of a group (shown form), or None when it is no group. Raises AddressError."""
        with self._sessions() as session:
            return queries.members(session, group)

    def groups(self, domain: str | None = None) -> list[GroupInfo]:
        with self._sessions() as session:
            return queries.groups(session, domain)

    def audit(self, limit: int = 50) -> list[AuditRecord]:
        """The newest audit entries first."""
        with self._sessions() as session:
            return queries.audit(session, limit)
