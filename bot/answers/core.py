"""The answering core: language, small talk, the best article or an honest "not sure"."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.answers.knowledge import TOPIC_IDS, KnowledgeBase, escape_mrkdwn, load_knowledge
from bot.answers.language import detect_language
from bot.answers.messages import MESSAGES
from bot.answers.retrieval import TopicIndex, build_index
from bot.answers.text import word_set, words
from bot.answers.types import Answer, AnswerKind, TopicRef
from bot.answers.understanding import read, topic_evidence
from bot.answers.vocabulary import Subject
from bot.config import Lang, Settings

# Tuned on bench/eval_dev.tsv (see bench/answers.py and docs/answers.md).
MIN_SCORE_UNNAMED = 0.30  # retrieval alone (no object named) must reach this ...
MIN_MARGIN_UNNAMED = 0.10  # ... and beat the runner-up by this much
RETRIEVAL_WEIGHT = 0.6  # retrieval's share next to the understood (object, intent) evidence
STRONG_NEIGHBOUR = 1.0  # a neighbouring subject asked about (not just mentioned) ...
NEIGHBOUR_OVER_OBJECT = 1.0  # ... and at least this strong next to the object: not ours
CLOSE_CALL = 0.75  # a runner-up with this share of the best score is offered as "Did you mean ...?"
MAX_QUESTION_CHARS = 2000  # longer texts are read from their start only
MAX_RETRIEVAL_WORDS = 24  # retrieval reads the asking sentences' first words only (its cost grows per word)
CLOSEST_TOPICS = 3

_GREETINGS = word_set(
    "hej hejsan hallå halla tja tjena tjenare tjabba morsning god morgon dag kväll eftermiddag "
    "hi hello hey hiya howdy yo good morning afternoon evening there"
)
_THANKS = word_set("tack tackar tacksam thanks thank thx ty cheers")
_FILLER = word_set(
    "så mycket tusen för hjälpen det du ni alla allihop bot mailbot snälla bra toppen super perfekt kanon "
    "you so much a lot very for the help all everyone great perfect nice ok okay hjälpte funkade fungerade "
    "helped worked that it"
)
# Bodies are indexed with neutral example values, so the index depends on the articles only.
_INDEX_VALUES = {"domain": "example.com", "mailbox": "anna@example.com", "name": "Anna"}

_INDEX_LOCK = threading.Lock()


def default_values(settings: Settings) -> dict[str, str]:
    return {
        "domain": settings.example_domain,
        "mailbox": f"anna@{settings.example_domain}",
        "name": "Anna",
        "provider": settings.provider_name,
        "support": settings.support_contact,
    }


def template_values(settings: Settings, context: Mapping[str, str] | None) -> dict[str, str]:
    """Settings' defaults overlaid with what is known about the customer ("domain", "mailbox", "name")."""
    values = default_values(settings)
    given = {k: str(v).strip() for k, v in (context or {}).items() if k in values and v is not None}
    known = {k: v for k, v in given.items() if v}
    if "domain" in known and "mailbox" not in known:
        known["mailbox"] = f"anna@{known['domain']}"
    if "mailbox" in known and "@" not in known["mailbox"]:
        known["mailbox"] = f"{known['mailbox']}@{known.get('domain', values['domain'])}"
    values.update(known)
    return values


def _knowledge_and_index(knowledge_dir: Path) -> tuple[KnowledgeBase, TopicIndex]:
    # One build per process: without the lock, every thread that asks before the first build is
    # done builds its own (a burst of requests at a new worker's start stalled it for seconds).
    with _INDEX_LOCK:
        return _build_knowledge_and_index(knowledge_dir)


@functools.cache
def _build_knowledge_and_index(knowledge_dir: Path) -> tuple[KnowledgeBase, TopicIndex]:
    knowledge = load_knowledge(knowledge_dir)
    values = {**default_values(Settings()), **_INDEX_VALUES}
    return knowledge, build_index(knowledge, values)


def _small_talk(question_words: list[str]) -> str | None:
    """'greeting' or 'thanks' when the text is nothing but that (and some filler words)."""
    if not question_words or not set(question_words) <= _GREETINGS | _THANKS | _FILLER:
        return None
    if _THANKS & set(question_words):
        return "thanks"
    return "greeting" if _GREETINGS & set(question_words) else None


def _refs(knowledge: KnowledgeBase, lang: Lang, topic_ids: Iterable[str]) -> list[TopicRef]:
    return [TopicRef(t, knowledge.article(lang, t).title) for t in topic_ids]


def topics(lang: Lang, settings: Settings | None = None) -> list[TopicRef]:
    """Every topic with its title in `lang`, in the knowledge base's order."""
    knowledge, _ = _knowledge_and_index((settings or Settings()).knowledge_dir)
    return _refs(knowledge, lang, TOPIC_IDS)


def _article_answer(
    knowledge: KnowledgeBase,
    topic_id: str,
    lang: Lang,
    values: Mapping[str, str],
    score: float,
    alternative: str | None = None,
) -> Answer:
    article = knowledge.article(lang, topic_id)
    return Answer(
        kind=AnswerKind.ARTICLE,
        lang=lang,
        text=article.render(values),
        topic_id=topic_id,
        title=article.title,
        score=score,
        related=_refs(knowledge, lang, (t for t in article.related if t != alternative)),
        flow=article.flow,
        alternative=_refs(knowledge, lang, [alternative])[0] if alternative else None,
    )


def _escaped(values: Mapping[str, str]) -> dict[str, str]:
    return {k: escape_mrkdwn(v) for k, v in values.items()}


def render_topic(
    topic_id: str, lang: Lang, settings: Settings, context: Mapping[str, str] | None = None
) -> Answer:
    """The article of a topic the user picked (a related-topic button); score 1.0 means 'chosen'.

    An unknown topic id (a stale or forged button) gets the not-sure answer with the main topics.
    """
    knowledge, _ = _knowledge_and_index(settings.knowledge_dir)
    values = template_values(settings, context)
    if topic_id not in TOPIC_IDS:
        return Answer(
            kind=AnswerKind.NO_ANSWER,
            lang=lang,
            text=MESSAGES.text("not_sure", lang, **_escaped(values)),
            related=_refs(knowledge, lang, TOPIC_IDS[:CLOSEST_TOPICS]),
        )
    return _article_answer(knowledge, topic_id, lang, values, score=1.0)


def answer(
    question: str, settings: Settings, lang: Lang | None = None, context: Mapping[str, str] | None = None
) -> Answer:
    """Answer one question: small talk, the best article, or "not sure" with the closest topics."""
    knowledge, index = _knowledge_and_index(settings.knowledge_dir)
    text = question[:MAX_QUESTION_CHARS]
    lang = lang or detect_language(text, settings.default_lang)
    values = template_values(settings, context)
    main_topics = _refs(knowledge, lang, TOPIC_IDS[:CLOSEST_TOPICS])
    question_words = words(text)
    if not question_words:
        return Answer(AnswerKind.SMALLTALK, lang, MESSAGES.text("empty_question", lang), related=main_topics)
    if kind := _small_talk(question_words):
        return Answer(
            AnswerKind.SMALLTALK, lang, MESSAGES.text(kind, lang, **_escaped(values)), related=main_topics
        )
    reading = read(text)
    subject, neighbour = reading.neighbour()
    if neighbour >= STRONG_NEIGHBOUR and neighbour >= NEIGHBOUR_OVER_OBJECT * reading.object_evidence:
        assert subject is not None
        return _off_topic(subject, lang, values)
    evidence = topic_evidence(reading)
    understood = sorted(((score, topic) for topic, score in evidence.items()), key=lambda p: (-p[0], p[1]))
    if len(understood) >= 2 and understood[0][0] - understood[1][0] >= RETRIEVAL_WEIGHT:
        # Retrieval (scores <= 1, weighted RETRIEVAL_WEIGHT) could not change the best topic: skip it.
        (best_score, best), (second_score, second) = understood[0], understood[1]
        alternative = second if second_score >= CLOSE_CALL * best_score else None
        return _article_answer(knowledge, best, lang, values, min(1.0, best_score), alternative)
    ranked = index.rank(" ".join(words(reading.asking_text)[:MAX_RETRIEVAL_WORDS]), lang)
    combined = sorted(
        ((evidence.get(m.topic_id, 0.0) + RETRIEVAL_WEIGHT * m.score, m.topic_id) for m in ranked),
        key=lambda pair: (-pair[0], pair[1]),
    )
    (best_score, best), (second_score, second) = combined[0], combined[1]
    if not evidence and not (
        ranked[0].score >= MIN_SCORE_UNNAMED and ranked[0].score - ranked[1].score >= MIN_MARGIN_UNNAMED
    ):
        if subject is not None:
            return _off_topic(subject, lang, values)
        return Answer(
            kind=AnswerKind.NO_ANSWER,
            lang=lang,
            text=MESSAGES.text("not_sure", lang, **_escaped(values)),
            score=ranked[0].score,
            related=_refs(knowledge, lang, (m.topic_id for m in ranked[:CLOSEST_TOPICS])),
        )
    alternative = second if second_score >= CLOSE_CALL * best_score else None
    return _article_answer(knowledge, best, lang, values, min(1.0, best_score), alternative)


def _off_topic(subject: Subject, lang: Lang, values: Mapping[str, str]) -> Answer:
    """A neighbouring subject this bot does not handle: say so plainly, and offer a person."""
    return Answer(
        kind=AnswerKind.OFF_TOPIC,
        lang=lang,
        text=MESSAGES.text(
            "off_topic", lang, subject=MESSAGES.text(f"subject.{subject}", lang), **_escaped(values)
        ),
        subject=subject.value,
    )
