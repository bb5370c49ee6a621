"""The answering core: language, small talk, the best article (bot/answers/model.py), a taught
example (bot/answers/taught.py), a neighbouring subject we do not handle, or an honest "not sure"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.answers.features import question_vector
from bot.answers.knowledge import TOPIC_IDS, KnowledgeBase, escape_mrkdwn, load_knowledge
from bot.answers.language import MAX_WORDS, language_of_words
from bot.answers.messages import MESSAGES
from bot.answers.model import NONE, Model, shipped_model
from bot.answers.taught import NOTHING_TAUGHT, TaughtIndex
from bot.answers.text import first_words, fold, sentences, word_set, words
from bot.answers.types import Answer, AnswerKind, TopicRef
from bot.answers.understanding import is_asking
from bot.answers.vocabulary import Subject
from bot.config import Lang, Settings

CLOSE_CALL = 0.3  # a runner-up with this share of the best topic's probability: "Did you mean ...?"
MAX_QUESTION_CHARS = 2000  # longer texts are read from their start only
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
_SHORT_THANKS = 8  # words: a longer message that opens with thanks goes on to say something
# The words read for the language and small talk: a long message's language is clear from its opening.
OPENING_WORDS = max(MAX_WORDS, _SHORT_THANKS + 1)
_STILL_WRONG = word_set(
    "men fortfarande inte ej ändå igen också dock problem fel but still not doesn't don't didn't isn't "
    "can't won't again also however problem wrong error"
)


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


def _knowledge(knowledge_dir: Path) -> KnowledgeBase:
    return load_knowledge(knowledge_dir)


def _small_talk(text: str, opening: list[str]) -> str | None:
    """'greeting' or 'thanks' when the text is nothing but that (and some filler words), or a short
    message that opens with thanks and neither asks nor says that something is still wrong ("tack, nu
    funkar det!", "cheers, much appreciated"; not "tack, men det funkar fortfarande inte"). `opening`:
    the text's first words, at least `_SHORT_THANKS` + 1 of them when it has more."""
    if not opening:
        return None
    said = set(opening)
    if said <= _GREETINGS | _THANKS | _FILLER:
        said = set(words(text))  # all of them: a long message's opening words say too little
    if said <= _GREETINGS | _THANKS | _FILLER:
        if _THANKS & said:
            return "thanks"
        return "greeting" if _GREETINGS & said else None
    opens_with_thanks = bool(_THANKS & set(opening[:2]))
    if not opens_with_thanks or len(opening) > _SHORT_THANKS or _STILL_WRONG & said:
        return None
    asks = any(is_asking(sentence, words(sentence)) for sentence in sentences(fold(text.casefold())))
    return None if asks else "thanks"


def _refs(knowledge: KnowledgeBase, lang: Lang, topic_ids: Iterable[str]) -> list[TopicRef]:
    return [TopicRef(t, knowledge.article(lang, t).title) for t in topic_ids]


def topics(lang: Lang, settings: Settings | None = None) -> list[TopicRef]:
    """Every topic with its title in `lang`, in the knowledge base's order."""
    knowledge = _knowledge((settings or Settings()).knowledge_dir)
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
    knowledge = _knowledge(settings.knowledge_dir)
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
    question: str,
    settings: Settings,
    lang: Lang | None = None,
    context: Mapping[str, str] | None = None,
    taught: TaughtIndex = NOTHING_TAUGHT,
    model: Model | None = None,
) -> Answer:
    """Answer one question: small talk, the best article, a neighbouring subject we do not handle, or
    "not sure" with the closest topics. A question like one an agent taught takes the taught label.
    `model` replaces the shipped classifier (the benchmark's leave-one-author-out models)."""
    knowledge = _knowledge(settings.knowledge_dir)
    text = question[:MAX_QUESTION_CHARS]
    opening = first_words(text, OPENING_WORDS)
    detected = language_of_words(opening, settings.default_lang)
    lang = lang or detected
    values = template_values(settings, context)
    main_topics = _refs(knowledge, lang, TOPIC_IDS[:CLOSEST_TOPICS])
    if not opening:
        return Answer(AnswerKind.SMALLTALK, lang, MESSAGES.text("empty_question", lang), related=main_topics)
    if kind := _small_talk(text, opening):
        return Answer(
            AnswerKind.SMALLTALK, lang, MESSAGES.text(kind, lang, **_escaped(values)), related=main_topics
        )
    features = question_vector(text, detected)
    prediction = (model or shipped_model()).predict(features)
    every_label = prediction.ranked()
    ranked = [(topic, p) for topic, p in every_label if topic != NONE]
    taught_match = taught.nearest(features)
    if taught_match is not None:
        label = taught_match.example.label
        if label == NONE:
            return _off_topic(prediction.subject, lang, values)
        return _article_answer(knowledge, label, lang, values, taught_match.similarity)
    best, best_p = every_label[0]
    if best == NONE:
        if prediction.subject is not None:
            return _off_topic(prediction.subject, lang, values)
        return Answer(
            kind=AnswerKind.NO_ANSWER,
            lang=lang,
            text=MESSAGES.text("not_sure", lang, **_escaped(values)),
            score=ranked[0][1],
            related=_refs(knowledge, lang, (topic for topic, _ in ranked[:CLOSEST_TOPICS])),
        )
    second, second_p = ranked[1]  # ranked[0] is the best: it is not NONE here
    alternative = second if second_p >= CLOSE_CALL * best_p else None
    return _article_answer(knowledge, best, lang, values, best_p, alternative)


def _off_topic(subject: Subject | None, lang: Lang, values: Mapping[str, str]) -> Answer:
    """Not ours (a neighbouring subject when one is recognised): say so plainly, and offer a person."""
    if subject is None:
        text = MESSAGES.text("not_ours", lang, **_escaped(values))
    else:
        text = MESSAGES.text(
            "off_topic", lang, subject=MESSAGES.text(f"subject.{subject}", lang), **_escaped(values)
        )
    return Answer(kind=AnswerKind.OFF_TOPIC, lang=lang, text=text, subject=subject.value if subject else None)
