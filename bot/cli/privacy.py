"""`mailbot privacy prune|erase|export`: retention, erasure and export of people's data (`bot.privacy`).

Exit status: 0 done, 1 nothing known about the person (nothing changed), 2 usage error (a malformed
user id, a wrong MAILBOT_QUESTION_RETENTION_DAYS, no MAILBOT_PSEUDONYM_SECRET, a file that cannot
be written), each with a message in --lang instead of a traceback.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any

import click

from bot.answers import topics
from bot.answers.knowledge import KnowledgeError
from bot.cli.common import LANG_OPTION, database
from bot.cli.help import HelpGroup
from bot.config import Lang, Settings
from bot.privacy.messages import MESSAGES, PrivacyError
from bot.privacy.people import erase, export, pseudonym, slack_user
from bot.privacy.retention import Pruned, prune, question_retention
from bot.slack.stores import ALL_PERSONAL_DATA as PERSONAL_DATA

JSON_OPTION = click.option("--json", "as_json", is_flag=True)
USER_OPTION = click.option("--slack-user", "user", required=True)
# The export holds one person's data: only the operator who wrote it may read it.
EXPORT_FILE_MODE = 0o600


@click.group("privacy", cls=HelpGroup)
def privacy_group() -> None: ...


@privacy_group.command("prune")
@click.option("--dry-run", is_flag=True)
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def prune_command(settings: Settings, dry_run: bool, as_json: bool, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    try:
        retention = question_retention(settings)
    except PrivacyError as error:
        raise click.UsageError(error.text.render(lang)) from None
    with database(settings)() as session:
        pruned = prune(session, PERSONAL_DATA, retention, dry_run=dry_run)
    if as_json:
        tables = {
            p.entry.name: {
                "table": p.entry.table.name,
                "action": p.entry.expiry.value,
                "older_than": p.cutoff.isoformat(),
                "rows": p.rows,
            }
            for p in pruned
        }
        click.echo(json.dumps({"dry_run": dry_run, "tables": tables}, indent=2))
        return
    click.echo(MESSAGES.text("prune.dry_run" if dry_run else "prune.done", lang))
    for row in pruned:
        click.echo(_prune_line(row, lang))


def _prune_line(row: Pruned, lang: Lang) -> str:
    done = MESSAGES.text(f"expiry.{row.entry.expiry.value}", lang)
    cutoff = f"{row.cutoff:%Y-%m-%d %H:%M} UTC"
    return MESSAGES.text("prune.row", lang, table=row.entry.name, count=row.rows, done=done, cutoff=cutoff)


@privacy_group.command("erase")
@USER_OPTION
@click.option("--actor", default=None)
@JSON_OPTION
@LANG_OPTION
@click.pass_obj
def erase_command(settings: Settings, user: str, actor: str | None, as_json: bool, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    user_id = _user(user, lang)
    try:
        pseudonym(user_id, settings.pseudonym_secret)
    except PrivacyError as error:
        raise click.UsageError(error.text.render(lang)) from None
    with database(settings)() as session:
        try:
            erased = erase(
                session,
                PERSONAL_DATA,
                user_id,
                secret=settings.pseudonym_secret,
                actor=actor or getpass.getuser(),
            )
        except PrivacyError as error:  # nothing known about them
            raise click.ClickException(error.text.render(lang)) from None
    rows = {entry.name: count for entry, count in erased.rows}
    if as_json:
        click.echo(
            json.dumps({"pseudonym": erased.pseudonym, "change_id": erased.change_id, "rows": rows}, indent=2)
        )
        return
    done = MESSAGES("erase.done", user=user_id, pseudonym=erased.pseudonym, change_id=erased.change_id)
    click.echo(done.render(lang))
    for entry, count in erased.rows:
        how = MESSAGES.text(f"erasure.{entry.erasure.value}", lang)
        click.echo(MESSAGES.text("erase.row", lang, table=entry.name, count=count, done=how))


@privacy_group.command("export")
@USER_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@LANG_OPTION
@click.pass_obj
def export_command(settings: Settings, user: str, out: Path | None, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    user_id = _user(user, lang)
    try:
        retention = question_retention(settings)
        titles = {ref.topic_id: ref.title for ref in topics(lang, settings)}
    except PrivacyError as error:
        raise click.UsageError(error.text.render(lang)) from None
    except KnowledgeError as error:
        raise click.ClickException(f"knowledge base: {error}") from None
    with database(settings)() as session:
        try:
            document = export(session, PERSONAL_DATA, user_id, titles=titles, lang=lang, retention=retention)
        except PrivacyError as error:  # nothing known about them
            raise click.ClickException(error.text.render(lang)) from None
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    _write_private(out, text, lang)
    click.echo(MESSAGES.text("export.written", lang, path=out))


def _user(value: str, lang: Lang) -> str:
    try:
        return slack_user(value)
    except PrivacyError as error:
        raise click.BadParameter(error.text.render(lang), param_hint="--slack-user") from None


def _write_private(path: Path, text: str, lang: Lang) -> None:
    """Write `text` to a file only its owner can read (created so, never readable by others first)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, EXPORT_FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        reason: Any = error.strerror or error
        message = MESSAGES.text("export.cannot_write", lang, path=path, reason=reason)
        raise click.BadParameter(message, param_hint="--out") from None


def register(main: click.Group) -> None:
    main.add_command(privacy_group)
