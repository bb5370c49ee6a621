"""Address parsing: what people type becomes the stored form Postfix looks up, or a precise refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.routing.addresses import (
    MAX_ADDRESS,
    MAX_LOCAL_PART,
    AddressError,
    parse_address,
    parse_domain,
    show_address,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("anna@kulexempel.se", "anna@kulexempel.se"),
        ("  Anna.Berg@KulExempel.SE ", "anna.berg@kulexempel.se"),
        ("info@exämpel.se", "info@xn--exmpel-cua.se"),
        ("INFO@EXÄMPEL.SE", "info@xn--exmpel-cua.se"),
        ("first+tag@sub.example.com", "first+tag@sub.example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_addresses_are_stored_lowercase_with_punycode_domains(typed: str, stored: str) -> None:
    assert parse_address(typed) == stored


def test_people_see_the_unicode_form() -> None:
    assert show_address("info@xn--exmpel-cua.se") == "info@exämpel.se"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("anna.kulexempel.se", "has no @"),
        ("@kulexempel.se", "no name before the @"),
        ("anna@", "no domain after the @"),
        ("anna@localhost", "not a valid domain name"),
        ("anna@exa_mple.se", "not a valid domain name"),
        ("anna@-example.se", "not a valid domain name"),
        ("anna@example.123", "not a valid domain name"),
        ("anna berg@example.se", "not allowed"),
        ("anna..berg@example.se", "not allowed"),
        (".anna@example.se", "not allowed"),
        ('"anna"@example.se', "not allowed"),
        ("åsa@example.se", "no accents"),
        ("a" * (MAX_LOCAL_PART + 1) + "@example.se", f"longer than {MAX_LOCAL_PART}"),
        ("anna@" + "a" * 64 + ".se", "too long"),
        ("anna@" + ".".join(["a" * 60] * 5) + ".se", "too long"),
        ("a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".se", f"longer than {MAX_ADDRESS}"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(typed: str, says: str) -> None:
    with pytest.raises(AddressError) as refusal:
        parse_address(typed)
    assert says in refusal.value.text.render("en")
    assert refusal.value.text.render("sv") != refusal.value.text.render("en")


def test_a_domain_alone_is_parsed_like_an_address_domain() -> None:
    assert parse_domain(" Exämpel.SE ") == "xn--exmpel-cua.se"
    with pytest.raises(AddressError) as empty:
        parse_domain("  ")
    assert empty.value.text.render("en") == '"" is not a valid domain name.'


ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
LABEL = st.from_regex(r"[a-zäöåéü0-9]([a-zäöåéü0-9-]{0,20}[a-zäöåéü0-9])?", fullmatch=True).filter(
    lambda label: "--" not in label[2:4] and not label.isdigit()
)
DOMAIN = st.lists(LABEL, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "se"]))
LOCAL = st.lists(st.text(ATEXT, min_size=1, max_size=10), min_size=1, max_size=4).map(".".join)


@given(LOCAL, DOMAIN)
def test_valid_addresses_parse_to_a_stable_lowercase_ascii_form(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    try:
        stored = parse_address(address)
    except AddressError as error:
        # Only the length rules may refuse an address built from valid parts.
        assert "long" in error.text.render("en")
        return
    assert stored.isascii() and stored == stored.lower()
    assert len(stored) <= MAX_ADDRESS and len(stored.rpartition("@")[0]) <= MAX_LOCAL_PART
    assert parse_address(show_address(stored)) == stored
    assert parse_address(address.upper()) == stored


@given(st.text(max_size=300))
def test_any_input_parses_or_is_refused_with_a_message(typed: str) -> None:
    try:
        stored = parse_address(typed)
    except AddressError as error:
        assert error.text.render("sv") and error.text.render("en")
        return
    assert parse_address(stored) == stored
    assert "@" in stored and len(stored) <= MAX_ADDRESS


@given(st.text(max_size=80), st.sampled_from(["@gmail.com", "@kulexempel.se", "@", ""]))
def test_a_refusal_shows_what_was_typed_on_one_printable_line(typed: str, rest: str) -> None:
    """A typed (or imported) address with a line break, escape sequence, NUL or bidi control is shown
    escaped: the refusal cannot add a line, recolour a terminal or reorder what a person reads."""
    try:
        parse_address(typed + rest)
    except AddressError as error:
        for lang in ("sv", "en"):
            assert error.text.render(lang).isprintable(), error.text.render(lang)


def test_control_characters_are_shown_escaped() -> None:
    with pytest.raises(AddressError) as refusal:
        parse_address("x\x1b[31mred\n@gmail.com\u202e")
    assert '"x\\x1b[31mred\\n@gmail.com\\u202e": the name before the @' in refusal.value.text.render("en")
