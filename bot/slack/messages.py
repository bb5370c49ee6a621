"""What the Slack app itself says (modal, support channel, App Home), in Swedish and English."""

from bot.i18n import Catalog, Plural

MESSAGES = Catalog(
    "slack",
    {
        "modal_title": {"sv": "Hjälp oss bli bättre", "en": "Help us improve"},
        "modal_submit": {"sv": "Skicka", "en": "Send"},
        "modal_close": {"sv": "Stäng", "en": "Close"},
        "modal_intro": {
            "sv": "Tack för att du sa till. Vad saknades eller var oklart i svaret?",
            "en": "Thanks for telling us. What was missing or unclear in the answer?",
        },
        "comment_label": {"sv": "Vad var oklart? (valfritt)", "en": "What was unclear? (optional)"},
        "person_label": {"sv": "En person från supporten", "en": "A person from support"},
        "person_option": {
            "sv": "Ja, jag vill att en person hör av sig",
            "en": "Yes, I would like a person to get back to me",
        },
        "support_request": {
            "sv": "<@{user}> vill ha hjälp av en person.",
            "en": "<@{user}> would like help from a person.",
        },
        "support_question": {"sv": "*Frågan:*", "en": "*The question:*"},
        "support_article": {"sv": "*Bottens svar:* {article}", "en": "*The bot's answer:* {article}"},
        "support_no_article": {"sv": "inget passande ämne", "en": "no fitting topic"},
        "support_comment": {"sv": "*Vad som var oklart:*", "en": "*What was unclear:*"},
        "home_title": {"sv": "Hjälp med e-postadresser", "en": "Help with mail addresses"},
        "home_how": {
            "sv": "Skriv din fråga i fliken *Meddelanden*, nämn mig i en kanal eller använd "
            "`/mailhelp din fråga`. Jag svarar på svenska eller engelska.",
            "en": "Write your question in the *Messages* tab, mention me in a channel or use "
            "`/mailhelp your question`. I answer in Swedish or English.",
        },
        "home_feedback": {"sv": "*Återkoppling per artikel*", "en": "*Feedback per article*"},
        "home_feedback_row": {
            "sv": "`{bar}` *{title}*: {helpful} till hjälp, {not_helpful} inte, {answers}",
            "en": "`{bar}` *{title}*: {helpful} helpful, {not_helpful} not, {answers}",
        },
        "answers": {
            "sv": Plural("{count} svar", "{count} svar"),
            "en": Plural("{count} answer", "{count} answers"),
        },
        "home_no_feedback": {"sv": "Inga svar ännu.", "en": "No answers yet."},
        "teach_prompt": {
            "sv": "*Lär boten:* vilken artikel svarar på frågan? Ett val sparar den som exempel.",
            "en": "*Teach the bot:* which article answers this question? One choice stores it as an example.",
        },
        "teach_placeholder": {"sv": "Välj artikel", "en": "Choose an article"},
        "teach_none": {"sv": "Inte vårt ämne", "en": "Not our topic"},
        "taught_note": {
            "sv": "<@{agent}> lärde boten att frågan hör till *{title}* (exempel {id}).",
            "en": "<@{agent}> taught the bot that this question belongs to *{title}* (example {id}).",
        },
        "forget_button": {"sv": "Ta bort exemplet", "en": "Remove the example"},
        "forgotten_note": {
            "sv": "<@{agent}> tog bort exempel {id}; boten svarar som förut.",
            "en": "<@{agent}> removed example {id}; the bot answers as before.",
        },
        "teach_agents_only": {
            "sv": "Bara supportens handläggare kan lära boten.",
            "en": "Only support agents can teach the bot.",
        },
        "teach_queue_title": {"sv": "Frågor att lära boten", "en": "Questions to teach the bot"},
        "teach_queue_empty": {
            "sv": "Inga obesvarade 👎 eller önskemål om en person just nu.",
            "en": "No 👎 or requests for a person waiting right now.",
        },
        "teach_answered": {
            "sv": "Boten svarade: {article} · {why}",
            "en": "The bot answered: {article} · {why}",
        },
        "teach_why_person": {"sv": "ville prata med en person", "en": "asked for a person"},
        "teach_why_unhelpful": {"sv": "👎", "en": "👎"},
        "files_only": {
            "sv": "Jag kan bara läsa text, inte bifogade filer eller bilder. Skriv din fråga med ord, "
            "till exempel _Hur vidarebefordrar jag min e-post?_",
            "en": "I can only read text, not attached files or pictures. Write your question in words, "
            "for example _How do I forward my mail?_",
        },
        "reply_shortened": {
            "sv": "_(Svaret är avkortat: resten får inte plats i ett Slack-meddelande.)_",
            "en": "_(The reply is shortened: the rest does not fit in one Slack message.)_",
        },
        "stale_form_title": {"sv": "Formuläret är inaktuellt", "en": "This form is out of date"},
        "stale_form": {
            "sv": "Det här formuläret öppnades av en äldre version av mig och kan inte skickas längre. "
            "Inget har ändrats. Stäng det och börja om, till exempel med `/alias`, `/forward` "
            "eller `/group`.",
            "en": "This form was opened by an older version of me and cannot be sent any more. "
            "Nothing was changed. Close it and start again, for example with `/alias`, `/forward` "
            "or `/group`.",
        },
    },
)
