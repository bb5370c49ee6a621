"""The flows' work (and the answers to `/mailhelp`, DMs and mentions) after Slack's ack, in a worker
process of its own.

A preview, a change or an answer costs milliseconds of CPU (rules, retrieval, database, Block
Kit). Done in the app's own threads, a burst of them holds the interpreter lock while the next
requests wait for their ack; in a separate process the acks keep their pace and the replies queue instead (a
`response_url` stays valid for 30 minutes, an ack must come within 3 seconds).

The worker gets plain data (the request's payload, the bot token) and answers through the
request's `response_url` (`bot.slack.private_replies`), or for a DM or mention with chat.postMessage
in its channel (and thread), so nothing in it depends on the Bolt request that started it.
"""

from __future__ import annotations

import functools
import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import sessionmaker

from bot.config import Lang, Settings
from bot.db import is_database_unavailable, make_engine, make_sessionmaker
from bot.flows.commands import NeedsInput
from bot.flows.core import Flows, Person, Reply, role_of
from bot.flows.messages import MESSAGES
from bot.flows.store import cached_lang, remember_locale
from bot.slack.flow_blocks import reply_message
from bot.slack.private_replies import reply_to
from bot.slack.production import TAKEN_IN, database_unavailable_text, failure_text, handle_once, web_client

log = logging.getLogger(__name__)

# One process per instance, so the other core stays with the acks (run more instances for more);
# a few threads in it overlap waiting for the database and for Slack.
WORKER_THREADS = 4
# Below the app's priority: when the CPU is short, the operating system runs the acks first.
WORKER_NICENESS = 10
# A fresh interpreter for the worker: no copies of the app's threads, sockets or connections.
SPAWN = multiprocessing.get_context("spawn")


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


@functools.cache
def after_ack(settings: Settings) -> AfterAck:
    """The app's one AfterAck (one worker process), shared by the listener modules."""
    return AfterAck(settings)


class AfterAck:
    """Sends work to the worker process: one JSON message down a pipe, all the ack's thread does.
    The worker is started at the first use (not at import or app creation) and again if it died."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._worker: BaseProcess | None = None
        self._pipe: Connection | None = None

    def answer_command(self, command: dict[str, Any], token: str | None) -> None:
        self._send({"kind": "command", "payload": command, "token": token})

    def answer_click(self, act: str, body: dict[str, Any], action: dict[str, Any], token: str | None) -> None:
        self._send({"kind": "click", "act": act, "payload": body, "action": action, "token": token})

    def answer_question(self, command: dict[str, Any], token: str | None) -> None:
        """`/mailhelp question`: the answer (retrieval, rendering, recording) is worked out here too."""
        self._send({"kind": "question", "payload": command, "token": token})

    def answer_event(
        self, body: dict[str, Any], context: BoltContext, *, question: str, thread_ts: str | None
    ) -> None:
        """A DM or mention (`body` is Slack's event envelope): its receipt (`handle_once`), answer and
        chat.postMessage in `thread_ts` are all done in the worker."""
        self._send(
            {
                "kind": "event",
                "payload": body,
                "question": question,
                "thread_ts": thread_ts,
                "team_id": context.team_id,
                "taken_in": bool(context.get(TAKEN_IN)),
                "token": context.bot_token,
            }
        )

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        with self._lock:
            for _ in range(2):
                if self._pipe is None or self._worker is None or not self._worker.is_alive():
                    self._start()
                assert self._pipe is not None
                try:
                    self._pipe.send_bytes(data)
                    return
                except OSError:
                    log.error("the flow worker is gone; starting a new one", exc_info=True)
                    self._pipe = None

    def _start(self) -> None:
        receiver, sender = SPAWN.Pipe(duplex=False)
        # daemon: it ends with the app; killed apps close the pipe, which ends it too (see _serve).
        self._worker = SPAWN.Process(
            target=_serve, args=(self.settings, receiver), name="mailbot-flows", daemon=True
        )
        self._worker.start()
        receiver.close()
        self._pipe = sender


# -- in the worker process -------------------------------------------------------------------------


def _serve(settings: Settings, receiver: Connection) -> None:
    """Take messages until the app closes the pipe; a few threads overlap their database and HTTP waits."""
    logging.basicConfig(level=logging.INFO)
    os.nice(WORKER_NICENESS)
    context = FlowContext.create(settings, make_sessionmaker(make_engine(settings.database_url)))
    with ThreadPoolExecutor(WORKER_THREADS) as pool:
        while True:
            try:
                message = json.loads(receiver.recv_bytes())
            except EOFError:
                return
            pool.submit(_guarded, context, message)


def _guarded(context: FlowContext, message: dict[str, Any]) -> None:
    """Answer one message; on failure log it and, when the database is down, tell the user so (in the
    language of the request, as Bolt's error handler in bot.slack.production does). A DM or mention
    is told of any failure, where its answer would have gone."""
    payload = message["payload"]
    client = web_client(context.settings.slack_api_url, message["token"])
    try:
        if message["kind"] == "command":
            _answer_command(context, payload, client)
        elif message["kind"] == "question":
            _answer_question(context, payload, client)
        elif message["kind"] == "event":
            _answer_event(context, message, client)
        else:
            _answer_click(context, message["act"], payload, message["action"], client)
    except Exception as error:
        log.exception("flow work after the ack failed")
        if message["kind"] == "event":
            kind = "database_unavailable" if is_database_unavailable(error) else "something_went_wrong"
            try:
                _post_in_thread(
                    client, message, {"text": failure_text(kind, payload, context.settings.default_lang)}
                )
            except Exception:
                log.exception("could not tell the asker that their answer failed")
        elif is_database_unavailable(error):
            text = database_unavailable_text(payload, context.settings.default_lang)
            reply_to(client, payload, {"text": text})


def _answer_command(context: FlowContext, command: dict[str, Any], client: WebClient) -> None:
    lang, reply = context.command(command, client)
    assert not isinstance(reply, NeedsInput)  # the app opens modals itself (trigger ids expire in 3 s)
    reply_to(client, command, reply_message(lang, reply))


def _answer(
    context: FlowContext,
    client: WebClient,
    question: str,
    *,
    user_id: str,
    team_id: str | None,
    channel_id: str | None,
) -> dict[str, Any]:
    """`bot.slack.replies.answer_message` (the answer in the asker's language, recorded for feedback)."""
    # Imported here, in the worker: bot.slack.replies imports the listeners, which import this module.
    from bot.slack.app import Runtime
    from bot.slack.replies import answer_message

    runtime = Runtime(context.settings, context.sessions)
    return answer_message(runtime, client, question, user_id=user_id, team_id=team_id, channel_id=channel_id)


def _answer_question(context: FlowContext, command: dict[str, Any], client: WebClient) -> None:
    message = _answer(
        context,
        client,
        command.get("text") or "",
        user_id=command["user_id"],
        team_id=command.get("team_id"),
        channel_id=command.get("channel_id"),
    )
    reply_to(client, command, message)


def _answer_event(context: FlowContext, job: dict[str, Any], client: WebClient) -> None:
    """A DM or mention: taken in once (a redelivery may have been first), answered in its thread."""
    body = job["payload"]
    if not handle_once(context.sessions, body, BoltContext({TAKEN_IN: job["taken_in"]})):
        return
    event = body["event"]
    message = _answer(
        context,
        client,
        job["question"],
        user_id=event["user"],
        team_id=job["team_id"],
        channel_id=event.get("channel"),
    )
    _post_in_thread(client, job, message)


def _post_in_thread(client: WebClient, job: dict[str, Any], message: dict[str, Any]) -> None:
    client.chat_postMessage(channel=job["payload"]["event"]["channel"], thread_ts=job["thread_ts"], **message)


def _answer_click(
    context: FlowContext, act: str, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    lang, reply = context.click(getattr(context.flows, act), body, action, client)
    reply_to(client, body, reply_message(lang, reply), replace_original=True)
