"""How the answering core reads text, against the plain definitions its faster ways replace: words split
in C for ASCII text, the opening words read from a long text's beginning, diacritics removed by a search
for the common ones, Snowball's C stemmer for its pure-Python one, addresses found from each "@",
the sentences with a letter or digit, and the asking phrases as one regular expression led by letters,
all on hostile text (combining marks, compatibility characters, casefolding that adds letters)."""

from __future__ import annotations

import re
import unicodedata

import pytest
import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.swedish_stemmer import SwedishStemmer

from bot.answers.labelled import AUTHORS, BENCH_DIR, by_author
from bot.answers.text import STEMMERS, first_words, fold, sentences, stem, without_addresses, words
from bot.answers.understanding import is_asking
from bot.config import DEFAULT_KNOWLEDGE_DIR, Lang
from tests.support.answers_eval import hostile_texts, long_messages

PLAIN_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
PLAIN_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"']*@[^\s<>()\[\],;:\"']*")
PLAIN_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
PLAIN_ASKING = re.compile(
    r"\b(?:(?:jag|vi) (?:vill|behover|skulle vilja|undrar|onskar)\b|(?:i|we) (?:want|need|would like|'d like|"
    r"wonder)\b|i'd like\b|we'd like\b|(?:can|could) (?:you|i|we|someone)\b"
    r"|(?:kan|kunde) (?:ni|du|jag|vi|man)\b"
    r"|gar det\b|is (?:it|there|that)\b|ar det\b|please\b|snalla\b|how\b|hur\b"
    r"|(?:doesn't|does not|isn't|won't|can't|cannot)\b|kan inte\b|hjalp\b)|(?:fungerar|funkar) inte\b"
)
PLAIN_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# The first and last marks of each range fold removes, characters just outside them (whose UTF-8 starts
# alike), an emoji's variation selector and a lone surrogate.
EDGE_MARKS = [chr(c) for c in (0x300, 0x36F, 0x370, 0x1AA0, 0x1AB0, 0x1AFF, 0x1DC0, 0x1DFF, 0x20CF, 0x20D0)]
EDGE_MARKS += [chr(c) for c in (0x20FF, 0xFE0F, 0xFE1F, 0xFE20, 0xFE2F, 0xFE30, 0xD800)]
ROWS = [row for author in sorted(AUTHORS) for row in by_author(author)]


def plain_words(text: str) -> list[str]:
    return PLAIN_WORD.findall(unicodedata.normalize("NFKC", text).casefold())


# A cut through combining marks: normalised alone, "a\u0345\u0327" keeps the casefolded ypogegrammeni
# as a word of its own ("ι"); with the acute after it, the marks compose with the letter instead.
CUT_MARKS = [" " * pad + "aa ab cd ef gh" + "A\u030a\u0345\u0327\u0327\u0301 x y z" for pad in range(48)]
TEXTS = (
    CUT_MARKS
    + hostile_texts(6000, 40, seed=1)
    + hostile_texts(300, 400, seed=2)
    + [row.question for row in ROWS[::5]]
    + long_messages(ROWS)[:40]
)


def test_words_are_what_the_plain_regular_expression_finds() -> None:
    for text in TEXTS:
        assert words(text) == plain_words(text), ascii(text)


def test_the_opening_words_are_a_texts_first_words() -> None:
    for text in TEXTS:
        found = plain_words(text)
        for count in (0, 1, 2, 5, 9, 81):
            assert first_words(text, count) == found[:count], (ascii(text), count)


def test_folding_removes_what_the_plain_regular_expression_removes_after_decomposing() -> None:
    marked = [text[:i] + mark + text[i:] for text in TEXTS[::40] for i in (0, 3) for mark in EDGE_MARKS]
    for text in TEXTS + marked + [f"å{mark}ö" for mark in EDGE_MARKS]:
        assert fold(text) == PLAIN_COMBINING.sub("", unicodedata.normalize("NFKD", text)), ascii(text)


def test_addresses_are_replaced_as_the_plain_regular_expression_replaces_them() -> None:
    for text in TEXTS:
        assert without_addresses(text) == PLAIN_ADDRESS.sub(" address ", text), ascii(text)


def test_sentences_are_the_pieces_with_a_letter_or_a_digit() -> None:
    for text in TEXTS:
        plain = [s.strip() for s in PLAIN_SENTENCE.findall(text) if any(c.isalnum() for c in s)]
        assert sentences(text) == plain, ascii(text)


def test_a_sentence_asks_by_a_phrase_when_the_plain_alternation_finds_one() -> None:
    for text in TEXTS:
        for sentence in [text, text.casefold(), *sentences(text.casefold())]:
            by_phrase = sentence.rstrip().endswith("?") or PLAIN_ASKING.search(sentence) is not None
            assert is_asking(sentence, []) is by_phrase, ascii(sentence)


@pytest.mark.parametrize(("lang", "pure_python"), [("sv", SwedishStemmer()), ("en", EnglishStemmer())])
def test_the_c_stemmer_gives_the_stems_of_the_pure_python_one(
    lang: Lang, pure_python: SwedishStemmer | EnglishStemmer
) -> None:
    """The weights were trained on snowballstemmer's pure-Python stems; PyStemmer, which it uses when
    installed, must give the same for every word of the labelled questions, the articles and hostile text."""
    assert isinstance(STEMMERS[lang], Stemmer.Stemmer)
    texts = [path.read_text(encoding="utf-8") for path in sorted(BENCH_DIR.glob("*.tsv"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted(DEFAULT_KNOWLEDGE_DIR.glob("*/*.md.j2"))]
    texts += TEXTS
    read = {word for text in texts for word in [*words(text), *words(fold(text.casefold()))]}
    assert len(read) > 20000
    for word in read:
        assert stem(word, lang) == pure_python.stemWord(word), word
