"""What a person is told when their request fails, and Bolt's error handler that tells them.

An unreachable database gets an immediate "changes are unavailable right now" in the person's
language instead of silence (the next request tries the database again); a form Slack no longer
lets open (expired `trigger_id`) gets "please click again". Any other failure is a bug: logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.answers.language import detect_language
from bot.config import Lang, Settings
from bot.db import is_database_unavailable
from bot.i18n import Catalog
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
        "form_expired": {
            "sv": "Formuläret hann inte öppnas: Slack ger bara några sekunder. Klicka en gång till, "
            "så öppnas det.",
            "en": "The form could not open in time: Slack allows only a few seconds. "
            "Please click once more to open it.",
        },
    },
)


def _user_text(body: dict[str, Any]) -> str:
    """Words that tell the user's language: what they wrote, or the message they clicked in."""
    message = body.get("message") or {}
    sections = [block.get("text", {}).get("text", "") for block in message.get("blocks") or []]
    written = body.get("text") or body.get("event", {}).get("text")
    return written or message.get("text") or " ".join(text for text in sections if isinstance(text, str))


def failure_kind(error: Exception) -> str | None:
    """The failures a person gets told about (a catalog key), or None for a bug (logged only)."""
    if is_database_unavailable(error):
        return "database_unavailable"
    if isinstance(error, SlackApiError) and error.response.get("error") == "expired_trigger_id":
        return "form_expired"
    return None


def failure_text(kind: str, payload: dict[str, Any], default_lang: Lang) -> str:
    """The message for a failure, in the language of what the user wrote or clicked in (their stored
    language may be in the database that cannot be reached)."""
    return MESSAGES.text(kind, detect_language(_user_text(payload), default_lang))


def answer_failures(settings: Settings) -> Callable[..., BoltResponse | None]:
    """Bolt's error handler (`app.error`): tells the person about the failures they can do something about."""

    def on_error(
        error: Exception, request: BoltRequest, response: BoltResponse | None, body: dict[str, Any]
    ) -> BoltResponse | None:
        kind = failure_kind(error)
        if kind is None:
            log.error("listener failed", exc_info=error)
            return None
        fields = {**describe(body), "outcome": kind, "error": str(error)[:300]}
        log.warning("listener failed: %s", kind, extra={"fields": fields})
        text = failure_text(kind, body, settings.default_lang)
        context = request.context
        set_outcome(context, kind)
        if response is not None:  # not acknowledged yet: the answer is the acknowledgement itself
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        if context.respond is not None:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.say is not None:
            context.say(text=text)
        return None

    return on_error
