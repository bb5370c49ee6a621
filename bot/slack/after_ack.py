"""The after-ack worker: a process of its own that does the queued jobs (`bot.slack.jobs`).

A listener writes its job to the queue in the database (`bot.slack.job_queue`) before its ack and
nudges its own instance's worker down a pipe; the worker claims jobs from the database, so any
instance's worker can do any job, also those a stopped or crashed instance left.

Why a process: a preview, a change or an answer costs milliseconds of CPU (rules, retrieval, Block
Kit). Done in the app's threads, a burst of them holds the interpreter lock while the next requests
wait for their ack; in a process of its own (and niced) the acks keep their pace and the replies
queue instead (a `response_url` stays valid for 30 minutes, an ack must come within 3 seconds).

Stopping: on SIGTERM (or SIGINT, or when the app's end of the pipe closes) the worker takes no new
job, finishes those it holds within DRAIN_SECONDS and exits with 0; what it could not finish goes back
to the queue, and queued jobs stay there for the next worker. Whatever the process is doing then (a
database that stopped answering), it ends EXIT_GRACE_SECONDS after the drain's limit. A worker that
is killed leaves its jobs claimed: the app starts a new worker and hands them back at once; if the
whole instance died, their leases run out and any other instance's worker takes them
(`job_queue.LEASE`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

from slack_bolt import BoltContext, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.logs import configure_logging
from bot.slack import jobs
from bot.slack.job_queue import LEASE, Job, JobQueue
from bot.slack.redelivery import duplicate
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)

# One process per app process, so the other core stays with the acks (run more instances for more);
# a few threads in it overlap waiting for the database and for Slack.
WORKER_THREADS = 4
# Below the app's priority: when the CPU is short, the operating system runs the acks first.
WORKER_NICENESS = 10
# How long a stopping worker finishes the jobs it holds: inside gunicorn's graceful_timeout and the
# platforms' grace before SIGKILL (Heroku and Kubernetes give 30 s).
DRAIN_SECONDS = 20
# A drain that has not ended this long after DRAIN_SECONDS is stuck (e.g. in a database call): the
# process exits anyway, before the platform's SIGKILL; the leases of the jobs it held run out.
EXIT_GRACE_SECONDS = 5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# How often an idle worker looks for jobs other instances queued or left behind.
POLL_SECONDS = 1.0
# How often the app checks that its worker lives.
WATCH_SECONDS = 1.0
# A fresh interpreter for the worker: no copies of the app's threads, sockets or connections.
SPAWN = multiprocessing.get_context("spawn")


class AfterAck(Protocol):
    """Where listeners hand the work they ack before doing."""

    def submit(self, job: Job) -> bool:
        """Queue the job before the ack; False when it was queued before (a redelivered event)."""
        ...


def queued(work: AfterAck, job: Job, context: BoltContext) -> BoltResponse | None:
    """Queue `job`; a listener returns this: None to ack as usual, or the ack of a duplicate."""
    return None if work.submit(job) else duplicate(context, job.receipt)


def worker_name() -> str:
    """Unique among every worker of every instance; the queue records it with the jobs it holds."""
    return f"{socket.gethostname()}/{uuid.uuid4().hex[:12]}"


class WorkerProcess:
    """The app's side: writes each job to the queue, then nudges the worker process. The worker is
    started with the app (it also takes up jobs left in the database) and again whenever it dies."""

    def __init__(self, settings: Settings, queue: JobQueue) -> None:
        self.settings = settings
        self.queue = queue
        self._lock = threading.Lock()
        self._worker: BaseProcess | None = None
        self._name = ""
        self._pipe: Connection | None = None

    def start(self) -> None:
        with self._lock:
            self._start()
        threading.Thread(target=self._watch, name="mailbot-after-ack-watch", daemon=True).start()

    @property
    def worker(self) -> BaseProcess | None:
        """The worker process now (None before the start and after it stopped with its instance)."""
        with self._lock:
            return self._worker

    def submit(self, job: Job) -> bool:
        if self.queue.enqueue(job) is None:
            return False
        with self._lock:
            if self._pipe is not None:
                try:
                    self._pipe.send_bytes(b"")
                except OSError:  # the worker is gone: the watch starts another, which finds the job
                    self._pipe = None
        return True

    def _start(self) -> None:
        receiver, sender = SPAWN.Pipe(duplex=False)
        self._name = worker_name()
        # daemon: it ends with the app; killed apps close the pipe, which ends it too (see Worker).
        self._worker = SPAWN.Process(
            target=_serve, args=(self.settings, receiver, self._name), name="mailbot-after-ack", daemon=True
        )
        self._worker.start()
        receiver.close()
        self._pipe = sender

    def _watch(self) -> None:
        """Replace a worker that was killed (or crashed), handing the jobs it held back at once. One
        that exited by itself (0) was told to stop with its instance: the instance is going."""
        while True:
            time.sleep(WATCH_SECONDS)
            with self._lock:
                if self._worker is None or self._worker.exitcode is None:
                    continue
                if self._worker.exitcode == 0:
                    log.info("the after-ack worker stopped with its instance")
                    self._worker = None
                    return
                log.error("the after-ack worker died (exit code %s); starting another", self._worker.exitcode)
                try:
                    log.warning("handed its %s job(s) back to the queue", self.queue.release(self._name))
                except SQLAlchemyError:
                    log.warning("could not hand its jobs back; their leases run out", exc_info=True)
                self._start()


class Worker:
    """Claims jobs from the queue in WORKER_THREADS threads until stopped, then drains."""

    def __init__(self, runtime: Runtime, queue: JobQueue, name: str, threads: int = WORKER_THREADS) -> None:
        self.runtime = runtime
        self.queue = queue
        self.name = name
        self._threads = threads
        self._nudges = threading.Semaphore(0)
        self._stopping = threading.Event()
        self._stop_lock = threading.Lock()
        self._unrecorded: list[jobs.Record] = []  # queue writes the database refused: tried again

    def nudge(self) -> None:
        self._nudges.release()

    def stop(self) -> bool:
        """Take no new job and drain; True the first time it is called."""
        with self._stop_lock:
            first = not self._stopping.is_set()
            self._stopping.set()
        for _ in range(self._threads):
            self._nudges.release()
        return first

    def serve(self) -> None:
        """Until stopped: the claiming threads work, this one renews their leases and retries
        refused queue writes. Then the drain: the threads finish their jobs, for DRAIN_SECONDS at most."""
        threads = [
            threading.Thread(target=self._take_jobs, name=f"after-ack-{n}", daemon=True)
            for n in range(self._threads)
        ]
        for thread in threads:
            thread.start()
        purged = 0.0
        while not self._stopping.wait(LEASE.total_seconds() / 4):
            self._keep_up()
            if time.monotonic() - purged > 600:
                purged = time.monotonic()
                self._try(self.queue.purge)
        deadline = time.monotonic() + DRAIN_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._keep_up()
        if any(thread.is_alive() for thread in threads):
            log.warning("after-ack worker: jobs still running after %s s; handing them back", DRAIN_SECONDS)
            self._try(lambda: self.queue.release(self.name))
            os._exit(0)  # the threads still running must not send anything more
        log.info("after-ack worker %s: drained, exiting", self.name)

    def _take_jobs(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = self.queue.claim(self.name)
            except SQLAlchemyError:
                log.warning("after-ack worker: cannot reach the job queue", exc_info=True)
                claimed = None
            if claimed is None:
                self._nudges.acquire(timeout=POLL_SECONDS)
                continue
            try:
                jobs.run(self.runtime, self.queue, claimed, self._unrecorded.append)
            except Exception:  # e.g. Slack or the database gone mid-way: another attempt, later
                log.exception(
                    "after-ack worker: job %s (%s) failed; back to the queue", claimed.id, claimed.kind
                )
                give_back = partial(self.queue.give_back, claimed)
                if not self._try(give_back):
                    self._unrecorded.append(give_back)

    def _keep_up(self) -> None:
        """Retry the queue writes the database refused (in order), then renew the leases."""
        while self._unrecorded:
            if not self._try(self._unrecorded[0]):
                return
            self._unrecorded.pop(0)
        self._try(lambda: self.queue.renew(self.name))

    def _try(self, write: Callable[[], object]) -> bool:
        try:
            write()
            return True
        except SQLAlchemyError:
            log.warning("after-ack worker: the database refused a queue write", exc_info=True)
            return False


def _serve(settings: Settings, receiver: Connection, name: str) -> None:
    """In the worker process."""
    configure_logging()  # a spawned process starts without the app's logging setup
    os.nice(WORKER_NICENESS)
    engine = make_engine(settings.database_url)
    worker = Worker(Runtime.create(settings, make_sessionmaker(engine)), JobQueue(engine), name)
    _stop_on_signals(worker)
    threading.Thread(target=_read_nudges, args=(receiver, worker), daemon=True).start()
    worker.serve()
    for stop_signal in STOP_SIGNALS:  # told again while exiting (a group's SIGTERM, then its parent's): done
        signal.signal(stop_signal, signal.SIG_IGN)


def _stop_on_signals(worker: Worker) -> None:
    """Stop signals are read from a pipe by a thread of their own. A Python signal handler runs in the
    main thread between two of its steps, also while that thread holds the lock of the Event it waits
    on; one that stopped the worker from there waited for that lock forever (a second SIGTERM did it,
    now and then, and the worker never exited)."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)  # each signal's number, as a byte
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, lambda _signum, _frame: None)  # not the default (exit): the pipe tells
    threading.Thread(target=_read_signals, args=(read_end, worker), daemon=True).start()


def _read_signals(read_end: int, worker: Worker) -> None:
    while signal_numbers := os.read(read_end, 64):
        for number in signal_numbers:
            if number in STOP_SIGNALS:
                _drain(worker, signal.Signals(number).name)


def _read_nudges(receiver: Connection, worker: Worker) -> None:
    while True:
        try:
            receiver.recv_bytes()
        except (EOFError, OSError):  # the app is gone: finish up
            _drain(worker, "the app is gone")
            return
        worker.nudge()


def _drain(worker: Worker, why: str) -> None:
    """Stop the worker, and end the process if its drain gets stuck."""
    if not worker.stop():
        return
    log.info("after-ack worker %s: %s, draining", worker.name, why)
    deadline = threading.Timer(DRAIN_SECONDS + EXIT_GRACE_SECONDS, _exit_stuck, args=(worker,))
    deadline.daemon = True
    deadline.start()


def _exit_stuck(worker: Worker) -> None:
    log.error(
        "after-ack worker %s: still draining %s s after it was told to stop; exiting, the leases of its "
        "jobs run out",
        worker.name,
        DRAIN_SECONDS + EXIT_GRACE_SECONDS,
    )
    os._exit(0)
