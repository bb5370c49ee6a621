"""Masking what people wrote before it is stored: e-mail addresses, phone numbers (Swedish and
international) and Swedish personal identity numbers go; dates, times, prices, order and version
numbers and IP addresses stay. The identity numbers below are checked with a Luhn written here,
not with the code under test."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.answers import answer
from bot.config import Settings
from bot.conversation import ask
from bot.feedback import FeedbackVote, add_comment, answered_question, record_answer
from bot.privacy.masking import EMAIL_MASK, PERSONAL_ID_MASK, PHONE_MASK, mask_personal_data
from tests.test_feedback import ALIAS_ANSWER


def luhn_check_digit(nine_digits: str) -> str:
    """The check digit Skatteverket's rule gives: weights 2,1,2,... over the nine digits."""
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(nine_digits))
    return str((10 - total % 10) % 10)


MASKED = [
    # e-mail
    ("mejla anna@kulexempel.se tack", f"mejla {EMAIL_MASK} tack"),
    ("Anna.Svensson+support@Example.COM", EMAIL_MASK),
    ("first_last@sub.domain.co.uk.", f"{EMAIL_MASK}."),
    ("info@exämpel.se", EMAIL_MASK),
    ("<mailto:anna@x.se|anna@x.se>", f"<mailto:{EMAIL_MASK}|{EMAIL_MASK}>"),
    (
        "vidarebefordra till anna@gmail.com och bo@kulexempel.se",
        f"vidarebefordra till {EMAIL_MASK} och {EMAIL_MASK}",
    ),
    # Swedish phone numbers
    ("ring 070-123 45 67", f"ring {PHONE_MASK}"),
    ("0701234567", PHONE_MASK),
    ("070 123 45 67", PHONE_MASK),
    ("070-1234567", PHONE_MASK),
    ("070 - 123 45 67", PHONE_MASK),
    ("070\u00a0123\u00a045\u00a067", PHONE_MASK),
    ("08-123 456 78", PHONE_MASK),
    ("08-12 34 56", PHONE_MASK),
    ("031-12 34 56", PHONE_MASK),
    ("0771-23 45 67", PHONE_MASK),
    ("(08) 123 45 67", PHONE_MASK),
    ("tel:070-1234567", f"tel:{PHONE_MASK}"),
    ("070-123 45 67, 08-123 45 67", f"{PHONE_MASK}, {PHONE_MASK}"),
    ("år 2024 ring 070-123 45 67 före 2025", f"år 2024 ring {PHONE_MASK} före 2025"),
    # international
    ("+46 70 123 45 67", PHONE_MASK),
    ("+46701234567", PHONE_MASK),
    ("+46 (0)70-123 45 67", PHONE_MASK),
    ("0046 70 123 45 67", PHONE_MASK),
    ("0046701234567", PHONE_MASK),
    ("+44 20 7946 0958", PHONE_MASK),
    ("+1 (555) 123-4567", PHONE_MASK),
    ("+358 40 1234567", PHONE_MASK),
    ("+47 123 45 678", PHONE_MASK),
    # personnummer and samordningsnummer, 10 and 12 digits, with -, + or nothing
    ("19121212-1212", PERSONAL_ID_MASK),
    ("121212-1212", PERSONAL_ID_MASK),
    ("1212121212", PERSONAL_ID_MASK),
    ("191212121212", PERSONAL_ID_MASK),
    ("121212+1212", PERSONAL_ID_MASK),
    ("mitt personnummer är 811218-9876.", f"mitt personnummer är {PERSONAL_ID_MASK}."),
    ("198112189876", PERSONAL_ID_MASK),
    ("samordningsnummer 701063-2391", f"samordningsnummer {PERSONAL_ID_MASK}"),
    ("000229-1235", PERSONAL_ID_MASK),  # 29 February 2000
    ("20000229-1235", PERSONAL_ID_MASK),
    (
        "Hej, jag heter Anna (anna@kulexempel.se, 070-123 45 67, 811218-9876). Order 123456, 2024-05-17.",
        f"Hej, jag heter Anna ({EMAIL_MASK}, {PHONE_MASK}, {PERSONAL_ID_MASK}). Order 123456, 2024-05-17.",
    ),
]

LEFT_ALONE = [
    "2024-05-17",
    "17/05/2024",
    "17.05.2024",
    "01-02-2024",
    "08-12-2020",
    "mötet är 2024-05-17 kl 14:30-15:00",
    "kl. 08.00-17.00",
    "1 299 kr",
    "12 000 kr per år",
    "199:-",
    "0,50 kr",
    "order 123456789",
    "ordernummer #0701234567",
    "ärende 4512345678",
    "0000123456",
    "order 0012345",
    "version 3.7.2",
    "Postfix 3.7.10",
    "192.168.1.10",
    "10.0.0.1 och 203.0.113.45",
    "2001:db8::1",
    "port 587",
    "RFC 5321",
    "2019-2024",
    "postnummer 114 55",
    "112",
    "3.14159",
    "kulexempel.se",
    "https://www.kulexempel.se/hjälp?id=0701234567x",
    "user@localhost",
    "@kulexempel.se",
    "<@U012AB3CD> hur gör jag?",
    "811218-9875",  # wrong check digit
    "120230-1238",  # right check digit, but 30 February
    "20990101-0018",  # a twelve-digit date in the future: an order or case number
    "21121212-1212",  # no such century
    "1234567890",  # month 34
    "samma som igår: 10 alias, 3 grupper och 1 vidarebefordran",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_the_example_identity_numbers_have_right_check_digits() -> None:
    numbers = [text for text, expected in MASKED if expected == PERSONAL_ID_MASK]
    for number in numbers:
        digits = number.replace("-", "").replace("+", "")[-10:]
        assert luhn_check_digit(digits[:9]) == digits[9], number
    assert luhn_check_digit("811218987") != "5" and luhn_check_digit("120230123") == "8"


SEPARATORS = st.sampled_from(["", " ", "-"])


@given(
    prefix=st.sampled_from(["070", "072", "073", "076", "079"]),
    rest=st.text("0123456789", min_size=7, max_size=7),
    first=SEPARATORS,
    spaced=st.booleans(),
    words=st.sampled_from(["ring ", "mitt nummer: ", "(", ""]),
)
def test_every_swedish_mobile_number_is_masked(
    prefix: str, rest: str, first: str, spaced: bool, words: str
) -> None:
    number = f"{prefix}{first}{rest[:3]} {rest[3:5]} {rest[5:]}" if spaced else f"{prefix}{first}{rest}"
    masked = mask_personal_data(f"{words}{number} tack")
    assert rest not in masked.replace(" ", "").replace("-", "")
    assert PHONE_MASK in masked or PERSONAL_ID_MASK in masked  # ten digits may also be a valid personnummer


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    serial=st.text("0123456789", min_size=3, max_size=3),
    coordination=st.booleans(),
    long_form=st.booleans(),
    separator=st.sampled_from(["-", "+", ""]),
)
def test_every_valid_personal_identity_number_is_masked(
    birth: date, serial: str, coordination: bool, long_form: bool, separator: str
) -> None:
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth:%y%m}{day:02d}{serial}"
    number = f"{birth:%Y}"[:2] + nine if long_form else nine
    text = f"nr {number[:-3]}{separator}{number[-3:]}{luhn_check_digit(nine)}."
    assert mask_personal_data(text) == f"nr {PERSONAL_ID_MASK}."


@given(
    moment=st.datetimes(),
    style=st.sampled_from(["{:%Y-%m-%d}", "{:%Y-%m-%d %H:%M}", "{:%d/%m/%Y}", "kl {:%H:%M}", "{:%H:%M:%S}"]),
)
def test_dates_and_times_are_never_masked(moment: datetime, style: str) -> None:
    text = style.format(moment)
    assert mask_personal_data(text) == text


def test_hostile_long_text_is_masked_whole(session_factory: sessionmaker) -> None:
    text = "0 " * 20_000 + "anna@kulexempel.se " + "070-123 45 67 " * 300
    assert "@" not in mask_personal_data(text)
    with session_factory() as session:  # stored cut to its limit, nothing half-masked at the cut
        question_id = record_answer(session, "x" * 3_990 + " anna@kulexempel.se", ALIAS_ANSWER)
        stored = answered_question(session, question_id)
    assert stored is not None and "@" not in stored.question and "anna" not in stored.question


def test_the_live_answer_uses_the_original_text_and_the_stored_one_is_masked(
    settings: Settings, session_factory: sessionmaker
) -> None:
    question = "hur vidarebefordrar jag min e-post till anna.svensson@gmail.com? ring 070-123 45 67"
    with session_factory() as session:
        turn = ask(session, settings, question, user_id="U012AB3CD")
        add_comment(
            session, turn.question_id, "U012AB3CD", "Svara till anna@kulexempel.se eller 08-123 456 78"
        )
        stored = answered_question(session, turn.question_id)
        comment = session.scalar(select(FeedbackVote.comment))
    reply = answer(question, settings)
    assert (turn.answer.topic_id, turn.answer.score, turn.answer.text) == (
        reply.topic_id,
        reply.score,
        reply.text,
    )
    assert stored is not None
    assert stored.question == f"hur vidarebefordrar jag min e-post till {EMAIL_MASK}? ring {PHONE_MASK}"
    assert comment == f"Svara till {EMAIL_MASK} eller {PHONE_MASK}"
