"""Agents and admins from Slack user groups: MAILBOT_AGENTS / MAILBOT_ADMINS may name a user group by
its id (`S0123ABC`) or handle (`@support-team`) beside user ids, so a team manages its agents in Slack.

A group's members come from `usergroups.users.list` (handles are looked up once per refresh with
`usergroups.list`; both need the `usergroups:read` scope). They are kept in the database
(`slack_user_groups`, per workspace and entry) for GROUP_REFRESH, not in each process: the acking
threads and the after-ack worker of every instance then judge a person by the same list, the Web API
is asked once per group every few minutes for the whole deployment (these methods are rate-limited
to about 20 calls a minute), and a restarted process knows the agents at once. Whoever needs a list
older than GROUP_REFRESH refreshes it, so someone taken out of the group loses the role within that
time. When Slack cannot be asked, the last list serves for up to GROUP_STALE_LIMIT and then nobody:
a missing scope or a long outage must not keep a removed agent in place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import utcnow
from bot.slack.stores import GROUP_STALE_LIMIT, UserGroupMembers

log = logging.getLogger(__name__)

GROUP_REFRESH = timedelta(minutes=5)
GONE = "no_such_subteam"  # Slack's answer for a group that does not exist (deleted, or another workspace's)


def is_group(entry: str) -> bool:
    """A user group's id (S...) or handle (@name); user ids start with U or W."""
    return entry.startswith(("S", "@"))


def group_entries(settings: Settings) -> list[str]:
    return sorted(entry for entry in settings.agents | settings.admins if is_group(entry))


def group_members(
    sessions: sessionmaker[Session], client: WebClient, workspace: str | None, entries: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Each group entry's members, from the database while fresh, else from Slack."""
    wanted = list(entries)
    if not wanted:
        return {}
    team = workspace or ""
    now = utcnow()
    # Ages are compared in SQL: SQLite hands back timestamps without their time zone.
    columns = UserGroupMembers.__table__.c
    query = select(
        columns.entry,
        columns.members,
        columns.fetched_at >= now - GROUP_REFRESH,
        columns.fetched_at >= now - GROUP_STALE_LIMIT,
    ).where(columns.team_id == team, columns.entry.in_(wanted))
    with sessions() as session:
        known = {
            entry: (list(users), fresh, usable) for entry, users, fresh, usable in session.execute(query)
        }
    stale = [entry for entry in wanted if entry not in known or not known[entry][1]]
    fetched = _fetch(client, stale) if stale else {}
    if fetched:
        _store(sessions, team, fetched)
    members: dict[str, frozenset[str]] = {}
    for entry in wanted:
        if entry in fetched:
            members[entry] = frozenset(fetched[entry])
        elif entry in known and known[entry][2]:
            members[entry] = frozenset(known[entry][0])
        else:
            members[entry] = frozenset()
    return members


def _fetch(client: WebClient, entries: list[str]) -> dict[str, list[str]]:
    """The members of each entry Slack could tell about (an entry it could not is left out)."""
    ids: dict[str, str | None] = {entry: entry for entry in entries if not entry.startswith("@")}
    handles = [entry for entry in entries if entry.startswith("@")]
    if handles:
        try:
            answer = client.api_call("usergroups.list", data={"include_disabled": "false"})
        except SlackApiError:
            log.warning(
                "usergroups.list failed; user groups %s keep their last members", handles, exc_info=True
            )
        else:
            by_handle = {group.get("handle"): group.get("id") for group in answer.get("usergroups") or []}
            ids.update({entry: by_handle.get(entry[1:]) for entry in handles})
    found: dict[str, list[str]] = {}
    for entry, group_id in ids.items():
        if group_id is None:  # no group has that handle (any more)
            found[entry] = []
            continue
        try:
            answer = client.api_call("usergroups.users.list", data={"usergroup": group_id})
        except SlackApiError as error:
            if error.response.get("error") == GONE:
                found[entry] = []
            else:
                log.warning(
                    "usergroups.users.list failed for %s; keeping its last members", entry, exc_info=True
                )
            continue
        found[entry] = [str(user) for user in answer.get("users") or []]
    return found


def _store(sessions: sessionmaker[Session], team: str, fetched: dict[str, list[str]]) -> None:
    with sessions() as session:
        for entry, users in fetched.items():
            row = session.get(UserGroupMembers, (team, entry)) or UserGroupMembers(team_id=team, entry=entry)
            row.members = sorted(users)
            row.fetched_at = utcnow()
            session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process stored the same lists at the same moment: as good
