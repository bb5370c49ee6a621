"""The work done after Slack's ack, one job per request: answers to `/mailhelp`, DMs and mentions,
the buttons under an answer and the feedback form, flow previews and changes, forms and App Home,
teaching the bot, customers' requests and agents' decisions (`bot.slack.request_jobs`).

A job is plain JSON (the request's payload, its workspace, what the listener worked out) written to
the queue before the ack (`bot.slack.job_queue`) and done by the after-ack worker of any instance
(`bot.slack.after_ack`). `run` does a claimed job in recorded steps: work it out (`WORK[kind]`:
the database work, ending in the replies as deliveries, `bot.slack.deliveries`), store the replies,
send them one by one. Whatever fails, the person is told (`bot.slack.failures`): that the database
cannot be reached, that Slack would not open a form in time, or else a short apology.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from slack_sdk.web import SlackResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Lang
from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import question_lang, show_topic
from bot.feedback import add_comment, vote
from bot.flows.commands import FLOWS, NeedsInput
from bot.flows.messages import MESSAGES as FLOW_MESSAGES
from bot.flows.store import cached_lang
from bot.slack import request_jobs
from bot.slack.blocks import (
    feedback_modal,
    parse_feedback_value,
    parse_topic_value,
    submitted_feedback,
)
from bot.slack.decided_elsewhere import DECIDED_ELSEWHERE
from bot.slack.deliveries import (
    deliver,
    home,
    in_channel,
    marker,
    modal,
    only_if_sent,
    or_else,
    privately,
    was_delivered,
)
from bot.slack.failures import failure_kind, failure_text
from bot.slack.flow_blocks import flow_modal, modal_metadata, mrkdwn, reply_message
from bot.slack.home import home_tab, titles
from bot.slack.job_queue import MAX_ATTEMPTS, Claimed, Delivery, Job, JobQueue, Priority
from bot.slack.messages import MESSAGES
from bot.slack.redelivery import receipt_of
from bot.slack.replies import answer_message, request_person, turn_message
from bot.slack.request_log import describe
from bot.slack.runtime import Runtime, event_team
from bot.slack.slack_text import command_text
from bot.slack.teaching_blocks import TEACH_BLOCKS, forgotten_blocks, parse_teach_value, taught_blocks
from bot.slack.web_api import bot_token, web_client
from bot.teaching import Taught, TeachingError, forget, teach_answered

log = logging.getLogger(__name__)

# The Flows methods a message button may call (the job names one).
CLICK_ACTS = ("confirm", "cancel", "undo")
# Kinds whose work is an answer: a failure is "something went wrong while I worked out the answer".
ANSWERS = frozenset({"question", "event", "topic"})
# Kinds nobody waits for in Slack, so nobody to apologise to: opening App Home, a terminal's decision.
UNATTENDED = frozenset({"home", DECIDED_ELSEWHERE})


def new_job(
    kind: str,
    payload: dict[str, Any],
    context: BoltContext,
    *,
    priority: Priority = Priority.NORMAL,
    receipt: str | None = None,
    result: list[Delivery] | None = None,
    **details: Any,
) -> Job:
    """The job for one request: `payload` is what Slack sent (a command, an interaction, an event
    envelope); the workspace comes along so the worker finds its bot token (no token is stored).
    `receipt`: an event's (see `bot.slack.redelivery`); `result`: replies worked out before the ack.
    The job names who sent the request (erasure and export find it by them: `job_queue.PERSONAL_DATA`)."""
    team = {
        "team_id": context.team_id,
        "enterprise_id": context.enterprise_id,
        "is_enterprise_install": bool(context.is_enterprise_install),
    }
    details = {"payload": payload, "team": team, **details}
    user_id = describe(payload)["user"]
    return Job(kind, details, receipt=receipt, priority=priority, result=result, user_id=user_id)


def event_job(body: dict[str, Any], context: BoltContext, *, question: str, thread_ts: str | None) -> Job:
    """A DM or mention (`body` is Slack's event envelope): its answer, posted in `thread_ts`."""
    return new_job("event", body, context, receipt=receipt_of(body), question=question, thread_ts=thread_ts)


# --- The work of each kind: the database work, then the replies --------------------------------


def _note(payload: dict[str, Any], text: str) -> Delivery:
    return privately(payload, {"text": text})


def _question(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    command = job["payload"]
    message = answer_message(
        runtime,
        client,
        command_text(command),
        user_id=command["user_id"],
        team_id=command.get("team_id"),
        channel_id=command.get("channel_id"),
        workspace=command.get("team_id"),
    )
    return [privately(command, message)]


def _event(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """A DM or mention: the asker's own workspace may differ from the one it came in (Slack Connect)."""
    body = job["payload"]
    event, workspace = body["event"], job["team"]["team_id"]
    if not job["question"].strip() and event.get("files"):  # a screenshot or a file, and no words
        files_only = {"text": MESSAGES.text("files_only", runtime.lang(client, event["user"]))}
        return [in_channel(event["channel"], job["thread_ts"], files_only)]
    message = answer_message(
        runtime,
        client,
        job["question"],
        user_id=event["user"],
        team_id=event_team(body) or workspace,
        channel_id=event.get("channel"),
        workspace=workspace,
    )
    return [in_channel(event["channel"], job["thread_ts"], message)]


def _feedback(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """👍 is thanked; 👎 opens the form asking what was unclear."""
    body, action = job["payload"], job["action"]
    parsed = parse_feedback_value(action.get("value") or "")
    if parsed is None:
        return [_note(body, CONVERSATION.text("unknown_question", runtime.settings.default_lang))]
    helpful, question_id = parsed
    with runtime.sessions() as session:
        stored = vote(session, question_id, body["user"]["id"], helpful=helpful)
        lang = question_lang(session, question_id, runtime.settings.default_lang)
    if stored is None:
        return [_note(body, CONVERSATION.text("unknown_question", lang))]
    if helpful:
        return [_note(body, CONVERSATION.text("thanks_helpful", lang))]
    return [modal(body["trigger_id"], feedback_modal(lang, question_id))]


def _topic(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """A related topic's article, next to the clicked answer: in its channel and thread, or privately
    if the answer was private."""
    body, action = job["payload"], job["action"]
    parsed = parse_topic_value(action.get("value") or "")
    turn = None
    if parsed is not None:
        customer = runtime.clicker(body, client).customer  # their own domain in the examples
        with runtime.sessions() as session:
            turn = show_topic(
                session, runtime.settings, *parsed, user_id=body["user"]["id"], customer=customer
            )
    if turn is None:
        return [_note(body, CONVERSATION.text("unknown_question", runtime.settings.default_lang))]
    container = body.get("container") or {}
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and container.get("channel_id")
    ):
        thread_ts = (body.get("message") or {}).get("thread_ts")
        return [in_channel(container["channel_id"], thread_ts, turn_message(turn))]
    return [privately(body, turn_message(turn))]


def _ask_person(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    body, value = job["payload"], job["action"].get("value") or ""
    requested = request_person(runtime, int(value), body["user"]["id"]) if value.isdigit() else None
    if requested is None:
        return [_note(body, CONVERSATION.text("unknown_question", runtime.settings.default_lang))]
    support_posts, told, instead = requested
    return [*(or_else(post, _note(body, instead)) for post in support_posts), only_if_sent(_note(body, told))]


def _feedback_form(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """The "not helpful" form: the comment is stored; a person asked for is called in, told by DM."""
    body = job["payload"]
    view = body["view"]
    metadata = view.get("private_metadata") or ""
    if not metadata.isdigit():
        return []
    question_id, user_id = int(metadata), body["user"]["id"]
    comment, wants_person = submitted_feedback(view)
    if not wants_person:
        with runtime.sessions() as session:
            add_comment(session, question_id, user_id, comment)
        return []
    requested = request_person(runtime, question_id, user_id, comment)
    if requested is None:
        return []
    support_posts, told, instead = requested
    posts = [or_else(post, in_channel(user_id, None, {"text": instead})) for post in support_posts]
    return [*posts, only_if_sent(in_channel(user_id, None, {"text": told}))]


def _command(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """A flow's slash command: its preview or lookup, or the form for what it lacks."""
    command = job["payload"]
    lang, reply = runtime.command(command, client)
    if isinstance(reply, NeedsInput):
        metadata = modal_metadata(reply.flow.id, command.get("response_url"))
        return [modal(command["trigger_id"], flow_modal(lang, reply.flow, reply.values, metadata))]
    return [privately(command, reply_message(lang, reply))]


def _click(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """Confirm, Cancel or Undo on a pending change; the result replaces the clicked message."""
    act = job["act"]
    if act not in CLICK_ACTS:
        raise ValueError(f"not a flow button: {act!r}")
    body = job["payload"]
    lang, reply = runtime.click(getattr(runtime.flows, act), body, job["action"], client)
    return [privately(body, reply_message(lang, reply), replace_original=True)]


def _start_flow(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """An article's (or App Home's) "Create an alias": the form for agents, how to ask for others."""
    body = job["payload"]
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    flow = FLOWS.get(job["action"].get("value") or "")
    if flow is None:
        return []
    if not who.may_look:  # a customer's people get the form too: its preview offers Request this change
        settings = runtime.settings
        example = f"support@{settings.example_domain}"
        text = FLOW_MESSAGES(
            "ask_support_for", flow=flow.title, support=settings.support_contact, example=example
        )
        return [_note(body, mrkdwn(text, lang))]
    metadata = modal_metadata(flow.id, body.get("response_url"))
    return [modal(body["trigger_id"], flow_modal(lang, flow, {}, metadata))]


def _home_undo(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    body = job["payload"]
    lang, reply = runtime.click(runtime.flows.undo_change, body, job["action"], client)
    notice = "\n".join(mrkdwn(line, lang) for line in reply.lines)
    who = runtime.clicker(body, client)
    return [home(who.user_id, home_tab(runtime, who, lang, notice))]


def _home(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    body = job["payload"]
    who = runtime.person(client, body["event"]["user"], event_team(body), body.get("team_id"))
    return [home(who.user_id, home_tab(runtime, who, runtime.lang(client, who.user_id)))]


# A teaching change, run for an agent: `change(session, agent's user id)`.
TeachingChange = Callable[[Session, str], Taught]
# What replaces the menu once a teaching change is made, in the clicker's language.
ShownChange = Callable[[Lang, Taught], list[Block]]


def _teaching(
    runtime: Runtime, client: WebClient, body: dict[str, Any], change: TeachingChange, shown: ShownChange
) -> list[Delivery]:
    """Run `change` for an agent and show it: App Home published again, or in a message the menu (or
    the earlier note) replaced by `shown`'s blocks. Anyone else, or a refused change, is told privately."""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    if who.role is None:
        return [_note(body, MESSAGES.text("teach_agents_only", lang))]
    try:
        with runtime.sessions() as session:
            example = change(session, who.user_id)
    except TeachingError as error:
        return [_note(body, error.text.render(lang))]
    if (body.get("container") or {}).get("type") == "view":
        return [home(who.user_id, home_tab(runtime, who, lang))]
    original = body.get("message") or {}
    kept = [block for block in original.get("blocks") or [] if block.get("block_id") not in TEACH_BLOCKS]
    message = {"text": original.get("text") or "", "blocks": [*kept, *shown(lang, example)]}
    return [privately(body, message, replace_original=True)]


def _teach(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """A choice in a teach menu: the question's text becomes an example of the chosen article."""
    body = job["payload"]
    parsed = parse_teach_value((job["action"].get("selected_option") or {}).get("value") or "")
    if parsed is None:
        return []
    question_id, label = parsed
    return _teaching(
        runtime,
        client,
        body,
        lambda session, agent: teach_answered(session, question_id, label, agent),
        lambda lang, example: taught_blocks(lang, example, titles(runtime, lang)),
    )


def _forget(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """*Remove the example* under what was taught."""
    body, value = job["payload"], job["action"].get("value") or ""
    if not value.isdigit():
        return []
    return _teaching(
        runtime, client, body, lambda session, agent: forget(session, int(value), agent), forgotten_blocks
    )


WORK: dict[str, Callable[[Runtime, WebClient, dict[str, Any]], list[Delivery]]] = {
    "question": _question,
    "event": _event,
    "feedback": _feedback,
    "topic": _topic,
    "ask_person": _ask_person,
    "feedback_form": _feedback_form,
    "command": _command,
    "click": _click,
    "start_flow": _start_flow,
    "home_undo": _home_undo,
    "home": _home,
    "teach": _teach,
    "forget": _forget,
    request_jobs.REQUEST: request_jobs.open_request,
    request_jobs.REJECT_FORM: request_jobs.reject_form,
    request_jobs.DECISION: request_jobs.decide,
    DECIDED_ELSEWHERE: request_jobs.show_decided_elsewhere,
}


# --- Doing a claimed job ------------------------------------------------------------------------

# A bookkeeping write of the queue (store the result, count a delivery); False: the job was taken over.
Record = Callable[[], bool]


def run(runtime: Runtime, queue: JobQueue, claimed: Claimed, later: Callable[[Record], None]) -> None:
    """Work the job out (unless an earlier attempt did), record the replies, send each one not sent
    yet and record it. A write the database refuses right now goes to `later` (the worker tries it
    again): the replies are sent all the same, the person should not wait for the database."""
    client = web_client(runtime.settings.slack_api_url, bot_token(runtime, claimed.details["team"]))
    deliveries = claimed.result
    if deliveries is None:
        deliveries = _work_out(runtime, client, claimed)
        if not _record(partial(queue.store_result, claimed, deliveries), later):
            return
    # An earlier attempt stored these and may have been sending the first one not counted as sent.
    in_doubt = claimed.result is not None
    all_sent = True
    for number in range(claimed.delivered, len(deliveries)):
        delivery, mark = deliveries[number], marker(claimed.id, number)
        skipped = delivery.get("only_if_sent") and not all_sent  # what it says would not be true
        maybe_sent = in_doubt and number == claimed.delivered
        if not (skipped or (maybe_sent and was_delivered(client, delivery, mark))):
            sent_now, posted = _send(runtime, client, claimed, delivery, mark)
            all_sent = all_sent and sent_now
            request_id = delivery.get(request_jobs.POSTED_REQUEST)
            if posted is not None and request_id is not None:
                _record(partial(request_jobs.record_post, runtime, request_id, posted), later)
        sent = number + 1
        done = sent == len(deliveries)
        if not _record(partial(queue.delivered, claimed, sent, done=done), later):
            return
    if not deliveries:
        _record(partial(queue.delivered, claimed, 0, done=True), later)


def _record(write: Record, later: Callable[[Record], None]) -> bool:
    try:
        if write():
            return True
    except SQLAlchemyError:
        log.warning("the job queue could not record a step now; trying again later", exc_info=True)
        later(write)
        return True
    log.warning("a job was taken over by another worker (this one was too slow); leaving it")
    return False


def _work_out(runtime: Runtime, client: WebClient, claimed: Claimed) -> list[Delivery]:
    if claimed.attempt > MAX_ATTEMPTS:
        log.error(
            "job %s (%s): taken up %s times, answered with an apology",
            claimed.id,
            claimed.kind,
            claimed.attempt,
        )
        return _apology(runtime, claimed, _generic_failure(claimed.kind))
    try:
        return WORK[claimed.kind](runtime, client, claimed.details)
    except Exception as error:
        log.exception("job %s (%s) failed", claimed.id, claimed.kind)
        return _apology(runtime, claimed, failure_kind(error) or _generic_failure(claimed.kind))


def _send(
    runtime: Runtime, client: WebClient, claimed: Claimed, delivery: Delivery, mark: dict[str, Any]
) -> tuple[bool, SlackResponse | None]:
    """Send one reply: whether Slack took it, and its answer to a message posted in a channel. If
    Slack refuses it, the person is told (its `if_refused`, else `_apology`), unless it was the
    apology itself or only a best effort."""
    try:
        return True, deliver(client, delivery, mark)
    except Exception as error:
        log.warning("job %s (%s): Slack refused a reply (%s)", claimed.id, claimed.kind, error, exc_info=True)
        kind = failure_kind(error) or _generic_failure(claimed.kind)
        support_channel = runtime.settings.support_channel
        if support_channel and delivery.get("channel") == support_channel:
            log.error("the support channel %s refused a post (%s): is the app in it?", support_channel, error)
    if delivery.get("apology") or delivery.get("best_effort"):
        return False, None
    replacement = delivery.get("if_refused")
    for apology in [replacement] if replacement else _apology(runtime, claimed, kind):
        try:
            deliver(client, apology)
        except Exception:
            log.exception("job %s (%s): could not tell the person it failed", claimed.id, claimed.kind)
    return False, None


def _generic_failure(kind: str) -> str:
    return "something_went_wrong" if kind in ANSWERS else "request_failed"


def _apology(runtime: Runtime, claimed: Claimed, failure: str) -> list[Delivery]:
    """Where the reply would have gone, in the person's language: what they wrote or clicked in
    tells it, else their Slack locale as far as we know it. An unattended job has no one to tell."""
    if claimed.kind in UNATTENDED:
        return []
    payload = claimed.details["payload"]
    text = failure_text(failure, payload, _known_lang(runtime, describe(payload)["user"]))
    if claimed.kind == "event":
        delivery = in_channel(payload["event"]["channel"], claimed.details["thread_ts"], {"text": text})
    else:
        delivery = privately(payload, {"text": text})
    return [{**delivery, "apology": True}]


def _known_lang(runtime: Runtime, user_id: str | None) -> Lang:
    default = runtime.settings.default_lang
    if user_id is None:
        return default
    try:
        with runtime.sessions() as session:
            _, lang = cached_lang(session, user_id)
    except SQLAlchemyError:
        return default
    return lang or default
