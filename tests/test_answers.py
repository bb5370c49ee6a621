"""The answering core as its callers see it: language, small talk, articles, "not sure", hostile text."""

from __future__ import annotations

import pytest

from bot.answers import AnswerKind, answer, detect_language, render_topic
from bot.answers.knowledge import TOPIC_IDS
from bot.config import Lang, Settings

SETTINGS = Settings(support_contact="hjalp@kulexempel.se")


@pytest.mark.parametrize(
    ("question", "lang", "topic_id", "flow"),
    [
        ("Hur lägger jag till ett alias på min brevlåda?", "sv", "manage-aliases", "alias.add"),
        ("vad ar en distributionsgrupp", "sv", "distribution-group", "group.create"),
        ("kan jag vidarebefordra mina mejl till gmail", "sv", "external-forwarding", "forward.set"),
        ("What's the difference between an alias and a forward?", "en", "alias-vs-forwarding-vs-group", None),
        ("how do i turn off forwarding", "en", "manage-forwarding", "forward.set"),
        ("can I reply as my alias", "en", "send-from-alias", None),
    ],
)
def test_a_question_gets_the_article_in_its_language(
    question: str, lang: str, topic_id: str, flow: str
) -> None:
    result = answer(question, SETTINGS)
    assert (result.kind, result.lang, result.topic_id, result.flow) == (
        AnswerKind.ARTICLE,
        lang,
        topic_id,
        flow,
    )
    assert result.title and result.text
    assert 0 < result.score <= 1
    assert all(ref.topic_id in TOPIC_IDS and ref.title for ref in result.related)


def test_the_article_uses_what_is_known_about_the_customer() -> None:
    result = answer("vad är ett alias?", SETTINGS, context={"domain": "bageriet.se", "name": "Stina"})
    assert "support@bageriet.se" in result.text and "Stina" in result.text


def test_unknown_or_empty_customer_values_keep_the_examples() -> None:
    context = {"name": None, "domain": " ", "colour": "red"}  # None as a caller's bad data would give it
    result = answer("what is an alias?", SETTINGS, context=context)  # type: ignore[arg-type]
    assert "Anna" in result.text and "support@kulexempel.se" in result.text
    assert "None" not in result.text and "red" not in result.text


def test_forced_language_wins_over_detection() -> None:
    result = answer("vad är ett alias?", SETTINGS, lang="en")
    assert result.lang == "en" and result.title == "What is an alias?"


@pytest.mark.parametrize(
    ("question", "lang"),
    [("hur bakar man surdegsbröd", "sv"), ("tell me a joke", "en"), ("what's the weather in Malmö", "en")],
)
def test_a_question_about_nothing_we_know_gets_not_sure_the_closest_topics_and_a_person(
    question: str, lang: str
) -> None:
    result = answer(question, SETTINGS)
    assert result.kind is AnswerKind.NO_ANSWER and result.topic_id is None and result.lang == lang
    assert "hjalp@kulexempel.se" in result.text
    assert ("inte säker" if lang == "sv" else "not sure") in result.text
    assert len(result.related) == 3 and len({ref.topic_id for ref in result.related}) == 3


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Hej!", "sv", "Hej!"),
        ("tack så mycket", "sv", "Varsågod"),
        ("hello there", "en", "Hi!"),
        ("thanks :)", "en", "You're welcome"),
    ],
)
def test_greetings_and_thanks_get_a_short_reply_not_an_article(text: str, lang: str, expected: str) -> None:
    result = answer(text, SETTINGS)
    assert (result.kind, result.lang, result.topic_id) == (AnswerKind.SMALLTALK, lang, None)
    assert result.text.startswith(expected)
    assert [ref.topic_id for ref in result.related] == ["alias", "forwarding", "distribution-group"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("tack, nu funkar det! 👍", "sv"),
        ("tackar, det där löste biffen", "sv"),
        ("thanks, that sorted it out", "en"),
        ("cheers mate, all good now", "en"),
    ],
)
def test_a_short_thank_you_in_other_words_is_small_talk(text: str, lang: str) -> None:
    result = answer(text, SETTINGS)
    assert (result.kind, result.lang) == (AnswerKind.SMALLTALK, lang), result.text


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("tack! hur lägger jag till ett alias", "manage-aliases"),
        ("thanks, now how do I make a group", "manage-groups"),
        ("thanks, please add sales@ as an alias on my mailbox", "manage-aliases"),
    ],
)
def test_thanks_followed_by_a_question_gets_the_article(text: str, topic: str) -> None:
    result = answer(text, SETTINGS)
    assert result.kind is AnswerKind.ARTICLE and result.topic_id == topic


@pytest.mark.parametrize("text", ["tack, men det funkar fortfarande inte", "thanks but it still bounces"])
def test_thanks_with_something_still_wrong_is_not_small_talk(text: str) -> None:
    assert answer(text, SETTINGS).kind is not AnswerKind.SMALLTALK


def test_a_greeting_with_a_question_gets_the_article() -> None:
    result = answer("hej! hur skapar jag en distributionsgrupp?", SETTINGS)
    assert result.kind is AnswerKind.ARTICLE and result.topic_id == "manage-groups"


@pytest.mark.parametrize("text", ["", "   ", "???", "🙂"])
def test_an_empty_question_asks_for_one(text: str) -> None:
    result = answer(text, Settings(default_lang="en"))
    assert result.kind is AnswerKind.SMALLTALK and result.text.startswith("Type your question")


@pytest.mark.parametrize(
    "question",
    [
        "<!channel> {{ 7*7 }} vad är ett alias {% raw %}",
        "\u202ewhat is an alias\u202c 🙂🙂",
        "alias " * 7000,  # 42 kB
    ],
)
def test_hostile_question_text_is_never_rendered(question: str) -> None:
    result = answer(question, SETTINGS)
    # "alias" repeated names the object but no intent: what an alias is, or adding one, are both fair
    assert result.kind is AnswerKind.ARTICLE and result.topic_id in ("alias", "manage-aliases")
    assert "<!channel>" not in result.text and "49" not in result.text and "{% raw %}" not in result.text


def test_hostile_settings_are_escaped_in_the_bots_own_messages() -> None:
    settings = Settings(provider_name="<!everyone>", support_contact="<!channel> & co")
    greeting = answer("hej", settings).text
    not_sure = answer("hur bakar man surdegsbröd", settings).text
    off_topic = answer("hur byter jag lösenord", settings).text
    assert "&lt;!everyone&gt;" in greeting and "&lt;!channel&gt; &amp; co" in not_sure
    assert "&lt;!channel&gt; &amp; co" in off_topic
    assert "<!" not in greeting + not_sure + off_topic


def test_an_unknown_topic_button_gets_not_sure() -> None:
    result = render_topic("../../etc/passwd", "sv", SETTINGS)
    assert result.kind is AnswerKind.NO_ANSWER and "hjalp@kulexempel.se" in result.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hur gör jag", "sv"),
        ("vad ar ett alias", "sv"),
        ("kan ni hjalpa mig med vidarebefordring", "sv"),
        ("how do i add an alias", "en"),
        ("wat is a distrubution grup", "en"),
        ("forwarda till gmail tack", "sv"),
        ("please, hur skapar jag en grupp?", "sv"),
    ],
)
def test_language_of_short_misspelled_and_mixed_texts(text: str, expected: str) -> None:
    assert detect_language(text, default="sv") == expected


@pytest.mark.parametrize("default", ["sv", "en"])
@pytest.mark.parametrize("text", ["", "12345", "🙂", "alias", "gmail"])
def test_no_language_evidence_gives_the_default(text: str, default: Lang) -> None:
    assert detect_language(text, default=default) == default
