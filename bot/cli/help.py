"""`--help` in the user's language: every command's and option's help, in Swedish and English side by
side (`HELP`), and Click's own words around them (Usage, Options, Commands, [OPTIONS] ...).

The language is the one errors are said in (`--lang` anywhere on the command line, else MAILBOT_LANG;
`bot.cli.usage`). The texts are looked up when the help is formatted, by the command's path
("customer add") and, for an option, the path and the option ("customer add --domain") or the option
alone, for one shared by many commands ("--json"). `HelpCommand` and `HelpGroup` do the formatting;
every command of `mailbot` is one of them (a group's subcommands become one by themselves).

Click words its fixed strings through gettext, which would mean a compiled catalog and the process's
global gettext domain and locale; it is simpler to write those few words ourselves.
"""

from __future__ import annotations

import re
import textwrap

import click

from bot.cli.usage import USAGE, context_lang
from bot.config import Lang
from bot.i18n import Catalog

HELP = Catalog(
    "help",
    {
        # Click's own words.
        "options": {"sv": "Flaggor", "en": "Options"},
        "commands": {"sv": "Kommandon", "en": "Commands"},
        "options_metavar": {"sv": "[FLAGGOR]", "en": "[OPTIONS]"},
        "command_metavar": {"sv": "KOMMANDO [ARGUMENT]...", "en": "COMMAND [ARGS]..."},
        "required": {"sv": "krävs", "en": "required"},
        "default": {"sv": "standard: {value}", "en": "default: {value}"},
        # What Click shows for a value of its types (TEXT is the same word in Swedish).
        "metavar.INTEGER": {"sv": "HELTAL", "en": "INTEGER"},
        "metavar.PATH": {"sv": "SÖKVÄG", "en": "PATH"},
        "metavar.FILE": {"sv": "FIL", "en": "FILE"},
        # Options many commands share (a command's own text for one of them comes first).
        "--help": {"sv": "Visa den här hjälpen och avsluta.", "en": "Show this message and exit."},
        "--lang": {
            "sv": "Språk för utskriften (standard: MAILBOT_LANG).",
            "en": "Language of the output (default MAILBOT_LANG).",
        },
        "--json": {"sv": "Skriv JSON för program.", "en": "Print JSON for programs."},
        "--actor": {
            "sv": "Namnet ändringen står under i ändringsloggen (standard: användaren i operativsystemet).",
            "en": "Name to audit the change under (default: the OS user).",
        },
        "--accept-bounces": {
            "sv": "Gör ändringen även om adresserna den nämner då studsar.",
            "en": "Make the change even though it makes the addresses it names bounce.",
        },
        "--as-customer": {
            "sv": "Agera som administratör hos kunden NAME: bara deras domäner.",
            "en": "Act as the admin of the customer NAME: their domains only.",
        },
        # The commands, each followed by its own options.
        "mailbot": {
            "sv": "mailbot: förklarar alias, vidarebefordringar och grupper, och ändrar vägarna för post "
            "som Postfix läser.",
            "en": "mailbot: explains aliases, forwards and groups, and changes the mail routing Postfix "
            "reads.",
        },
        "mailbot --lang": {
            "sv": "Språk för hjälpen, meddelandena och utskriften (standard: MAILBOT_LANG).",
            "en": "Language of the help, the messages and the output (default MAILBOT_LANG).",
        },
        "db": {"sv": "Databasens schema.", "en": "Database schema."},
        "db upgrade": {
            "sv": "Kör alla schemamigreringar som återstår på DATABASE_URL.",
            "en": "Apply every pending schema migration to DATABASE_URL.",
        },
        "ask": {
            "sv": "Besvara QUESTION ur hjälpartiklarna och exemplen agenterna lärt boten (i DATABASE_URL). "
            "Med '-' läses en fråga per rad från standard in.",
            "en": "Answer QUESTION from the help articles and the examples agents taught (in DATABASE_URL). "
            "With '-' read one question a line from standard input.",
        },
        "ask --lang": {
            "sv": "Svara på det här språket (standard: frågans eget).",
            "en": "Answer in this language (default: detect).",
        },
        "ask --json": {
            "sv": 'Skriv {{"article", "kind", "lang", "score", "text", "alternative"}} som JSON.',
            "en": 'Print {{"article", "kind", "lang", "score", "text", "alternative"}} as JSON.',
        },
        "examples": {
            "sv": "Frågor agenterna lärt boten (en artikels exempel, eller 'none': inte vårt ämne).",
            "en": "Questions agents taught the bot (an article's example, or 'none': not our topic).",
        },
        "examples list": {
            "sv": "De inlärda exemplen som används, äldst först.",
            "en": "The taught examples in use, oldest first.",
        },
        "examples list --all": {"sv": "Också de borttagna exemplen.", "en": "Also the removed examples."},
        "examples add": {
            "sv": "Lär boten att QUESTION handlar om LABEL: ett ämnes-id, eller 'none' (inte vårt ämne).",
            "en": "Teach that QUESTION is about LABEL: a topic id, or 'none' (not our topic).",
        },
        "examples add --question": {
            "sv": "QUESTION är agentens omformulering av den besvarade frågan N (från `examples to-teach`): "
            "exemplet förblir kopplat till den som frågade, så att radering av den personen tar bort det.",
            "en": "QUESTION is the agent's rewording of answered question N (from `examples to-teach`): the "
            "example stays linked to whoever asked, so erasing that person withdraws it.",
        },
        "examples to-teach": {
            "sv": "Besvarade frågor som fått 👎 eller en begäran om en person och inte lärts in än, "
            "nyast först, med sina nummer.",
            "en": "Answered questions that got a 👎 or a request for a person and are not taught yet, newest "
            "first, with their numbers.",
        },
        "examples to-teach --limit": {
            "sv": "Hur många av de senaste frågorna.",
            "en": "How many of the newest questions.",
        },
        "examples remove": {
            "sv": "Sluta använda det inlärda exemplet ID (det blir kvar i ändringsloggen, markerat som "
            "borttaget).",
            "en": "Stop using the taught example ID (it stays in the audit, marked removed).",
        },
        "chat": {
            "sv": "Prata med boten i den här terminalen: numrerade val står för Slacks knappar.",
            "en": "Talk to the bot in this terminal: numbered choices stand for Slack's buttons.",
        },
        "chat --as-customer": {
            "sv": "Var en av kunden NAME:s personer.",
            "en": "Be one of the customer NAME's people.",
        },
        "chat --not-admin": {
            "sv": "Med --as-customer: en användare som begär ändringar.",
            "en": "With --as-customer: a user who requests changes.",
        },
        "feedback": {
            "sv": "Hjälpte / hjälpte inte per artikel, med kommentarerna (artiklar som behöver arbete "
            "först).",
            "en": "Helpful / not helpful per article, with the comments (articles needing work first).",
        },
        "feedback --json": {
            "sv": "En JSON-lista med artiklar, deras antal och kommentarer.",
            "en": "One JSON array of articles with counts and comments.",
        },
        "serve": {
            "sv": "Kör Slack-appen: Socket Mode när SLACK_APP_TOKEN är satt, annars HTTP på POST "
            "/slack/events.",
            "en": "Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on POST "
            "/slack/events.",
        },
        "serve --http": {
            "sv": "HTTP-läge även när SLACK_APP_TOKEN är satt.",
            "en": "HTTP mode even when SLACK_APP_TOKEN is set.",
        },
        "serve --port": {
            "sv": "HTTP-port (standard: PORT eller 3000).",
            "en": "HTTP port (default: PORT or 3000).",
        },
        "start": {
            "sv": "Migrera databasen och kör sedan Slack när token finns, annars chatten här (med demodata).",
            "en": "Migrate the database, then serve Slack when tokens are set, else chat here (with demo "
            "data).",
        },
        "domain": {"sv": "Domäner vi tar emot post för.", "en": "Domains we host mail for."},
        "domain add": {
            "sv": "Ta emot post för domänen NAME (IDN som exämpel.se går bra), med postmaster@ och abuse@.",
            "en": "Host mail for the domain NAME (IDN like exämpel.se is fine), with postmaster@ and abuse@.",
        },
        "domain add --postmaster": {
            "sv": "En befintlig brevlåda för postmaster@NAME och abuse@NAME (standard: en ny brevlåda "
            "postmaster@NAME).",
            "en": "An existing mailbox for postmaster@NAME and abuse@NAME (default: a new mailbox "
            "postmaster@NAME).",
        },
        "domain list": {"sv": "Domänerna vi tar emot post för.", "en": "The domains we host."},
        "mailbox": {
            "sv": "Brevlådor (läggs in av leverantören; boten kontrollerar dem bara).",
            "en": "Mailboxes (loaded by the provider; the bot only checks them).",
        },
        "mailbox add": {
            "sv": "Lägg till brevlådan ADDRESS i en domän vi tar emot post för.",
            "en": "Add the mailbox ADDRESS in a hosted domain.",
        },
        "mailbox add --name": {"sv": "Visningsnamn.", "en": "Display name."},
        "mailbox import": {
            "sv": "Lägg till varje brevlåda i en CSV-fil FILE (rubrikrad: address, och gärna name): alla "
            "eller ingen.",
            "en": "Add every mailbox in a CSV FILE (header line: address, and optionally name): all of "
            "them or none.",
        },
        "mailbox list": {
            "sv": "Brevlådor, i en DOMAIN eller alla.",
            "en": "Mailboxes, of one DOMAIN or all.",
        },
        "alias": {
            "sv": "Alias: andra adresser till en brevlåda.",
            "en": "Aliases: other addresses of one mailbox.",
        },
        "alias add": {
            "sv": "Låt post till ALIAS hamna i inkorgen hos MAILBOX.",
            "en": "Let mail to ALIAS land in MAILBOX's inbox.",
        },
        "alias remove": {
            "sv": "Ta bort ALIAS (post dit avvisas sedan).",
            "en": "Remove ALIAS (mail to it is then rejected).",
        },
        "alias list": {"sv": "Alias, i en DOMAIN eller alla.", "en": "Aliases, of one DOMAIN or all."},
        "forward": {
            "sv": "Vidarebefordringar: en brevlådas post går till en annan adress.",
            "en": "Forwards: a mailbox's mail goes to another address.",
        },
        "forward set": {
            "sv": "Vidarebefordra posten till brevlådan ADDRESS till TARGET (i stället för en tidigare "
            "vidarebefordran).",
            "en": "Forward mail for the mailbox ADDRESS to TARGET (replacing any forward it has).",
        },
        "forward set --keep-copy": {
            "sv": "Behåll också en kopia i inkorgen hos ADDRESS.",
            "en": "Also keep a copy in ADDRESS's own inbox.",
        },
        "forward clear": {
            "sv": "Sluta vidarebefordra ADDRESS; posten hamnar i den egna inkorgen igen.",
            "en": "Stop forwarding ADDRESS; its mail lands in its own inbox again.",
        },
        "forward show": {
            "sv": "Visa vart ADDRESS vidarebefordras, om någonstans.",
            "en": "Show where ADDRESS is forwarded, if anywhere.",
        },
        "group": {
            "sv": "Distributionsgrupper: en adress som når alla medlemmar.",
            "en": "Distribution groups: one address that reaches every member.",
        },
        "group create": {
            "sv": "Skapa distributionsgruppen ADDRESS.",
            "en": "Create the distribution group ADDRESS.",
        },
        "group create --name": {"sv": "Gruppens visningsnamn.", "en": "Display name of the group."},
        "group add": {
            "sv": "Lägg till MEMBERS (våra eller externa adresser) i GROUP.",
            "en": "Add MEMBERS (ours or outside addresses) to GROUP.",
        },
        "group remove": {"sv": "Ta bort MEMBER ur GROUP.", "en": "Remove MEMBER from GROUP."},
        "group delete": {
            "sv": "Ta bort GROUP och dess medlemslista.",
            "en": "Delete GROUP and its member list.",
        },
        "group members": {"sv": "Medlemmarna i GROUP.", "en": "The members of GROUP."},
        "group list": {"sv": "Grupper, i en DOMAIN eller alla.", "en": "Groups, of one DOMAIN or all."},
        "demo": {
            "sv": "Fyll en tom databas med en demodomän och några brevlådor att prova alla flöden på.",
            "en": "Fill an empty database with a demo domain and a few mailboxes to try every flow on.",
        },
        "trace": {
            "sv": "Vart post till ADDRESS tar vägen, steg för steg, så som Postfix levererar den.",
            "en": "Where mail to ADDRESS ends up, step by step, as Postfix will deliver it.",
        },
        "trace --json": {
            "sv": "Skriv stegen och leveranserna som JSON.",
            "en": "Print the steps and deliveries as JSON.",
        },
        "undo": {
            "sv": "Ångra ändringen CHANGE_ID (numret som `audit` och varje ändring skriver ut).",
            "en": "Undo the change CHANGE_ID (the number `audit` and every change print).",
        },
        "audit": {
            "sv": "Vem som ändrade vad och när, senaste först.",
            "en": "Who changed what and when, newest first.",
        },
        "audit --limit": {"sv": "Hur många av de senaste raderna.", "en": "How many of the newest entries."},
        "postfix-config": {
            "sv": "Skriv uppslagstabellerna för Postfix mot DATABASE_URL och ett stycke main.cf i mappen "
            "OUT.\n\n"
            "Alla fyra filerna skrivs, eller ingen: var och en skrivs bredvid sin plats och döps om till "
            "den. En fil som finns där med annat innehåll ersätts bara med --force.",
            "en": "Write Postfix lookup tables for DATABASE_URL and a main.cf snippet into the folder "
            "OUT.\n\n"
            "All four files are written, or none: each is written beside its place and renamed into it. A "
            "file that is there with other content is replaced only with --force.",
        },
        "postfix-config --out": {"sv": "Mappen att skriva i.", "en": "Folder to write into."},
        "postfix-config --mailbox-base": {
            "sv": "Postfix virtual_mailbox_base: mappen som brevlådornas maildir ligger under.",
            "en": "Postfix's virtual_mailbox_base: the folder the mailboxes' maildirs are under.",
        },
        "postfix-config --force": {
            "sv": "Ersätt filer i OUT vars innehåll skiljer sig.",
            "en": "Replace files in OUT whose content differs.",
        },
        "postfix-config --no-proxy": {
            "sv": "Tabeller utan proxy: (snabbare; bara där smtpd, cleanup och trivial-rewrite inte körs i "
            "chroot).",
            "en": "Maps without proxy: (faster; only where smtpd, cleanup and trivial-rewrite are not "
            "chrooted).",
        },
        "customer": {
            "sv": "Kunder: domänerna de äger och Slack-personerna som får se och ändra dem.",
            "en": "Customers: the domains they own and the Slack people who may see and change them.",
        },
        "customer add": {
            "sv": "Skapa kunden NAME (minst en --domain), eller ge en befintlig kund mer.",
            "en": "Create the customer NAME (at least one --domain), or give an existing one more.",
        },
        "customer add --domain": {
            "sv": "En domän vi tar emot post för som kunden äger (kan upprepas).",
            "en": "A hosted domain the customer owns (repeatable).",
        },
        "customer add --slack-team": {
            "sv": "Alla i den här Slack-arbetsytan (T...) hör till kunden.",
            "en": "Everyone of this Slack workspace (T...) is theirs.",
        },
        "customer add --slack-user": {
            "sv": "Den här Slack-användaren (U...) hör till kunden (kan upprepas).",
            "en": "This Slack user (U...) is theirs (repeatable).",
        },
        "customer add --admin": {
            "sv": "Personerna i --slack-user får ändra kundens domäner.",
            "en": "The --slack-user people may change the customer's domains.",
        },
        "customer remove": {
            "sv": "Ta bort kunden NAME (domänerna finns kvar hos oss), eller bara de domäner och personer "
            "som nämns.",
            "en": "Remove the customer NAME (their domains stay hosted), or only the domains and people "
            "named.",
        },
        "customer remove --domain": {
            "sv": "Ta bara den här domänen från kunden.",
            "en": "Take only this domain from the customer.",
        },
        "customer remove --slack-team": {
            "sv": "Ta bara den här arbetsytan från kunden.",
            "en": "Take only this workspace from the customer.",
        },
        "customer remove --slack-user": {
            "sv": "Ta bara den här användaren från kunden.",
            "en": "Take only this user from the customer.",
        },
        "customer list": {
            "sv": "Alla kunder med deras domäner och Slack-personer.",
            "en": "Every customer with their domains and Slack people.",
        },
        "customer show": {
            "sv": "En kunds domäner och Slack-personer.",
            "en": "One customer's domains and Slack people.",
        },
        "request": {
            "sv": "Kundernas begäranden om ändringar: lista dem, godkänn eller avböj en.",
            "en": "Customers' requests for changes: list them, approve or reject one.",
        },
        "request list": {"sv": "De senaste begärandena först.", "en": "The newest requests first."},
        "request list --open": {
            "sv": "Bara begäranden som fortfarande väntar på en agent.",
            "en": "Only the requests still waiting for an agent.",
        },
        "request approve": {
            "sv": "Gör ändringen i begäran REQUEST_ID så som den förhandsvisades; Slack visar det som om "
            "det avgjorts där.",
            "en": "Make the change of request REQUEST_ID as it was previewed; Slack shows it as if decided "
            "there.",
        },
        "request reject": {
            "sv": "Avböj begäran REQUEST_ID; Slack visar det som om det avgjorts där.",
            "en": "Turn request REQUEST_ID down; Slack shows it as if decided there.",
        },
        "request reject --reason": {
            "sv": "Varför (den som bad om ändringen läser det).",
            "en": "Why (the requester reads it).",
        },
        "privacy": {
            "sv": "Personers uppgifter: rensa det som passerat sin lagringstid, radera eller exportera en "
            "persons uppgifter.",
            "en": "People's data: prune what outlived its retention, erase or export one person's data.",
        },
        "privacy prune": {
            "sv": "Anonymisera frågor, röster och kommentarer äldre än MAILBOT_QUESTION_RETENTION_DAYS och "
            "radera tekniska rader som passerat sina egna gränser (görs också dagligen av appen när den "
            "körs).",
            "en": "Anonymise questions, votes and comments older than MAILBOT_QUESTION_RETENTION_DAYS and "
            "delete technical rows past their own limits (also done daily by the running app).",
        },
        "privacy prune --dry-run": {
            "sv": "Räkna bara det som skulle tas bort.",
            "en": "Only count what would be removed.",
        },
        "privacy erase": {
            "sv": "Ta bort eller anonymisera allt om en person; deras ändringar av vägarna behåller en "
            "pseudonym.",
            "en": "Remove or anonymise everything about one person; their routing changes keep a pseudonym.",
        },
        "privacy erase --slack-user": {
            "sv": "Personens Slack-användar-id (U...).",
            "en": "The person's Slack user id (U...).",
        },
        "privacy erase --actor": {
            "sv": "Namnet raderingen står under i ändringsloggen (standard: användaren i operativsystemet).",
            "en": "Name to audit the erasure under (default: the OS user).",
        },
        "privacy export": {
            "sv": "Skriv ett JSON-dokument med allt mailbot har om en person, för dem att läsa.",
            "en": "Write one JSON document with everything mailbot holds about one person, for them to read.",
        },
        "privacy export --slack-user": {
            "sv": "Personens Slack-användar-id (U...).",
            "en": "The person's Slack user id (U...).",
        },
        "privacy export --out": {
            "sv": "Skriv till den här filen (standard: skriv ut).",
            "en": "Write to this file (default: print).",
        },
    },
)

# Where a short help (a group's list of commands) ends: its first sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def command_key(ctx: click.Context) -> str:
    """The command's path below `mailbot` ("customer add"); "mailbot" itself."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names)) or "mailbot"


def option_key(command: str, option: click.Option) -> str:
    """The key of an option's help: the command's own text for it, else the one it shares."""
    name = max(option.opts, key=len)
    own = f"{command} {name}"
    return own if own in HELP.messages else name


class HelpCommand(click.Command):
    """A command whose `--help` (and usage line) is in the chosen language."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        lang = context_lang(ctx)
        metavars = {
            self.options_metavar: HELP.text("options_metavar", lang),
            getattr(self, "subcommand_metavar", None): HELP.text("command_metavar", lang),
        }
        return [metavars.get(piece, piece) for piece in super().collect_usage_pieces(ctx)]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = USAGE.text("usage", context_lang(ctx), usage="")
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = HELP.text(command_key(ctx), context_lang(ctx))
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang, command = context_lang(ctx), command_key(ctx)
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or not isinstance(param, click.Option):
                continue
            text = HELP.text(option_key(command, param), lang)
            rows.append((_spec(record[0], param, lang), _with_extras(text, param, lang)))
        if rows:
            with formatter.section(HELP.text("options", lang)):
                formatter.write_dl(rows)


class HelpGroup(HelpCommand, click.Group):
    """A group whose `--help` is in the chosen language; its subcommands are HelpCommands (HelpGroups)."""

    command_class = HelpCommand
    group_class = type  # subgroups are of the group's own class

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang, key = context_lang(ctx), command_key(ctx)
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in commands if command is not None and not command.hidden]
        if not shown:
            return
        width = formatter.width - 6 - max(len(name) for name, _ in shown)
        prefix = "" if key == "mailbot" else f"{key} "
        rows = [(name, _short(HELP.text(prefix + name, lang), width)) for name, _ in shown]
        with formatter.section(HELP.text("commands", lang)):
            formatter.write_dl(rows)


def _spec(spec: str, option: click.Option, lang: Lang) -> str:
    """An option's names and the kind of value it takes ("--limit INTEGER"), the kind in `lang`."""
    names, _, metavar = spec.rpartition(" ")
    key = f"metavar.{metavar}"
    if option.is_flag or key not in HELP.messages:
        return spec
    return f"{names} {HELP.text(key, lang)}"


def _with_extras(text: str, option: click.Option, lang: Lang) -> str:
    """An option's help with what Click adds in brackets: its default when shown, that it is required."""
    extras = []
    if option.show_default and option.default not in (None, "", False):
        extras.append(HELP.text("default", lang, value=option.default))
    if option.required:
        extras.append(HELP.text("required", lang))
    return f"{text}  [{'; '.join(extras)}]" if extras else text


def _short(text: str, width: int) -> str:
    """A command's help in a group's list: its first sentence, shortened to `width`."""
    sentence = SENTENCE_END.split(text.partition("\n\n")[0], maxsplit=1)[0]
    return textwrap.shorten(sentence, max(width, 10), placeholder="...")
