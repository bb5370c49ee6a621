"""How the answering core reads text, against the plain definitions its faster ways replace: words split
in C for ASCII text, the opening words read from a long text's beginning, addresses found from each "@",
the sentences with a letter or digit, and the asking phrases as one regular expression led by letters,
all on hostile text (combining marks, compatibility characters, casefolding that adds letters)."""

from __future__ import annotations

import re
import unicodedata

from bot.answers.labelled import AUTHORS, by_author
from bot.answers.text import first_words, sentences, without_addresses, words
from bot.answers.understanding import is_asking
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
