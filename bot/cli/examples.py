"""`mailbot examples list|to-teach|add|remove`: the questions agents taught the bot, from the terminal.

The same as an agent's click in Slack: an added example counts for every instance from its next
question on. Exit status: 0 done, 1 refused (no such example, already removed), 2 usage error (an
unknown label, an empty question).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import Any

import click

from bot.cli.common import LANG_OPTION, database
from bot.cli.help import HelpGroup
from bot.cli.usage import EXIT_REFUSED, CommandFailed, UsageProblem, WholeNumber
from bot.config import Lang, Settings
from bot.i18n import Catalog
from bot.teaching import (
    Taught,
    TeachingError,
    check_label,
    forget,
    questions_to_teach,
    taught_examples,
    teach,
    teach_answered,
)

MESSAGES = Catalog(
    "examples",
    {
        "added": {
            "sv": "[{id}] inlärt som {label}: {question}",
            "en": "[{id}] taught as {label}: {question}",
        },
        "removed": {"sv": "[{id}] borttaget: {question}", "en": "[{id}] removed: {question}"},
        "row": {
            "sv": "[{id}] {label}: {question} (lärt av {actor} {at:%Y-%m-%d %H:%M})",
            "en": "[{id}] {label}: {question} (taught by {actor} {at:%Y-%m-%d %H:%M})",
        },
        "removed_note": {
            "sv": " [borttaget av {actor} {at:%Y-%m-%d %H:%M}]",
            "en": " [removed by {actor} {at:%Y-%m-%d %H:%M}]",
        },
        "empty": {"sv": "inga inlärda exempel", "en": "no taught examples"},
        "to_teach": {
            "sv": "[fråga {id}] {question} (besvarad med: {topic}{person})",
            "en": "[question {id}] {question} (answered with: {topic}{person})",
        },
        "no_article": {"sv": "ingen artikel", "en": "no article"},
        "wants_person": {"sv": "; vill prata med en person", "en": "; wants a person"},
        "nothing_to_teach": {"sv": "inga frågor att lära in", "en": "no questions to teach"},
        "erased": {
            "sv": "(texten raderad på begäran av den som frågade)",
            "en": "(text erased at the request of the person who asked)",
        },
    },
)
ACTOR_OPTION = click.option("--actor", default=None)
JSON_OPTION = click.option("--json", "as_json", is_flag=True)


def _as_dict(example: Taught) -> dict[str, Any]:
    return {
        "id": example.id,
        "question": example.question,
        "lang": example.lang,
        "label": example.label,
        "taught_by": example.taught_by,
        "taught_at": example.taught_at.isoformat(),
        "removed_by": example.removed_by,
        "removed_at": example.removed_at.isoformat() if example.removed_at else None,
    }


def _line(example: Taught, lang: Lang) -> str:
    question = " ".join(example.question.split())[:200] or MESSAGES.text("erased", lang)
    line = MESSAGES.text(
        "row",
        lang,
        id=example.id,
        label=example.label,
        question=question,
        actor=example.taught_by,
        at=example.taught_at,
    )
    if example.removed_at is not None:
        line += MESSAGES.text("removed_note", lang, actor=example.removed_by, at=example.removed_at)
    return line


@click.group("examples", cls=HelpGroup)
def examples_group() -> None: ...


@examples_group.command("list")
@click.option("--all", "everything", is_flag=True)
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def examples_list(settings: Settings, everything: bool, as_json: bool, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    with database(settings)() as session:
        examples = taught_examples(session, removed=everything)
    if as_json:
        click.echo(json.dumps([_as_dict(e) for e in examples], ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_line(e, lang) for e in examples) or MESSAGES.text("empty", lang))


@examples_group.command("to-teach")
@click.option("--limit", type=WholeNumber(1, 1000), default=20, show_default=True)
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def examples_to_teach(settings: Settings, limit: int, as_json: bool, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    with database(settings)() as session:
        questions = questions_to_teach(session, limit)
    if as_json:
        click.echo(json.dumps([asdict(question) for question in questions], ensure_ascii=False, indent=2))
        return
    lines = [
        MESSAGES.text(
            "to_teach",
            lang,
            id=question.question_id,
            question=" ".join(question.question.split())[:200],
            topic=question.topic_id or MESSAGES.text("no_article", lang),
            person=MESSAGES.text("wants_person", lang) if question.wants_person else "",
        )
        for question in questions
    ]
    click.echo("\n".join(lines) or MESSAGES.text("nothing_to_teach", lang))


@examples_group.command("add")
@click.argument("label", metavar="LABEL")
@click.argument("question")
@click.option("--question", "question_id", type=WholeNumber(1), metavar="N", default=None)
@ACTOR_OPTION
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def examples_add(
    settings: Settings,
    label: str,
    question: str,
    question_id: int | None,
    actor: str | None,
    as_json: bool,
    lang: Lang | None,
) -> None:
    lang = lang or settings.default_lang
    try:
        check_label(label)  # before the database: a typo is a usage error wherever the database is
    except TeachingError as error:
        raise UsageProblem(error.text, param_hint="LABEL") from None
    agent = actor or getpass.getuser()
    with database(settings)() as session:
        try:
            if question_id is None:
                example = teach(session, question, label, agent)
            else:
                example = teach_answered(session, question_id, label, agent, reworded=question)
        except TeachingError as error:
            if error.text.key == "unknown_question":
                raise CommandFailed(error.text, EXIT_REFUSED) from None
            raise UsageProblem(error.text, param_hint="QUESTION") from None
    if as_json:
        click.echo(json.dumps(_as_dict(example), ensure_ascii=False))
    else:
        click.echo(MESSAGES.text("added", lang, id=example.id, label=label, question=example.question[:200]))


@examples_group.command("remove")
@click.argument("example_id", metavar="ID", type=int)
@ACTOR_OPTION
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def examples_remove(
    settings: Settings, example_id: int, actor: str | None, as_json: bool, lang: Lang | None
) -> None:
    lang = lang or settings.default_lang
    with database(settings)() as session:
        try:
            example = forget(session, example_id, actor or getpass.getuser())
        except TeachingError as error:
            raise CommandFailed(error.text, EXIT_REFUSED) from None
    if as_json:
        click.echo(json.dumps(_as_dict(example), ensure_ascii=False))
    else:
        click.echo(MESSAGES.text("removed", lang, id=example.id, question=example.question[:200]))


def register(main: click.Group) -> None:
    main.add_command(examples_group)
