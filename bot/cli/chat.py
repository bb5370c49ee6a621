"""`mailbot chat` (the bot in this terminal) and `mailbot feedback` (what users said of the answers)."""

from __future__ import annotations

import getpass
import json
import sys

import click

from bot.cli.common import LANG_OPTION, MESSAGES, database
from bot.cli.help import HelpCommand
from bot.config import Lang, Settings
from bot.console import Chat
from bot.customers.directory import CustomerDirectory
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.feedback import ArticleFeedback, report


def run_chat(settings: Settings, as_customer: str | None = None, admin: bool = True) -> None:
    sessions = database(settings)
    customer = None
    if as_customer is not None:
        customer = CustomerDirectory(sessions).access(as_customer, admin)
        if customer is None:
            message = CUSTOMERS.text("unknown_customer", settings.default_lang, customer=as_customer)
            raise click.BadParameter(message, param_hint="--as-customer")
    Chat(settings, sessions, getpass.getuser(), sys.stdout, customer).run(sys.stdin)


@click.command("chat", cls=HelpCommand)
@click.option("--as-customer", default=None, metavar="NAME")
@click.option("--not-admin", is_flag=True)
@click.pass_obj
def chat(settings: Settings, as_customer: str | None, not_admin: bool) -> None:
    run_chat(settings, as_customer, admin=not not_admin)


def _as_dict(row: ArticleFeedback) -> dict[str, object]:
    return {
        "article": row.topic_id,
        "answered": row.answered,
        "helpful": row.helpful,
        "not_helpful": row.not_helpful,
        "comments": [
            {"question": c.question, "lang": c.lang, "comment": c.comment, "wants_person": c.wants_person}
            for c in row.comments
        ],
    }


def _as_text(row: ArticleFeedback, lang: Lang) -> str:
    share = "-" if row.helpful_share is None else f"{row.helpful_share:.0%}"
    article = row.topic_id or MESSAGES.text("feedback.no_article", lang)
    lines = [
        MESSAGES.text(
            "feedback.row",
            lang,
            article=article,
            helpful=row.helpful,
            not_helpful=row.not_helpful,
            answered=row.answered,
            share=share,
        )
    ]
    for comment in row.comments:
        person = MESSAGES.text("feedback.wants_person", lang) if comment.wants_person else ""
        line = MESSAGES.text(
            "feedback.comment", lang, comment=comment.comment, question=comment.question[:200]
        )
        lines.append(line + person)
    return "\n".join(lines)


@click.command("feedback", cls=HelpCommand)
@click.option("--json", "as_json", is_flag=True)
@LANG_OPTION
@click.pass_obj
def feedback(settings: Settings, as_json: bool, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    with database(settings)() as session:
        rows = report(session)
    if as_json:
        click.echo(json.dumps([_as_dict(row) for row in rows], ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_as_text(row, lang) for row in rows) or MESSAGES.text("feedback.empty", lang))


def register(main: click.Group) -> None:
    main.add_command(chat)
    main.add_command(feedback)
