"""What the listeners and the after-ack jobs need besides Bolt's own arguments."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import sessionmaker

from bot.config import Lang, Settings
from bot.flows.approvals import Approvals
from bot.flows.commands import NeedsInput
from bot.flows.core import Flows, Person, Reply
from bot.flows.messages import MESSAGES
from bot.flows.store import cached_lang, remember_locale
from bot.slack.slack_text import command_text
from bot.slack.user_groups import group_entries, group_members

log = logging.getLogger(__name__)


def event_team(body: dict[str, Any]) -> str | None:
    """The workspace of the person behind an event: in a Slack Connect channel their own (`user_team`,
    or the event's `team`), not the workspace the event was delivered for (the envelope's `team_id`)."""
    event = body.get("event") or {}
    return event.get("user_team") or event.get("team") or body.get("team_id")


@dataclass(frozen=True)
class Runtime:
    """The settings, the database and the flows, in the app's process or in the after-ack worker."""

    settings: Settings
    sessions: sessionmaker
    flows: Flows
    approvals: Approvals

    @classmethod
    def create(cls, settings: Settings, sessions: sessionmaker) -> Runtime:
        flows = Flows(settings, sessions)
        return cls(settings, sessions, flows, Approvals(flows))

    def person(self, client: WebClient, user_id: str, team_id: str | None, workspace: str | None) -> Person:
        """Who a Slack user of `team_id` is; `workspace` is where the request came in (its user groups)."""
        settings = self.settings
        entries = [] if user_id in settings.agents | settings.admins else group_entries(settings)
        groups = group_members(self.sessions, client, workspace, entries)
        return self.flows.person(user_id, team_id, groups)

    def clicker(self, body: dict[str, Any], client: WebClient) -> Person:
        """Who clicked a button or submitted a view (`body` is Slack's interaction payload): the user's
        own workspace is `user.team_id` (in a Slack Connect channel not the one the app serves there)."""
        user = body["user"]
        workspace = (body.get("team") or {}).get("id")
        return self.person(client, user["id"], user.get("team_id") or workspace, workspace)

    def lang(self, client: WebClient, user_id: str) -> Lang:
        """The user's Slack locale (asked once a week, kept in the database), else MAILBOT_LANG."""
        default = self.settings.default_lang
        with self.sessions() as session:
            known, lang = cached_lang(session, user_id)
        if known:
            return lang or default
        # No database connection is held during the Web API call: under load a pool of connections
        # waiting on Slack would keep other requests (and their acks) from the database.
        try:
            # POSTed as a form like every other call (Slack takes both; users_info() would GET).
            answer = client.api_call("users.info", data={"user": user_id, "include_locale": "true"})
        except SlackApiError:
            log.warning("users.info failed for %s; using the default language", user_id, exc_info=True)
            return default
        with self.sessions() as session:
            remember_locale(session, user_id, (answer.get("user") or {}).get("locale"))
            _, lang = cached_lang(session, user_id)
        return lang or default

    def command(self, command: dict[str, Any], client: WebClient) -> tuple[Lang, Reply | NeedsInput]:
        """A flow's slash command (`command` is Slack's payload) in the user's language."""
        user_id = command["user_id"]
        who = self.person(client, user_id, command.get("team_id"), command.get("team_id"))
        return self.lang(client, user_id), self.flows.command(command["command"], command_text(command), who)

    def click(
        self,
        act: Callable[[int, Person], Reply],
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
    ) -> tuple[Lang, Reply]:
        """A flow's button (Confirm, Cancel, Undo): `act` on the id the button carries."""
        who = self.clicker(body, client)
        value = action.get("value") or ""
        reply = act(int(value), who) if value.isdigit() else Reply.info(MESSAGES("unknown_pending"))
        return self.lang(client, who.user_id), reply
