"""Everything the guided flows say, in Swedish and English (routing's own refusals come from the service)."""

from __future__ import annotations

from bot.i18n import Catalog, Plural

MESSAGES = Catalog(
    "flows",
    {
        # Usage, shown for `help`, an unknown subcommand or wrong arguments.
        "usage./alias": {
            "sv": "*Alias* (en extra adress till en brevlåda):\n"
            "`/alias add ALIAS BREVLÅDA`: post till ALIAS hamnar i BREVLÅDAs inkorg\n"
            "`/alias remove ALIAS`: ta bort ett alias\n"
            "`/alias list [DOMÄN]`: visa alias",
            "en": "*Aliases* (another address of one mailbox):\n"
            "`/alias add ALIAS MAILBOX`: mail to ALIAS lands in MAILBOX's inbox\n"
            "`/alias remove ALIAS`: remove an alias\n"
            "`/alias list [DOMAIN]`: show aliases",
        },
        "usage./forward": {
            "sv": "*Vidarebefordran* (post till en brevlåda skickas vidare):\n"
            "`/forward set ADRESS MÅL [keep-copy]`: skicka post vidare till MÅL (med keep-copy "
            "stannar en kopia)\n"
            "`/forward clear ADRESS`: sluta vidarebefordra\n"
            "`/forward show ADRESS`: visa vidarebefordran",
            "en": "*Forwarding* (mail to a mailbox is sent on):\n"
            "`/forward set ADDRESS TARGET [keep-copy]`: send mail on to TARGET (keep-copy keeps a copy)\n"
            "`/forward clear ADDRESS`: stop forwarding\n"
            "`/forward show ADDRESS`: show the forward",
        },
        "usage./group": {
            "sv": "*Distributionsgrupper* (en adress som når alla medlemmar):\n"
            "`/group create ADRESS [NAMN]`: skapa en grupp\n"
            "`/group add GRUPP MEDLEM...`: lägg till medlemmar\n"
            "`/group remove GRUPP MEDLEM`: ta bort en medlem\n"
            "`/group members GRUPP`: visa medlemmarna\n"
            "`/group delete GRUPP`: ta bort gruppen\n"
            "`/group list [DOMÄN]`: visa grupper",
            "en": "*Distribution groups* (one address that reaches every member):\n"
            "`/group create ADDRESS [NAME]`: create a group\n"
            "`/group add GROUP MEMBER...`: add members\n"
            "`/group remove GROUP MEMBER`: remove a member\n"
            "`/group members GROUP`: show the members\n"
            "`/group delete GROUP`: delete the group\n"
            "`/group list [DOMAIN]`: show groups",
        },
        "usage./mailtrace": {
            "sv": "`/mailtrace ADRESS`: var post till ADRESS hamnar, steg för steg",
            "en": "`/mailtrace ADDRESS`: where mail to ADDRESS ends up, step by step",
        },
        "unknown_subcommand": {
            "sv": '{command} kan inte "{word}". Så här används det:',
            "en": '{command} cannot "{word}". This is how to use it:',
        },
        "too_many_words": {
            "sv": "Det blev fler ord än {command} {sub} tar emot. Så här används det:",
            "en": "That is more words than {command} {sub} takes. This is how to use it:",
        },
        "not_keep_copy": {
            "sv": 'Jag förstår inte "{word}"; skriv keep-copy sist för att behålla en kopia.',
            "en": 'I do not understand "{word}"; write keep-copy at the end to keep a copy.',
        },
        "address_missing": {
            "sv": "Ange adressen också. Så här används det:",
            "en": "Please give the address too. This is how to use it:",
        },
        # Who may do what.
        "not_allowed": {
            "sv": "Tyvärr, bara supportens agenter kan ändra e-postadresser här. Skriv till {support} "
            "och berätta vad du behöver, så hjälper de dig.",
            "en": "Sorry, only the support team's agents can change mail addresses here. Write to "
            "{support} and say what you need, and they will help you.",
        },
        "not_allowed_read": {
            "sv": "Tyvärr, bara supportens agenter kan slå upp vart post går, eftersom det visar andras "
            "adresser. Skriv till {support} så hjälper de dig.",
            "en": "Sorry, only the support team's agents can look up where mail goes, because it shows "
            "other people's addresses. Write to {support} and they will help you.",
        },
        "ask_support_for": {
            "sv": "{flow}: det gör supporten åt dig. Skriv till {support} och ange adresserna det gäller, "
            "till exempel {example}.",
            "en": "{flow}: support does that for you. Write to {support} and name the addresses it is "
            "about, for example {example}.",
        },
        # What each flow is called (modal titles, article buttons: at most 24 characters).
        "flow.alias.add": {"sv": "Skapa ett alias", "en": "Create an alias"},
        "flow.alias.remove": {"sv": "Ta bort ett alias", "en": "Remove an alias"},
        "flow.forward.set": {"sv": "Ställ in vidarebefordran", "en": "Set up forwarding"},
        "flow.forward.clear": {"sv": "Sluta vidarebefordra", "en": "Stop forwarding"},
        "flow.group.create": {"sv": "Skapa en grupp", "en": "Create a group"},
        "flow.group.add_members": {"sv": "Lägg till medlemmar", "en": "Add group members"},
        "flow.group.remove_member": {"sv": "Ta bort en medlem", "en": "Remove a group member"},
        "flow.group.delete": {"sv": "Ta bort en grupp", "en": "Delete a group"},
        # Modal fields.
        "field.alias": {"sv": "Aliaset (den nya adressen)", "en": "The alias (the new address)"},
        "field.mailbox": {"sv": "Brevlådan som ska få posten", "en": "The mailbox that gets the mail"},
        "field.forward_source": {"sv": "Brevlådan som vidarebefordras", "en": "The mailbox to forward"},
        "field.target": {"sv": "Skicka vidare till", "en": "Forward to"},
        "field.keep_copy": {"sv": "Kopia", "en": "Copy"},
        "field.keep_copy_option": {
            "sv": "Behåll en kopia i brevlådan",
            "en": "Keep a copy in the mailbox",
        },
        "field.group": {"sv": "Gruppens adress", "en": "The group's address"},
        "field.name": {"sv": "Gruppens namn (valfritt)", "en": "The group's name (optional)"},
        "field.members": {
            "sv": "Medlemmar (adresser, med mellanslag eller komma emellan)",
            "en": "Members (addresses, separated by spaces or commas)",
        },
        "field.member": {"sv": "Medlemmen", "en": "The member"},
        "field_required": {"sv": "Fyll i det här fältet.", "en": "Please fill in this field."},
        "modal_submit": {"sv": "Förhandsgranska", "en": "Preview"},
        "modal_close": {"sv": "Avbryt", "en": "Cancel"},
        "modal_intro": {
            "sv": "Du får se vad ändringen gör innan något ändras.",
            "en": "You will see what the change does before anything changes.",
        },
        # Preview, confirm, undo.
        "preview": {"sv": "*{flow}*: {effect}", "en": "*{flow}*: {effect}"},
        "preview_hint": {
            "sv": "Inget är ändrat än. Tryck Bekräfta för att göra ändringen.",
            "en": "Nothing has changed yet. Press Confirm to make the change.",
        },
        "not_possible": {"sv": "*{flow}*: går inte. {reason}", "en": "*{flow}*: not possible. {reason}"},
        "nothing_to_do": {"sv": "*{flow}*: {reason}", "en": "*{flow}*: {reason}"},
        "confirm": {"sv": "Bekräfta", "en": "Confirm"},
        "cancel": {"sv": "Avbryt", "en": "Cancel"},
        "undo": {"sv": "Ångra", "en": "Undo"},
        "done": {"sv": "Klart (ändring {id}): {effect}", "en": "Done (change {id}): {effect}"},
        "cancelled": {"sv": "Avbrutet; inget ändrades.", "en": "Cancelled; nothing was changed."},
        "undone": {"sv": "Ångrat (ändring {id}): {effect}", "en": "Undone (change {id}): {effect}"},
        "already_done": {
            "sv": "Den här ändringen är redan gjord (ändring {id}); inget gjordes två gånger.",
            "en": "This change has already been made (change {id}); nothing was done twice.",
        },
        "already_cancelled": {
            "sv": "Den här förhandsvisningen är avbruten; kör kommandot igen för att börja om.",
            "en": "This preview was cancelled; run the command again to start over.",
        },
        "already_undone": {
            "sv": "Ändring {id} är redan ångrad; inget gjordes två gånger.",
            "en": "Change {id} is already undone; nothing was done twice.",
        },
        "busy": {
            "sv": "Ändringen görs just nu; vänta ett ögonblick.",
            "en": "The change is being made right now; please wait a moment.",
        },
        "refused_at_confirm": {
            "sv": "Inget ändrades. {reason}",
            "en": "Nothing was changed. {reason}",
        },
        "expired": {
            "sv": Plural(
                "Den här förhandsvisningen är äldre än en minut; kör kommandot igen.",
                "Den här förhandsvisningen är äldre än {count} minuter; kör kommandot igen.",
            ),
            "en": Plural(
                "This preview is older than one minute; please run the command again.",
                "This preview is older than {count} minutes; please run the command again.",
            ),
        },
        "unknown_pending": {
            "sv": "Den ändringen hittar jag inte längre; kör kommandot igen.",
            "en": "I can no longer find that change; please run the command again.",
        },
        "not_yours": {
            "sv": "Den här förhandsvisningen tillhör någon annan; kör kommandot själv.",
            "en": "This preview belongs to someone else; please run the command yourself.",
        },
        # Read-only answers.
        "aliases": {"sv": "*Alias:*", "en": "*Aliases:*"},
        "alias_row": {"sv": "• {alias} → {mailbox}", "en": "• {alias} → {mailbox}"},
        "no_aliases": {"sv": "Inga alias.", "en": "No aliases."},
        "forward_shown": {
            "sv": "{address} vidarebefordras till {target}.",
            "en": "{address} is forwarded to {target}.",
        },
        "forward_shown_keep_copy": {
            "sv": "{address} vidarebefordras till {target}, och en kopia stannar i inkorgen.",
            "en": "{address} is forwarded to {target}, and a copy stays in its inbox.",
        },
        "no_forward": {"sv": "{address} vidarebefordras inte.", "en": "{address} is not forwarded."},
        "members": {"sv": "*Medlemmar i {group}:*", "en": "*Members of {group}:*"},
        "member_row": {"sv": "• {member}", "en": "• {member}"},
        "no_members": {"sv": "{group} har inga medlemmar än.", "en": "{group} has no members yet."},
        "groups": {"sv": "*Grupper:*", "en": "*Groups:*"},
        "group_row": {
            "sv": Plural('• {address} "{name}" ({count} medlem)', '• {address} "{name}" ({count} medlemmar)'),
            "en": Plural('• {address} "{name}" ({count} member)', '• {address} "{name}" ({count} members)'),
        },
        "no_groups": {"sv": "Inga grupper.", "en": "No groups."},
        "more_rows": {
            "sv": Plural(
                "… och en till (ange en domän för en kortare lista).",
                "… och {count} till (ange en domän för en kortare lista).",
            ),
            "en": Plural(
                "… and one more (name a domain for a shorter list).",
                "… and {count} more (name a domain for a shorter list).",
            ),
        },
        "trace": {"sv": "*Post till {address}:*", "en": "*Mail to {address}:*"},
        "trace_row": {"sv": "{number}. {step}", "en": "{number}. {step}"},
        # App Home.
        "home_changes": {"sv": "*Senaste ändringarna*", "en": "*Latest changes*"},
        "home_change_row": {
            "sv": "*{id}* `{action}` {subject}, av {actor} {at}",
            "en": "*{id}* `{action}` {subject}, by {actor} {at}",
        },
        "home_change_undone": {"sv": "(ångrad av {by})", "en": "(undone by {by})"},
        "home_no_changes": {"sv": "Inga ändringar än.", "en": "No changes yet."},
        # The terminal.
        "console_field": {
            "sv": "{label}? (tom rad avbryter)",
            "en": "{label}? (an empty line cancels)",
        },
        "console_optional": {
            "sv": "{label}? (tom rad hoppar över)",
            "en": "{label}? (an empty line skips it)",
        },
        "console_flag": {"sv": "{label}? (ja/nej)", "en": "{label}? (yes/no)"},
    },
)
