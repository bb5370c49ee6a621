"""Which topic does a question ask about? TF-IDF cosine over words and character n-grams.

Each topic is indexed twice, in both languages at once (topic ids are shared, and a mixed
"hur sätter jag upp en forward" should still find `forwarding`):
- every front-matter question and the title on its own (nearest example question), and
- the whole article (title, questions, body) as one document.
Character n-grams inside words let compounds and typos meet their stems
("distributionsgruppen" ~ "distributionsgrupp", "vidarebefodran" ~ "vidarebefordran").
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answers.knowledge import KnowledgeBase
from bot.answers.language import EN_WORDS, SV_WORDS
from bot.answers.text import fold, word_set, words

# Words that carry the question's intent ("how do I" vs "what is") count for ranking.
_INTENT_WORDS = word_set("hur vad varfor vilken vilket how what why which")
# Words that say nothing about which topic is meant (plus the intent words above).
_STOP_WORDS = (
    frozenset(fold(w) for w in SV_WORDS | EN_WORDS)
    - _INTENT_WORDS
    - word_set(
        """
    mejl mejla mejlet epost e-post adress adressen adresser brevlada brevladan inkorg inkorgen
    kopia kopian skillnad skillnaden grupp gruppen medlem medlemmar email e-mail address addresses
    mailbox inbox group team member members copy difference instead customer kund kunder send
    skicka skickar skickas sends sent create skapa skapar add remove delete change andra andrar
    bort lagga lagg lagger set vidare
    """
    )
)
# Words common to every mail question: they rank topics but do not show the question is about one.
_GENERIC_WORDS = _INTENT_WORDS | word_set(
    """
    mejl mejla mejlet mejlen mail mailen epost e-post e-posten posten adress adressen adresser
    brevlada brevladan inkorg inkorgen konto kontot email e-mail emails address addresses mailbox
    inbox account message messages meddelande meddelanden send skicka skickar skickas sends sent
    create skapa skapar add remove delete change andra andrar bort lagga lagg lagger set stalla
    staller stanga stanger aktivera aktiverar radera raderar byta byter turn enable disable
    """
)
_NGRAM_SIZES = (3, 4, 5)
_MARKUP = re.compile(r"[*_`~>]|&[a-z]+;|<[^>|]*\|?([^>]*)>")
QUESTION_WEIGHT = 0.3  # share of the score from the nearest example question (rest: whole article)
TERM_WEIGHT = 0.1  # share of the score for naming one of the topic's terms
WORD_WEIGHT = 2  # a whole-word match counts like this many character n-grams

Vector = dict[str, float]


def features(text: str) -> Counter[str]:
    """Whole words (weighted up) and character n-grams of the content words of a text."""
    counts: Counter[str] = Counter()
    for word in words(text):
        word = fold(word)
        if word in _STOP_WORDS or len(word) < 2:
            continue
        counts["w:" + word] += WORD_WEIGHT
        padded = f" {word} "
        for n in _NGRAM_SIZES:
            counts.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return counts


def _content_words(text: str) -> set[str]:
    return {w for w in map(fold, words(text)) if len(w) >= 2} - _STOP_WORDS - _GENERIC_WORDS


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter inserted, dropped, changed, or two neighbours swapped ("alais" ~ "alias")."""
    if abs(len(a) - len(b)) > 1:
        return False
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    a_rest, b_rest = a[prefix:], b[prefix:]
    return (
        a_rest[1:] == b_rest[1:]
        or a_rest[1:] == b_rest
        or a_rest == b_rest[1:]
        or (
            len(a_rest) >= 2
            and a_rest[0] == b_rest[1:2]
            and a_rest[1] == b_rest[0]
            and a_rest[2:] == b_rest[2:]
        )
    )


def same_stem(word: str, known: str) -> bool:
    """Inflections, compounds and one-letter typos of a known word (all folded, lowercase)."""
    short, long = sorted((word, known), key=len)
    if long.startswith(short) and len(short) >= 4:  # alias ~ aliaset, grupp ~ gruppen
        return True
    if len(known) >= 5 and known in word:  # säljgruppen ~ grupp
        return True
    return len(short) >= 5 and _one_edit_apart(word, known)


@dataclass(frozen=True)
class Match:
    topic_id: str
    score: float


class TopicIndex:
    def __init__(
        self,
        questions: list[tuple[str, str]],
        articles: list[tuple[str, str]],
        terms: list[tuple[str, str]],
    ) -> None:
        """`questions` (titles and example questions), `articles` and `terms` (the words that name
        a topic) are (topic id, text) pairs."""
        question_docs = [(topic, features(text)) for topic, text in questions]
        article_docs = [(topic, features(text)) for topic, text in articles]
        all_docs = [counts for _, counts in question_docs + article_docs]
        document_frequency = Counter(f for counts in all_docs for f in counts)
        self._idf = {f: math.log((1 + len(all_docs)) / (1 + df)) + 1 for f, df in document_frequency.items()}
        self._questions = self._postings(question_docs)
        self._articles = self._postings(article_docs)
        self.topic_ids = sorted({topic for topic, _ in question_docs + article_docs})
        self._terms = [(topic, fold(word)) for topic, term in terms for word in words(term)]

    def named_topics(self, question: str) -> set[str]:
        """Topics whose terms the question uses (empty for "how do I change my password")."""
        content = _content_words(question)
        return {topic for topic, term in self._terms if any(same_stem(word, term) for word in content)}

    def _vector(self, counts: Mapping[str, int]) -> Vector:
        vector = {f: (1 + math.log(c)) * self._idf[f] for f, c in counts.items() if f in self._idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {f: v / norm for f, v in vector.items()}

    def _postings(self, docs: list[tuple[str, Counter[str]]]) -> dict[str, list[tuple[int, str, float]]]:
        postings: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
        for doc_id, (topic, counts) in enumerate(docs):
            for f, weight in self._vector(counts).items():
                postings[f].append((doc_id, topic, weight))
        return postings

    @staticmethod
    def _best_per_topic(
        query: Vector, postings: Mapping[str, list[tuple[int, str, float]]]
    ) -> dict[str, float]:
        doc_scores: dict[int, float] = defaultdict(float)
        doc_topic: dict[int, str] = {}
        for f, q in query.items():
            for doc_id, topic, weight in postings.get(f, ()):
                doc_scores[doc_id] += q * weight
                doc_topic[doc_id] = topic
        best: dict[str, float] = defaultdict(float)
        for doc_id, score in doc_scores.items():
            best[doc_topic[doc_id]] = max(best[doc_topic[doc_id]], score)
        return best

    def rank(self, question: str) -> list[Match]:
        """All topics, best first; scores are in [0, 1]."""
        query = self._vector(features(question))
        by_question = self._best_per_topic(query, self._questions)
        by_article = self._best_per_topic(query, self._articles)
        named = self.named_topics(question)
        scores = [
            Match(
                t,
                (1 - TERM_WEIGHT) * (QUESTION_WEIGHT * by_question[t] + (1 - QUESTION_WEIGHT) * by_article[t])
                + TERM_WEIGHT * (t in named),
            )
            for t in self.topic_ids
        ]
        return sorted(scores, key=lambda m: (-m.score, m.topic_id))


def plain_text(mrkdwn: str) -> str:
    """Slack mrkdwn as plain words for indexing: link labels kept, markup dropped."""
    return _MARKUP.sub(r" \1 ", mrkdwn)


def build_index(knowledge: KnowledgeBase, values: Mapping[str, str]) -> TopicIndex:
    """Index every article of both languages; bodies are rendered with `values` (example names)."""
    questions = [(a.topic_id, text) for a in knowledge.articles.values() for text in (a.title, *a.questions)]
    articles = [
        (a.topic_id, " ".join((a.title, *a.questions, plain_text(a.render(values)))))
        for a in knowledge.articles.values()
    ]
    terms = [(a.topic_id, term) for a in knowledge.articles.values() for term in a.terms]
    return TopicIndex(questions, articles, terms)
