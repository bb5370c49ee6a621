"""What lets several instances serve Slack safely: Web API retries, redelivered events, outages.

- `app_options`: the Web API client waits out a 429 (`Retry-After`) and retries; with
  SLACK_CLIENT_ID/SECRET the app takes OAuth settings (tokens per workspace) instead of one token.
- `install(app, sessions, settings)`: a redelivered event (the same `event_id`, to any instance)
  is handled once; an unreachable database gets an immediate "changes are unavailable right now"
  in the user's language instead of silence, and the next request tries the database again; a
  form Slack no longer lets open (expired `trigger_id`) gets "please click again".
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.answers.language import detect_language
from bot.config import Lang, Settings
from bot.db import is_database_unavailable, make_engine, make_sessionmaker
from bot.i18n import Catalog
from bot.slack.oauth import oauth_settings
from bot.slack.request_log import OUTCOME_HEADER, describe
from bot.slack.stores import first_delivery

log = logging.getLogger(__name__)

# Slack asks for a pause of a second or a few; two retries outlast one burst without stalling a worker.
RATE_LIMIT_RETRIES = 2

MESSAGES = Catalog(
    "production",
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


# One TLS context per process: without one, every HTTPS call to Slack built its own (loading the
# system's CA certificates, 20-50 ms of CPU per call). Bolt's `respond` and `say` use it too.
TLS = ssl.create_default_context()


def web_client(api_url: str, token: str | None) -> WebClient:
    return WebClient(
        token=token,
        base_url=api_url,
        ssl=TLS,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def app_options(settings: Settings, sessions: sessionmaker) -> dict[str, Any]:
    """Keyword arguments for `slack_bolt.App`: a client with the one bot token, or per-workspace OAuth."""
    if settings.slack_client_id and settings.slack_client_secret:
        return {
            "client": web_client(settings.slack_api_url, token=None),
            "oauth_settings": oauth_settings(settings, sessions.kw["bind"]),
        }
    return {"client": web_client(settings.slack_api_url, settings.slack_bot_token)}


# Set in a request's context when its event was already taken in before the ack (a redelivery).
TAKEN_IN = "mailbot_event_taken_in"


def _taken_in(sessions: sessionmaker, event_id: str) -> bool:
    try:
        return first_delivery(sessions, event_id)
    except SQLAlchemyError:
        # Without the database an event may be answered twice; better than not at all.
        log.warning("event %s: could not record its delivery", event_id, exc_info=True)
        return True


def skip_redelivered_events(sessions: sessionmaker) -> Callable[..., BoltResponse | None]:
    """A redelivery (`X-Slack-Retry-Num`) is checked before its ack, so a duplicate is acked, logged as
    such and not handled. A first delivery is recorded after the ack, by the worker (`handle_once`):
    a database write before every ack made acks queue behind the other writers (SQLite's write lock)."""

    def middleware(
        body: dict[str, Any],
        request: BoltRequest,
        context: BoltContext,
        next: Callable[[], None],  # noqa: A002
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id and request.headers.get("x-slack-retry-num"):
            if not _taken_in(sessions, event_id):
                return BoltResponse(status=200, body="", headers={OUTCOME_HEADER: "duplicate"})
            context[TAKEN_IN] = True
        next()
        return None

    return middleware


def handle_once(sessions: sessionmaker, body: dict[str, Any], context: BoltContext) -> bool:
    """After the ack (in the flow worker, `bot.slack.flow_work`): record the event; False when another
    delivery of it (a redelivery, maybe to another instance) was taken in first."""
    event_id = body.get("event_id")
    return bool(context.get(TAKEN_IN)) or not event_id or _taken_in(sessions, event_id)


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


def database_unavailable_text(payload: dict[str, Any], default_lang: Lang) -> str:
    return failure_text("database_unavailable", payload, default_lang)


def answer_failures(settings: Settings) -> Callable[..., BoltResponse | None]:
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
        if response is not None:  # not acknowledged yet: the answer is the acknowledgement itself
            return BoltResponse(
                status=200, body={"response_type": "ephemeral", "text": text}, headers={OUTCOME_HEADER: kind}
            )
        context = request.context
        if context.respond is not None:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.say is not None:
            context.say(text=text)
        return None

    return on_error


def install(app: App, sessions: sessionmaker, settings: Settings) -> None:
    # Redeliveries are checked before the ack: their own connection pool, so listeners busy with the
    # database can never make an ack wait for a connection.
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    app.use(skip_redelivered_events(make_sessionmaker(make_engine(url))))
    app.error(answer_failures(settings))
