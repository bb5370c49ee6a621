"""Multi-workspace install: Slack's OAuth paths, with installations and OAuth state in our database.

Used when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set. Every instance reads the same tables
(see `bot.slack.stores`), so a workspace installed through one instance is served by all of them,
each request with its own workspace's bot token.
"""

from __future__ import annotations

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.config import Settings

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of manifest.yml (a test keeps the two the same).
BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "im:history", "users:read", "usergroups:read")
# How long an install link stays valid between "Add to Slack" and Slack's redirect back.
STATE_LIFETIME_SECONDS = 600


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    client_id = settings.slack_client_id or ""
    return OAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=SQLAlchemyInstallationStore(client_id=client_id, engine=engine),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_LIFETIME_SECONDS, engine=engine),
    )
