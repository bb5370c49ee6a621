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
        "empty_question": {
            "sv": "Skriv din fråga, till exempel _Vad är skillnaden mellan alias och vidarebefordran?_",
            "en": "Type your question, for example _What is the difference between an alias and a forward?_",
        },
    },
)
