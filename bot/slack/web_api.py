"""The Web API client every part of the app uses, and the Bolt app's token settings.

- `web_client`: one TLS context per process, waits out a 429 for its `Retry-After` and retries a
  dropped connection once.
- `app_options`: keyword arguments for `slack_bolt.App`: that client with the one bot token, or with
  SLACK_CLIENT_ID/SECRET the OAuth settings (a token per installed workspace, from our database).
"""

from __future__ import annotations

import ssl
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.slack.oauth import oauth_settings

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
