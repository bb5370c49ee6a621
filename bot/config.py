"""Settings from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

from dotenv import load_dotenv

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")

# The articles install as the data package bot.knowledge (pyproject.toml maps it to knowledge/), so a
# wheel finds them as an editable checkout does. Wheels install unzipped: the resource is a directory.
DEFAULT_KNOWLEDGE_DIR = Path(str(files("bot.knowledge")))


def _id_set(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _lang(value: str) -> Lang:
    return "en" if value.strip().lower().startswith("en") else "sv"


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///mailbot.db"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    agents: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()
    default_lang: Lang = "sv"
    port: int = 3000
    # Used in article examples and in "ask a person" replies.
    provider_name: str = "Kulexempel Mail"
    support_contact: str = "support@kulexempel.se"
    example_domain: str = "kulexempel.se"
    support_channel: str | None = None
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    # Days questions, votes and comments keep their text and user; as written (bot.privacy checks it).
    question_retention_days: str = "180"
    # Key of the pseudonyms that replace an erased person's Slack id in the routing audit.
    pseudonym_secret: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        defaults = cls()
        return cls(
            database_url=get("DATABASE_URL") or defaults.database_url,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=get("SLACK_CLIENT_SECRET"),
            slack_api_url=get("SLACK_API_URL") or defaults.slack_api_url,
            agents=_id_set(env.get("MAILBOT_AGENTS", "")),
            admins=_id_set(env.get("MAILBOT_ADMINS", "")),
            default_lang=_lang(get("MAILBOT_LANG") or defaults.default_lang),
            port=int(get("PORT") or defaults.port),
            provider_name=get("MAILBOT_PROVIDER_NAME") or defaults.provider_name,
            support_contact=get("MAILBOT_SUPPORT_CONTACT") or defaults.support_contact,
            example_domain=get("MAILBOT_EXAMPLE_DOMAIN") or defaults.example_domain,
            support_channel=get("MAILBOT_SUPPORT_CHANNEL"),
            knowledge_dir=Path(get("MAILBOT_KNOWLEDGE_DIR") or defaults.knowledge_dir),
            question_retention_days=get("MAILBOT_QUESTION_RETENTION_DAYS")
            or defaults.question_retention_days,
            pseudonym_secret=get("MAILBOT_PSEUDONYM_SECRET"),
        )

    @property
    def uses_oauth(self) -> bool:
        """Installs in any number of workspaces (a token per workspace) instead of one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def has_slack(self) -> bool:
        return bool(
            self.slack_app_token
            or (self.slack_bot_token and self.slack_signing_secret)
            or (self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        )


def load_settings() -> Settings:
    """Read `.env` (without overriding the real environment), then the environment."""
    load_dotenv(Path.cwd() / ".env", override=False)
    return Settings.from_env(os.environ)
