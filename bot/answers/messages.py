"""What the answering core says itself (not articles): small talk, and "not sure, a person can help"."""

from bot.i18n import Catalog

MESSAGES = Catalog(
    "answers",
    {
        "greeting": {
            "sv": "Hej! Jag är hjälpboten hos {provider}. Fråga mig om *alias*, *vidarebefordran* och "
            "*distributionsgrupper*, till exempel _Hur skapar jag ett alias?_",
            "en": "Hi! I'm {provider}'s help bot. Ask me about *aliases*, *forwarding* and "
            "*distribution groups*, for example _How do I create an alias?_",
        },
        "thanks": {
            "sv": "Varsågod! Fråga gärna igen om alias, vidarebefordran eller distributionsgrupper.",
            "en": "You're welcome! Ask again any time about aliases, forwarding or distribution groups.",
        },
        "not_sure": {
            "sv": "Jag är inte säker på att jag har svaret på det. Här är de ämnen som ligger närmast. "
            "Vill du hellre prata med en person når du oss på {support}.",
            "en": "I'm not sure I have the answer to that. Here are the closest topics. "
            "If you would rather talk to a person, you can reach us at {support}.",
        },
        "off_topic": {
            "sv": "Det låter som en fråga om {subject}, och det kan jag inte hjälpa till med: jag förklarar "
            "bara alias, vidarebefordran och distributionsgrupper. En person i supporten kan hjälpa dig, "
            "på {support}.",
            "en": "That sounds like a question about {subject}, which I can't help with: I only explain "
            "aliases, forwarding and distribution groups. A person in support can help you, at {support}.",
        },
        "not_ours": {
            "sv": "Det kan jag inte hjälpa till med: jag förklarar bara alias, vidarebefordran och "
            "distributionsgrupper. En person i supporten kan hjälpa dig, på {support}.",
            "en": "That is not something I can help with: I only explain aliases, forwarding and "
            "distribution groups. A person in support can help you, at {support}.",
        },
        "subject.login": {"sv": "lösenord och inloggning", "en": "passwords and signing in"},
        "subject.calendar": {"sv": "kalendrar och möten", "en": "calendars and meetings"},
        "subject.apps": {"sv": "program och appar som krånglar", "en": "programs and apps that misbehave"},
        "subject.spam": {"sv": "skräppost och spamfilter", "en": "spam and the spam filter"},
        "subject.dns": {"sv": "DNS och domäner", "en": "DNS and domains"},
        "subject.storage": {"sv": "lagringsutrymme", "en": "storage space"},
        "subject.billing": {"sv": "fakturor och betalning", "en": "invoices and payment"},
        "subject.signature": {"sv": "e-postsignaturer", "en": "email signatures"},
        "subject.auto_reply": {"sv": "frånvaromeddelanden", "en": "automatic replies"},
        "subject.client_setup": {
            "sv": "inställningar i e-postprogram och telefoner",
            "en": "settings in mail programs and phones",
        },
        "subject.recovery": {"sv": "att återställa raderad e-post", "en": "restoring deleted mail"},
        "did_you_mean": {"sv": "Menade du: {title}?", "en": "Did you mean: {title}?"},
        "empty_question": {
            "sv": "Skriv din fråga, till exempel _Vad är skillnaden mellan alias och vidarebefordran?_",
            "en": "Type your question, for example _What is the difference between an alias and a forward?_",
        },
    },
)
