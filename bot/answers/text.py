"""Text normalisation shared by language detection, understanding, retrieval and small talk."""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer

from bot.config import Lang

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# In ASCII text a word's letters and digits are [a-z0-9] (lowercased); everything else but "-" separates.
_ASCII_SEPARATORS = "".join(c if c.isalnum() or c == "-" else " " for c in map(chr, range(128)))
# A sentence ends at . ! ? or a line break (a "?" stays with its sentence: it says the sentence asks).
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what str.isalnum() says of a character
# An address or its local part ("info@", "anna@example.com") names a thing, it is not a word to read: a run
# of characters other than spaces and these separators that has an "@" in it.
_ADDRESS_PART = re.compile(r"[^\s<>()\[\],;:\"']*")
# Combining marks (accents, umlauts, the ring of å) as NFKD separates them from their letters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_COMMON_MARKS = ("\u0308", "\u030a", "\u0301")  # diaeresis (ä ö ü), ring (å), acute (é)
# How every character of _COMBINING's ranges starts in UTF-8 (and a few characters near them): a text
# without these bytes has none of them.
_COMBINING_UTF8_LEADS = (b"\xcc", b"\xcd", b"\xe1\xaa", b"\xe1\xab", b"\xe1\xb7", b"\xe2\x83", b"\xef\xb8")
_CHARS_PER_WORD = 8  # what first_words reads first, per word wanted: most words and their spaces are shorter
# snowballstemmer hands these to PyStemmer, Snowball's C library (a dependency), when it can import it.
STEMMERS = {"sv": snowballstemmer.stemmer("swedish"), "en": snowballstemmer.stemmer("english")}


def words(text: str) -> list[str]:
    """Lowercased words (letters and digits, hyphenated compounds kept whole), accents kept."""
    if text.isascii():  # the same words, split in C instead of matched character by character
        lowered = text.lower()
        if "-" not in lowered:
            return lowered.translate(_ASCII_SEPARATORS).split()
        return _WORD.findall(lowered)
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def first_words(text: str, count: int) -> list[str]:
    """`words(text)[:count]`, read from only as much of a long text as it takes (every word found in the
    text's beginning but the last, which may go on after it, is one of the text's own words)."""
    end = count * _CHARS_PER_WORD
    if end < len(text):
        ascii_text = text.isascii()
        found = words(text[:end]) if ascii_text else _WORD.findall(_normalised_start(text, end), 0, end)
        if len(found) > count:
            return found[:count]
    return words(text)[:count]


def _normalised_start(text: str, length: int) -> str:
    """The start of `text` normalised (NFKC) and casefolded, at least `length` characters of it when the
    text has them: the text is cut at a space after that many characters, where normalisation never
    joins two characters (a cut through combining marks can change more than the last word), and read
    whole only when that gives fewer (measured: a 2,000-character message's opening words took 70 us
    when all of it was normalised)."""
    cut = text.find(" ", length)
    if cut >= 0:
        start = unicodedata.normalize("NFKC", text[:cut]).casefold()
        if len(start) >= length:
            return start
    return unicodedata.normalize("NFKC", text).casefold()


def fold(text: str) -> str:
    """Text without diacritics, so 'vidarebefordra' and 'vidarebefördra', 'ä' and 'a' meet."""
    if text.isascii():  # nothing to decompose
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    # The marks of å, ä, ö, ü and é go with str.replace, a fast search; the regular expression, which
    # tries every character (about 40 us for 2,000), only when the text may have others.
    for mark in _COMMON_MARKS:
        decomposed = decomposed.replace(mark, "")
    if decomposed.isascii():
        return decomposed
    encoded = decomposed.encode("utf-8", "surrogatepass")
    if not any(lead in encoded for lead in _COMBINING_UTF8_LEADS):
        return decomposed
    return _COMBINING.sub("", decomposed)


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (for hand-written word lists)."""
    return frozenset(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of a message, in order, each with its end mark; blank pieces dropped."""
    return [s.strip() for s in _SENTENCE.findall(text) if _LETTER_OR_DIGIT.search(s)]


def _part_end(text: str, start: int) -> int:
    """Where a run of an address's characters from `start` ends."""
    run = _ADDRESS_PART.match(text, start)
    return run.end() if run else start  # always a match: the run may be empty


def without_addresses(text: str) -> str:
    """`text` with addresses replaced by a neutral word ("faktura@" is an address, not an invoice)."""
    at = text.find("@")
    if at < 0:
        return text
    # From each "@" out to the separators on both sides (a regular expression that looks for the run
    # before an "@" starts again at every character: a long message took over 0.1 ms).
    backwards = text[::-1]
    pieces = []
    end = 0
    while at >= 0:
        before = len(text) - at  # where the "@" is, counted from the end: the run before it starts there
        start = at - (_part_end(backwards, before) - before)
        stop = _part_end(text, at + 1)
        pieces += [text[end:start], " address "]
        end = stop
        at = text.find("@", stop)
    pieces.append(text[end:])
    return "".join(pieces)


@functools.lru_cache(maxsize=65536)
def stem(word: str, lang: Lang) -> str:
    """The Snowball stem of a lowercase word in `lang` ("aliasen" -> "alias", "groups" -> "group")."""
    return str(STEMMERS[lang].stemWord(word))
