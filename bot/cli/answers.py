"""`mailbot ask`: answer a question (or one question a line from stdin) as the bot would."""

from __future__ import annotations

import json
import sys

import click

from bot.answers import Answer, AnswerKind, answer
from bot.answers.knowledge import KnowledgeError
from bot.answers.messages import MESSAGES
from bot.cli.common import database
from bot.cli.help import HelpCommand
from bot.config import LANGS, Lang, Settings
from bot.teaching import taught_index


def _as_json(result: Answer) -> str:
    article = result.topic_id if result.kind is AnswerKind.ARTICLE else None
    alternative = result.alternative.topic_id if result.alternative else None
    return json.dumps(
        {
            "article": article,
            "kind": result.kind.value,
            "lang": result.lang,
            "score": round(result.score, 4),
            "text": result.text,
            "alternative": alternative,
        },
        ensure_ascii=False,
    )


def _as_text(result: Answer) -> str:
    lines = [f"*{result.title}*", ""] if result.title else []
    lines.append(result.text)
    if result.alternative:
        did_you_mean = MESSAGES.text("did_you_mean", result.lang, title=result.alternative.title)
        lines += ["", f"? {did_you_mean} ({result.alternative.topic_id})"]
    if result.related:
        lines += ["", *(f"→ {ref.title} ({ref.topic_id})" for ref in result.related)]
    return "\n".join(lines)


@click.command("ask", cls=HelpCommand)
@click.option("--lang", type=click.Choice(LANGS), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.argument("question")
@click.pass_obj
def ask(settings: Settings, lang: Lang | None, as_json: bool, question: str) -> None:
    render = _as_json if as_json else _as_text
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else [question]
    sessions = database(settings)
    answered = 0
    for text in questions:
        if question == "-" and not text.strip():
            continue
        try:
            with sessions() as session:  # the taught examples as they are now, for each question
                taught = taught_index(session)
            result = answer(text, settings, lang=lang, taught=taught)
        except KnowledgeError as error:  # an operator's broken article: say which and why
            raise click.ClickException(f"knowledge base: {error}") from error
        if answered and not as_json:
            click.echo()  # a blank line between one answer's text and the next
        click.echo(render(result))
        answered += 1


def register(main: click.Group) -> None:
    main.add_command(ask)
