"""Which topic does a question ask about? TF-IDF cosine over words and character n-grams.

Each topic is indexed twice, in both languages at once (topic ids are shared, and a mixed
"hur sätter jag upp en forward" should still find `forwarding`):
- every front-matter question and the title on its own (nearest example question), and
- the whole article (title, questions, body) as one document.
Character n-grams inside words let compounds and typos meet their stems
("distributionsgruppen" ~ "distributionsgrupp", "vidarebefodran" ~ "vidarebefordran").
A topic whose front-matter `terms` the question uses gets a bonus; a question that uses no term of
any topic is held to a stricter standard by the caller (see `Match.named`).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answers.knowledge import KnowledgeBase
from bot.answers.text import fold, stem, word_set, words
from bot.config import Lang

# Words that say nothing about the topic or the intent (what it is / how to change it); folded.
_STOP_WORDS = word_set(
    """
    och att det som en ett ar jag du vi ni de den dem har hade pa for med till fran av om nar var
    min mitt mina din ditt dina vart vara er ert era sin sitt sina ska skall kan kunde mig dig
    oss sig sa dar nu bara aven ju val man the a an and or but of to in on at for from with by
    about is are was were be been am i you we they he she it me my mine your our us their them his
    her its this that these those do does did can could would should will shall there here so if
    """
)
_NGRAM_SIZES = (3, 4, 5)
_MARKUP = re.compile(r"[*_`~>]|&[a-z]+;|<[^>|]*\|?([^>]*)>")
QUESTION_WEIGHT = 0.4  # share of the score from the nearest example question (rest: whole article)
TERM_WEIGHT = 0.1  # share of the score for naming one of the topic's terms
WORD_WEIGHT = 4  # a whole-word match counts like this many character n-grams

Vector = dict[str, float]


def features(text: str, lang: Lang) -> Counter[str]:
    """Whole words (as stems, weighted up) and character n-grams of the content words of a text."""
    counts: Counter[str] = Counter()
    for word in words(text):
        word = fold(word)
        if word in _STOP_WORDS or len(word) < 2:
            continue
        # Snowball stems: measured better than whole words (docs/answers.md)
        counts["w:" + stem(word, lang)] += WORD_WEIGHT
        padded = f" {word} "
        for n in _NGRAM_SIZES:
            counts.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return counts


def _content_words(text: str) -> set[str]:
    return {w for w in map(fold, words(text)) if len(w) >= 2} - _STOP_WORDS


def _one_edit_apart(word: str, known: str) -> bool:
    """A one-letter typo: inserted, dropped or changed (words of 6+ letters), or two neighbours
    swapped (5+ letters: "alais" ~ "alias"). Shorter words are too often other real words."""
    if abs(len(word) - len(known)) > 1 or min(len(word), len(known)) < 5:
        return False
    prefix = 0
    while prefix < min(len(word), len(known)) and word[prefix] == known[prefix]:
        prefix += 1
    rest, known_rest = word[prefix:], known[prefix:]
    if len(rest) >= 2 and rest[:2] == known_rest[1::-1] and rest[2:] == known_rest[2:]:
        return True
    edited = rest[1:] == known_rest[1:] or rest[1:] == known_rest or rest == known_rest[1:]
    return edited and min(len(word), len(known)) >= 6


def same_stem(word: str, known: str) -> bool:
    """Inflections, compounds and one-letter typos of a known term (both folded, lowercase)."""
    if len(known) >= 4 and word.startswith(known):  # alias ~ aliaset, grupp ~ gruppen
        return True
    if known.startswith(word) and len(word) >= 0.7 * len(known):  # distributionsgrup(p)
        return True
    if len(known) >= 5 and known in word:  # säljgruppen ~ grupp
        return True
    return _one_edit_apart(word, known)


@dataclass(frozen=True)
class Match:
    topic_id: str
    score: float
    named: bool  # the question uses one of the topic's terms


class TopicIndex:
    def __init__(
        self,
        questions: list[tuple[str, Lang, str]],
        articles: list[tuple[str, Lang, str]],
        terms: list[tuple[str, str]],
    ) -> None:
        """`questions` (titles and example questions) and `articles` are (topic id, language, text),
        `terms` (the words that name a topic) (topic id, term)."""
        question_docs = [(topic, features(text, lang)) for topic, lang, text in questions]
        article_docs = [(topic, features(text, lang)) for topic, lang, text in articles]
        all_docs = [counts for _, counts in question_docs + article_docs]
        document_frequency = Counter(f for counts in all_docs for f in counts)
        self._idf = {f: math.log((1 + len(all_docs)) / (1 + df)) + 1 for f, df in document_frequency.items()}
        self._questions = self._postings(question_docs)
        self._articles = self._postings(article_docs)
        self.topic_ids = sorted({topic for topic, _ in question_docs + article_docs})
        # "alias + grupp" names a topic only when every part is named (a comparison of the two).
        self._terms = [
            (topic, [fold(part.strip().casefold()) for part in term.split("+")]) for topic, term in terms
        ]
        self._term_parts = sorted({part for _, parts in self._terms for part in parts})
        self._parts_named_by = functools.lru_cache(maxsize=16384)(self._parts_named_by_word)

    def _parts_named_by_word(self, word: str) -> frozenset[str]:
        return frozenset(part for part in self._term_parts if same_stem(word, part))

    def named_topics(self, question: str) -> set[str]:
        """Topics whose terms the question uses (empty for "how do I change my password")."""
        named_parts = set().union(*(self._parts_named_by(word) for word in _content_words(question)))
        return {topic for topic, parts in self._terms if named_parts.issuperset(parts)}

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

    def rank(self, question: str, lang: Lang) -> list[Match]:
        """All topics, best first; scores are in [0, 1]."""
        query = self._vector(features(question, lang))
        by_question = self._best_per_topic(query, self._questions)
        by_article = self._best_per_topic(query, self._articles)
        named = self.named_topics(question)
        scores = [
            Match(
                t,
                (1 - TERM_WEIGHT) * (QUESTION_WEIGHT * by_question[t] + (1 - QUESTION_WEIGHT) * by_article[t])
                + TERM_WEIGHT * (t in named),
                named=t in named,
            )
            for t in self.topic_ids
        ]
        return sorted(scores, key=lambda m: (-m.score, m.topic_id))


def plain_text(mrkdwn: str) -> str:
    """Slack mrkdwn as plain words for indexing: link labels kept, markup dropped."""
    return _MARKUP.sub(r" \1 ", mrkdwn)


def build_index(knowledge: KnowledgeBase, values: Mapping[str, str]) -> TopicIndex:
    """Index every article of both languages; bodies are rendered with `values` (example names)."""
    questions = [
        (a.topic_id, a.lang, text) for a in knowledge.articles.values() for text in (a.title, *a.questions)
    ]
    articles = [
        (a.topic_id, a.lang, " ".join((a.title, *a.questions, plain_text(a.render(values)))))
        for a in knowledge.articles.values()
    ]
    terms = [(a.topic_id, term) for a in knowledge.articles.values() for term in a.terms]
    return TopicIndex(questions, articles, terms)
