"""`mailbot chat`: the help bot in a terminal, on the same core as in Slack.

Buttons become numbered choices: type a number to press one, or type a new question. After
"not helpful" the next line is taken as what was unclear (an empty line skips it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy.orm import sessionmaker

from bot.answers import AnswerKind
from bot.config import Lang, Settings
from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import Turn, ask, show_topic
from bot.feedback import add_comment, vote
from bot.i18n import Catalog

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
    def __init__(self, settings: Settings, sessions: sessionmaker, user_id: str, out: TextIO) -> None:
        self.settings = settings
        self.sessions = sessions
        self.user_id = user_id
        self.out = out
        self.choices: list[Choice] = []
        self.awaiting_comment: tuple[int, Lang] | None = None  # (question id, its language)

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
        picked = line.strip()
        if picked.isdigit() and 1 <= int(picked) <= len(self.choices):
            self.choices[int(picked) - 1].act()
            return
        if not picked:
            return
        with self.sessions() as session:
            turn = ask(session, self.settings, line, user_id=self.user_id, channel_id="terminal")
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
        self.choices += [
            Choice(
                MESSAGES.text("show_topic", lang, title=ref.title),
                lambda topic_id=ref.topic_id: self.show_topic(question_id, topic_id),
            )
            for ref in answer.related
        ]
        if answer.kind is AnswerKind.NO_ANSWER:
            self.choices.append(
                Choice(CONVERSATION.text("ask_person", lang), lambda: self.ask_person(question_id, lang))
            )
        if self.choices:
            for number, choice in enumerate(self.choices, start=1):
                self.say(f"  {number}) {choice.label}")
            self.say(MESSAGES.text("choose", lang))

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
            turn = show_topic(session, self.settings, question_id, topic_id, user_id=self.user_id)
        if turn is not None:
            self.show(turn)

    def ask_person(self, question_id: int, lang: Lang) -> None:
        with self.sessions() as session:
            add_comment(session, question_id, self.user_id, None, wants_person=True)
        self.say(CONVERSATION.text("person_contact", lang, support=self.settings.support_contact))
