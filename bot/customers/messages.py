"""Everything about customers, their own setup and their requests, in Swedish and English."""

from __future__ import annotations

from bot.i18n import Catalog, Plural

MESSAGES = Catalog(
    "customers",
    {
        # Rule names of the customer directory's refusals (beside routing's "rule.<id>").
        "rule.customer": {"sv": "kunder", "en": "customers"},
        "rule.one_customer": {
            "sv": "en kund per domän och person",
            "en": "one customer per domain and person",
        },
        "rule.slack_id": {"sv": "giltigt Slack-id", "en": "valid Slack id"},
        # The directory.
        "bad_name": {
            "sv": "Ett kundnamn är 1-100 tecken på en rad.",
            "en": "A customer's name is 1-100 characters on one line.",
        },
        "no_domain": {
            "sv": "En ny kund behöver minst en domän (--domain).",
            "en": "A new customer needs at least one domain (--domain).",
        },
        "domain_taken": {
            "sv": "Domänen {domain} hör redan till kunden {customer}.",
            "en": "The domain {domain} already belongs to the customer {customer}.",
        },
        "member_taken": {
            "sv": "{who} hör redan till kunden {customer}.",
            "en": "{who} already belongs to the customer {customer}.",
        },
        "bad_team": {
            "sv": '"{value}" är inget Slack-id för en arbetsyta (T... eller E...).',
            "en": '"{value}" is not the Slack id of a workspace (T... or E...).',
        },
        "bad_user": {
            "sv": '"{value}" är inget Slack-id för en användare (U... eller W...).',
            "en": '"{value}" is not the Slack id of a user (U... or W...).',
        },
        "unknown_customer": {
            "sv": "Det finns ingen kund som heter {customer}.",
            "en": "There is no customer called {customer}.",
        },
        "not_theirs": {
            "sv": "{what} hör inte till kunden {customer}.",
            "en": "{what} does not belong to the customer {customer}.",
        },
        "unchanged": {
            "sv": "Kunden {customer} har redan allt det där; inget ändrades.",
            "en": "The customer {customer} already has all of that; nothing changed.",
        },
        "added": {"sv": "Kunden {customer}: {what} tillagt.", "en": "The customer {customer}: {what} added."},
        "created": {
            "sv": "Kunden {customer} skapad med {what}.",
            "en": "The customer {customer} was created with {what}.",
        },
        "removed": {
            "sv": "Kunden {customer}: {what} borttaget.",
            "en": "The customer {customer}: {what} removed.",
        },
        "deleted": {
            "sv": "Kunden {customer} är borttagen (domänerna finns kvar hos oss, utan kund).",
            "en": "The customer {customer} was removed (their domains stay hosted, with no customer).",
        },
        "what.domain": {"sv": "domänen {value}", "en": "the domain {value}"},
        "what.team": {"sv": "arbetsytan {value}", "en": "the workspace {value}"},
        "what.user": {"sv": "användaren {value}", "en": "the user {value}"},
        "what.admin": {"sv": "administratören {value}", "en": "the admin {value}"},
        "none": {"sv": "inga kunder än", "en": "no customers yet"},
        "admin_needs_user": {
            "sv": "--admin gäller användarna i --slack-user; ange minst en.",
            "en": "--admin applies to the --slack-user users; name at least one.",
        },
        "list": {"sv": "{first}, {rest}", "en": "{first}, {rest}"},
        "show.domains": {"sv": "domäner: {values}", "en": "domains: {values}"},
        "show.teams": {"sv": "Slack-arbetsytor: {values}", "en": "Slack workspaces: {values}"},
        "show.users": {"sv": "Slack-användare: {values}", "en": "Slack users: {values}"},
        "show.admins": {"sv": "administratörer: {values}", "en": "admins: {values}"},
        "show.nothing": {"sv": "inga", "en": "none"},
        # Answers about their own setup.
        "setup.where": {"sv": "*Post till {address}:*", "en": "*Mail to {address}:*"},
        "setup.step": {"sv": "• {step}", "en": "• {step}"},
        "setup.nothing_there": {
            "sv": "{address} finns inte i dina domäner, så post dit avvisas. Vill du att den ska finnas? "
            "Skapa ett alias eller en grupp.",
            "en": "{address} does not exist in your domains, so mail to it is rejected. Should it exist? "
            "Create an alias or a group.",
        },
        "setup.not_yours": {
            "sv": "Jag kan bara berätta om adresser i dina egna domäner ({domains}). Supporten hjälper "
            "dig med annat på {support}.",
            "en": "I can only tell you about addresses in your own domains ({domains}). Support helps "
            "with anything else at {support}.",
        },
        "setup.aliases": {"sv": "*Dina alias:*", "en": "*Your aliases:*"},
        "setup.alias_row": {"sv": "• {alias} → {mailbox}", "en": "• {alias} → {mailbox}"},
        "setup.no_aliases": {
            "sv": "Du har inga alias i {domains} än.",
            "en": "You have no aliases in {domains} yet.",
        },
        "setup.groups": {"sv": "*Dina grupper:*", "en": "*Your groups:*"},
        "setup.group_row": {
            "sv": Plural("• {address} ({count} medlem)", "• {address} ({count} medlemmar)"),
            "en": Plural("• {address} ({count} member)", "• {address} ({count} members)"),
        },
        "setup.no_groups": {
            "sv": "Du har inga grupper i {domains} än.",
            "en": "You have no groups in {domains} yet.",
        },
        "setup.forwards": {"sv": "*Dina vidarebefordringar:*", "en": "*Your forwards:*"},
        "setup.forward_row": {"sv": "• {address} → {target}", "en": "• {address} → {target}"},
        "setup.no_forwards": {
            "sv": "Inga brevlådor i {domains} vidarebefordras.",
            "en": "No mailbox in {domains} is forwarded.",
        },
        "setup.title": {"sv": "Din uppsättning", "en": "Your setup"},
        "setup.more": {
            "sv": Plural("… och en till.", "… och {count} till."),
            "en": Plural("… and one more.", "… and {count} more."),
        },
        # Requests for a change, and their approval.
        "request": {"sv": "Be om den här ändringen", "en": "Request this change"},
        "request_hint": {
            "sv": "Du kan inte göra den här ändringen själv, men supporten kan: tryck *Be om den här "
            "ändringen* så får en agent förhandsvisningen och godkänner eller avböjer den.",
            "en": "You cannot make this change yourself, but support can: press *Request this change* "
            "and an agent gets the preview to approve or reject.",
        },
        "requested": {
            "sv": "Skickat till supporten (begäran {id}). Du får besked här när en agent har bestämt sig.",
            "en": "Sent to support (request {id}). You will hear here when an agent has decided.",
        },
        "requested_no_channel": {
            "sv": "Sparat som begäran {id}. Supporten har ingen kanal för begäranden här, så skriv också "
            "till {support}.",
            "en": "Saved as request {id}. Support has no channel for requests here, so please also write "
            "to {support}.",
        },
        "already_requested": {
            "sv": "Den här ändringen är redan begärd (begäran {id}).",
            "en": "This change has already been requested (request {id}).",
        },
        "support.request": {
            "sv": "*Begäran {id}* från {requester} ({customer}):",
            "en": "*Request {id}* from {requester} ({customer}):",
        },
        "support.no_customer": {"sv": "ingen kund", "en": "no customer"},
        "support.preview": {"sv": "*{flow}*: {effect}", "en": "*{flow}*: {effect}"},
        "support.refused_now": {
            "sv": "*{flow}*: går inte just nu. {reason}",
            "en": "*{flow}*: not possible right now. {reason}",
        },
        "support.changed": {
            "sv": "Vägarna har ändrats sedan förhandsvisningen, så inget gjordes. Så här ser det ut nu; "
            "godkänn igen om det fortfarande stämmer:",
            "en": "Routing changed since the preview, so nothing was done. This is how it looks now; "
            "approve again if it is still right:",
        },
        "approve": {"sv": "Godkänn", "en": "Approve"},
        "reject": {"sv": "Avböj", "en": "Reject"},
        "approved": {
            "sv": "Godkänd av {approver}: ändring {id}. {effect}",
            "en": "Approved by {approver}: change {id}. {effect}",
        },
        "rejected": {
            "sv": "Avböjd av {approver}: {reason}",
            "en": "Rejected by {approver}: {reason}",
        },
        "approve_refused": {
            "sv": "Inget ändrades. {reason}",
            "en": "Nothing was changed. {reason}",
        },
        "already_decided": {
            "sv": "Begäran {id} är redan avgjord: {state}.",
            "en": "Request {id} has already been decided: {state}.",
        },
        "state.approved": {"sv": "godkänd (ändring {id})", "en": "approved (change {id})"},
        "state.rejected": {"sv": "avböjd", "en": "rejected"},
        "state.approving": {"sv": "godkänns just nu", "en": "being approved right now"},
        "unknown_request": {
            "sv": "Den begäran hittar jag inte.",
            "en": "I cannot find that request.",
        },
        "agents_only": {
            "sv": "Bara supportens agenter kan godkänna eller avböja begäranden.",
            "en": "Only the support team's agents can approve or reject requests.",
        },
        "reason_title": {"sv": "Avböj begäran", "en": "Reject the request"},
        "reason_label": {
            "sv": "Varför? (det får den som bad om ändringen läsa)",
            "en": "Why? (the person who asked will read this)",
        },
        "reason_submit": {"sv": "Avböj", "en": "Reject"},
        "reason_close": {"sv": "Tillbaka", "en": "Back"},
        "reason_required": {"sv": "Skriv ett skäl.", "en": "Please give a reason."},
        "told.approved": {
            "sv": "Din begäran {id} är godkänd av supporten och gjord: {effect}",
            "en": "Your request {id} was approved by support and is done: {effect}",
        },
        "told.rejected": {
            "sv": "Din begäran {id} ({flow}) avböjdes av supporten: {reason}",
            "en": "Your request {id} ({flow}) was rejected by support: {reason}",
        },
        "request_row": {
            "sv": "[{id}] {state} {flow}: {change} (av {requester}, {customer}, {at})",
            "en": "[{id}] {state} {flow}: {change} (by {requester}, {customer}, {at})",
        },
        "no_requests": {"sv": "inga begäranden", "en": "no requests"},
        "audit_requested_by": {"sv": " (begärd av {who})", "en": " (requested by {who})"},
        # A change in a few words: the flow, then the addresses it names (as the requester typed them).
        "summary": {"sv": "*{flow}* {detail}", "en": "*{flow}* {detail}"},
        "summary.one": {"sv": "{address}", "en": "{address}"},
        "summary.to": {"sv": "{source} → {target}", "en": "{source} → {target}"},
        "summary.to_copy": {
            "sv": "{source} → {target} (en kopia blir kvar)",
            "en": "{source} → {target} (keeping a copy)",
        },
        "summary.members": {"sv": "{group}: {members}", "en": "{group}: {members}"},
        # App Home, for a customer's admin: their customer's requests.
        "home.title": {"sv": "Begärda ändringar: {customer}", "en": "Requested changes: {customer}"},
        "home.about": {
            "sv": "Ändringar som ni har bett supporten om. Den som bad om en ändring får beslutet i ett "
            "direktmeddelande.",
            "en": "Changes your people asked support for. Whoever asked is told the decision in a direct "
            "message.",
        },
        "home.waiting": {"sv": "*Väntar på supporten*", "en": "*Waiting for support*"},
        "home.none_waiting": {"sv": "Inga begäranden väntar.", "en": "No requests are waiting."},
        "home.decided": {"sv": "*Senast avgjorda*", "en": "*Recently decided*"},
        "home.none_decided": {"sv": "Inga avgjorda begäranden än.", "en": "No decided requests yet."},
        "home.request": {
            "sv": "• Begäran {id}: {what}, begärd av {requester} {at}",
            "en": "• Request {id}: {what}, asked by {requester} {at}",
        },
        "home.approving": {"sv": "(godkänns just nu)", "en": "(being approved right now)"},
        "home.approved": {
            "sv": "_Godkänd {at} (ändring {change_id})._",
            "en": "_Approved {at} (change {change_id})._",
        },
        "home.rejected": {"sv": "_Avböjd {at}:_ {reason}", "en": "_Rejected {at}:_ {reason}"},
        # App Home, for one of a customer's people who is not an admin: their own requests.
        "home.own_title": {
            "sv": "Dina begärda ändringar ({customer})",
            "en": "Your requested changes ({customer})",
        },
        "home.own_about": {
            "sv": "Ändringar som du har bett supporten om. Varje beslut får du även i ett direktmeddelande.",
            "en": "Changes you asked support for. You are also told each decision in a direct message.",
        },
        "home.own_request": {
            "sv": "• Begäran {id}: {what}, begärd {at}",
            "en": "• Request {id}: {what}, asked {at}",
        },
    },
)
