"""The work done after Slack's ack: flow previews and changes, and the answers to `/mailhelp`, DMs
and mentions.

A job is plain JSON (the request's payload, the bot token, what the listener worked out), so it can
travel to the after-ack worker (`bot.slack.after_ack`) and nothing in it depends on the Bolt request
that started it. Replies go through the request's `response_url` (`bot.slack.private_replies`), or
for a DM or mention with chat.postMessage in its channel (and thread).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.db import is_database_unavailable
from bot.flows.commands import NeedsInput
from bot.slack import request_jobs
from bot.slack.failures import failure_text
from bot.slack.flow_blocks import reply_message
from bot.slack.private_replies import reply_to
from bot.slack.redelivery import TAKEN_IN, handle_once, message_key
from bot.slack.replies import answer_message
from bot.slack.runtime import Runtime, event_team
from bot.slack.web_api import web_client

log = logging.getLogger(__name__)

Job = dict[str, Any]


def command_job(command: dict[str, Any], token: str | None) -> Job:
    """A flow's complete slash command (`/alias add A B`): its preview or lookup."""
    return {"kind": "command", "payload": command, "token": token}


def question_job(command: dict[str, Any], token: str | None) -> Job:
    """`/mailhelp question`: the answer (retrieval, rendering, recording)."""
    return {"kind": "question", "payload": command, "token": token}


def click_job(act: str, body: dict[str, Any], action: dict[str, Any], token: str | None) -> Job:
    """Confirm, Cancel or Undo (`act` names the `Flows` method) on a pending change."""
    return {"kind": "click", "act": act, "payload": body, "action": action, "token": token}


def event_job(body: dict[str, Any], context: BoltContext, *, question: str, thread_ts: str | None) -> Job:
    """A DM or mention (`body` is Slack's event envelope): its receipt (`handle_once`), answer and
    chat.postMessage in `thread_ts`."""
    return {
        "kind": "event",
        "payload": body,
        "question": question,
        "thread_ts": thread_ts,
        "team_id": context.team_id,
        "user_team": event_team(body),
        "taken_in": bool(context.get(TAKEN_IN)),
        "token": context.bot_token,
    }


def run(runtime: Runtime, job: Job) -> None:
    """Do one job; on failure log it and, when the database is down, tell the user so (in the language
    of the request, as Bolt's error handler in bot.slack.failures does). A DM or mention is told of
    any failure, where its answer would have gone."""
    payload = job["payload"]
    client = web_client(runtime.settings.slack_api_url, job["token"])
    try:
        if job["kind"] == "command":
            _answer_command(runtime, payload, client)
        elif job["kind"] == "question":
            _answer_question(runtime, payload, client)
        elif job["kind"] == "event":
            _answer_event(runtime, job, client)
        elif job["kind"] == request_jobs.REQUEST:
            request_jobs.open_request(runtime, job, client)
        elif job["kind"] == request_jobs.DECISION:
            request_jobs.decide(runtime, job, client)
        else:
            _answer_click(runtime, job["act"], payload, job["action"], client)
    except Exception as error:
        log.exception("work after the ack failed")
        if job["kind"] == "event":
            kind = "database_unavailable" if is_database_unavailable(error) else "something_went_wrong"
            try:
                _post_in_thread(
                    client, job, {"text": failure_text(kind, payload, runtime.settings.default_lang)}
                )
            except Exception:
                log.exception("could not tell the asker that their answer failed")
        elif is_database_unavailable(error):
            text = failure_text("database_unavailable", payload, runtime.settings.default_lang)
            reply_to(client, payload, {"text": text})


def _answer_command(runtime: Runtime, command: dict[str, Any], client: WebClient) -> None:
    lang, reply = runtime.command(command, client)
    assert not isinstance(reply, NeedsInput)  # the app opens modals itself (trigger ids expire in 3 s)
    reply_to(client, command, reply_message(lang, reply))


def _answer_question(runtime: Runtime, command: dict[str, Any], client: WebClient) -> None:
    message = answer_message(
        runtime,
        client,
        command.get("text") or "",
        user_id=command["user_id"],
        team_id=command.get("team_id"),
        channel_id=command.get("channel_id"),
        workspace=command.get("team_id"),
    )
    reply_to(client, command, message)


def _answer_event(runtime: Runtime, job: Job, client: WebClient) -> None:
    """A DM or mention: taken in once (a redelivery may have been first), answered in its thread."""
    body = job["payload"]
    if not handle_once(runtime.sessions, body, job["taken_in"]):
        fields = {"event_id": body.get("event_id"), "message": message_key(body["event"])}
        log.info("not answered: the event or its message was taken in before", extra={"fields": fields})
        return
    event = body["event"]
    message = answer_message(
        runtime,
        client,
        job["question"],
        user_id=event["user"],
        team_id=job.get("user_team") or job["team_id"],
        channel_id=event.get("channel"),
        workspace=job["team_id"],
    )
    _post_in_thread(client, job, message)


def _post_in_thread(client: WebClient, job: Job, message: dict[str, Any]) -> None:
    client.chat_postMessage(channel=job["payload"]["event"]["channel"], thread_ts=job["thread_ts"], **message)


def _answer_click(
    runtime: Runtime, act: str, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    lang, reply = runtime.click(getattr(runtime.flows, act), body, action, client)
    reply_to(client, body, reply_message(lang, reply), replace_original=True)
