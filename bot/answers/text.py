"""Text normalisation shared by language detection, retrieval and small talk."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def words(text: str) -> list[str]:
    """Lowercased words (letters and digits, hyphenated compounds kept whole), accents kept."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fold(word: str) -> str:
    """A word without diacritics, so 'vidarebefordra' and 'vidarebefördra', 'ä' and 'a' meet."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (for hand-written word lists)."""
    return frozenset(text.split())
