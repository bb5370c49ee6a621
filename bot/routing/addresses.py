"""Mail addresses: parse what a person typed into the stored form, and show the stored form to people.

Stored form: lowercase, domain as IDNA punycode (`info@xn--exmpel-cua.se`), because Postfix looks
keys up lowercase and DNS knows only ASCII. People see the Unicode form (`info@exämpel.se`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import idna

from bot.i18n import Text, one_line
from bot.routing.messages import MESSAGES

# RFC 5321 section 4.5.3.1: local part 64 octets, a forward-path 256 octets including "<>" = 254 address.
MAX_LOCAL_PART = 64
MAX_ADDRESS = 254
MAX_DOMAIN = 253
MAX_LABEL = 63

# RFC 5322 dot-atom: atext runs separated by single dots. Quoted local parts are refused on purpose.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(\.{_ATEXT})*")
_LDH_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
# The local part of an address we host (mailbox, alias, group). A mailbox's local part is a folder
# name in its Maildir path (`domain/local/`), so no "/" and no leading dot; "+" is Postfix's
# recipient_delimiter (`anna+x@` is anna@ with an extension), so no address of ours contains it.
_HOSTED_LOCAL_PART = re.compile(r"[a-z0-9]([a-z0-9_-]|\.(?=[a-z0-9_-]))*")

# Postfix's recipient_delimiter (main.cf.snippet sets it): `user+ext@domain` is looked up as itself,
# then as `user@domain` with "+ext" carried over to the result (propagate_unmatched_extensions).
RECIPIENT_DELIMITER = "+"


class AddressError(ValueError):
    """Input that is not a usable address; `text` says why in sv/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def parse_domain(raw: str) -> str:
    """Return the stored (lowercase, punycode) form of a domain name, or raise AddressError."""
    shown = raw.strip()
    if not shown:  # _parse_domain's own message for this is about an address's missing domain
        raise AddressError(MESSAGES("address.bad_domain", domain=one_line(shown)))
    return _parse_domain(shown)


@lru_cache(maxsize=4096)  # a CSV import repeats the same few domains many times
def _parse_domain(shown: str) -> str:
    if not shown:
        raise AddressError(MESSAGES("address.no_domain", address=one_line(shown)))
    # The ASCII form is never shorter than what was typed, so an overlong name is refused as such here.
    if _too_long(shown):
        raise AddressError(MESSAGES("address.domain_too_long", domain=one_line(shown), limit=MAX_DOMAIN))
    try:
        ascii_name = idna.encode(shown, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise AddressError(MESSAGES("address.bad_domain", domain=one_line(shown))) from None
    labels = ascii_name.split(".")
    if _too_long(ascii_name):
        raise AddressError(MESSAGES("address.domain_too_long", domain=one_line(shown), limit=MAX_DOMAIN))
    if len(labels) < 2 or not all(_LDH_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise AddressError(MESSAGES("address.bad_domain", domain=one_line(shown)))
    return ascii_name


def _too_long(domain: str) -> bool:
    return len(domain) > MAX_DOMAIN or any(len(label) > MAX_LABEL for label in domain.split("."))


def parse_address(raw: str) -> str:
    """Return the stored form of an address (`Info@Exämpel.SE` -> `info@xn--exmpel-cua.se`).

    Raises AddressError with a message that names the problem.
    """
    shown = raw.strip()
    if "@" not in shown:
        raise AddressError(MESSAGES("address.no_at", address=one_line(shown)))
    local, _, domain_part = shown.rpartition("@")
    if not local:
        raise AddressError(MESSAGES("address.no_local", address=one_line(shown)))
    if not local.isascii():
        # Would need SMTPUTF8 end to end, which this provider does not offer.
        raise AddressError(MESSAGES("address.non_ascii_local", address=one_line(shown)))
    if len(local) > MAX_LOCAL_PART:
        raise AddressError(MESSAGES("address.local_too_long", address=one_line(shown), limit=MAX_LOCAL_PART))
    if not _DOT_ATOM.fullmatch(local):
        raise AddressError(MESSAGES("address.bad_local", address=one_line(shown)))
    domain = _parse_domain(domain_part)
    address = f"{local.lower()}@{domain}"
    if len(address) > MAX_ADDRESS:
        raise AddressError(MESSAGES("address.too_long", address=one_line(shown), limit=MAX_ADDRESS))
    return address


def is_hosted_local_part(address: str) -> bool:
    """True when the stored `address` may be one of ours: see _HOSTED_LOCAL_PART."""
    return _HOSTED_LOCAL_PART.fullmatch(address.rpartition("@")[0]) is not None


def split_extension(address: str) -> tuple[str, str] | None:
    """`user+ext@domain` -> (`user@domain`, "+ext"), as Postfix splits it: at the first delimiter,
    and not when that leaves an empty local part (`+ext@domain`). None when there is no extension."""
    local, at, domain = address.rpartition("@")
    position = local.find(RECIPIENT_DELIMITER)
    if position <= 0:
        return None
    return f"{local[:position]}{at}{domain}", local[position:]


def with_extension(address: str, extension: str) -> str:
    """Postfix's propagation of an unmatched extension: inserted before the last "@"."""
    local, at, domain = address.rpartition("@")
    return f"{local}{extension}{at}{domain}"


def recipient_key(raw: str) -> str:
    """A recipient as Postfix's lookups see it, for `trace`: casefolded, the domain as it was typed.

    Unlike `parse_address`, an internationalised domain stays in the form that was typed (only
    casefolded, as Postfix folds keys with smtputf8_enable = yes): Postfix does not turn a U-label
    into its A-label, so `kontakt@exämpel.se` is looked up as is and our tables answer for both
    forms. A typed form that folds differently (not NFC, or "ß" folding to "ss") is another
    domain to Postfix, and so it is to `trace`. Raises AddressError for what is not an address.
    """
    stored = parse_address(raw)  # validates; the stored form is the key for an ASCII domain
    typed_domain = raw.strip().rpartition("@")[2]
    if typed_domain.isascii():
        return stored
    folded = typed_domain.casefold()
    return f"{stored.rpartition('@')[0]}@{parse_domain(folded) if folded.isascii() else folded}"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


def unicode_form(address: str, unicode_name: str | None) -> str | None:
    """A stored address as Postfix gets it when mail names its IDN domain by the U-label
    (`unicode_name`, the domain's `domains.unicode_name`); None for an ASCII domain."""
    return None if unicode_name is None else f"{address.rpartition('@')[0]}@{unicode_name}"


@lru_cache(maxsize=4096)  # idna.decode takes about a millisecond; messages name the same few domains
def show_domain(domain: str) -> str:
    """The Unicode form of a stored domain, for people."""
    if "xn--" not in domain:  # only punycode labels differ (and a name that is no domain stays as it is)
        return domain
    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


def show_address(address: str) -> str:
    """The Unicode form of a stored address, for people (`info@xn--exmpel-cua.se` -> `info@exämpel.se`)."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{show_domain(domain)}"


def show_outside(address: str) -> str:
    """An address outside our domains, for people: an internationalised domain also as DNS knows it, since
    its Unicode form may look like ours (`anna@kulexеmpel.se` with a Cyrillic "е")."""
    shown = show_address(address)
    return shown if shown == address else f"{shown} ({address})"


def show_addresses(addresses: Iterable[str]) -> str:
    """Several stored addresses for people, comma-separated."""
    return ", ".join(show_address(a) for a in addresses)
