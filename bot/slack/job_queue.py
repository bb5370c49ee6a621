"""The after-ack job queue, kept in the database the instances share.

A listener writes its request's job here before Slack gets the ack (`enqueue`), so what Slack was
told "received" outlives the process that acked it: a deploy or a crash loses nothing acknowledged.
Workers of any instance take jobs with `claim`: one UPDATE moves the first waiting row (urgent ones
first, then oldest) to "running" under a lease. On PostgreSQL the row is picked `FOR UPDATE SKIP
LOCKED`, so workers never wait for each other; on SQLite the statement holds the write lock. A
worker renews its leases while it lives (`renew`); a job whose lease ran out (its worker was killed)
is claimed again by any worker, up to MAX_ATTEMPTS times.

A job records what it worked out (`store_result`: the replies to deliver) before it delivers them,
and each delivery when it is made (`delivered`), so a job taken over after a crash neither works
again nor sends again what it had sent. Every write after the claim names the attempt it belongs
to: a worker whose job was taken over (its lease ran out while it was stuck) changes nothing more.

The jobs of events are also their receipts: `receipt` (see `bot.slack.redelivery`) is unique, so a
delivery Slack sends again, to this or another instance, finds its job and is not queued twice.

People's data: a job holds what its person sent (their question, the form they filled in) and what
was worked out for them until it is done; then only the receipt stays (kind, times, who sent it), for
RETENTION, longer than Slack goes on redelivering, and is deleted (`purge`, and the daily privacy
prune, `PERSONAL_DATA`).
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

# A running job's lease; its worker renews it every LEASE / 4 while the worker process lives.
LEASE = timedelta(seconds=20)
# A job whose worker died this often (it may be what kills them) is answered with an apology instead.
MAX_ATTEMPTS = 3
# Slack stops redelivering an event after about an hour; a finished job is its receipt for a day.
RETENTION = timedelta(days=1)

Delivery = dict[str, Any]  # JSON: one reply to send to Slack (bot.slack.deliveries)


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class Priority(enum.IntEnum):
    URGENT = 0  # opens a modal: Slack's trigger_id lives 3 seconds
    NORMAL = 1


@dataclass(frozen=True)
class Job:
    """One request's work after the ack (`bot.slack.jobs`), as it is queued."""

    kind: str
    details: dict[str, Any]  # JSON: the request's payload and what the listener worked out
    receipt: str | None = None  # an event's receipt: a second job with it is a redelivery
    priority: Priority = Priority.NORMAL
    result: list[Delivery] | None = None  # replies already worked out before the ack (a modal's)
    user_id: str | None = None  # who sent the request


class SlackJob(Base):
    __tablename__ = "slack_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=Priority.NORMAL.value)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None once the job is done
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    result: Mapped[list[Delivery] | None] = mapped_column(JSON, default=None)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None, index=True)

    __table_args__ = (Index("ix_slack_jobs_claim_order", "state", "priority", "id"),)


PERSONAL_DATA = (
    # What a person sent, until it is answered (a job's payload also holds Slack's one-off response
    # URL and trigger id, and may name others: the message they clicked in; none of it is exported);
    # then a receipt naming them, deleted after RETENTION, done or not.
    PersonalTable(
        "slack_requests",
        table_of(SlackJob),
        time_column="created_at",
        expiry=Expiry.DELETE,
        lifetime=RETENTION,
        user_columns=("user_id",),
        erasure=Erasure.DELETE,
        exported={
            "receipt": "slack_delivery",
            "kind": "request",
            "state": "state",
            "created_at": "received_at",
            "finished_at": "answered_at",
        },
    ),
)


@dataclass(frozen=True)
class Claimed:
    """A job as its worker took it: `attempt` is its fence (see `JobQueue`), `result` what an earlier
    attempt worked out (None: not yet), `delivered` how many of those replies were sent."""

    id: int
    kind: str
    details: dict[str, Any]
    attempt: int
    result: list[Delivery] | None
    delivered: int


def _row(job: Job) -> dict[str, Any]:
    """A job as the row `enqueue` inserts."""
    return {
        "receipt": job.receipt,
        "priority": job.priority.value,
        "kind": job.kind,
        "user_id": job.user_id,
        "details": job.details,
        "state": JobState.QUEUED.value,
        "attempts": 0,
        "result": job.result,
        "delivered": 0,
        "created_at": utcnow(),
    }


def _rowcount(result: Any) -> int:
    # An UPDATE's result is a CursorResult; Connection.execute is typed for any statement.
    return cast(CursorResult[Any], result).rowcount


class JobQueue:
    """Every operation is one short transaction of its own on `engine` (no ORM session: the ack path
    pays for nothing but the INSERT and its commit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # INSERT ... ON CONFLICT (receipt) DO NOTHING RETURNING id, in each database's own dialect. Built
        # once: building it per ack (values, cache key) cost three times what executing it does.
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._insert = (
            insert(SlackJob).on_conflict_do_nothing(index_elements=["receipt"]).returning(SlackJob.id)
        )
        # SQLite takes one writer at a time: this process's acks that come together share one
        # transaction (`GroupCommit`). PostgreSQL writes them side by side.
        self._group = GroupCommit(self._insert_all) if engine.dialect.name == "sqlite" else None

    def enqueue(self, job: Job) -> int | None:
        """Store a job; its id, or None when a job with the same receipt was queued before."""
        row = _row(job)
        if self._group is None:
            with self.engine.begin() as connection:
                return connection.execute(self._insert, row).scalar()
        return self._group.write(row)

    def enqueue_in(self, connection: Connection, job: Job) -> int | None:
        """Store a job in the caller's transaction (an outbox: the job is queued exactly when what
        made it is committed); its id, or None as `enqueue`."""
        return connection.execute(self._insert, _row(job)).scalar()

    def _insert_all(self, rows: list[dict[str, Any]]) -> list[int | None]:
        with self.engine.begin() as connection:
            return [connection.execute(self._insert, row).scalar() for row in rows]

    def claim(self, worker: str, job_id: int | None = None) -> Claimed | None:
        """Take the next job (or job `job_id`) that waits or whose lease ran out; None if there is none."""
        now = utcnow()
        claimable = or_(
            SlackJob.state == JobState.QUEUED.value,
            and_(SlackJob.state == JobState.RUNNING.value, SlackJob.lease_until < now),
        )
        if job_id is not None:
            claimable = and_(SlackJob.id == job_id, claimable)
        # A read first: with nothing to do, an idle worker's poll takes no write lock (SQLite).
        with self.engine.connect() as connection:
            if connection.execute(select(SlackJob.id).where(claimable).limit(1)).first() is None:
                return None
        first = (
            select(SlackJob.id)
            .where(claimable)
            .order_by(SlackJob.priority, SlackJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks and ignores it
            .scalar_subquery()
        )
        taken = (
            update(SlackJob)
            .where(SlackJob.id == first, claimable)
            .values(
                state=JobState.RUNNING.value,
                worker=worker,
                lease_until=now + LEASE,
                attempts=SlackJob.attempts + 1,
            )
            .returning(
                SlackJob.id,
                SlackJob.kind,
                SlackJob.details,
                SlackJob.attempts,
                SlackJob.result,
                SlackJob.delivered,
            )
        )
        with self.engine.begin() as connection:
            row = connection.execute(taken).first()
        if row is None:  # another worker was quicker
            return None
        return Claimed(row.id, row.kind, row.details, row.attempts, row.result, row.delivered)

    def renew(self, worker: str) -> int:
        """Extend the leases of the jobs `worker` is running; how many it holds."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(SlackJob)
                .where(SlackJob.worker == worker, SlackJob.state == JobState.RUNNING.value)
                .values(lease_until=utcnow() + LEASE)
            )
        return _rowcount(result)

    def store_result(self, claimed: Claimed, result: list[Delivery]) -> bool:
        """Record what the job worked out, before delivering it; False if the job was taken over."""
        return self._update(claimed, result=result)

    def delivered(self, claimed: Claimed, count: int, *, done: bool) -> bool:
        """Record that the first `count` replies were sent (and, `done`, that the job is finished:
        what the person sent and what was worked out for them go, the receipt stays)."""
        if done:
            return self._update(
                claimed,
                delivered=count,
                state=JobState.DONE.value,
                finished_at=utcnow(),
                details=None,
                result=None,
                worker=None,
                lease_until=None,
            )
        return self._update(claimed, delivered=count)

    def give_back(self, claimed: Claimed) -> bool:
        """Put a job its worker could not go on with back in the queue (unless it was taken over)."""
        return self._update(claimed, state=JobState.QUEUED.value, worker=None, lease_until=None)

    def release(self, worker: str) -> int:
        """Hand the jobs of a worker that is gone (or stopping) back to the queue, for any worker to take."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(SlackJob)
                .where(SlackJob.worker == worker, SlackJob.state == JobState.RUNNING.value)
                .values(state=JobState.QUEUED.value, worker=None, lease_until=None)
            )
        return _rowcount(result)

    def purge(self) -> int:
        """Delete finished jobs older than RETENTION."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(SlackJob).where(
                    SlackJob.state == JobState.DONE.value, SlackJob.finished_at < utcnow() - RETENTION
                )
            )
        return _rowcount(result)

    def _update(self, claimed: Claimed, **values: Any) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(SlackJob)
                .where(
                    SlackJob.id == claimed.id,
                    SlackJob.attempts == claimed.attempt,
                    SlackJob.state == JobState.RUNNING.value,
                )
                .values(**values)
            )
        return _rowcount(result) == 1


@dataclass
class _Waiting:
    row: dict[str, Any]
    done: threading.Event
    lead: bool = False
    job_id: int | None = None
    error: BaseException | None = None


class GroupCommit:
    """Rows that arrive while a transaction is being written go together into the next one, which
    the first of their threads writes (no thread of its own to hand over to). On SQLite a writer that
    finds the write lock taken sleeps and tries again (1, 2, 5, 10 ... ms): with 20 acks at once,
    each writing alone, they queued behind each other's sleeps and commits."""

    def __init__(self, write: Callable[[list[dict[str, Any]]], list[int | None]]) -> None:
        self._write = write
        self._mutex = threading.Lock()
        self._pending: list[_Waiting] = []
        self._writing = False

    def write(self, row: dict[str, Any]) -> int | None:
        mine = _Waiting(row, threading.Event())
        with self._mutex:
            self._pending.append(mine)
            mine.lead = not self._writing
            self._writing = True
        if not mine.lead:
            mine.done.wait()
        if mine.lead:
            self._write_pending()
        if mine.error is not None:
            raise mine.error
        return mine.job_id

    def _write_pending(self) -> None:
        with self._mutex:
            batch, self._pending = self._pending, []
        try:
            ids = self._write([waiting.row for waiting in batch])
        except BaseException as error:
            for waiting in batch:
                waiting.error = error
        else:
            for waiting, job_id in zip(batch, ids, strict=True):
                waiting.job_id = job_id
        with self._mutex:
            if self._pending:  # the next batch's first thread writes it
                self._pending[0].lead = True
                self._pending[0].done.set()
            else:
                self._writing = False
        for waiting in batch:
            waiting.lead = False
            waiting.done.set()
