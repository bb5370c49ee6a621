"""What several command modules share: opening the database with a clear message when it cannot be."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.usage import EXIT_DATABASE, CommandFailed, UsageProblem
from bot.config import LANGS, Settings
from bot.db import DatabaseUnusable, open_database
from bot.i18n import Catalog

# Lines the command line prints itself (the routing commands have their own catalog).
MESSAGES = Catalog(
    "cli",
    {
        "db.upgraded": {"sv": "databasen är uppdaterad", "en": "database is up to date"},
        "feedback.row": {
            "sv": "{article}: {helpful} hjälpte, {not_helpful} hjälpte inte, {answered} besvarade, "
            "{share} hjälpte",
            "en": "{article}: {helpful} helpful, {not_helpful} not helpful, {answered} answered, "
            "{share} helpful",
        },
        "feedback.no_article": {"sv": "(ingen artikel)", "en": "(no article)"},
        "feedback.comment": {
            "sv": "  - {comment!r} (fråga: {question!r})",
            "en": "  - {comment!r} (question: {question!r})",
        },
        "feedback.wants_person": {"sv": " [vill prata med en person]", "en": " [wants a person]"},
        "feedback.empty": {"sv": "inga svar sparade ännu", "en": "no answers recorded yet"},
        # A request decided on the command line: the Slack app is to show it (bot.cli.customers).
        "request.slack_decided": {
            "sv": "Slack-appen visar beslutet som när en agent avgör i Slack: den som bad om ändringen får "
            "veta det, och inlägget i supportkanalen och kundens administratörers App Home visar det "
            "(körs appen inte nu sker det när den startar, inom ett dygn).",
            "en": "The Slack app shows the decision as when an agent decides in Slack: whoever asked is "
            "told, and the post in the support channel and the customer admins' App Home show it (if "
            "the app is not running now, that happens when it starts, within a day).",
        },
        "request.slack_reopened": {
            "sv": "Slack-appen visar detta också i begärans inlägg i supportkanalen.",
            "en": "The Slack app shows this in the request's post in the support channel too.",
        },
    },
)

LANG_OPTION = click.option("--lang", type=click.Choice(LANGS), default=None)


def database(settings: Settings) -> sessionmaker[Session]:
    """The migrated database's sessions; a wrong DATABASE_URL is a usage error (exit 2), a database
    that cannot be used (unreachable, busy, read-only ...) ends the command with exit 3."""
    try:
        return open_database(settings.database_url, settings.lock_timeout)
    except DatabaseUnusable as error:
        if error.bad_url:
            raise UsageProblem(error.text) from None
        raise CommandFailed(error.text, EXIT_DATABASE) from None
