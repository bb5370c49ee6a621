"""How the answering core understands questions as people write them (issue 11): the issue's misses and
their kin in both languages, long messages, neighbouring subjects it declines, and close calls."""

from __future__ import annotations

import pytest

from bot.answers import AnswerKind, answer
from bot.answers.text import words
from bot.answers.understanding import is_asking, read
from bot.answers.vocabulary import PHRASE_CUES, Subject, leading_literals, top_level_alternatives
from bot.config import Settings

SETTINGS = Settings(support_contact="hjalp@kulexempel.se")


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        # the five misses the issue names, in its wording
        ("Can one mailbox have more than one email address?", "alias"),
        ("Forwarding to my gmail doesn't work", "external-forwarding"),
        ("customers get a bounce when they write to the team list", "group-external-senders"),
        (
            "What are the differences between a distribution group and a shared mailbox?",
            "shared-mailbox-vs-group",
        ),
        # and the same ideas in Swedish, in admin words and mixed
        ("Kan en brevlåda ha mer än en e-postadress?", "alias"),
        ("vidarebefordringen till min gmail funkar inte", "external-forwarding"),
        (
            "vad är skillnaden mellan en distributionsgrupp och en funktionsbrevlåda?",
            "shared-mailbox-vs-group",
        ),
        ("kan ni adda Pelle till DL:en för styrelsen", "manage-groups"),
        ("hur hämtar jag post från mitt gamla konto via POP/IMAP", "connected-accounts"),
        ("can I send mail as my alias from Outlook", "send-from-alias"),
    ],
)
def test_the_issues_misses_and_their_kin_get_the_right_article(question: str, topic_id: str) -> None:
    result = answer(question, SETTINGS)
    assert (result.kind, result.topic_id) == (AnswerKind.ARTICLE, topic_id)


def test_a_bounce_from_a_list_the_model_is_unsure_of_offers_the_outsiders_article_first() -> None:
    """Since the fifth round's data (many bounces there are of other kinds: a block list, a full
    mailbox, a misspelt address, all `none`), the model reads this wording as 0.53 "none" against 0.39
    for the outsiders' article, so it is not sure; it still offers that article first. (Until the
    fifth round it answered with the article; the issue's English wording still gets it, above.)"""
    result = answer("kunder får studsmejl när de skriver till teamlistan", SETTINGS)
    assert result.kind in (AnswerKind.ARTICLE, AnswerKind.NO_ANSWER)
    offered = result.topic_id if result.kind is AnswerKind.ARTICLE else result.related[0].topic_id
    assert offered == "group-external-senders"


@pytest.mark.parametrize(
    ("question", "lang", "subject"),
    [
        ("Outlook keeps crashing every time I open it", "en", "programs and apps that misbehave"),
        ("I'm locked out of my gmail and the codes never arrive", "en", "passwords and signing in"),
        ("hur återställer jag lösenordet till den delade brevlådan", "sv", "lösenord och inloggning"),
        ("viktiga mejl hamnar i skräpposten", "sv", "skräppost och spamfilter"),
        ("what MX records do I need for my domain", "en", "DNS and domains"),
        ("fakturan stämmer inte, vi har betalat två gånger", "sv", "fakturor och betalning"),
        ("how do I share my calendar with the whole group", "en", "calendars and meetings"),
    ],
)
def test_a_neighbouring_subject_is_declined_plainly_with_a_person(
    question: str, lang: str, subject: str
) -> None:
    result = answer(question, SETTINGS)
    assert (result.kind, result.topic_id, result.lang) == (AnswerKind.OFF_TOPIC, None, lang)
    assert subject in result.text and "hjalp@kulexempel.se" in result.text
    assert result.related == [] and result.alternative is None


def test_a_word_from_a_neighbouring_subject_does_not_decline_a_question_about_our_topics() -> None:
    result = answer("does an alias need its own password?", SETTINGS)
    assert (result.kind, result.topic_id) == (AnswerKind.ARTICLE, "alias")


@pytest.mark.parametrize(
    ("message", "topic_id"),
    [
        (
            "Hej! Vi är fyra på kundtjänst och har haft en rörig vår. Förra veckan pratade vi med vår "
            "konsult om lösenord och kalendrar, men det är inte det jag undrar. Idag får alla en egen kopia "
            "av mejlen till kundtjanst@ och vi svarar ibland dubbelt. Hur gör vi så att alla ser vem som "
            "redan har svarat?",
            "shared-mailbox-vs-group",
        ),
        (
            "I'm going on leave next month. We talked about my calendar and about the spam filter in the "
            "team meeting, and IT sorted both. My colleague Jonas will look after my clients while I'm "
            "away. Can my email be forwarded to him, and can I keep a copy?",
            "manage-forwarding",
        ),
    ],
)
def test_a_long_message_is_answered_by_its_asking_sentences_not_its_story(
    message: str, topic_id: str
) -> None:
    result = answer(message, SETTINGS)
    assert (result.kind, result.topic_id) == (AnswerKind.ARTICLE, topic_id)


def test_a_2000_character_message_is_read_to_its_end() -> None:
    story = "We had a long week and lots of meetings about the new office and its furniture. " * 24
    message = story + "How do I add an alias to my mailbox?"
    assert 1900 < len(message) <= 2000
    assert answer(message, SETTINGS).topic_id == "manage-aliases"


@pytest.mark.parametrize(
    ("sentence", "asks"),
    [
        ("vi har en webbshop sedan i fjol.", False),
        ("i took over from karin last week.", False),
        ("kan ni ta bort den", True),
        ("add tom@ to the sales list", True),
        ("it doesn't work since monday.", True),
        ("vad betyder det?", True),
        ("vi pratade om losenord, men det ar inte det jag undrar.", False),
        ("we sorted the spam filter, but that's not what i'm asking.", False),
    ],
)
def test_asking_sentences_are_told_from_the_story(sentence: str, asks: bool) -> None:
    assert is_asking(sentence, words(sentence)) is asks


def test_an_address_is_not_read_as_a_word() -> None:
    assert read("lägg till faktura@ som alias")[Subject.BILLING] == 0  # "faktura@" is no invoice
    assert answer("lägg till faktura@ som alias på min brevlåda", SETTINGS).topic_id == "manage-aliases"


def test_a_close_runner_up_is_offered_once_as_did_you_mean() -> None:
    # Two questions in one: outsiders writing to a group, and forwarding outside.
    result = answer("can my group get mail from outside and forward it", SETTINGS)
    assert result.kind is AnswerKind.ARTICLE and result.alternative is not None
    assert result.alternative.topic_id != result.topic_id
    assert result.alternative.topic_id not in [ref.topic_id for ref in result.related]


def test_phrase_patterns_split_at_top_level_or_and_know_their_first_words() -> None:
    assert top_level_alternatives(r"\ba(?:b|c)|d") == [r"\ba(?:b|c)", "d"]
    assert leading_literals(r"\b(?:send|skicka) (?:as|som)") == ("send", "skicka")
    assert leading_literals(r"^(?:hur )?andra\b") is None  # optional first group: may start anywhere
    assert all(cue.needs is None or all(cue.needs) for cue in PHRASE_CUES)
