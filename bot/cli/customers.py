"""`mailbot customer add|remove|list|show`: customers, the domains they own, their Slack people; and
`mailbot request list|approve|reject`: their people's requests for changes.

Like the routing commands: audited under `--actor`, `--json` for programs, `--lang sv|en`; exit 0 done
(or already so), 1 refused, 2 usage error.

A request decided here is shown in Slack as an agent's click there shows it (the post in the support
channel, the requester's DM, the admins' App Home): the command hands that to the Slack app through
its job queue in the database (`bot.slack.decided_elsewhere.DecidedElsewhere`), in the decision's own
transaction, which the running app's worker, of any instance, works through. The command line is an
adapter like the Slack app: the decision is the core's (`bot.flows.approvals`), telling Slack is
dispatch. It queues only when the settings name a Slack app (`Settings.has_slack`); without one
nothing is said about Slack.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from bot.cli.common import MESSAGES as CLI
from bot.cli.help import HelpGroup
from bot.cli.routing import EXIT_REFUSED, Context, routing_command
from bot.customers.directory import Additions, CustomerDirectory, CustomerInfo
from bot.customers.messages import MESSAGES
from bot.customers.models import ChangeRequest, RequestState
from bot.customers.requests import customer_name, requests
from bot.flows.approvals import Approvals, RequestStatus
from bot.flows.commands import FLOWS
from bot.flows.core import Flows, Person
from bot.i18n import Text
from bot.slack.decided_elsewhere import DecidedElsewhere


def directory(context: Context) -> CustomerDirectory:
    return CustomerDirectory(context.sessions)


@click.group("customer", cls=HelpGroup)
def customer_group() -> None: ...


@routing_command(customer_group, "add")
@click.argument("name")
@click.option("--domain", "domains", multiple=True)
@click.option("--slack-team", "teams", multiple=True)
@click.option("--slack-user", "users", multiple=True)
@click.option("--admin", is_flag=True)
def customer_add(
    context: Context,
    name: str,
    domains: tuple[str, ...],
    teams: tuple[str, ...],
    users: tuple[str, ...],
    admin: bool,
) -> None:
    if admin and not users:
        raise click.UsageError(context.say(MESSAGES("admin_needs_user")))
    outcome = directory(context).add(name, Additions(domains, teams, users, admin), context.actor)
    context.report(outcome, undoable=False)


@routing_command(customer_group, "remove")
@click.argument("name")
@click.option("--domain", "domains", multiple=True)
@click.option("--slack-team", "teams", multiple=True)
@click.option("--slack-user", "users", multiple=True)
def customer_remove(
    context: Context, name: str, domains: tuple[str, ...], teams: tuple[str, ...], users: tuple[str, ...]
) -> None:
    context.report(directory(context).remove(name, context.actor, domains, teams, users), undoable=False)


def _lines(context: Context, info: CustomerInfo) -> list[str]:
    def values(items: list[str]) -> str:
        return ", ".join(items) or context.say(MESSAGES("show.nothing"))

    plain = [user for user in info.users if user not in info.admins]
    return [
        info.name,
        "  " + context.say(MESSAGES("show.domains", values=values(info.domains))),
        "  " + context.say(MESSAGES("show.teams", values=values(info.teams))),
        "  " + context.say(MESSAGES("show.users", values=values(plain))),
        "  " + context.say(MESSAGES("show.admins", values=values(info.admins))),
    ]


@routing_command(customer_group, "list")
def customer_list(context: Context) -> None:
    customers = directory(context).customers()
    if not customers and not context.as_json:
        click.echo(context.say(MESSAGES("none")))
        return
    context.emit([asdict(c) for c in customers], [line for c in customers for line in _lines(context, c)])


@routing_command(customer_group, "show")
@click.argument("name")
def customer_show(context: Context, name: str) -> None:
    info = directory(context).customer(name)
    if info is None:
        raise click.BadParameter(context.say(MESSAGES("unknown_customer", customer=name)), param_hint="NAME")
    context.emit(asdict(info), _lines(context, info))


@click.group("request", cls=HelpGroup)
def request_group() -> None: ...


def _request_row(context: Context, row: ChangeRequest, customer: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "state": row.state,
        "flow": row.flow_id,
        "change": row.change,
        "requester": row.requester,
        "customer": customer,
        "created_at": row.created_at,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "change_id": row.change_id,
    }


@routing_command(request_group, "list")
@click.option("--open", "only_open", is_flag=True)
def request_list(context: Context, only_open: bool) -> None:
    with context.sessions() as session:
        rows = requests(session, RequestState.OPEN if only_open else None)
        data = [_request_row(context, row, customer_name(session, row)) for row in rows]
    lines = [
        context.say(
            MESSAGES(
                "request_row",
                id=item["id"],
                state=item["state"],
                flow=FLOWS[item["flow"]].title,
                change=", ".join(f"{k}={v}" for k, v in item["change"].items() if k != "action"),
                requester=item["requester"],
                customer=item["customer"] or context.say(MESSAGES("support.no_customer")),
                at=f"{item['created_at']:%Y-%m-%d %H:%M}",
            )
        )
        for item in data
    ]
    if not data and not context.as_json:
        click.echo(context.say(MESSAGES("no_requests")))
        return
    context.emit(data, lines)


def _decided(context: Context, result: RequestStatus | Text, slack: DecidedElsewhere | None) -> None:
    if isinstance(result, Text):
        click.echo(context.say(result), err=True)
        sys.exit(EXIT_REFUSED)
    in_slack = slack is not None and slack.queued
    lines = [context.say(line) for line in result.lines]
    if in_slack:
        lines.append(context.say(CLI("request.slack_decided" if result.told else "request.slack_reopened")))
    if context.as_json:
        data = {"request": result.request_id, "open": result.open, "message": lines, "slack_queued": in_slack}
        click.echo(json.dumps(data))
    else:
        click.echo("\n".join(lines))
    if result.open:  # nothing was made: routing changed since the preview, or a rule says no now
        sys.exit(EXIT_REFUSED)


def _slack(context: Context) -> DecidedElsewhere | None:
    """What queues the decision's job for the Slack app, if the settings name one."""
    return DecidedElsewhere(context.sessions.kw["bind"]) if context.settings.has_slack else None


@routing_command(request_group, "approve")
@click.argument("request_id", type=int)
def request_approve(context: Context, request_id: int) -> None:
    operator = Person(context.actor.name, None, context.actor.role)
    slack = _slack(context)
    approvals = Approvals(Flows(context.settings, context.sessions), announce=slack)
    _decided(context, approvals.approve(request_id, operator), slack)


@routing_command(request_group, "reject")
@click.argument("request_id", type=int)
@click.option("--reason", required=True)
def request_reject(context: Context, request_id: int, reason: str) -> None:
    operator = Person(context.actor.name, None, context.actor.role)
    slack = _slack(context)
    approvals = Approvals(Flows(context.settings, context.sessions), announce=slack)
    _decided(context, approvals.reject(request_id, operator, reason), slack)


def register(main: click.Group) -> None:
    main.add_command(customer_group)
    main.add_command(request_group)
