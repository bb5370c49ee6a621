"""The provider's own loads: domains and mailboxes, one by one or from a CSV import.

Audited like every change, but not undone from here (they are not `Change` requests); a
mailbox import is all rows or none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.db import utcnow
from bot.routing.addresses import (
    AddressError,
    domain_of,
    parse_address,
    parse_domain,
    show_address,
    show_domain,
    unicode_form,
)
from bot.routing.changes import Actor, CreateGroup
from bot.routing.graph import CHUNK, ROUTES, RoutingGraph, batched
from bot.routing.mailbox_csv import MailboxLine
from bot.routing.messages import MESSAGES
from bot.routing.models import DistributionGroup, Domain, Mailbox, RouteKind
from bot.routing.outcomes import Outcome, Refused, Status, Unchanged
from bot.routing.rules import (
    bouncing_addresses,
    check_name,
    check_protected,
    expand_within_limits,
    parse,
    refuse_if_taken,
    refuse_lost_mail,
    require_hosted_name,
)
from bot.routing.state import AddressState, Plan
from bot.routing.writing import (
    ACTION_DOMAIN_ADD,
    ACTION_MAILBOX_ADD,
    ACTION_MAILBOX_IMPORT,
    write_audit,
    write_plan,
)


def add_domain(
    graph: RoutingGraph, name: str, actor: Actor, postmaster: str | None, allow_bounces: bool
) -> Outcome:
    """Host a domain, with its protected addresses postmaster@ and abuse@ from the start.

    `postmaster`: an existing mailbox of ours that both reach (as groups with it as the member);
    without it, postmaster@ becomes a mailbox of the domain and abuse@ a group around it. Routes
    that already point into the domain stop leaving for the outside world: the addresses whose mail
    would then bounce are named, and only an admin who allows it may go on; none may pass the limits
    (its abuse@ now expands as far as the postmaster mailbox does).
    """
    try:
        domain = parse_domain(name)
    except AddressError as error:
        raise Refused("address", error.text) from None
    if graph.is_hosted(domain):
        raise Unchanged(MESSAGES("unchanged.domain", domain=show_domain(domain)))
    pointing_in = graph.connection.execute(
        select(ROUTES.source).where(ROUTES.destination.like(f"%@{domain}"))
    )
    affected = sorted({a for source in pointing_in.scalars() for a in graph.ancestors(source)})
    before = {address: graph.deliveries(graph.expand(address)) for address in affected}
    unicode_name = show_domain(domain).casefold()
    if not unicode_name.isascii() and (alike := graph.stored_form(f"@{unicode_name}")) is not None:
        # σίσυφος.gr and σίσυφοσ.gr are two names in DNS but one to Postfix, which casefolds keys.
        detail = MESSAGES("domain_alike", domain=show_domain(domain), other=show_domain(domain_of(alike)))
        raise Refused("one_thing", detail)
    graph.connection.execute(
        insert(Domain).values(
            name=domain, unicode_name=None if unicode_name.isascii() else unicode_name, created_at=utcnow()
        )
    )
    graph.forget_all()
    change_id = write_audit(graph, actor, ACTION_DOMAIN_ADD, domain, None, None, details={"domain": domain})
    reached = _add_protected_addresses(graph, domain, actor, postmaster)
    graph.forget_all()  # a new mailbox (postmaster@) may have been asked about before it was written
    # abuse@ of the new domain (and postmaster@, a group) now expand further: within the limits too
    after = {address: graph.deliveries(expand_within_limits(graph, address)) for address in affected}
    bounces = refuse_lost_mail(bouncing_addresses(before, after), actor, allow_bounces)
    effect = MESSAGES(
        "effect.add_domain",
        domain=show_domain(domain),
        postmaster=show_address(f"postmaster@{domain}"),
        abuse=show_address(f"abuse@{domain}"),
        mailbox=show_address(reached),
    )
    return Outcome(Status.OK, effect, bounces=bounces, change_id=change_id)


def _add_protected_addresses(graph: RoutingGraph, domain: str, actor: Actor, postmaster: str | None) -> str:
    """Create postmaster@ and abuse@ of a new domain; return the mailbox they reach."""
    if postmaster is None:
        mailbox = f"postmaster@{domain}"
        row = mailbox_row(mailbox, graph.domain_id(mailbox), "Postmaster", graph.unicode_form(mailbox))
        graph.connection.execute(insert(Mailbox), [row])
        write_audit(graph, actor, ACTION_MAILBOX_ADD, mailbox, None, None, details=row)
        groups = {f"abuse@{domain}": "Abuse"}
    else:
        mailbox = parse(postmaster)
        if not graph.is_mailbox(mailbox):
            raise Refused("protected", MESSAGES("postmaster_not_mailbox", address=show_address(mailbox)))
        groups = {f"postmaster@{domain}": "Postmaster", f"abuse@{domain}": "Abuse"}
    for address, group_name in groups.items():
        wanted = AddressState(group_name, frozenset({(mailbox, RouteKind.MEMBER.value)}))
        effect = MESSAGES("effect.create_group", address=show_address(address), name=group_name)
        plan = Plan(address, AddressState(None, frozenset()), wanted, effect)
        write_plan(graph, plan)
        write_audit(graph, actor, CreateGroup.action, address, plan.before, plan.after)
    for address in (f"postmaster@{domain}", f"abuse@{domain}"):  # one lookup more than the mailbox they reach
        check_protected(address, graph.deliveries(expand_within_limits(graph, address)))
    return mailbox


def add_mailbox(graph: RoutingGraph, address: str, actor: Actor, name: str) -> Outcome:
    parsed = parse(address)
    _check_new_mailbox(graph, parsed)
    row = mailbox_row(parsed, graph.domain_id(parsed), name, graph.unicode_form(parsed))
    graph.connection.execute(insert(Mailbox), [row])
    change_id = write_audit(graph, actor, ACTION_MAILBOX_ADD, parsed, None, None, details=row)
    return Outcome(
        Status.OK, MESSAGES("effect.add_mailbox", address=show_address(parsed)), change_id=change_id
    )


def _check_new_mailbox(graph: RoutingGraph, address: str) -> None:
    graph.domain_id(address)
    if graph.is_mailbox(address):
        raise Unchanged(MESSAGES("unchanged.mailbox", address=show_address(address)))
    require_hosted_name(address)
    state = graph.state(address)
    refuse_if_taken(graph, address, state, allowed="mailbox")


def import_mailboxes(
    graph: RoutingGraph,
    rows: Sequence[MailboxLine],
    actor: Actor,
    progress: Callable[[int], None],
    batch_size: int,
) -> Outcome:
    """Add many mailboxes in one transaction: all of them, or none.

    Refuses (naming the file's line) on the first bad or duplicate address. Addresses that already
    exist as mailboxes are refused too: an import is for new ones. No rows: nothing to do, and
    nothing audited. `progress(n)` is called as each batch of n rows is written.
    """
    if not rows:
        raise Unchanged(MESSAGES("unchanged.import_empty"))
    domains = {
        name: (domain_id, unicode_name)
        for name, domain_id, unicode_name in graph.connection.execute(
            select(Domain.name, Domain.id, Domain.unicode_name)
        )
    }
    first_line: dict[str, int] = {}
    prepared = []
    for number, raw, name in ((row.line, row.address, row.name) for row in rows):
        try:
            address = parse_address(raw)
        except AddressError as error:
            raise Refused("address", MESSAGES("import_line", line=number, detail=error.text)) from None
        if address in first_line:
            detail = MESSAGES("import_duplicate", address=show_address(address), first=first_line[address])
            raise Refused("one_thing", MESSAGES("import_line", line=number, detail=detail))
        first_line[address] = number
        domain = domains.get(domain_of(address))
        if domain is None:
            detail = MESSAGES("domain_unknown", domain=show_domain(domain_of(address)))
            raise Refused("own_domain", MESSAGES("import_line", line=number, detail=detail))
        domain_id, unicode_name = domain
        try:
            prepared.append(mailbox_row(address, domain_id, name, unicode_form(address, unicode_name)))
        except Refused as refusal:
            raise Refused(refusal.rule, MESSAGES("import_line", line=number, detail=refusal.detail)) from None
    _insert_new_mailboxes(graph, prepared, first_line, progress, batch_size)
    subject = f"{len(prepared)} mailboxes"
    details = {"count": len(prepared)}
    change_id = write_audit(graph, actor, ACTION_MAILBOX_IMPORT, subject, None, None, details=details)
    return Outcome(Status.OK, MESSAGES("effect.import", count=len(prepared)), change_id=change_id)


def _insert_new_mailboxes(
    graph: RoutingGraph,
    rows: list[dict[str, Any]],
    lines: dict[str, int],
    progress: Callable[[int], None],
    batch_size: int,
) -> None:
    """Insert, then let the database find clashes: far faster than asking about each address first.

    An existing mailbox trips the unique index (the savepoint keeps the transaction usable to
    find which line); an existing group or alias is found by two joins over the new rows only.
    """
    connection = graph.connection
    mailboxes, groups = Mailbox.__table__.c, DistributionGroup.__table__.c
    newest = connection.execute(select(func.max(mailboxes.id))).scalar() or 0
    try:
        with connection.begin_nested():
            for batch in batched(rows, batch_size):
                connection.execute(insert(Mailbox), list(batch))
                progress(len(batch))
    except IntegrityError:
        existing = select(mailboxes.address).where(mailboxes.address.in_(bindparam("a", expanding=True)))
        for chunk in batched(list(lines), CHUNK):
            clashes = connection.execute(existing, {"a": chunk}).scalars()
            _refuse_clash(lines, dict.fromkeys(clashes, "mailbox"))
        raise
    new_rows = select(mailboxes.address).where(mailboxes.id > newest)
    groups_hit = new_rows.where(select(groups.id).where(groups.address == mailboxes.address).exists())
    aliases_hit = new_rows.where(select(ROUTES.id).where(ROUTES.source == mailboxes.address).exists())
    found = dict.fromkeys(connection.execute(groups_hit).scalars(), "group")
    found.update(dict.fromkeys(connection.execute(aliases_hit).scalars(), "alias"))
    _refuse_clash(lines, found)


def _refuse_clash(lines: dict[str, int], found: dict[str, str]) -> None:
    """Refuse, naming the first line whose address is already a mailbox, group or alias."""
    if found:
        address = min(found, key=lines.__getitem__)
        what = MESSAGES(f"what.{found[address]}")
        detail = MESSAGES("mailbox_exists_as", address=show_address(address), what=what)
        raise Refused("one_thing", MESSAGES("import_line", line=lines[address], detail=detail))


def mailbox_row(address: str, domain_id: int, name: str, address_unicode: str | None) -> dict[str, Any]:
    """The row of a new mailbox; `address_unicode` its U-label form (`RoutingGraph.unicode_form`)."""
    require_hosted_name(address)  # the local part becomes a folder name: never a path
    local, _, domain = address.rpartition("@")
    # virtual(8) delivers to Maildir when the path ends in "/", relative to virtual_mailbox_base.
    return {
        "address": address,
        "address_unicode": address_unicode,
        "domain_id": domain_id,
        "maildir": f"{domain}/{local}/",
        "display_name": check_name(name.strip()),
    }
