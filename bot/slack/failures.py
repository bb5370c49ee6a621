"""What a person is told when their request fails, and Bolt's error handler that tells them.

Every request is acknowledged at once, whatever fails. The listeners only queue a job before their
ack, so what can fail there is the database (unreachable: "changes are unavailable right now" in the
person's language, and the next request tries again) or a bug. After the ack, a job that fails is
answered with the same kinds of message by `bot.slack.jobs`: the database, a form Slack no longer
lets open (expired `trigger_id`: "please click again"), or a short apology for anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers.language import detect_language
from bot.config import Lang, Settings
from bot.db import is_database_unavailable
from bot.i18n import Catalog
from bot.slack.deliveries import deliver, in_channel, privately
from bot.slack.job_queue import Delivery
from bot.slack.request_log import describe, set_outcome

log = logging.getLogger(__name__)

MESSAGES = Catalog(
    "failures",
    {
        "database_unavailable": {
            "sv": "Jag når inte databasen just nu, så ändringar går inte att göra för tillfället. "
            "Inget har ändrats. Försök igen om en liten stund.",
            "en": "I cannot reach the database right now, so changes are unavailable at the moment. "
            "Nothing was changed. Please try again in a little while.",
        },
        "something_went_wrong": {
            "sv": "Något gick fel när jag tog fram svaret, förlåt. Försök igen om en liten stund.",
            "en": "Something went wrong while I worked out the answer, sorry. "
            "Please try again in a little while.",
        },
        "request_failed": {
            "sv": "Något gick fel när jag skulle göra det du bad om, förlåt. Försök igen om en liten stund.",
            "en": "Something went wrong while I handled your request, sorry. "
            "Please try again in a little while.",
        },
        "form_expired": {
            "sv": "Formuläret hann inte öppnas: Slack ger bara några sekunder. Klicka en gång till, "
            "så öppnas det.",
            "en": "The form could not open in time: Slack allows only a few seconds. "
            "Please click once more to open it.",
        },
    },
)


def _user_text(body: dict[str, Any]) -> str:
    """Words that tell the user's language: what they wrote, the message they clicked in, or the
    form they submitted (shown in their language)."""
    message = body.get("message") or {}
    sections = [block.get("text", {}).get("text", "") for block in message.get("blocks") or []]
    view = body.get("view") or {}
    form = [(view.get("title") or {}).get("text", "")]
    form += [(block.get("label") or {}).get("text", "") for block in view.get("blocks") or []]
    written = body.get("text") or body.get("event", {}).get("text")
    shown = " ".join(text for text in [*sections, *form] if isinstance(text, str) and text)
    return written or message.get("text") or shown


def failure_kind(error: Exception) -> str | None:
    """The failures with a message of their own (a catalog key); None for any other (a bug)."""
    if is_database_unavailable(error):
        return "database_unavailable"
    if isinstance(error, SlackApiError) and error.response.get("error") == "expired_trigger_id":
        return "form_expired"
    return None


def failure_text(kind: str, payload: dict[str, Any], default_lang: Lang) -> str:
    """The message for a failure, in the language of what the user wrote or clicked in, else
    `default_lang` (their stored language may be in the database that cannot be reached)."""
    return MESSAGES.text(kind, detect_language(_user_text(payload), default_lang))


def answer_failures(settings: Settings, background: Executor) -> Callable[..., BoltResponse]:
    """Bolt's error handler (`app.error`). The app runs its listeners before it answers Slack
    (`process_before_response`), so whatever failed, this answer is still the ack: HTTP 200 at once.
    A slash command gets the message as its ack, a form under its first field; a click or an event
    gets it in a reply sent from `background` after the ack."""

    def on_error(error: Exception, request: BoltRequest, body: dict[str, Any]) -> BoltResponse:
        kind = failure_kind(error) or "request_failed"
        fields = {**describe(body), "outcome": kind, "error": str(error)[:300]}
        if kind == "request_failed":
            log.error("listener failed", exc_info=error, extra={"fields": fields})
        else:
            log.warning("listener failed: %s", kind, extra={"fields": fields})
        text = failure_text(kind, body, settings.default_lang)
        set_outcome(request.context, kind)
        if body.get("command"):
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        field = _first_input(body)
        if field is not None:
            errors = {"response_action": "errors", "errors": {field: text}}
            return BoltResponse(status=200, body=errors)
        delivery = _reply_to(body, text)
        if delivery is not None:
            background.submit(_tell, request.context.client, delivery)
        return BoltResponse(status=200, body="")

    return on_error


def _first_input(body: dict[str, Any]) -> str | None:
    """The block id of a submitted form's first input, where its error can show."""
    if body.get("type") != "view_submission":
        return None
    blocks = (body.get("view") or {}).get("blocks") or []
    return next((block.get("block_id") for block in blocks if block.get("type") == "input"), None)


def _reply_to(body: dict[str, Any], text: str) -> Delivery | None:
    """Where the person sees a reply: an event's channel and thread, else privately (a DM at least)."""
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        if event.get("type") not in ("message", "app_mention") or not event.get("channel"):
            return None
        thread_ts = event.get("thread_ts") or (event.get("ts") if event["type"] == "app_mention" else None)
        return in_channel(event["channel"], thread_ts, {"text": text})
    if (body.get("user") or {}).get("id"):
        return privately(body, {"text": text})
    return None


def _tell(client: WebClient, delivery: Delivery) -> None:
    try:
        deliver(client, delivery)
    except Exception:
        log.exception("could not tell the person that their request failed")
