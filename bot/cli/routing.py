"""Routing on the command line: domains, mailboxes, aliases, forwards, groups, trace, undo, audit, Postfix.

The command line is the provider's own operator: it acts with the admin role and audits the
operator's name (`--actor`, default the OS user). Exit status (`bot.cli.usage`): 0 done (or
already so), 1 refused by a rule (the message names it; a malformed address is refused by the
rule "valid address", wherever it is given), 2 usage error (the command line or the import file
is wrong), 3 the database cannot be used now. Nothing is written unless the status is 0.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.common import LANG_OPTION, database
from bot.cli.help import HelpCommand, HelpGroup
from bot.cli.usage import EXIT_REFUSED, CommandFailed, UsageProblem, WholeNumber, os_reason
from bot.config import LANGS, Lang, Settings
from bot.customers.directory import CustomerDirectory
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.i18n import Text, one_line
from bot.routing.addresses import AddressError, parse_address, show_address
from bot.routing.changes import (
    Actor,
    ActorError,
    AddAlias,
    AddMembers,
    Change,
    ClearForward,
    CreateGroup,
    DeleteGroup,
    RemoveAlias,
    RemoveMember,
    Role,
    SetForward,
)
from bot.routing.mailbox_csv import CsvProblem, read_mailbox_csv
from bot.routing.messages import MESSAGES
from bot.routing.outcomes import Refused
from bot.routing.postfix import ConfigClash, UnsupportedDatabase, write_config
from bot.routing.scope import in_scope, show_scope
from bot.routing.service import Outcome, RoutingService, Status

F = TypeVar("F", bound=Callable[..., Any])

DEMO_MAILBOXES = ("anna", "bertil", "cecilia", "david")


class Context:
    """What every routing command needs: the service, who acts, and in which language to answer."""

    def __init__(
        self,
        settings: Settings,
        actor: str | None,
        lang: str | None,
        as_json: bool,
        accept_bounces: bool = False,
    ) -> None:
        self.settings = settings
        try:
            self.actor = Actor(getpass.getuser() if actor is None else actor, Role.ADMIN)
        except ActorError as error:
            raise UsageProblem(error.text, param_hint="'--actor'") from None
        self.lang: Lang = lang if lang in LANGS else settings.default_lang  # type: ignore[assignment]
        self.as_json = as_json
        # The operator's confirmation that addresses may bounce (a change without it is refused
        # and names them: the command line's preview).
        self.accept_bounces = accept_bounces
        self._sessions: sessionmaker[Session] | None = None

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            self._sessions = database(self.settings)
        return self._sessions

    @property
    def service(self) -> RoutingService:
        return RoutingService(self.sessions)

    def act_as_customer(self, name: str) -> None:
        """Act as the admin of the customer NAME: only their domains, nothing shown beyond them."""
        access = CustomerDirectory(self.sessions).access(name)
        if access is None:
            message = self.say(CUSTOMERS("unknown_customer", customer=name))
            raise click.BadParameter(message, param_hint="--as-customer")
        self.actor = Actor(self.actor.name, Role.AGENT, scope=access.domains)

    def say(self, text: Text) -> str:
        return text.render(self.lang)

    def report(self, outcome: Outcome, undoable: bool = True) -> None:
        """Print an outcome and leave with its exit status. Domains and mailboxes the provider loads
        are audited but not undoable (`undoable=False`): their change id is shown without the hint."""
        message = self.say(outcome.message)
        if outcome.warning is not None:
            message = f"{message}\n{self.say(outcome.warning)}"
        elif outcome.rule == "no_mail_loss" and self.actor.role is Role.ADMIN:
            message = f"{message}\n{self.say(MESSAGES('cli.accept_bounces'))}"
        if self.as_json:
            click.echo(
                json.dumps(
                    {
                        "status": outcome.status.value,
                        "rule": outcome.rule,
                        "change_id": outcome.change_id,
                        "bounces": [show_address(address) for address in outcome.bounces],
                        "message": message,
                    },
                    ensure_ascii=False,
                )
            )
        elif outcome.status is Status.OK and outcome.change_id is not None:
            hint = " " + self.say(MESSAGES("cli.undo_hint", id=outcome.change_id)) if undoable else ""
            click.echo(f"{message}\n[{outcome.change_id}]{hint}")
        else:
            click.echo(message, err=outcome.status is Status.REFUSED)
        if outcome.status is Status.REFUSED:
            sys.exit(EXIT_REFUSED)

    def refuse(self, refusal: Refused) -> None:
        self.report(Outcome(Status.REFUSED, refusal.text(), refusal.rule))

    def change(self, change: Change) -> None:
        self.report(self.service.apply(change, self.actor, allow_bounces=self.accept_bounces))

    def emit(self, data: Any, lines: list[str]) -> None:
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))
        else:
            for line in lines or [self.say(MESSAGES("cli.none"))]:
                click.echo(line)


def routing_command(
    group: click.Group, name: str, changes: bool = False, customers_too: bool = False
) -> Callable[[F], F]:
    """A routing subcommand with --actor, --lang and --json; the function receives a Context first.
    `changes`: it changes routing, so also --accept-bounces. `customers_too`: also --as-customer
    NAME, to try what a customer's admin may do. Its help is in `bot.cli.help`, under its path.

    A malformed address anywhere (an argument, a domain to list) is refused by the rule "valid
    address", as the routing core refuses it in a change: exit 1, in the chosen language.
    """

    def decorate(function: F) -> F:
        @click.option("--actor", default=None)
        @LANG_OPTION
        @click.option("--json", "as_json", is_flag=True)
        @click.pass_obj
        def command(
            settings: Settings,
            actor: str | None,
            lang: str | None,
            as_json: bool,
            accept_bounces: bool = False,
            **kwargs: Any,
        ) -> None:
            context = Context(settings, actor, lang, as_json, accept_bounces)
            as_customer = kwargs.pop("as_customer", None)
            try:
                if as_customer is not None:
                    context.act_as_customer(as_customer)
                function(context, **kwargs)
            except AddressError as error:
                context.refuse(Refused("address", error.text))

        if changes:
            command = click.option("--accept-bounces", is_flag=True)(command)
        if customers_too:
            command = click.option("--as-customer", "as_customer", default=None, metavar="NAME")(command)
        # Keep the arguments and options declared on `function` itself.
        command.__click_params__ = [*command.__click_params__, *getattr(function, "__click_params__", [])]  # type: ignore[attr-defined]
        return group.command(name)(command)  # type: ignore[return-value]

    return decorate


@click.group("domain", cls=HelpGroup)
def domain_group() -> None: ...


@routing_command(domain_group, "add", changes=True)
@click.argument("name")
@click.option("--postmaster", default=None)
def domain_add(context: Context, name: str, postmaster: str | None) -> None:
    outcome = context.service.add_domain(name, context.actor, postmaster, context.accept_bounces)
    context.report(outcome, undoable=False)
    if outcome.ok and not context.as_json:  # running smtpd processes still take it for someone else's
        click.echo(context.say(MESSAGES("cli.reload_postfix")), err=True)


@routing_command(domain_group, "list")
def domain_list(context: Context) -> None:
    domains = context.service.domains()
    context.emit(domains, domains)


@click.group("mailbox", cls=HelpGroup)
def mailbox_group() -> None: ...


@routing_command(mailbox_group, "add")
@click.argument("address")
@click.option("--name", default="")
def mailbox_add(context: Context, address: str, name: str) -> None:
    context.report(context.service.add_mailbox(address, context.actor, name), undoable=False)


@routing_command(mailbox_group, "list")
@click.argument("domain", required=False)
def mailbox_list(context: Context, domain: str | None) -> None:
    mailboxes = context.service.mailboxes(domain)
    context.emit(
        [asdict(m) for m in mailboxes], [f"{m.address}\t{one_line(m.name)}\t{m.maildir}" for m in mailboxes]
    )


@routing_command(mailbox_group, "import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def mailbox_import(context: Context, file: Path) -> None:
    try:
        rows = read_mailbox_csv(file.read_bytes())
    except OSError as error:
        raise UsageProblem(
            MESSAGES("import_cannot_open", reason=os_reason(error)), param_hint="FILE"
        ) from None
    except CsvProblem as problem:
        raise UsageProblem(problem.text, param_hint="FILE") from None
    label = context.say(MESSAGES("cli.importing"))
    with click.progressbar(length=len(rows), label=label, file=sys.stderr) as bar:
        outcome = context.service.import_mailboxes(rows, context.actor, progress=bar.update)
    context.report(outcome, undoable=False)


@click.group("alias", cls=HelpGroup)
def alias_group() -> None: ...


@routing_command(alias_group, "add", changes=True, customers_too=True)
@click.argument("alias")
@click.argument("mailbox")
def alias_add(context: Context, alias: str, mailbox: str) -> None:
    context.change(AddAlias(alias, mailbox))


@routing_command(alias_group, "remove", changes=True, customers_too=True)
@click.argument("alias")
def alias_remove(context: Context, alias: str) -> None:
    context.change(RemoveAlias(alias))


@routing_command(alias_group, "list")
@click.argument("domain", required=False)
def alias_list(context: Context, domain: str | None) -> None:
    aliases = context.service.aliases(domain)
    context.emit([asdict(a) for a in aliases], [f"{a.alias} -> {a.mailbox}" for a in aliases])


@click.group("forward", cls=HelpGroup)
def forward_group() -> None: ...


@routing_command(forward_group, "set", changes=True, customers_too=True)
@click.argument("address")
@click.argument("target")
@click.option("--keep-copy", is_flag=True)
def forward_set(context: Context, address: str, target: str, keep_copy: bool) -> None:
    context.change(SetForward(address, target, keep_copy))


@routing_command(forward_group, "clear", changes=True, customers_too=True)
@click.argument("address")
def forward_clear(context: Context, address: str) -> None:
    context.change(ClearForward(address))


@routing_command(forward_group, "show")
@click.argument("address")
def forward_show(context: Context, address: str) -> None:
    forward = context.service.forward(address)
    if forward is None:
        shown = show_address(parse_address(address))
        context.emit(None, [context.say(MESSAGES("no_forward", address=shown))])
        return
    copy = context.say(MESSAGES("cli.keep_copy")) if forward.keep_copy else ""
    context.emit(asdict(forward), [f"{forward.address} -> {forward.target}{copy}"])


@click.group("group", cls=HelpGroup)
def group_group() -> None: ...


@routing_command(group_group, "create", changes=True, customers_too=True)
@click.argument("address")
@click.option("--name", default="")
def group_create(context: Context, address: str, name: str) -> None:
    context.change(CreateGroup(address, name))


@routing_command(group_group, "add", changes=True, customers_too=True)
@click.argument("group")
@click.argument("members", nargs=-1, required=True)
def group_add(context: Context, group: str, members: tuple[str, ...]) -> None:
    context.change(AddMembers(group, members))


@routing_command(group_group, "remove", changes=True, customers_too=True)
@click.argument("group")
@click.argument("member")
def group_remove(context: Context, group: str, member: str) -> None:
    context.change(RemoveMember(group, member))


@routing_command(group_group, "delete", changes=True, customers_too=True)
@click.argument("group")
def group_delete(context: Context, group: str) -> None:
    context.change(DeleteGroup(group))


@routing_command(group_group, "members")
@click.argument("group")
def group_members(context: Context, group: str) -> None:
    members = context.service.members(group)
    if members is None:
        shown = show_address(parse_address(group))
        click.echo(context.say(MESSAGES("not_a_group", address=shown)), err=True)
        sys.exit(EXIT_REFUSED)
    context.emit(members, members)


@routing_command(group_group, "list")
@click.argument("domain", required=False)
def group_list(context: Context, domain: str | None) -> None:
    groups = context.service.groups(domain)
    lines = [
        context.say(MESSAGES("cli.group", address=g.address, name=one_line(g.name), count=g.member_count))
        for g in groups
    ]
    context.emit([asdict(g) for g in groups], lines)


@click.group("routing-commands", cls=HelpGroup)
def top_level() -> None: ...


@routing_command(top_level, "trace", customers_too=True)
@click.argument("address")
def trace(context: Context, address: str) -> None:
    scope = context.actor.scope
    if scope is not None and not in_scope(parse_address(address), scope):
        message = MESSAGES(
            "outside_scope", address=show_address(parse_address(address)), domains=show_scope(scope)
        )
        click.echo(context.say(message), err=True)
        sys.exit(EXIT_REFUSED)
    result = context.service.trace(address, scope)
    context.emit(result.to_dict(), [context.say(line) for line in result.lines()])


@routing_command(top_level, "undo", changes=True, customers_too=True)
@click.argument("change_id", type=WholeNumber(1))
def undo(context: Context, change_id: int) -> None:
    context.report(context.service.undo(change_id, context.actor, context.accept_bounces))


@routing_command(top_level, "audit")
@click.option("--limit", type=WholeNumber(1), default=50, show_default=True)
def audit(context: Context, limit: int) -> None:
    records = context.service.audit(limit)
    lines = []
    for r in records:
        undone = context.say(MESSAGES("cli.undone_by", id=r.undone_by)) if r.undone_by else ""
        of = context.say(MESSAGES("cli.undo_of", id=r.undo_of)) if r.undo_of else ""
        asked = (
            context.say(CUSTOMERS("audit_requested_by", who=one_line(r.requested_by)))
            if r.requested_by
            else ""
        )
        actor, subject = one_line(r.actor), one_line(r.subject)
        lines.append(f"[{r.id}] {r.at:%Y-%m-%d %H:%M:%S} {actor}{asked}: {r.action}{of} {subject}{undone}")
    context.emit([asdict(r) for r in records], lines)


@click.command("postfix-config", cls=HelpCommand)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
@click.option("--mailbox-base", default="/var/mail/vhosts", show_default=True)
@click.option("--force", is_flag=True)
@click.option("--no-proxy", "no_proxy", is_flag=True)
@LANG_OPTION
@click.pass_obj
def postfix_config(
    settings: Settings, out: Path, mailbox_base: str, force: bool, no_proxy: bool, lang: Lang | None
) -> None:
    try:
        written = write_config(settings.database_url, out, mailbox_base, replace=force, proxy=not no_proxy)
    except UnsupportedDatabase as error:
        raise UsageProblem(error.text) from None
    except ConfigClash as clash:
        names = ", ".join(path.name for path in clash.paths)
        raise CommandFailed(MESSAGES("postfix.would_replace", path=out, names=names), EXIT_REFUSED) from None
    except OSError as error:
        message = MESSAGES("postfix.cannot_write", path=out, reason=os_reason(error))
        raise UsageProblem(message, param_hint="'--out'") from None
    if not written:
        click.echo(MESSAGES("postfix.up_to_date", path=out).render(lang or settings.default_lang))
    for path in written:
        click.echo(path)


@routing_command(top_level, "demo")
def demo(context: Context) -> None:
    service = context.service
    domain = context.settings.example_domain
    existing = service.domains()
    if existing:
        click.echo(context.say(MESSAGES("cli.demo_exists", domains=", ".join(existing))))
        return
    service.add_domain(domain, context.actor)
    for local in DEMO_MAILBOXES:
        service.add_mailbox(f"{local}@{domain}", context.actor, local.capitalize())
    mailboxes = ", ".join(f"{local}@{domain}" for local in DEMO_MAILBOXES)
    click.echo(context.say(MESSAGES("cli.demo_done", domain=domain, mailboxes=mailboxes)))


def register(main: click.Group) -> None:
    for group in (domain_group, mailbox_group, alias_group, forward_group, group_group):
        main.add_command(group)
    for command in top_level.commands.values():
        main.add_command(command)
    main.add_command(postfix_config)
