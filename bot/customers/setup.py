"""Answers about a customer's own setup, from the routing tables of their own domains only.

Asked before the help articles for someone recognised as a customer's: "where does mail to sales@
go?" / "vart går mejl till info@?" is traced within their domains (the walk stops at any address
outside them), "which aliases do I have?" / "vilka grupper har vi?" lists theirs. An address outside
their domains gets one refusal, the same whether it exists or not. Anything else is left to the
articles, which then show the customer's own domain and a mailbox of theirs in their examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.answers import Answer, AnswerKind
from bot.answers.knowledge import escape_mrkdwn
from bot.config import Lang
from bot.customers.directory import CustomerAccess
from bot.customers.messages import MESSAGES
from bot.i18n import Text
from bot.routing import queries
from bot.routing.addresses import AddressError, parse_address, show_address, show_domain
from bot.routing.graph import RoutingGraph
from bot.routing.scope import in_scope
from bot.routing.trace import DeliveryKind

MAX_ROWS = 50
# "sales@acme.se" or a bare "sales@" (the Slack adapter has turned a link Slack made into the address).
_ADDRESS = re.compile(r"([A-Za-z0-9._%+=-]+)@((?:[^\s,;:!?()<>\"'@]*[^\s,;:!?()<>\"'@.])?)")
# Cues, matched against the folded text (lowercase, no diacritics): å, ä, ö become a, a, o.
_WHERE = re.compile(
    r"\b(where|who (gets|receives)|goes|end(s)? up|lands?|delivered|happens to"
    r"|vart|var hamnar|hamnar|levereras|vem far|vilka far)\b"
)
_LIST = re.compile(r"\b(which|what|list|show|any|all|vilka|vilken|visa|lista|nagra|alla)\b")
_HAVE = re.compile(
    r"\b(have|got|my|our|mine|ours|exist|exists|existing|har|mina|min|mitt|vara|var|vart|finns)\b"
)
_OBJECTS = {
    "aliases": re.compile(r"\b(aliases|alias|aliasen|aliaset|e-?postalias)\b"),
    "groups": re.compile(
        r"\b(groups?|grupp(er|erna|en)?|distribution ?lists?|distributionslist(or|an|orna)?"
        r"|distributionsgrupp(er|erna|en)?)\b"
    ),
    "forwards": re.compile(r"\b(forwards?|forwarding|forwardings|vidarebefordr\w*)\b"),
}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def render(lines: Iterable[Text], lang: Lang) -> str:
    """Slack mrkdwn, every value escaped (the answers core's promise for `Answer.text`)."""
    return "\n".join(line.render_with(lang, escape_mrkdwn) for line in lines)


def setup_answer(
    session: Session, question: str, customer: CustomerAccess, lang: Lang, support: str
) -> Answer | None:
    """The answer from the customer's own routing, or None when the question is not about it
    (`support`: where people reach a person, named in the refusal)."""
    folded = fold(question)
    address = _ADDRESS.search(question)
    if address is not None and _WHERE.search(folded):
        lines = _where(session, address.group(1), address.group(2), customer, support)
    else:
        asked = [name for name, pattern in _OBJECTS.items() if pattern.search(folded)]
        plural = re.search(r"\b(aliases|groups|forwards|forwardings)\b", folded)
        listing = _LIST.search(folded) or plural
        if address is not None or not asked or not listing or not _HAVE.search(folded):
            return None
        lines = [line for name in asked for line in _listing(session, name, customer)]
    if lines is None:
        return None
    return Answer(
        kind=AnswerKind.OWN_SETUP,
        lang=lang,
        text=render(lines, lang),
        title=MESSAGES.text("setup.title", lang),
        score=1.0,
    )


def _where(
    session: Session, local: str, domain: str, customer: CustomerAccess, support: str
) -> list[Text] | None:
    own = [f"{local}@{show_domain(d)}" for d in sorted(customer.domains)]
    candidates = [f"{local}@{domain}"] if domain else own
    try:
        parsed = [parse_address(candidate) for candidate in candidates]
    except AddressError:
        return None  # not an address after all: let the articles answer
    graph = RoutingGraph(session)
    address = next((a for a in parsed if graph.exists(a)), parsed[0]) if parsed else None
    if address is None or not in_scope(address, customer.domains):
        # The same words for an address that exists elsewhere and for one that exists nowhere.
        return [MESSAGES("setup.not_yours", domains=customer.shown_domains, support=support)]
    trace = queries.trace(session, address, customer.domains)
    shown = show_address(address)
    if not trace.steps and all(d.kind is DeliveryKind.UNKNOWN for d in trace.deliveries):
        return [MESSAGES("setup.nothing_there", address=shown)]
    steps = [MESSAGES("setup.step", step=line) for line in trace.lines()]
    return [MESSAGES("setup.where", address=shown), *steps]


def _listing(session: Session, name: str, customer: CustomerAccess) -> list[Text]:
    domains = sorted(customer.domains)
    rows: list[Text] = []
    if name == "aliases":
        rows = [
            MESSAGES("setup.alias_row", alias=a.alias, mailbox=a.mailbox)
            for d in domains
            for a in queries.aliases(session, d)
        ]
    elif name == "groups":
        rows = [
            MESSAGES("setup.group_row", address=g.address, count=g.member_count)
            for d in domains
            for g in queries.groups(session, d)
        ]
    else:
        rows = [
            MESSAGES("setup.forward_row", address=f.address, target=f.target)
            for d in domains
            for f in queries.forwards(session, d)
        ]
    if not rows:
        return [MESSAGES(f"setup.no_{name}", domains=customer.shown_domains)]
    more = [MESSAGES("setup.more", count=len(rows) - MAX_ROWS)] if len(rows) > MAX_ROWS else []
    return [MESSAGES(f"setup.{name}"), *rows[:MAX_ROWS], *more]


def article_context(session: Session, customer: CustomerAccess) -> dict[str, str]:
    """Values for the articles' examples: the customer's own domain and one of their mailboxes."""
    if not customer.domains:
        return {}
    domain = sorted(customer.domains)[0]
    context = {"domain": show_domain(domain)}
    mailboxes = queries.mailboxes(session, domain)
    if mailboxes:
        context["mailbox"] = mailboxes[0].address
        context["name"] = mailboxes[0].name or mailboxes[0].address.partition("@")[0].capitalize()
    return context
