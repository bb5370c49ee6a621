"""The after-ack job queue on SQLite and PostgreSQL: each job is taken by one worker at a time, in
order, taken over when its worker's lease runs out, and a worker that lost its job changes nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from bot.customers.requests import STALE_CLAIM as REQUEST_STALE_CLAIM
from bot.db import is_database_unavailable, make_engine, utcnow
from bot.flows.store import STALE_CLAIM
from bot.slack.job_queue import LEASE, MAX_ATTEMPTS, RETENTION, Job, JobQueue, JobState, Priority, SlackJob


@pytest.fixture
def queue(engine: Engine) -> JobQueue:
    return JobQueue(engine)


def job(n: int, **kw: object) -> Job:
    return Job("question", {"payload": {"n": n}}, **kw)  # type: ignore[arg-type]


def expire_leases(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(SlackJob).values(lease_until=utcnow() - timedelta(seconds=1)))


def test_an_event_is_taken_in_once_whichever_instance_gets_it(queue: JobQueue, database_url: str) -> None:
    other_instance = JobQueue(make_engine(database_url))
    assert queue.enqueue(job(1, receipt="event:Ev001")) is not None
    assert other_instance.enqueue(job(1, receipt="event:Ev001")) is None
    assert queue.enqueue(job(1, receipt="event:Ev001")) is None
    assert other_instance.enqueue(job(2, receipt="event:Ev002")) is not None
    assert queue.enqueue(job(3)) is not None and queue.enqueue(job(3)) is not None  # no receipt: no check


def test_jobs_are_taken_urgent_first_then_oldest_and_each_once(queue: JobQueue) -> None:
    first, second = queue.enqueue(job(1)), queue.enqueue(job(2))
    urgent = queue.enqueue(job(3, priority=Priority.URGENT))
    taken = [queue.claim("w1"), queue.claim("w2"), queue.claim("w1")]
    assert [claimed.id for claimed in taken if claimed] == [urgent, first, second]
    assert [claimed.attempt for claimed in taken if claimed] == [1, 1, 1]
    assert queue.claim("w2") is None


def test_many_workers_at_once_never_take_the_same_job(queue: JobQueue, database_url: str) -> None:
    for n in range(60):
        queue.enqueue(job(n))
    taken: Counter[int] = Counter()
    lock = threading.Lock()

    def work(name: str) -> None:
        own = JobQueue(make_engine(database_url))  # a worker of its own instance
        while (claimed := own.claim(name)) is not None:
            with lock:
                taken[claimed.id] += 1
            assert own.delivered(claimed, 0, done=True)

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(taken) == 60 and set(taken.values()) == {1}


def test_a_job_whose_lease_ran_out_is_taken_over_and_its_old_worker_changes_nothing(
    queue: JobQueue, engine: Engine
) -> None:
    queue.enqueue(job(1))
    crashed = queue.claim("crashed")
    assert crashed is not None
    assert queue.store_result(crashed, [{"to": "channel", "n": 1}])
    assert queue.claim("other") is None  # the lease holds
    expire_leases(engine)
    taker = queue.claim("other")
    assert taker is not None and taker.id == crashed.id and taker.attempt == 2
    assert taker.result == [{"to": "channel", "n": 1}] and taker.delivered == 0  # what was worked out
    assert not queue.delivered(crashed, 1, done=True)  # the old worker woke up: fenced off
    assert queue.delivered(taker, 1, done=True)
    expire_leases(engine)
    assert queue.claim("third") is None  # done is done


def test_renewed_leases_hold_and_released_jobs_go_back_at_once(queue: JobQueue, engine: Engine) -> None:
    queue.enqueue(job(1))
    queue.enqueue(job(2))
    one, two = queue.claim("alive"), queue.claim("alive")
    assert one is not None and two is not None
    expire_leases(engine)
    assert queue.renew("alive") == 2
    assert queue.claim("other") is None
    assert queue.release("alive") == 2
    again = queue.claim("other")
    assert again is not None and again.id == one.id and again.attempt == 2


def test_the_attempt_count_goes_on_past_the_limit(queue: JobQueue, engine: Engine) -> None:
    queue.enqueue(job(1))
    for attempt in range(1, MAX_ATTEMPTS + 2):
        claimed = queue.claim(f"w{attempt}")
        assert claimed is not None and claimed.attempt == attempt
        expire_leases(engine)


def test_finished_jobs_are_kept_as_receipts_for_a_day(queue: JobQueue, session_factory: sessionmaker) -> None:
    for n, receipt in enumerate(("event:old", "event:new")):
        queue.enqueue(job(n, receipt=receipt))
        claimed = queue.claim("w")
        assert claimed is not None and queue.delivered(claimed, 0, done=True)
    waiting = queue.enqueue(job(3))
    with session_factory() as session:
        session.execute(
            update(SlackJob)
            .where(SlackJob.receipt == "event:old")
            .values(finished_at=utcnow() - RETENTION - timedelta(hours=1))
        )
        session.commit()
    assert queue.purge() == 1
    with session_factory() as session:
        rows = session.execute(select(SlackJob.receipt, SlackJob.state).order_by(SlackJob.id)).all()
    assert rows == [("event:new", JobState.DONE.value), (None, JobState.QUEUED.value)]
    assert queue.enqueue(job(4, receipt="event:new")) is None and waiting is not None


def test_a_click_job_taken_over_finds_its_claim_stale() -> None:
    """A Confirm's (or an Approve's) job is taken over once its lease runs out; by then the claim of
    the pending change (or of the request) must be stale too, or the new attempt would only report
    "busy"."""
    assert LEASE > STALE_CLAIM
    assert LEASE > REQUEST_STALE_CLAIM


@pytest.mark.sqlite_only
def test_acks_that_come_together_share_transactions_and_each_gets_its_own_answer(
    database_url: str, engine: Engine
) -> None:
    queue = JobQueue(make_engine(database_url, for_acks=True))  # as an app process writes them
    answers: dict[int, int | None] = {}
    start = threading.Barrier(40)

    def ack(n: int) -> None:
        start.wait()
        answers[n] = queue.enqueue(job(n, receipt=f"event:Ev{n // 2}"))  # every event delivered twice

    threads = [threading.Thread(target=ack, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken_in = [job_id for job_id in answers.values() if job_id is not None]
    assert len(taken_in) == len(set(taken_in)) == 20  # one job per event, each with its own id
    assert all((answers[2 * n] is None) != (answers[2 * n + 1] is None) for n in range(20))


@pytest.mark.sqlite_only
def test_when_the_write_fails_every_ack_waiting_for_it_hears_so(database_url: str, engine: Engine) -> None:
    queue = JobQueue(make_engine(database_url, for_acks=True))
    failures: list[BaseException] = []

    def ack(n: int) -> None:
        try:
            queue.enqueue(job(n))
        except OperationalError as error:
            failures.append(error)

    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock past an ack's wait
    threads = [threading.Thread(target=ack, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    holder.execute("ROLLBACK")
    assert len(failures) == 5 and all(is_database_unavailable(error) for error in failures)
    assert queue.enqueue(job(6)) is not None


def test_a_job_its_worker_could_not_go_on_with_goes_back_unless_taken_over(
    queue: JobQueue, engine: Engine
) -> None:
    queue.enqueue(job(1))
    first = queue.claim("w1")
    assert first is not None and queue.give_back(first)
    second = queue.claim("w2")
    assert second is not None and second.id == first.id and second.attempt == 2
    assert not queue.give_back(first)  # the first attempt no longer has it
    assert queue.claim("w3") is None
