"""Private replies to a slash command or a click, through its `response_url`, and a way round it.

Slack takes at most 5 posts to a `response_url`, within 30 minutes; after that (or when Slack is
unwell) it answers 404 `expired_url` or another error, and the reply would be lost without a word
(a busy worker can take that long). Then the same message goes to the person with
chat.postEphemeral in the request's channel or, where the app cannot post there, in a DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.web_api import TLS

log = logging.getLogger(__name__)


def reply_privately(
    client: WebClient,
    response_url: str | None,
    message: dict[str, Any],
    *,
    user_id: str,
    channel_id: str | None,
    replace_original: bool = False,
) -> None:
    """Show `message` (text and blocks, already in the person's language) to `user_id` only."""
    if response_url:
        try:
            answer = WebhookClient(response_url, ssl=TLS).send(
                response_type="ephemeral", replace_original=replace_original, **message
            )
            # Slack answers "ok" or {"ok": true}; a refusal as 404 "expired_url" or {"ok": false, ...}.
            if answer.status_code == 200 and '"ok":false' not in answer.body.replace(" ", ""):
                return
            problem = f"{answer.status_code} {answer.body}"
        except OSError as error:  # no connection to Slack at all
            problem = repr(error)
        log.warning("response_url refused the reply to %s (%s); posting it directly", user_id, problem[:200])
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
            return
        except SlackApiError as error:  # e.g. a channel the app is not in
            log.warning(
                "chat.postEphemeral to %s in %s failed (%s); sending a DM", user_id, channel_id, error
            )
    client.chat_postMessage(channel=user_id, **message)


def reply_to(
    client: WebClient, payload: dict[str, Any], message: dict[str, Any], *, replace_original: bool = False
) -> None:
    """`reply_privately` to whoever sent a slash command or clicked (`payload` is what Slack sent)."""
    if "user_id" in payload:  # a slash command
        user_id, channel_id = payload["user_id"], payload.get("channel_id")
    else:
        user_id, channel_id = payload["user"]["id"], (payload.get("channel") or {}).get("id")
    reply_privately(
        client,
        payload.get("response_url"),
        message,
        user_id=user_id,
        channel_id=channel_id,
        replace_original=replace_original,
    )
