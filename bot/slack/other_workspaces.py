"""With one bot token (no OAuth), events from workspaces the token does not belong to are not answered.

An app installed in several workspaces sends all their events to the same request URL, signed with the
same secret; Bolt would hand each to the listeners with this workspace's token. The event's
`authorizations` (Slack names there the installation it is delivered for; older payloads have only the
envelope's `team_id`/`enterprise_id`) must name the token's team, or its organisation for an org-wide
install on Enterprise Grid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.authorization import AuthorizeResult

from bot.slack.request_log import set_outcome


def is_for(installed: AuthorizeResult, body: dict[str, Any]) -> bool:
    """Whether the event envelope `body` was delivered for the installation `installed`."""
    authorizations = body.get("authorizations") or [
        {"team_id": body.get("team_id"), "enterprise_id": body.get("enterprise_id")}
    ]
    for authorization in authorizations:
        if authorization.get("team_id") and authorization["team_id"] == installed.team_id:
            return True
        if (
            authorization.get("is_enterprise_install")
            and authorization.get("enterprise_id")
            and (authorization["enterprise_id"] == installed.enterprise_id)
        ):
            return True
    return False


def ignore_other_workspaces(
    body: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],  # noqa: A002
) -> BoltResponse | None:
    """A Bolt middleware (after Bolt's authorization, which looked the token's team up with auth.test)."""
    installed = context.authorize_result
    if body.get("type") == "event_callback" and installed is not None and not is_for(installed, body):
        set_outcome(context, "other_workspace")
        return BoltResponse(status=200, body="")
    next()
    return None
