"""`mailbot customer add|remove|list|show`: customers, the domains they own, their Slack people.

Like the routing commands: audited under `--actor`, `--json` for programs, `--lang sv|en`; exit 0 done
(or already so), 1 refused, 2 usage error.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from bot.cli.routing import Context, routing_command
from bot.customers.directory import Additions, CustomerDirectory, CustomerInfo
from bot.customers.messages import MESSAGES


def directory(context: Context) -> CustomerDirectory:
    return CustomerDirectory(context.sessions)


@click.group("customer")
def customer_group() -> None:
    """Customers: the domains they own and the Slack people who may see and change them."""


@routing_command(customer_group, "add")
@click.argument("name")
@click.option("--domain", "domains", multiple=True, help="A hosted domain the customer owns (repeatable).")
@click.option(
    "--slack-team", "teams", multiple=True, help="Everyone of this Slack workspace (T...) is theirs."
)
@click.option("--slack-user", "users", multiple=True, help="This Slack user (U...) is theirs (repeatable).")
@click.option("--admin", is_flag=True, help="The --slack-user people may change the customer's domains.")
def customer_add(
    context: Context,
    name: str,
    domains: tuple[str, ...],
    teams: tuple[str, ...],
    users: tuple[str, ...],
    admin: bool,
) -> None:
    """Create the customer NAME (at least one --domain), or give an existing one more."""
    if admin and not users:
        raise click.UsageError(context.say(MESSAGES("admin_needs_user")))
    outcome = directory(context).add(name, Additions(domains, teams, users, admin), context.actor)
    context.report(outcome, undoable=False)


@routing_command(customer_group, "remove")
@click.argument("name")
@click.option("--domain", "domains", multiple=True, help="Take only this domain from the customer.")
@click.option("--slack-team", "teams", multiple=True, help="Take only this workspace from the customer.")
@click.option("--slack-user", "users", multiple=True, help="Take only this user from the customer.")
def customer_remove(
    context: Context, name: str, domains: tuple[str, ...], teams: tuple[str, ...], users: tuple[str, ...]
) -> None:
    """Remove the customer NAME (their domains stay hosted), or only the domains and people named."""
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
    """Every customer with their domains and Slack people."""
    customers = directory(context).customers()
    if not customers and not context.as_json:
        click.echo(context.say(MESSAGES("none")))
        return
    context.emit([asdict(c) for c in customers], [line for c in customers for line in _lines(context, c)])


@routing_command(customer_group, "show")
@click.argument("name")
def customer_show(context: Context, name: str) -> None:
    """One customer's domains and Slack people."""
    info = directory(context).customer(name)
    if info is None:
        raise click.BadParameter(context.say(MESSAGES("unknown_customer", customer=name)), param_hint="NAME")
    context.emit(asdict(info), _lines(context, info))


def register(main: click.Group) -> None:
    main.add_command(customer_group)
