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
# Seconds a writer waits for a database lock before it says the database is busy (bot.db).
DEFAULT_LOCK_TIMEOUT = 10.0

# The articles install as the data package bot.knowledge (pyproject.toml maps it to knowledge/), so a
# wheel finds them as an editable checkout does. Wheels install unzipped: the resource is a directory.
DEFAULT_KNOWLEDGE_DIR = Path(str(files("bot.knowledge")))


def _id_set(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


class SettingError(ValueError):
    """An environment setting that is no number in its range (the command line says so in sv/en)."""

    def __init__(self, name: str, value: str, low: float, high: float) -> None:
        super().__init__(f"{name}={value!r} is not a number from {low:g} to {high:g}")
        self.name = name
        self.value = value
        self.low = low
        self.high = high


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(name, raw, low, high) from None
    if not low <= value <= high:  # also refuses nan
        raise SettingError(name, raw, low, high)
    return value


def _whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _number(env, name, default, low, high)
    if value != int(value):
        raise SettingError(name, env[name].strip(), low, high)
    return int(value)


def _lang(value: str) -> Lang:
    return "en" if value.strip().lower().startswith("en") else "sv"


def env_lang() -> Lang:
    """MAILBOT_LANG (environment or `.env`), for messages said before the settings could be read."""
    load_dotenv(Path.cwd() / ".env", override=False)
    return _lang(os.environ.get("MAILBOT_LANG") or "sv")


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
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
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
            port=_whole_number(env, "PORT", defaults.port, 0, 65535),
            lock_timeout=_number(env, "MAILBOT_LOCK_TIMEOUT", defaults.lock_timeout, 0.1, 3600),
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
