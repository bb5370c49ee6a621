"""What a question is about, in the words customers and admins use (Swedish and English, folded).

A question names an *object* (alias, forward, group, shared mailbox, other accounts), says what the
person wants to know or do (the *intent*: what is it, set up or change, it does not work, which one,
send as) and sometimes a *qualifier* (an outside address, outside senders). Questions about things
this bot does not handle name a *neighbouring subject* (passwords, calendars, spam ...).

Cues are matched against folded words (no diacritics: "brevlåda" is "brevlada") and folded sentences:
- `WORD_CUES`: a word starting with the stem ("vidarebef" covers vidarebefordran, vidarebefodran ...);
  stems marked `inside` also count inside compounds ("säljgruppen", "e-postalias");
- `EXACT_CUES`: whole words only (short or ambiguous ones: "dl", "mx", "pop");
- `PHRASE_CUES`: regular expressions over the folded sentence (several words, word order).
A cue's weight says how sure it is: 1.0 names the thing, lower values only hint at it; a neighbour
cue of 1.5 is a question about that subject ("forgot my password"), 0.6 only mentions it ("password").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Concept(enum.StrEnum):
    # objects
    ALIAS = "alias"
    FORWARD = "forward"
    GROUP = "group"
    SHARED = "shared"
    ACCOUNTS = "accounts"
    # intents
    WHAT = "what"  # what is it, how does it work, what happens
    SETUP = "setup"  # add, remove, change, turn on/off, who is in it
    BROKEN = "broken"  # does not work, bounces, refused
    WHICH = "which"  # difference, which one should I use
    SEND_AS = "send_as"  # send or reply as another address
    # qualifiers
    EXTERNAL = "external"  # an address outside the customer's domains (a private Gmail, another company)
    OUTSIDERS = "outsiders"  # people outside the company (customers, suppliers, consultants)
    MEMBERS = "members"


OBJECTS = (Concept.ALIAS, Concept.FORWARD, Concept.GROUP, Concept.SHARED, Concept.ACCOUNTS)


class Subject(enum.StrEnum):
    """Neighbouring subjects this bot does not handle (each has its sv/en name in messages.py)."""

    LOGIN = "login"
    CALENDAR = "calendar"
    APPS = "apps"
    SPAM = "spam"
    DNS = "dns"
    STORAGE = "storage"
    BILLING = "billing"
    SIGNATURE = "signature"
    AUTO_REPLY = "auto_reply"
    CLIENT_SETUP = "client_setup"
    RECOVERY = "recovery"


Meaning = Concept | Subject


@dataclass(frozen=True)
class WordCue:
    stem: str
    meaning: Meaning
    weight: float = 1.0
    inside: bool = False  # also counts inside a compound word


def _words(meaning: Meaning, weight: float, stems: str, inside: bool = False) -> list[WordCue]:
    return [WordCue(stem, meaning, weight, inside) for stem in stems.split()]


C, S = Concept, Subject
WORD_CUES: list[WordCue] = [
    *_words(C.ALIAS, 1.0, "alias proxyadress proxyaddress", inside=True),
    *_words(C.ALIAS, 1.0, "alais allias aliaz"),
    *_words(C.ALIAS, 0.8, "proxy smeknamn nickname"),
    *_words(C.FORWARD, 1.0, "vidarebef vidarbef vidaref vidarebor eftersand omdiriger", inside=True),
    *_words(C.FORWARD, 1.0, "forward forwad forwrd fowar fwd redirect redirig auto-forw autoforw"),
    *_words(C.FORWARD, 0.4, "automati"),
    *_words(C.FORWARD, 0.8, "slinga"),
    *_words(C.GROUP, 1.0, "grupp group", inside=True),
    *_words(C.GROUP, 1.0, "goup gruop grup distrib distrub distrob distro utskickslist"),
    *_words(C.GROUP, 0.9, "listan listor e-postlist maillist mejllist"),
    *_words(C.GROUP, 0.9, "lista listan listor", inside=True),
    *_words(C.SHARED, 1.0, "funktionsbrevl funktionsadress funktionsinkorg", inside=True),
    *_words(C.ACCOUNTS, 1.0, "anslut connected importer import synk sync synch pop3"),
    *_words(C.ACCOUNTS, 0.8, "fetch hamta hamtar"),
    *_words(
        C.SETUP, 1.0, "lagg lagga lagger skapa skapar radera raderar ordna fixa adda aktivera avaktivera"
    ),
    *_words(C.SETUP, 1.0, "adding create creat remove delete enable disable onboard setup"),
    *_words(C.SETUP, 0.6, "andrar andring byt byta change switch stop stoppa"),
    *_words(C.MEMBERS, 1.0, "medlem member memeber memeb anstallt anstalld nyanstalld hired slutat leaver"),
    *_words(C.BROKEN, 1.0, "studs bounce bounced ndr felmeddelande error refused rejected nekad nekades"),
    *_words(C.BROKEN, 1.0, "blockerad blocked sparrad disabled"),
    *_words(C.WHICH, 1.0, "skillnad difference diffrence differense differ skiljer versus kontra jamfor"),
    *_words(C.WHICH, 1.0, "compare comparison rekommender recommend"),
    *_words(C.WHICH, 0.6, "battre better bast best borde"),
    *_words(C.SEND_AS, 1.0, "avsandar sender send-as franadress fran-adress from-address identitet"),
    *_words(C.SEND_AS, 1.0, "identity"),
    *_words(C.SEND_AS, 0.6, "utgaende outgoing"),
    *_words(C.SETUP, 1.0, "starta startad spin"),
    *_words(C.WHAT, 1.0, "meaning betyder innebar explain forklara"),
    *_words(C.EXTERNAL, 1.0, "gmail hotmail icloud yahoo outlook.com live.com protonmail privat private"),
    *_words(C.EXTERNAL, 1.0, "personal personlig extern utanfor outside"),
    *_words(C.EXTERNAL, 0.6, "byra byran firma firm konsultfirm"),
    *_words(C.OUTSIDERS, 1.0, "customer client leverantor supplier partner samarbetspartner utomstaende"),
    *_words(C.OUTSIDERS, 1.0, "outsider utifran konsult consultant frilans freelance extern external"),
    *_words(C.OUTSIDERS, 1.0, "outside utanfor agency"),
    *_words(S.LOGIN, 0.6, "losenord password losen"),
    *_words(S.LOGIN, 1.5, "utelast tvafaktor tvastegs 2fa mfa two-factor verifieringskod verification"),
    *_words(S.LOGIN, 0.4, "login inloggning"),
    *_words(S.CALENDAR, 1.5, "kalender calendar motesinbjud dubbelbok double-book"),
    *_words(S.CALENDAR, 0.6, "meeting invite"),
    *_words(S.APPS, 1.5, "krasch crash frys freez hanger hangs startar"),
    *_words(S.APPS, 1.5, "installer install"),
    *_words(S.APPS, 0.8, "teams langsam slow"),
    *_words(S.SPAM, 1.5, "spam skrappost phishing natfiske"),
    *_words(S.SPAM, 0.6, "skrap junk"),
    *_words(S.DNS, 1.5, "dns mx-post mx-record spf dkim dmarc cname namnserver nameserver"),
    *_words(S.STORAGE, 1.5, "lagring lagringsutrymme storage quota kvot utrymme"),
    *_words(S.BILLING, 1.5, "faktur invoice billing charged debiter betalning betalningsmetod payment"),
    *_words(S.BILLING, 1.5, "betalkort abonnemang subscription licens license pris price kostar refund"),
    *_words(S.SIGNATURE, 1.5, "signatur signature"),
    *_words(S.AUTO_REPLY, 1.5, "franvaro out-of-office autoreply auto-reply"),
    *_words(S.RECOVERY, 1.5, "papperskorg trash aterskap"),
    *_words(S.RECOVERY, 0.8, "raderade deleted aterstall restore recover"),
]
EXACT_CUES: dict[str, tuple[Meaning, float]] = {
    "alis": (C.ALIAS, 1.0),
    "add": (C.SETUP, 1.0),
    "added": (C.SETUP, 1.0),
    "sluta": (C.SETUP, 0.6),
    "ny": (C.SETUP, 0.6),
    "nytt": (C.SETUP, 0.6),
    "nya": (C.SETUP, 0.6),
    "new": (C.SETUP, 0.6),
    "extra": (C.SETUP, 0.6),
    "kund": (C.OUTSIDERS, 1.0),
    "kunder": (C.OUTSIDERS, 1.0),
    "kunden": (C.OUTSIDERS, 1.0),
    "kunds": (C.OUTSIDERS, 1.0),
    "dl": (C.GROUP, 1.0),
    "dls": (C.GROUP, 1.0),
    "lista": (C.GROUP, 0.6),
    "pop": (C.ACCOUNTS, 0.8),
    "imap": (C.ACCOUNTS, 0.6),
    "vs": (C.WHICH, 1.0),
    "mx": (S.DNS, 1.5),
    "smtp": (S.CLIENT_SETUP, 0.6),
    "port": (S.CLIENT_SETUP, 1.5),
    "iphone": (S.CLIENT_SETUP, 0.6),
    "android": (S.CLIENT_SETUP, 0.6),
    "thunderbird": (S.CLIENT_SETUP, 1.0),
    "full": (S.STORAGE, 0.6),
    "start": (C.SETUP, 1.0),
    "make": (C.SETUP, 0.8),
    "ad": (C.SETUP, 0.8),
    "loop": (C.FORWARD, 0.8),
    "loopen": (C.FORWARD, 0.8),
    "loops": (C.FORWARD, 0.8),
    "mobilen": (S.CLIENT_SETUP, 0.6),
    "mean": (C.WHAT, 1.0),
    "means": (C.WHAT, 1.0),
    "space": (S.STORAGE, 0.8),
}


@dataclass(frozen=True)
class PhraseCue:
    pattern: re.Pattern[str]
    meaning: Meaning
    weight: float
    # Substrings of which the text must contain one for the pattern to match: a substring test is far
    # cheaper than a regular expression, and most sentences of a long message match no pattern.
    needs: tuple[str, ...] | None


_LEADING_GROUP = re.compile(r"\^?(?:\\b)?\(\?:([^()]*)\)")
_LITERAL = re.compile(r"[a-z' ]+")


def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(?:c|d)` -> [a, b(?:c|d)]: a pattern split where it says "or" outside any group."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        if at and pattern[at - 1] == "\\":
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(pattern[start:at])
            start = at + 1
    return [*parts, pattern[start:]]


def leading_literals(pattern: str) -> tuple[str, ...] | None:
    """The literal starts of a pattern's first alternatives (`\\b(?:send|skicka) ...` -> send, skicka),
    or None when the pattern does not start with such a group (then it is always tried)."""
    group = _LEADING_GROUP.match(pattern)
    if group is not None and pattern[group.end() : group.end() + 1] in ("?", "*"):
        return None  # an optional first group: the pattern may start anywhere after it
    if group is None:
        literal = _LITERAL.match(pattern.removeprefix("^").removeprefix("\\b"))
        return (literal.group(),) if literal and len(literal.group()) >= 2 else None
    starts = []
    for alternative in group.group(1).split("|"):
        literal = _LITERAL.match(alternative)
        if literal is None or not literal.group():
            return None
        starts.append(literal.group())
    return tuple(starts)


def _phrases(meaning: Meaning, weight: float, *patterns: str) -> list[PhraseCue]:
    pieces = [piece for pattern in patterns for piece in top_level_alternatives(pattern)]
    return [PhraseCue(re.compile(p), meaning, weight, leading_literals(p)) for p in pieces]


_REQUEST = (
    r"(?:forward|vidarebefordra|add|create|remove|delete|set|turn|stop|put|make|lagg|skapa|ta|radera"
    r"|stang|sla|"
    r"skicka|byt|sluta|aktivera|start|starta)"
)
_ADDRESS_WORD = r"(?:e-?mail |e-?post|mejl|mail )?(?:address|adress|adres|addresses|adresser)"
_INBOX = r"(?:inbox|inkorg|mailbox|brevlad|login|inloggning|account|konto)"
_PEOPLE = (
    r"(?:people|persons|of us|colleagues|personer|kollegor|flera av oss|several of us|(?:vi|we) (?:ar"
    r"|are) \w+"
    r"|(?:tva|tre|fyra|fem|two|three|four|five) (?:som|who)|whole team|hela teamet|all of us|allihop)"
)
PHRASE_CUES: list[PhraseCue] = [
    *_phrases(
        C.ALIAS,
        0.8,
        rf"\b(?:two|2|several|multiple|more than one|mer an en|another|second|extra|additional|new|flera|tva"
        rf"|en till|annan|"
        rf"ny) {_ADDRESS_WORD}\b.*\b{_INBOX}",
        rf"\b(?:as|som) (?:an? |en )?(?:extra|additional|second|another|ny|andra) {_ADDRESS_WORD}\b",
        rf"\b(?:two|several|tva|flera) {_ADDRESS_WORD} (?:till|to|for|in|i|on|pa) (?:one|en|the same"
        rf"|samma|en och "
        rf"samma|a single)\b",
        rf"\b{_INBOX}\w* .*\b(?:two|several|multiple|more than one|mer an en|flera|tva|extra) "
        rf"{_ADDRESS_WORD}",
        r"\b(?:secondary|sekundar) (?:smtp )?(?:address|adress)",
        rf"\b(?:one|single|same|en|samma|enda) (?:[\w-]+ )?{_INBOX}\w* .*\b(?:several|many|multiple|flera) "
        rf"{_ADDRESS_WORD}",
        r"\b(?:address|adress) .*\b(?:land|hamna|show up|end up|arrive|come|komma)\w* .*\b(?:my|min|mitt) "
        r"(?:[\w-]+ )?(?:inbox|inkorg|brevlad|mailbox)",
    ),
    *_phrases(
        C.FORWARD,
        1.0,
        r"\bskicka\w* (?:[\w-]+ ){0,3}vidare\b",
        r"\bga\w* vidare\b",
        r"\b(?:sent|send|sending|go|goes|going|went|passed) (?:[\w-]+ ){0,3}on to\b",
        r"\b(?:sent|send|go|goes|skickas|gar|ga) (?:to \w+ |till \w+ )?(?:automatically|automatiskt)",
        r"\b(?:mail|mejl|e-?post)\w* (?:has been |have been |har )?(?:going|gone|gatt|gick|went) (?:to"
        r"|till)\b",
        r"\b(?:gick|gar|gatt) (?:mina |min |alla )?(?:mejl|mail|e-?post)\w* (?:vidare )?till\b",
    ),
    *_phrases(
        C.GROUP,
        0.9,
        r"\b(?:mailing|distribution|distro|staff|team|sales|support|email|e-mail|group|the|our|a|that|this) "
        r"list\b",
        r"\b(?:one|single|shared|common|en|enda|gemensam) (?:[\w-]+ )?(?:address|adress)\b.*"
        r"\b(?:everyone|everybody|all of|them all|all at once|alla|allihop)",
        r"\b(?:address|adress) (?:som |that )?(?:gar|nar|goes|reaches) (?:till |to )?"
        r"(?:alla|flera|everyone|everybody|several)",
        r"\b(?:skickar|skicka|send|write|email|mejlar) (?:till |to )?address\b.*\b(?:alla|everyone"
        r"|everybody|all)\b",
    ),
    *_phrases(
        C.SHARED,
        1.0,
        r"\b(?:shared|delad|delade|gemensam|gemensamma|common|team) (?:[\w-]+ )?(?:mailbox|inbox|inkorg"
        r"|brevlad)",
        r"\blog(?:ga)? ?(?:in|into|on)(?: to)? (?:i |to )?(?:the )?same\b",
        r"\b(?:logga in i|log in to|log into) samma\b",
        r"\b(?:who|vem|vilka) (?:som )?(?:has |have |had |har )?(?:already |redan )?(?:har )?"
        r"(?:answered|replied|svarat|tagit|taken)",
        rf"\b{_PEOPLE} .*\b(?:same|samma|one|en|common|gemensam) (?:[\w-]+ )?(?:inbox|mailbox|inkorg"
        rf"|brevlad)",
        r"\b(?:reply|replies|svarar|answer) (?:[\w-]+ )?(?:twice|dubbelt|to the same)",
        r"\b(?:already|redan) (?:har )?(?:answered|replied|svarat)",
    ),
    *_phrases(C.SHARED, 0.6, r"\b(?:own|egen|varsitt|varsin) (?:copy|kopia|exemplar)"),
    *_phrases(
        C.ACCOUNTS,
        0.8,
        r"\b(?:old|previous|former|gamla|forra|other|another|annat|andra|second|private|privat|privata) "
        r"(?:[\w-]+ )?(?:e-?mail |mejl|e-?post)?(?:account|acount|konto|provider|leverantor|isp|hosting)",
        r"\bcheck mail from other\b",
        r"\b(?:pull|bring|get|fa in|fa|see|read|lasa|se) .*\b(?:into|in here|here|hit|har|in this mailbox|"
        r"i den har brevladan|i samma brevlada)\b.*$",
        r"\b(?:pull|bring|get|fa in|see|read|lasa|se)\b.*\b(?:i|into|in) (?:den |the |my |min )?(?:nya "
        r"|new )?"
        r"(?:brevladan|mailbox|inkorgen|inbox)",
        rf"\b(?:old|gamla|previous|forra) {_ADDRESS_WORD} (?:hos|at|with)\b",
        r"\b(?:see|read|se|lasa|get|fa)\b.*\b(?:in|i) (?:the same|samma) (?:mailbox|inbox|brevlada|inkorg)",
        r"\bkoppla (?:ihop|in)\b",
        r"\blink (?:them|it|my)\b",
    ),
    *_phrases(
        C.SETUP,
        1.0,
        r"\b(?:set|sets|setting|satt|satta|satter|stall|stalla|staller|turn|turned|slå|sla|slar|stang|stanga|"
        r"stanger|switch|take|ta|tar|put|sign|spin) (?:[\w-]+ )?(?:up|upp|in|on|pa|off|av|out|bort|ur)\b",
        r"\b(?:who|vilka|vem) (?:is|are|ar) (?:on|in|med|medlemmar)\b",
        r"\b(?:can|could) you\b",
        r"\bkan ni\b",
        r"\b(?:list|show|visa) (?:my|the|mina|alla|all)\b",
        r"\bhow do i see\b|\bhur ser jag\b",
        r"\b(?:get rid of|bli av med)\b",
        r"\b(?:stang|sla)\w* (?:[\w-]+ )?(?:av|pa)\b|\b(?:ta|tas|tar) (?:[\w-]+ )?(?:bort|ur)\b",
        r"\b(?:satt|stall)\w* (?:[\w-]+ )?(?:upp|in)\b|\blagg\w* (?:[\w-]+ )?(?:till|upp|in)\b",
        r"\b(?:can i get|could i get|kan jag fa|kan vi fa|can we get) (?:an? |ett |en |one more |another )?",
        r"\b(?:one more|another|ett till|en till|ett alias till)\b",
        r"^andra\b|^hur andra\b",
        r"\b(?:how do i|how can i|how to|how do you|hur gor jag|hur kan jag|hur) (?:[\w-]+ )?(?:forward"
        r"|vidarebefordr"
        r"\w*|add|create|remove|delete|set|make|stop|turn|lagg\w*|skapa\w*|ta|tar|stang\w*|sla\w*"
        r"|stoppa\w*)\b",
        r"\b(?:can|could|kan|kunde) (?:my|mina|min|mitt|all|alla) (?:[\w-]+ )?(?:e-?mail|mail|mejl"
        r"|e-?post)\w* "
        r"(?:be|bli|skickas|ga|go|vidarebefordras)\b",
        rf"^{_REQUEST}\b|^(?:please|pls|snalla|hej|hi) {_REQUEST}\b",
    ),
    *_phrases(
        C.WHAT,
        1.0,
        r"\b(?:vad|what) (?:ar|is|'s|betyder|innebar|menas|hander|happens|gor|does|do)\b|\bwhats\b",
        r"\b(?:how does|how do) (?:[\w-]+ ){0,3}work|\bhur (?:fungerar|funkar|gar det till)\b",
        r"\b(?:in practice|i praktiken|what is (?:it|that) called|vad (?:kallas|heter) det)\b",
        r"^(?:is there|are there|finns det) (?:[\w-]+ )?(?:some|any|a|an|nagon|nagot|nan|nat|ett|en)\b",
        r"\b(?:do i still|will (?:i|the messages|they) still|ser jag|far jag (?:[\w-]+ )?kvar"
        r"|blir (?:[\w-]+ )?kvar)\b",
        r"^(?:ar|is|are|ar inte|aren't) (?:an? |ett |en |the )?(?:[\w-]+ )?(?:alias|forward|group|grupp"
        r"|vidarebef|"
        r"distrib)",
    ),
    *_phrases(
        C.BROKEN,
        1.0,
        r"\b(?:fungerar|funkar|funkade|fungerade) inte\b",
        r"\b(?:doesn't|does not|isn't|is not|not|never|won't|aren't|don't) (?:[\w-]+ )?(?:work|working"
        r"|arrive|"
        r"arriving|show up|come|reach|get through)",
        r"\bkommer (?:[\w-]+ )?(?:aldrig|inte) fram\b",
        r"\b(?:came|comes|come|kom|kommer) (?:[\w-]+ )?(?:back|tillbaka)\b",
        r"\b(?:not allowed|inte tillatet|inte tillat|inte ratt|no permission|permissions?|behorighet)\b",
    ),
    *_phrases(
        C.WHICH,
        1.0,
        r"\b(?:which|vilken|vilket) (?:one |of them |ska|should|do i|behover|passar)",
        r"\b(?:same thing|samma sak|the same as|samma som)\b",
        r"\b(?:something|anything|nagot|nat|nan) (?:other|else|annat|annan) (?:than|an)\b",
        r"\b(?:instead of|i stallet for|istallet for) (?:an? |ett? )?(?:alias|forward|group|grupp|vidarebef)",
        r"\b(?:should|ska|borde) (?:[\w-]+ )?(?:be|vara|use|anvanda|have|ha) (?:an? |ett? )?(?:alias"
        r"|forward|group|"
        r"grupp|vidarebef|distrib)\w* (?:or|eller)\b",
        r"\b(?:alias|forward|group|grupp|vidarebef\w*|distrib\w*|inbox|mailbox|inkorg"
        r"|brevlada)\w*,? (?:or|eller) "
        r"(?:an? |ett? |en )?"
        r"(?:alias|forward|group|grupp|vidarebef|distrib|shared|delad|gemensam)",
    ),
    *_phrases(
        C.SEND_AS,
        1.0,
        r"\b(?:send|sending|skicka|skickar) (?:[\w-]+ )?(?:as|som|from|fran)\b",
        r"\b(?:reply|replies|replying|answer|answering|svara|svarar) (?:[\w-]+ )?(?:as|som|from|fran)\b",
        r"\b(?:come|comes|coming|go out|goes out|komma|kommer|ga ut|gar ut) (?:[\w-]+ )?(?:from|fran)\b",
        r"\bfrom (?:address|adress)\b|\bfran-? ?adress",
        r"\b(?:they|de|people|mottagar\w*|recipients?) (?:see|ser|syns) (?:my|min|mitt)\b",
        r"\b(?:syns|shows?) (?:my|min|mitt)\b",
        r"\bsend mail as\b|\bskicka som-adress",
    ),
    *_phrases(
        C.EXTERNAL,
        1.0,
        r"\b(?:another|other|annat|ett annat) (?:company|foretag)",
        r"\b(?:own|egen|egna) (?:company|firm|firma|byra|foretag)",
        r"\boutside (?:the |our )?(?:domain|company)\b",
        r"\boutlook com\b",
    ),
    *_phrases(C.OUTSIDERS, 1.0, r"\b(?:from outside|utifran|outside (?:the|our) company|annat foretag)"),
    *_phrases(
        S.LOGIN,
        1.5,
        r"\b(?:forgot|forgotten|glomt|reset|aterstall\w*|change|andra|byt|byta|new|nytt|stopped) "
        r"(?:[\w-]+ )?(?:[\w-]+ )?(?:password|losenord)",
        r"\b(?:password|losenord)\w* (?:[\w-]+ )?(?:fungerar inte|funkar inte|doesn't work|stopped working|"
        r"expired|har gatt ut)",
        r"\b(?:can't|cannot|can not|kan inte|unable to) (?:[\w-]+ )?(?:log|sign|logga)",
        r"\b(?:utelast|locked out)\b",
        r"\b(?:kontot|account|konto) (?:verkar |seems to |ar |is )?(?:[\w-]+ )?(?:last|locked|sparrat)",
        r"\b(?:login|inloggning\w*) (?:failed|misslyck\w*)",
        r"\bsign (?:out|in)\b|\blogga (?:ut|in) (?:alla|i webb)",
        r"\bsessions?\b",
    ),
    *_phrases(
        S.SPAM,
        1.5,
        r"\bjunk (?:folder|mail)\b|\bspam ?filter",
        r"\bblock\w* (?:[\w-]+ ){0,2}(?:sender|avsand)",
    ),
    *_phrases(
        S.DNS,
        1.5,
        r"\b(?:dns|mx|txt)[- ](?:records?|post\w*)",
        r"\b(?:move|flytta\w*|transfer) (?:[\w-]+ )?dom",
    ),
    *_phrases(S.STORAGE, 1.5, r"\b(?:mailbox|inbox|brevladan|inkorgen) (?:is |ar )?(?:almost |nastan )?full"),
    *_phrases(
        S.AUTO_REPLY,
        1.5,
        r"\b(?:automatic|automatiskt?|auto) (?:[\w-]+ )?(?:reply|replies|svar)",
        r"\bout of (?:the )?office\b|\bvacation (?:responder|reply)",
    ),
    *_phrases(
        S.CLIENT_SETUP,
        1.5,
        r"\b(?:utgaende|inkommande|outgoing|incoming) (?:[\w-]+ )?server",
        r"\b(?:imap|smtp|pop)\w*(?:-| and | och | )(?:[\w-]+ )?(?:settings|installningar|server)",
        r"\b(?:settings|installningar) (?:[\w-]+ )?(?:phone|telefon|iphone|android|outlook|thunderbird)",
        r"\b(?:set up|satta upp|stalla in) (?:e-?mail|mail|mejl|e-?post) (?:on|in|pa|i) "
        r"(?:my |min )?(?:phone|telefon|iphone|android|thunderbird)",
    ),
    *_phrases(
        S.RECOVERY, 1.5, r"\b(?:restore|recover|aterstall\w*|bring back|fa tillbaka) .*\b(?:deleted|radera)"
    ),
]
