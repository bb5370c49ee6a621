"""The flows' work after Slack's ack, in a worker process of its own.

A preview or a change costs a few milliseconds of CPU (rules, database, Block Kit). Done in the
app's own threads, a burst of them holds the interpreter lock while the next requests wait for
their ack; in a separate process the acks keep their pace and the replies queue instead (a
`response_url` stays valid for 30 minutes, an ack must come within 3 seconds).

The worker gets plain data (the request's payload, the bot token) and answers through the
request's `response_url`, so nothing in it depends on the Bolt request that started it.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import sessionmaker

from bot.config import Lang, Settings
from bot.db import is_database_unavailable, make_engine, make_sessionmaker
from bot.flows.commands import NeedsInput
from bot.flows.core import Flows, Person, Reply, role_of
from bot.flows.messages import MESSAGES
from bot.flows.store import cached_lang, remember_locale
from bot.slack.flow_blocks import reply_message
from bot.slack.production import database_unavailable_text, web_client

log = logging.getLogger(__name__)

# One process: the instance's other core stays with the acks (run more instances for more).
WORKER_PROCESSES = 1


@dataclass(frozen=True)
class FlowContext:
    """What answering a flow request needs, in the app's process or in the worker."""

    settings: Settings
    sessions: sessionmaker
    flows: Flows

    @classmethod
    def create(cls, settings: Settings, sessions: sessionmaker) -> FlowContext:
        return cls(settings, sessions, Flows(settings, sessions))

    def person(self, user_id: str, team_id: str | None) -> Person:
        return Person(user_id, team_id, role_of(self.settings, user_id))

    def clicker(self, body: dict[str, Any]) -> Person:
        return self.person(body["user"]["id"], (body.get("team") or {}).get("id"))

    def lang(self, client: WebClient, user_id: str) -> Lang:
        return slack_user_lang(self.sessions, client, user_id, self.settings.default_lang)

    def command(self, command: dict[str, Any], client: WebClient) -> tuple[Lang, Reply | NeedsInput]:
        user_id = command["user_id"]
        who = self.person(user_id, command.get("team_id"))
        return self.lang(client, user_id), self.flows.command(
            command["command"], command.get("text") or "", who
        )

    def click(
        self,
        act: Callable[[int, Person], Reply],
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
    ) -> tuple[Lang, Reply]:
        who = self.clicker(body)
        value = action.get("value") or ""
        reply = act(int(value), who) if value.isdigit() else Reply.info(MESSAGES("unknown_pending"))
        return self.lang(client, who.user_id), reply


def slack_user_lang(sessions: sessionmaker, client: WebClient, user_id: str, default: Lang) -> Lang:
    """The user's Slack locale (asked once a week, kept in the database), else `default`."""
    with sessions() as session:
        known, lang = cached_lang(session, user_id)
    if known:
        return lang or default
    # No database connection is held during the Web API call: under load a pool of connections
    # waiting on Slack would keep other requests (and their acks) from the database.
    try:
        # POSTed as a form like every other call (Slack takes both; users_info() would GET).
        answer = client.api_call("users.info", data={"user": user_id, "include_locale": "true"})
    except SlackApiError:
        log.warning("users.info failed for %s; using the default language", user_id, exc_info=True)
        return default
    with sessions() as session:
        remember_locale(session, user_id, (answer.get("user") or {}).get("locale"))
        _, lang = cached_lang(session, user_id)
    return lang or default


class AfterAck:
    """Hands work to the worker process. The ack's thread only puts it in a queue; a dispatcher
    thread starts the worker (at the first use, not at import), pickles and sends the work, and
    starts a new worker if one died."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._dispatcher: threading.Thread | None = None
        self._lock = threading.Lock()

    def answer_command(self, command: dict[str, Any], token: str | None) -> None:
        self._submit(command, command["response_url"], _answer_command, command, token)

    def answer_click(self, act: str, body: dict[str, Any], action: dict[str, Any], token: str | None) -> None:
        self._submit(body, body["response_url"], _answer_click, act, body, action, token)

    def _submit(
        self, payload: dict[str, Any], response_url: str, work: Callable[..., None], *args: Any
    ) -> None:
        with self._lock:
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, name="flow-dispatch", daemon=True)
                self._dispatcher.start()
        self._queue.put((payload, response_url, work, *args))

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            WORKER_PROCESSES,
            # A fresh interpreter: no copies of this process's threads, sockets or connections.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings,),
        )

    def _dispatch(self) -> None:
        pool = self._new_pool()
        while True:
            item = self._queue.get()
            try:
                pool.submit(_guarded, *item).add_done_callback(_log_crash)
            except BrokenProcessPool:
                log.error("the flow worker died; starting a new one")
                pool = self._new_pool()
                pool.submit(_guarded, *item).add_done_callback(_log_crash)


def _log_crash(future: Future) -> None:
    if future.exception() is not None:  # the worker process itself died; _guarded handles the rest
        log.error("flow worker failed", exc_info=future.exception())


# -- in the worker process -------------------------------------------------------------------------

_context: FlowContext | None = None


def _start_worker(settings: Settings) -> None:
    global _context
    logging.basicConfig(level=logging.INFO)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True).start()
    _context = FlowContext.create(settings, make_sessionmaker(make_engine(settings.database_url)))


def _exit_with_parent(sentinel: int) -> None:
    """A killed app (SIGTERM, SIGKILL) does not stop its pool: the worker ends itself."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _guarded(payload: dict[str, Any], response_url: str, work: Callable[..., None], *args: Any) -> None:
    """Run `work`; on failure log it and, when the database is down, tell the user so (in the
    language of the request's `payload`, as Bolt's error handler in bot.slack.production does)."""
    assert _context is not None
    try:
        work(_context, *args)
    except Exception as error:
        log.exception("flow work after the ack failed")
        if is_database_unavailable(error):
            text = database_unavailable_text(payload, _context.settings.default_lang)
            WebhookClient(response_url).send(text=text, response_type="ephemeral", replace_original=False)


def _client(context: FlowContext, token: str | None) -> WebClient:
    return web_client(context.settings.slack_api_url, token)


def _answer_command(context: FlowContext, command: dict[str, Any], token: str | None) -> None:
    lang, reply = context.command(command, _client(context, token))
    assert not isinstance(reply, NeedsInput)  # the app opens modals itself (trigger ids expire in 3 s)
    WebhookClient(command["response_url"]).send(response_type="ephemeral", **reply_message(lang, reply))


def _answer_click(
    context: FlowContext, act: str, body: dict[str, Any], action: dict[str, Any], token: str | None
) -> None:
    lang, reply = context.click(getattr(context.flows, act), body, action, _client(context, token))
    WebhookClient(body["response_url"]).send(
        replace_original=True, response_type="ephemeral", **reply_message(lang, reply)
    )
