"""The after-ack worker: a process of its own that does the jobs (`bot.slack.jobs`) listeners hand it.

A preview, a change or an answer costs milliseconds of CPU (rules, retrieval, database, Block Kit).
Done in the app's own threads, a burst of them holds the interpreter lock while the next requests wait
for their ack; in a separate process the acks keep their pace and the replies queue instead (a
`response_url` stays valid for 30 minutes, an ack must come within 3 seconds).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.logs import configure_logging
from bot.slack import jobs
from bot.slack.jobs import Job
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)

# One process per instance, so the other core stays with the acks (run more instances for more);
# a few threads in it overlap waiting for the database and for Slack.
WORKER_THREADS = 4
# Below the app's priority: when the CPU is short, the operating system runs the acks first.
WORKER_NICENESS = 10
# A fresh interpreter for the worker: no copies of the app's threads, sockets or connections.
SPAWN = multiprocessing.get_context("spawn")


class AfterAck(Protocol):
    """Where listeners hand the work they ack before doing."""

    def submit(self, job: Job) -> None: ...


class WorkerProcess:
    """Sends each job to the worker process: one JSON message down a pipe, all the ack's thread does.
    The worker is started at the first job (not at import or app creation) and again if it died."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._worker: BaseProcess | None = None
        self._pipe: Connection | None = None

    def submit(self, job: Job) -> None:
        data = json.dumps(job).encode()
        with self._lock:
            for _ in range(2):
                if self._pipe is None or self._worker is None or not self._worker.is_alive():
                    self._start()
                assert self._pipe is not None
                try:
                    self._pipe.send_bytes(data)
                    return
                except OSError:
                    log.error("the after-ack worker is gone; starting a new one", exc_info=True)
                    self._pipe = None

    def _start(self) -> None:
        receiver, sender = SPAWN.Pipe(duplex=False)
        # daemon: it ends with the app; killed apps close the pipe, which ends it too (see _serve).
        self._worker = SPAWN.Process(
            target=_serve, args=(self.settings, receiver), name="mailbot-after-ack", daemon=True
        )
        self._worker.start()
        receiver.close()
        self._pipe = sender


def _serve(settings: Settings, receiver: Connection) -> None:
    """In the worker: take jobs until the app closes the pipe; a few threads overlap their database
    and HTTP waits."""
    configure_logging()  # a spawned process starts without the app's logging setup
    os.nice(WORKER_NICENESS)
    runtime = Runtime.create(settings, make_sessionmaker(make_engine(settings.database_url)))
    with ThreadPoolExecutor(WORKER_THREADS) as pool:
        while True:
            try:
                job = json.loads(receiver.recv_bytes())
            except EOFError:
                return
            pool.submit(jobs.run, runtime, job)
