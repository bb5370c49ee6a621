"""What retention, erasure and export say, in Swedish and English."""

from __future__ import annotations

from bot.i18n import Catalog, Plural, Text

MESSAGES = Catalog(
    "privacy",
    {
        "bad_retention": {
            "sv": "MAILBOT_QUESTION_RETENTION_DAYS måste vara ett helt antal dagar från 1 till {most}, "
            "inte {value!r}. Inget har ändrats.",
            "en": "MAILBOT_QUESTION_RETENTION_DAYS must be a whole number of days from 1 to {most}, "
            "not {value!r}. Nothing was changed.",
        },
        "bad_user": {
            "sv": "{value!r} är inget Slack-användar-id (sådana ser ut som U012AB3CD). Inget har ändrats.",
            "en": "{value!r} is not a Slack user id (those look like U012AB3CD). Nothing was changed.",
        },
        "unknown_user": {
            "sv": "mailbot har inga uppgifter om {user}. Inget har ändrats.",
            "en": "mailbot holds no data about {user}. Nothing was changed.",
        },
        "no_secret": {
            "sv": "Radering behöver MAILBOT_PSEUDONYM_SECRET (minst {least} tecken, t.ex. från "
            "`openssl rand -hex 32`): nyckeln till pseudonymen som ersätter personen i ändringsloggen. "
            "Inget har ändrats.",
            "en": "Erasure needs MAILBOT_PSEUDONYM_SECRET (at least {least} characters, e.g. from "
            "`openssl rand -hex 32`): the key of the pseudonym that replaces the person in the audit log. "
            "Nothing was changed.",
        },
        "expiry.anonymise": {"sv": "anonymiserade", "en": "anonymised"},
        "expiry.delete": {"sv": "raderade", "en": "deleted"},
        "erasure.anonymise": {"sv": "anonymiserade", "en": "anonymised"},
        "erasure.delete": {"sv": "raderade", "en": "deleted"},
        "erasure.pseudonymise": {"sv": "pseudonymiserade", "en": "pseudonymised"},
        "erasure.withdraw": {"sv": "tog ur bruk och tömde", "en": "withdrew and emptied"},
        # {done} is a verb in the past tense ("deleted", "raderade"), so it agrees with any count.
        "prune.row": {
            "sv": Plural(
                "{table}: {done} 1 rad (äldre än {cutoff})",
                "{table}: {done} {count} rader (äldre än {cutoff})",
            ),
            "en": Plural(
                "{table}: {done} 1 row (older than {cutoff})",
                "{table}: {done} {count} rows (older than {cutoff})",
            ),
        },
        "prune.dry_run": {
            "sv": "Provkörning: inget har ändrats. Så här många rader skulle ändras:",
            "en": "Dry run: nothing was changed. This many rows would change:",
        },
        "prune.done": {"sv": "Gallrat:", "en": "Pruned:"},
        "erase.row": {
            "sv": Plural("{table}: {done} 1 rad", "{table}: {done} {count} rader"),
            "en": Plural("{table}: {done} 1 row", "{table}: {done} {count} rows"),
        },
        "erase.done": {
            "sv": "Raderat allt om {user}. I ändringsloggen heter personen nu {pseudonym} "
            "(ändring {change_id}).",
            "en": "Erased everything about {user}. The audit log now calls the person {pseudonym} "
            "(change {change_id}).",
        },
        "export.about": {
            "sv": "Alla uppgifter som mailbot har om Slack-användaren {user}, uttagna {at}. Frågor och "
            "kommentarer sparas i {days} dagar för att förbättra hjälpartiklarna; e-postadresser, "
            "telefonnummer och personnummer i dem sparas aldrig.",
            "en": "All data mailbot holds about the Slack user {user}, exported {at}. Questions and comments "
            "are kept for {days} days to improve the help articles; e-mail addresses, phone numbers and "
            "personal identity numbers in them are never stored.",
        },
        "export.written": {"sv": "Skrev {path}", "en": "Wrote {path}"},
        "export.cannot_write": {
            "sv": "Kan inte skriva {path}: {reason}. Inget har skrivits.",
            "en": "Cannot write {path}: {reason}. Nothing was written.",
        },
        "prune.failed": {
            "sv": "Den dagliga gallringen misslyckades: {reason}",
            "en": "The daily prune failed: {reason}",
        },
    },
)


class PrivacyError(Exception):
    """Bad input or settings for retention, erasure or export; `text` says what, in sv/en.
    Raised before anything is written (or with the transaction rolled back)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text
