"""`mailbot chat`: the help bot in a terminal, on the same core as in Slack.

Buttons become numbered choices: type a number to press one, or type a new question. After
"not helpful" the next line is taken as what was unclear (an empty line skips it).

The guided flows work here too (`/alias add ...`, or an article's "Create an alias"): missing fields
are asked for one line at a time, then the preview offers Confirm/Cancel and the result Undo. The
person at the terminal is the provider's operator, so they act with the admin role, like the CLI;
`mailbot chat --as-customer NAME` makes them one of a customer's people instead (see docs/customers.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from bot.answers import AnswerKind
from bot.answers.messages import MESSAGES as ANSWERS
from bot.config import Lang, Settings
from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import Turn, ask, show_topic
from bot.customers.directory import CustomerAccess
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.feedback import add_comment, vote
from bot.flows.commands import COMMANDS, FLOWS, YES, FieldKind, FieldSpec, Flow, NeedsInput
from bot.flows.core import Flows, Person, Reply, ReplyKind
from bot.flows.messages import MESSAGES as FLOW_MESSAGES
from bot.i18n import Catalog
from bot.routing.changes import Role

MESSAGES = Catalog(
    "console",
    {
        "welcome": {
            "sv": "Hej! Fråga mig om alias, vidarebefordran och distributionsgrupper "
            "(på svenska eller engelska). Skriv 'sluta' för att avsluta.",
            "en": "Hi! Ask me about aliases, forwarding and distribution groups "
            "(in Swedish or English). Type 'quit' to leave.",
        },
        "choose": {
            "sv": "Skriv en siffra för att välja, eller ställ en ny fråga.",
            "en": "Type a number to choose, or ask a new question.",
        },
        "comment_prompt": {
            "sv": "Vad var oklart? Skriv det på en rad (tom rad hoppar över).",
            "en": "What was unclear? Write it on one line (an empty line skips).",
        },
        "show_topic": {"sv": "Läs: {title}", "en": "Read: {title}"},
    },
)
QUIT_WORDS = frozenset({"quit", "exit", "sluta", "avsluta"})
YES_WORDS = frozenset({"yes", "y", "ja", "j"})
_LINK = re.compile(r"<([^|<>]+)\|([^<>]+)>")
_BARE_LINK = re.compile(r"<([^|<>]+)>")


def terminal_text(mrkdwn: str) -> str:
    """Slack mrkdwn as a terminal shows it: links as "text (url)", entities back to characters."""
    text = _BARE_LINK.sub(r"\1", _LINK.sub(r"\2 (\1)", mrkdwn))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Choice:
    label: str
    act: Callable[[], None]


class Chat:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        user_id: str,
        out: TextIO,
        customer: CustomerAccess | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.user_id = user_id
        self.out = out
        self.choices: list[Choice] = []
        self.awaiting_comment: tuple[int, Lang] | None = None  # (question id, its language)
        self.flows = Flows(settings, sessions)
        # The provider's operator, or (`customer`) one of a customer's people, to try what they see.
        self.operator = Person(user_id, None, None if customer else Role.ADMIN, customer)
        # A flow whose fields are being asked for: the flow, the values so far, the fields still to ask.
        self.collecting: tuple[Flow, dict[str, str], list[FieldSpec]] | None = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run(self, lines: Iterable[str]) -> None:
        self.say(MESSAGES.text("welcome", self.settings.default_lang))
        for line in lines:
            if line.strip().casefold() in QUIT_WORDS:
                return
            self.handle(line.rstrip("\n"))

    def handle(self, line: str) -> None:
        if self.awaiting_comment is not None:
            question_id, lang = self.awaiting_comment
            self.awaiting_comment = None
            with self.sessions() as session:
                add_comment(session, question_id, self.user_id, line)
            self.say(CONVERSATION.text("thanks_not_helpful", lang))
            self.say(CONVERSATION.text("person_contact", lang, support=self.settings.support_contact))
            return
        if self.collecting is not None:
            self.answer_field(line)
            return
        picked = line.strip()
        if picked.isdigit() and 1 <= int(picked) <= len(self.choices):
            self.choices[int(picked) - 1].act()
            return
        if not picked:
            return
        command, _, text = picked.partition(" ")
        if command in COMMANDS:
            self.command(command, text)
            return
        with self.sessions() as session:
            turn = ask(
                session,
                self.settings,
                line,
                user_id=self.user_id,
                channel_id="terminal",
                customer=self.operator.customer,
            )
        self.show(turn)

    def show(self, turn: Turn) -> None:
        answer, lang, question_id = turn.answer, turn.answer.lang, turn.question_id
        for note in turn.notes:
            self.say(f"({note})")
        if answer.title:
            self.say(f"== {answer.title} ==")
        self.say(terminal_text(answer.text))
        self.choices = []
        if answer.kind is AnswerKind.ARTICLE:
            self.say(CONVERSATION.text("was_it_helpful", lang))
            self.choices += [
                Choice(
                    CONVERSATION.text("helpful", lang), lambda: self.vote(question_id, lang, helpful=True)
                ),
                Choice(
                    CONVERSATION.text("not_helpful", lang),
                    lambda: self.vote(question_id, lang, helpful=False),
                ),
            ]
        if answer.alternative:
            self.choices.append(
                Choice(
                    ANSWERS.text("did_you_mean", lang, title=answer.alternative.title),
                    partial(self.show_topic, question_id, answer.alternative.topic_id),
                )
            )
        self.choices += [
            Choice(
                MESSAGES.text("show_topic", lang, title=ref.title),
                partial(self.show_topic, question_id, ref.topic_id),
            )
            for ref in answer.related
        ]
        if answer.flow in FLOWS:
            flow = FLOWS[answer.flow]
            self.choices.append(
                Choice(flow.title.render(lang), lambda: self.ask_fields(flow, {}, list(flow.fields)))
            )
        if answer.kind in (AnswerKind.NO_ANSWER, AnswerKind.OFF_TOPIC):
            self.choices.append(
                Choice(CONVERSATION.text("ask_person", lang), lambda: self.ask_person(question_id, lang))
            )
        self.offer(lang)

    def offer(self, lang: Lang) -> None:
        if self.choices:
            for number, choice in enumerate(self.choices, start=1):
                self.say(f"  {number}) {choice.label}")
            self.say(MESSAGES.text("choose", lang))

    @property
    def lang(self) -> Lang:
        return self.settings.default_lang

    def command(self, command: str, text: str) -> None:
        reply = self.flows.command(command, text, self.operator)
        if isinstance(reply, NeedsInput):
            self.ask_fields(
                reply.flow, reply.values, [f for f in reply.flow.fields if f.name not in reply.values]
            )
        else:
            self.show_reply(reply)

    def ask_fields(self, flow: Flow, values: dict[str, str], fields: list[FieldSpec]) -> None:
        """Ask for `fields` one line at a time (the terminal's modal)."""
        self.collecting = (flow, values, fields)
        self.say(f"== {flow.title.render(self.lang)} ==")
        self.prompt(fields[0])

    def prompt(self, field: FieldSpec) -> None:
        key = "console_field" if field.required else "console_optional"
        if field.kind is FieldKind.FLAG:
            key, label = "console_flag", FLOW_MESSAGES.text("field.keep_copy_option", self.lang)
        else:
            label = FLOW_MESSAGES.text(field.label, self.lang)
        self.say(FLOW_MESSAGES.text(key, self.lang, label=label))

    def answer_field(self, line: str) -> None:
        assert self.collecting is not None
        flow, values, fields = self.collecting
        field, rest, value = fields[0], fields[1:], line.strip()
        if field.required and not value:
            self.collecting = None
            self.say(FLOW_MESSAGES.text("cancelled", self.lang))
            return
        if field.kind is FieldKind.FLAG:
            value = YES if value.casefold() in YES_WORDS else ""
        values = {**values, field.name: value}
        if rest:
            self.collecting = (flow, values, rest)
            self.prompt(rest[0])
            return
        self.collecting = None
        result = self.flows.submit(flow.id, values, self.operator)
        if isinstance(result, dict):
            for spec in flow.fields:
                if spec.name in result:
                    label = FLOW_MESSAGES.text(spec.label, self.lang)
                    self.say(f"{label}: {result[spec.name].render(self.lang)}")
            self.ask_fields(flow, values, [spec for spec in flow.fields if spec.name in result])
            return
        self.show_reply(result)

    def show_reply(self, reply: Reply) -> None:
        """A flow's reply, with Confirm/Cancel or Undo as numbered choices."""
        for line in reply.lines:
            self.say(terminal_text(line.render(self.lang)))
        self.choices = []
        pending_id = reply.pending_id
        if pending_id is not None and reply.kind is ReplyKind.PREVIEW:
            self.choices = [
                Choice(
                    FLOW_MESSAGES.text("confirm", self.lang), lambda: self.act(self.flows.confirm, pending_id)
                ),
                Choice(
                    FLOW_MESSAGES.text("cancel", self.lang), lambda: self.act(self.flows.cancel, pending_id)
                ),
            ]
        elif pending_id is not None and reply.kind is ReplyKind.REQUESTABLE:
            self.choices = [
                Choice(
                    CUSTOMERS.text("request", self.lang), lambda: self.show_reply(self.request(pending_id))
                ),
                Choice(
                    FLOW_MESSAGES.text("cancel", self.lang), lambda: self.act(self.flows.cancel, pending_id)
                ),
            ]
        elif pending_id is not None and reply.kind is ReplyKind.DONE:
            self.choices = [
                Choice(FLOW_MESSAGES.text("undo", self.lang), lambda: self.act(self.flows.undo, pending_id))
            ]
        self.offer(self.lang)

    def request(self, pending_id: int) -> Reply:
        """Request this change: stored for support (`mailbot request list|approve|reject`)."""
        return self.flows.request(pending_id, self.operator, self.lang)

    def act(self, act: Callable[[int, Person], Reply], pending_id: int) -> None:
        self.show_reply(act(pending_id, self.operator))

    def vote(self, question_id: int, lang: Lang, *, helpful: bool) -> None:
        with self.sessions() as session:
            vote(session, question_id, self.user_id, helpful=helpful)
        if helpful:
            self.say(CONVERSATION.text("thanks_helpful", lang))
        else:
            self.awaiting_comment = (question_id, lang)
            self.say(MESSAGES.text("comment_prompt", lang))

    def show_topic(self, question_id: int, topic_id: str) -> None:
        with self.sessions() as session:
            turn = show_topic(
                session,
                self.settings,
                question_id,
                topic_id,
                user_id=self.user_id,
                customer=self.operator.customer,
            )
        if turn is not None:
            self.show(turn)

    def ask_person(self, question_id: int, lang: Lang) -> None:
        with self.sessions() as session:
            add_comment(session, question_id, self.user_id, None, wants_person=True)
        self.say(CONVERSATION.text("person_contact", lang, support=self.settings.support_contact))
