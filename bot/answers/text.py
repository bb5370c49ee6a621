"""Text normalisation shared by language detection, understanding, retrieval and small talk."""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer

from bot.config import Lang

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# A sentence ends at . ! ? or a line break (a "?" stays with its sentence: it says the sentence asks).
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# An address or its local part ("info@", "anna@example.com") names a thing, it is not a word to read.
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"']*@[^\s<>()\[\],;:\"']*")
# Combining marks (accents, umlauts, the ring of å) as NFKD separates them from their letters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_STEMMERS = {"sv": snowballstemmer.stemmer("swedish"), "en": snowballstemmer.stemmer("english")}


def words(text: str) -> list[str]:
    """Lowercased words (letters and digits, hyphenated compounds kept whole), accents kept."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fold(text: str) -> str:
    """Text without diacritics, so 'vidarebefordra' and 'vidarebefördra', 'ä' and 'a' meet."""
    if text.isascii():  # nothing to decompose
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (for hand-written word lists)."""
    return frozenset(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of a message, in order, each with its end mark; blank pieces dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if any(c.isalnum() for c in s)]


def without_addresses(text: str) -> str:
    """`text` with addresses replaced by a neutral word ("faktura@" is an address, not an invoice)."""
    return _ADDRESS.sub(" address ", text) if "@" in text else text


@functools.lru_cache(maxsize=65536)
def stem(word: str, lang: Lang) -> str:
    """The Snowball stem of a lowercase word in `lang` ("aliasen" -> "alias", "groups" -> "group")."""
    return str(_STEMMERS[lang].stemWord(word))
