"""Swedish or English? A small hand-built model: function-word votes plus character n-grams.

Support questions are short ("alias?", "hur vidarebefordrar jag"), often without å/ä/ö and with
typos, so the words that carry the most evidence are the little ones (och, jag, hur / the, how, I).
Character n-grams decide when no function word appears; their statistics come from the two word
lists and the project's own articles (titles, questions, bodies) in each language.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answers.knowledge import load_knowledge
from bot.answers.text import fold, word_set, words
from bot.config import DEFAULT_KNOWLEDGE_DIR, LANGS, Lang

SV_WORDS = word_set(
    """
    och att det som en ett är jag du vi ni de den dem har hade hur vad varför vilken vilket vilka
    kan kunde inte på för med till från av om när var vart min mitt mina din ditt dina vår vårt våra
    er ert era sin sitt sina ska skall måste vill får fick finns göra gör gjort skapa skapar lägga
    lägg lägger ta tar bort ändra ändrar skicka skickar skickas mejl mejla mejlet epost e-post
    adress adressen adresser brevlåda brevlådan inkorg inkorgen hej hejsan tjena hallå tack tackar
    också eller men så här där nu bara även mig dig oss sig någon något några alla allt samma
    annan annat andra ny nytt nya mer mest hos vidare kopia kopian utan efter innan ifrån ju väl
    kolla koll fungerar funkar jobbar går gå behöver behövs vet veta undrar säga betyder skillnad
    skillnaden mellan istället också personer person gruppen grupp kund kunder kollega kollegor
    medlem medlemmar någons ur sen sedan dom mej dej va e ha morgon kväll
    """
)
EN_WORDS = word_set(
    """
    the a an and or but of to in on at for from with by about is are was were be been being am
    i you we they he she it me my mine your yours our us their them his her its this that these
    those what which who whom whose why how when where can could would should will shall do does
    did done have has had not no yes please help want need make create set up add remove delete
    change send sends sent email e-mail address addresses mailbox inbox hello hi hey thanks
    thank also just only some any all same other another new more most into out over after before
    again still get gets got go goes going know mean means difference between instead people person
    team group customer colleague member members someone something there here now then than so if
    way works work working copy keep my our
    """
)
_NGRAM_SIZES = (2, 3, 4)
_WORD_VOTE = 2.0  # log-odds one known function word adds; outweighs several n-grams
_DIACRITIC_VOTE = 3.0  # å, ä, ö only occur in the Swedish side
_NGRAM_WEIGHT = 2.0  # scales a word's mean n-gram log-odds ...
_MAX_NGRAM_VOTE = 1.5  # ... capped, so one odd word never outvotes a function word
_MIN_EVIDENCE = 0.3  # below this the text gives no clue (a bare "alias"): use the default
MAX_WORDS = 80


def _ngrams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in _NGRAM_SIZES for i in range(len(padded) - n + 1)]


def _training_words(lang: Lang) -> list[str]:
    own, other = (SV_WORDS, EN_WORDS) if lang == "sv" else (EN_WORDS, SV_WORDS)
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    texts = [
        " ".join((a.title, *a.questions, a.template_source))
        for (article_lang, _), a in knowledge.articles.items()
        if article_lang == lang
    ]
    return [*(own - other), *(w for text in texts for w in words(text) if w not in other)]


@dataclass(frozen=True)
class _Model:
    ngram_log_odds: dict[str, float]  # log-odds sv:en of each n-gram (add-one smoothed)
    shared_words: frozenset[str]  # used in both languages' articles ("alias", "gmail"): no evidence


_MODEL_LOCK = threading.Lock()


def _model() -> _Model:
    # One build per process: without the lock, every thread that asks before the first build is done
    # builds its own (a burst of first questions did so in each of its threads).
    with _MODEL_LOCK:
        return _build_model()


@functools.cache
def _build_model() -> _Model:
    training = {lang: _training_words(lang) for lang in LANGS}
    counts = {lang: Counter(g for w in training[lang] for g in _ngrams(fold(w))) for lang in LANGS}
    vocabulary = set(counts["sv"]) | set(counts["en"])
    totals = {lang: sum(c.values()) + len(vocabulary) for lang, c in counts.items()}
    log_odds = {
        g: math.log((counts["sv"][g] + 1) / totals["sv"]) - math.log((counts["en"][g] + 1) / totals["en"])
        for g in vocabulary
    }
    return _Model(log_odds, frozenset(training["sv"]) & frozenset(training["en"]))


@functools.lru_cache(maxsize=65536)
def _word_log_odds(word: str) -> float:
    model = _model()
    if not any(c.isalpha() for c in word) or word in model.shared_words:
        return 0.0
    score = 0.0
    in_sv, in_en = word in SV_WORDS, word in EN_WORDS
    if in_sv != in_en:
        score += _WORD_VOTE if in_sv else -_WORD_VOTE
    elif not in_sv:
        grams = _ngrams(fold(word))
        mean = sum(model.ngram_log_odds.get(g, 0.0) for g in grams) / len(grams)
        score += max(-_MAX_NGRAM_VOTE, min(_MAX_NGRAM_VOTE, _NGRAM_WEIGHT * mean))
    if any(c in "åäö" for c in word):
        score += _DIACRITIC_VOTE
    return score


def swedish_log_odds(question_words: Sequence[str]) -> float:
    """Positive: the words look Swedish; negative: English; near 0: no evidence. Reads the first
    `MAX_WORDS` words: a long message's language is clear long before its end."""
    return sum(map(_word_log_odds, question_words[:MAX_WORDS]))


def detect_language(text: str, default: Lang) -> Lang:
    """The language of a (short, maybe misspelled, maybe mixed) question; `default` when unclear."""
    return language_of_words(words(text), default)


def language_of_words(question_words: Sequence[str], default: Lang) -> Lang:
    """`detect_language` of a text already cut into words (bot.answers.text.words)."""
    score = swedish_log_odds(question_words)
    if score > _MIN_EVIDENCE:
        return "sv"
    if score < -_MIN_EVIDENCE:
        return "en"
    return default
