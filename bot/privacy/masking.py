"""Masking e-mail addresses, phone numbers and Swedish personal identity numbers in stored text.

The bot keeps what people wrote (questions, feedback comments) to improve the articles; it does not
need their contact details or identity numbers for that, so those are replaced before a text is
stored. The live answer is worked out from the original text.

What counts (tests/test_privacy_masking.py has the table of cases):
- e-mail: `local@domain.tld`, Unicode letters allowed on both sides.
- personnummer / samordningsnummer: YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN,
  YYYYMMDDNNNN, only with a real date (a samordningsnummer's day is 61-91) and a correct Luhn
  check digit, so an ordinary ten-digit number is masked only when it happens to pass both
  (about one in ten date-shaped numbers).
- phone: Swedish numbers with the trunk 0 (8-10 digits: 070-123 45 67, 08-123 456 78, 0701234567,
  (08) 123 45 67) and international numbers with + or 00 and a country code (9-15 digits:
  +46 70 123 45 67, +46 (0)70-123 45 67, 0046701234567, +44 20 7946 0958).
Left alone: dates (2024-05-17, 17/05/2024, 01-02-2024), times, prices, order and version numbers,
numbers without a trunk 0 or country code, and IP addresses (in mail support these name servers,
not people, and the person needs them in the question).
"""

from __future__ import annotations

import calendar
import itertools
import re
from datetime import UTC, date, datetime

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
PERSONAL_ID_MASK = "[personal-id]"

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w@-])")
# Ten or twelve digits with an optional - or + before the last four, not inside a longer word or number.
_PERSONAL_ID = re.compile(r"(?<![\w+-])(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{3})(\d)(?![\w-]|[.,]\d)")
# A stretch of digit groups that may hold phone numbers; `_mask_phone` finds them in it.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.,@#-])(?:\+|00)?\(?\d(?:(?: ?- ?|[ \u00a0]|\(0\) ?|\) ?| ?\()?\d)*(?![\w@/]|[.,:]\d)"
)
_GROUP = re.compile(r"\d+")
_DAY_MONTH_YEAR = re.compile(r"\d{2}-\d{2}-\d{4}")
# The longest phone number written out: "+46 (0)70 - 123 45 67" is 21 characters in 6 groups.
MAX_PHONE_CHARS = 25
MAX_PHONE_GROUPS = 8
MIN_PHONE_DIGITS = 8
_CENTURIES = ("18", "19", "20")


def mask_personal_data(text: str) -> str:
    """`text` with e-mail addresses, personal identity numbers and phone numbers replaced by masks."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _PERSONAL_ID.sub(_mask_personal_id, text)
    return _PHONE_CANDIDATE.sub(_mask_phone, text)


def luhn_ok(digits: str) -> bool:
    """The Luhn check the last digit of a personnummer (its ten-digit form) makes."""
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _mask_personal_id(match: re.Match[str]) -> str:
    century, year, month, day, serial, check = match.groups()
    if century is not None and century not in _CENTURIES:
        return match.group(0)
    if not luhn_ok(year + month + day + serial + check):
        return match.group(0)
    birth_day = int(day) - 60 if int(day) > 60 else int(day)  # samordningsnummer: the day plus 60
    years = [int(century + year)] if century else [1900 + int(year), 2000 + int(year)]
    if not any(_is_date(y, int(month), birth_day) for y in years):
        return match.group(0)
    if century and date(years[0], int(month), birth_day) > datetime.now(UTC).date():
        return match.group(0)  # a twelve-digit date in the future is an order or case number
    return PERSONAL_ID_MASK


def _is_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _mask_phone(match: re.Match[str]) -> str:
    """The phone numbers in a stretch of digit groups masked: from each group on, left to right, the
    longest run of the next few groups that is a phone number."""
    candidate = match.group(0)
    groups = list(_GROUP.finditer(candidate))
    parts, done, index = [], 0, 0
    while index < len(groups):
        # A number starts at a group, or at the "+" or "(" just before it.
        start = 0 if index == 0 else groups[index].start() - (candidate[groups[index].start() - 1] == "(")
        end = _phone_end(candidate, start, groups[index : index + MAX_PHONE_GROUPS])
        if end is None:
            index += 1
            continue
        parts += [candidate[done:start], PHONE_MASK]
        done = end
        while index < len(groups) and groups[index].start() < end:
            index += 1
    return "".join([*parts, candidate[done:]])


def _phone_end(candidate: str, start: int, window: list[re.Match[str]]) -> int | None:
    """Where the longest phone number from `start` over the groups of `window` ends, or None."""
    counts = itertools.accumulate(len(group.group(0)) for group in window)
    for group, digits in reversed(list(zip(window, counts, strict=True))):
        if (
            digits >= MIN_PHONE_DIGITS
            and group.end() - start <= MAX_PHONE_CHARS
            and _is_phone(candidate[start : group.end()])
        ):
            return group.end()
    return None


def _is_phone(text: str) -> bool:
    if text.startswith(("+", "00")):
        number = text[1:] if text.startswith("+") else text[2:]
        digits = re.sub(r"\D", "", number.replace("(0)", ""))
        return 9 <= len(digits) <= 15 and not digits.startswith("0")
    digits = re.sub(r"\D", "", text)
    if not (digits.startswith("0") and not digits.startswith("00") and 8 <= len(digits) <= 10):
        return False
    if _DAY_MONTH_YEAR.fullmatch(text):
        return False
    first = _GROUP.match(text.lstrip("("))
    assert first is not None
    if first.group(0) == digits:
        return True
    # Written in groups, a Swedish number starts with 08 or a longer group (070, 031, 0771, 070123 ...);
    # "01-02-..." is a date.
    area = first.group(0)
    return area == "08" or len(area) >= 3
