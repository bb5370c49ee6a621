"""The Web API client every part of the app uses, and the Bolt app's token settings.

- `web_client`: one TLS context per process, waits out a 429 for its `Retry-After` and retries a
  dropped connection once.
- `app_options`: keyword arguments for `slack_bolt.App`: that client with the one bot token, or with
  SLACK_CLIENT_ID/SECRET the OAuth settings (a token per installed workspace, from our database).
- `bot_token`: the token a job after the ack uses (jobs name their workspace, they hold no token).
"""

from __future__ import annotations

import ssl
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.slack.oauth import installation_store, oauth_settings
from bot.slack.runtime import Runtime

# Slack asks for a pause of a second or a few; two retries outlast one burst without stalling a worker.
RATE_LIMIT_RETRIES = 2

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
    if settings.uses_oauth:
        return {
            "client": web_client(settings.slack_api_url, token=None),
            "oauth_settings": oauth_settings(settings, sessions.kw["bind"]),
        }
    return {"client": web_client(settings.slack_api_url, settings.slack_bot_token)}


def bot_token(runtime: Runtime, team: dict[str, Any]) -> str | None:
    """The bot token of the workspace a job came from (`team` as `bot.slack.jobs.new_job` keeps it)."""
    settings = runtime.settings
    if not settings.uses_oauth:
        return settings.slack_bot_token
    bot = installation_store(settings, runtime.sessions.kw["bind"]).find_bot(
        enterprise_id=team.get("enterprise_id"),
        team_id=team.get("team_id"),
        is_enterprise_install=team.get("is_enterprise_install"),
    )
    return bot.bot_token if bot else None
