"""Everything the routing backend says, in Swedish and English.

A refusal renders as "<rule name>: <what is wrong>", so a person always learns which rule stopped
the change. Addresses in the values are already in their Unicode form.
"""

from __future__ import annotations

from bot.i18n import Catalog, Plural

MESSAGES = Catalog(
    "routing",
    {
        # How a refusal and a no-op are worded around their detail.
        "refused": {
            "sv": 'Nekat enligt regeln "{rule}": {detail}',
            "en": 'Refused by the rule "{rule}": {detail}',
        },
        # Rule names (the `rule` of a Verdict / Outcome is the key after "rule.").
        "rule.address": {"sv": "giltig adress", "en": "valid address"},
        "rule.own_domain": {"sv": "bara våra domäner", "en": "our domains only"},
        "rule.one_thing": {"sv": "en adress är en sak", "en": "one address is one thing"},
        "rule.alias_target": {"sv": "alias pekar på en brevlåda", "en": "an alias points at a mailbox"},
        "rule.known_target": {"sv": "mottagaren finns", "en": "the recipient exists"},
        "rule.forward_source": {
            "sv": "vidarebefordran gäller en brevlåda",
            "en": "a forward belongs to a mailbox",
        },
        "rule.self_forward": {"sv": "ingen vidarebefordran till sig själv", "en": "no forward to itself"},
        "rule.external_forward": {
            "sv": "extern vidarebefordran kräver administratör",
            "en": "external forwarding needs an admin",
        },
        "rule.local_part": {"sv": "namn på våra adresser", "en": "names of our addresses"},
        "rule.no_mail_loss": {"sv": "ingen post går förlorad", "en": "no mail is lost"},
        "rule.protected": {"sv": "skyddade adresser", "en": "protected addresses"},
        "rule.no_loops": {"sv": "inga slingor", "en": "no loops"},
        "rule.limits": {"sv": "gränser", "en": "limits"},
        "rule.in_use": {"sv": "används av andra", "en": "in use elsewhere"},
        "rule.exists": {"sv": "finns", "en": "exists"},
        "rule.undo": {"sv": "ångra", "en": "undo"},
        "rule.name": {"sv": "giltigt namn", "en": "valid name"},
        "rule.own_domains": {"sv": "bara egna domäner", "en": "your own domains only"},
        # Address syntax.
        "address.no_at": {
            "sv": '"{address}" saknar @, en adress ser ut som namn@domän.se.',
            "en": '"{address}" has no @; an address looks like name@domain.com.',
        },
        "address.no_local": {
            "sv": '"{address}" saknar namnet före @.',
            "en": '"{address}" has no name before the @.',
        },
        "address.no_domain": {
            "sv": '"{address}" saknar domän efter @.',
            "en": '"{address}" has no domain after the @.',
        },
        "address.non_ascii_local": {
            "sv": '"{address}": namnet före @ får bara innehålla a-z, 0-9 och enkla tecken (inte å, ä, ö).',
            "en": '"{address}": the name before the @ may only use a-z, 0-9 and plain symbols (no accents).',
        },
        "address.local_too_long": {
            "sv": '"{address}": namnet före @ är längre än {limit} tecken.',
            "en": '"{address}": the name before the @ is longer than {limit} characters.',
        },
        "address.bad_local": {
            "sv": '"{address}": namnet före @ har otillåtna tecken, mellanslag eller punkter i fel läge.',
            "en": '"{address}": the name before the @ has characters, spaces or dots that are not allowed.',
        },
        "address.bad_domain": {
            "sv": '"{domain}" är inte ett giltigt domännamn.',
            "en": '"{domain}" is not a valid domain name.',
        },
        "address.domain_too_long": {
            "sv": '"{domain}" är för långt (högst {limit} tecken, högst 63 per del).',
            "en": '"{domain}" is too long (at most {limit} characters, 63 per part).',
        },
        "address.too_long": {
            "sv": '"{address}" är längre än {limit} tecken.',
            "en": '"{address}" is longer than {limit} characters.',
        },
        # Who acts (the audit log's actor and team).
        "actor.empty": {"sv": "ange vem som gör ändringen.", "en": "say who makes the change."},
        "actor.too_long": {
            "sv": "namnet på den som gör ändringen är för långt: högst {limit} tecken.",
            "en": "the name of who makes the change is too long: at most {limit} characters.",
        },
        "actor.unprintable": {
            "sv": "namnet på den som gör ändringen får inte innehålla radbrytningar, tabbar eller andra "
            "styrtecken.",
            "en": "the name of who makes the change cannot contain line breaks, tabs or other control "
            "characters.",
        },
        # Refusal details.
        "not_our_domain": {
            "sv": "{address} hör inte till någon av våra domäner.",
            "en": "{address} is not in one of our domains.",
        },
        "domain_unknown": {
            "sv": "Domänen {domain} finns inte hos oss; lägg till den först.",
            "en": "The domain {domain} is not hosted here; add it first.",
        },
        "already_mailbox": {"sv": "{address} är redan en brevlåda.", "en": "{address} is already a mailbox."},
        "already_alias": {
            "sv": "{address} är redan ett alias för {mailbox}; ta bort det först.",
            "en": "{address} is already an alias of {mailbox}; remove it first.",
        },
        "already_group": {
            "sv": "{address} är redan en distributionsgrupp.",
            "en": "{address} is already a distribution group.",
        },
        "group_named_otherwise": {
            "sv": '{address} är redan en distributionsgrupp med namnet "{name}".',
            "en": '{address} is already a distribution group named "{name}".',
        },
        "not_a_mailbox": {
            "sv": "{address} är ingen brevlåda hos oss.",
            "en": "{address} is not one of our mailboxes.",
        },
        "not_an_alias": {
            "sv": "{address} är inget alias, utan {what}.",
            "en": "{address} is not an alias but {what}.",
        },
        "not_a_group": {
            "sv": "{address} är ingen distributionsgrupp.",
            "en": "{address} is not a distribution group.",
        },
        "what.mailbox": {"sv": "en brevlåda", "en": "a mailbox"},
        "what.group": {"sv": "en distributionsgrupp", "en": "a distribution group"},
        "unknown_internal": {
            "sv": "{address} finns inte: ingen brevlåda, inget alias och ingen grupp har den adressen.",
            "en": "{address} does not exist: no mailbox, alias or group has that address.",
        },
        "self_forward": {
            "sv": "{address} kan inte vidarebefordras till sig själv.",
            "en": "{address} cannot be forwarded to itself.",
        },
        "external_forward": {
            "sv": "{target} ligger utanför våra domäner; bara en administratör får vidarebefordra dit.",
            "en": "{target} is outside our domains; only an admin may forward there.",
        },
        "loop": {
            "sv": "ändringen skulle skapa en slinga där posten går runt för evigt: {path}.",
            "en": "the change would create a loop where mail goes round forever: {path}.",
        },
        "group_in_itself": {
            "sv": "en grupp kan inte vara medlem i sig själv ({address}).",
            "en": "a group cannot be a member of itself ({address}).",
        },
        "too_many_members": {
            "sv": Plural(
                "{group} skulle få {count} medlem, högst {limit} är tillåtet.",
                "{group} skulle få {count} medlemmar, högst {limit} är tillåtet.",
            ),
            "en": Plural(
                "{group} would get {count} member; at most {limit} are allowed.",
                "{group} would get {count} members; at most {limit} are allowed.",
            ),
        },
        "too_many_deliveries": {
            "sv": Plural(
                "post till {address} skulle nå {count} mottagare, högst {limit} är tillåtet.",
                "post till {address} skulle nå {count} mottagare, högst {limit} är tillåtet.",
            ),
            "en": Plural(
                "mail to {address} would reach {count} recipient; at most {limit} are allowed.",
                "mail to {address} would reach {count} recipients; at most {limit} are allowed.",
            ),
        },
        "too_deep": {
            "sv": Plural(
                "post till {address} skulle gå genom {count} led, högst {limit} är tillåtet.",
                "post till {address} skulle gå genom {count} led, högst {limit} är tillåtet.",
            ),
            "en": Plural(
                "mail to {address} would pass through {count} step; at most {limit} are allowed.",
                "mail to {address} would pass through {count} steps; at most {limit} are allowed.",
            ),
        },
        "hosted_local_part": {
            "sv": "{address}: en adress hos oss får bara ha a-z, 0-9, punkt, - och _ före @, och börja "
            "med en bokstav eller siffra (namnet blir brevlådans mapp, och + betyder ett tillägg till "
            "en adress).",
            "en": "{address}: an address of ours may only use a-z, 0-9, dot, - and _ before the @, starting "
            "with a letter or digit (the name becomes the mailbox's folder, and + marks an extension "
            "of an address).",
        },
        "postfix_defers": {
            "sv": "post till {address} skulle passera Postfix gränser ({limit} adresser eller led, "
            "dubbletter räknade) och skjutas upp för evigt.",
            "en": "mail to {address} would pass Postfix's limits ({limit} addresses or steps, repeats "
            "counted) and be deferred forever.",
        },
        "protected_outside": {
            "sv": "{address} måste nå en brevlåda hos oss och får aldrig skickas utanför våra domäner "
            "(RFC 2142).",
            "en": "{address} must reach a mailbox of ours and may never be sent outside our domains "
            "(RFC 2142).",
        },
        "protected_lost": {
            "sv": "{address} måste alltid nå en brevlåda hos oss (RFC 2142); efter ändringen gör den "
            "inte det.",
            "en": "{address} must always reach a mailbox of ours (RFC 2142); after the change it would not.",
        },
        "outside_reach": {
            "sv": "post till {mailbox} skulle då också nå {outside}, utanför våra domäner; bara en "
            "administratör får skicka en brevlådas post ut.",
            "en": "mail to {mailbox} would then also reach {outside}, outside our domains; only an admin "
            "may send a mailbox's mail outside.",
        },
        "bounces_need_admin": {
            "sv": "post till {addresses} skulle då studsa (avvisas); bara en administratör får göra en "
            "sådan ändring.",
            "en": "mail to {addresses} would then bounce (be rejected); only an admin may make such a "
            "change.",
        },
        "bounces_need_confirmation": {
            "sv": "post till {addresses} skulle då studsa (avvisas); bekräfta att det är meningen.",
            "en": "mail to {addresses} would then bounce (be rejected); confirm that this is meant.",
        },
        "bounces_since_preview": {
            "sv": "routningen har ändrats sedan förhandsvisningen: post till {addresses} skulle nu studsa "
            "(avvisas), vilket förhandsvisningen inte sade. Se på ändringen igen.",
            "en": "routing has changed since the preview: mail to {addresses} would now bounce (be "
            "rejected), which the preview did not say. Look at the change again.",
        },
        "bounce_warning": {
            "sv": "Obs: efter ändringen studsar (avvisas) post till {addresses}.",
            "en": "Note: after this change, mail to {addresses} bounces (is rejected).",
        },
        "domain_alike": {
            "sv": "{domain} är samma domän som {other} för Postfix (som gör om stora och små bokstäver "
            "lika), så den kan inte läggas till för sig.",
            "en": "{domain} is the same domain as {other} to Postfix (which folds the letters alike), so it "
            "cannot be added on its own.",
        },
        "postmaster_not_mailbox": {
            "sv": "{address} är ingen brevlåda hos oss; postmaster@ och abuse@ måste nå en brevlåda.",
            "en": "{address} is not one of our mailboxes; postmaster@ and abuse@ must reach a mailbox.",
        },
        "no_members_given": {"sv": "ange minst en medlem.", "en": "name at least one member."},
        "in_use": {
            "sv": "{address} används fortfarande av {users}; ta bort det där först.",
            "en": "{address} is still used by {users}; remove it there first.",
        },
        "no_such_change": {
            "sv": "det finns ingen ändring nummer {id}.",
            "en": "there is no change number {id}.",
        },
        "not_undoable": {
            "sv": "ändring {id} ({action}) kan inte ångras här.",
            "en": "change {id} ({action}) cannot be undone here.",
        },
        "changed_since": {
            "sv": "{address} har ändrats efter ändring {id}, av ändring {later}; ångra den först.",
            "en": "{address} has changed after change {id}, by change {later}; undo that one first.",
        },
        "changed_outside": {
            "sv": "{address} är inte som ändring {id} lämnade den (ändrad utanför mailbot?); inget ångrat.",
            "en": "{address} is not as change {id} left it (changed outside mailbot?); nothing undone.",
        },
        "mailbox_exists_as": {
            "sv": "{address} finns redan ({what}).",
            "en": "{address} already exists ({what}).",
        },
        "what.alias": {"sv": "ett alias", "en": "an alias"},
        "import_line": {"sv": "rad {line}: {detail}", "en": "line {line}: {detail}"},
        "import_duplicate": {
            "sv": "{address} står redan på rad {first}.",
            "en": "{address} is already on line {first}.",
        },
        "import_no_address_column": {
            "sv": 'filen saknar kolumnen "address" på första raden.',
            "en": 'the file has no "address" column in its first line.',
        },
        "no_forward": {"sv": "{address} vidarebefordras inte.", "en": "{address} is not forwarded."},
        # Lines of the command line's listings and its demo data.
        "name_too_long": {
            "sv": "namnet är för långt: högst {limit} tecken.",
            "en": "the name is too long: at most {limit} characters.",
        },
        "import_cannot_open": {
            "sv": "filen går inte att öppna ({reason}).",
            "en": "the file cannot be opened ({reason}).",
        },
        "import_bad_csv": {
            "sv": "raden går inte att läsa som CSV ({reason}).",
            "en": "the line cannot be read as CSV ({reason}).",
        },
        "import_unclosed_quote": {
            "sv": 'ett citattecken (") som börjar här stängs aldrig.',
            "en": 'a quote (") that starts here is never closed.',
        },
        "import_not_utf8": {
            "sv": "filen är inte text i UTF-8 (spara den som CSV UTF-8).",
            "en": "the file is not UTF-8 text (save it as CSV UTF-8).",
        },
        "import_unknown_column": {
            "sv": 'kolumnen "{column}" är okänd; kända kolumner: {known}.',
            "en": 'the column "{column}" is unknown; known columns: {known}.',
        },
        "import_column_twice": {
            "sv": 'kolumnen "{column}" står två gånger.',
            "en": 'the column "{column}" is named twice.',
        },
        "import_field_count": {
            "sv": Plural(
                "raden har {count} fält, men rubrikraden har {expected}.",
                "raden har {count} fält, men rubrikraden har {expected}.",
            ),
            "en": Plural(
                "the line has {count} field but the header has {expected}.",
                "the line has {count} fields but the header has {expected}.",
            ),
        },
        "postfix.unsupported": {
            "sv": "Postfix kan inte läsa en databas av typen {backend}; använd SQLite eller PostgreSQL.",
            "en": "Postfix cannot read a {backend} database; use SQLite or PostgreSQL.",
        },
        "postfix.in_memory": {
            "sv": "Postfix behöver en SQLite-databas i en fil, inte en databas i minnet.",
            "en": "Postfix needs a SQLite database file, not an in-memory database.",
        },
        "postfix.would_replace": {
            "sv": "{path} har redan filerna {names} med annat innehåll; inget skrevs. "
            "Ersätt dem med --force.",
            "en": "{path} already has the files {names} with other content; nothing was written. "
            "Replace them with --force.",
        },
        "postfix.up_to_date": {
            "sv": "{path} är redan aktuell; inget skrevs.",
            "en": "{path} is up to date already; nothing was written.",
        },
        "postfix.cannot_write": {
            "sv": "kan inte skriva i {path}: {reason}",
            "en": "cannot write into {path}: {reason}",
        },
        "name_unprintable": {
            "sv": "namnet får inte innehålla radbrytningar, tabbar eller andra styrtecken.",
            "en": "the name cannot contain line breaks, tabs or other control characters.",
        },
        "cli.none": {"sv": "(inga)", "en": "(none)"},
        "cli.reload_postfix": {
            "sv": "Kör `postfix reload` på e-postservern så att Postfix ser den nya domänen direkt.",
            "en": "Run `postfix reload` on the mail server so that Postfix sees the new domain at once.",
        },
        "cli.accept_bounces": {
            "sv": "Upprepa med --accept-bounces om det är meningen.",
            "en": "Repeat with --accept-bounces if that is meant.",
        },
        "cli.undo_hint": {"sv": "ångra: mailbot undo {id}", "en": "undo: mailbot undo {id}"},
        "cli.importing": {"sv": "importerar", "en": "importing"},
        "cli.keep_copy": {"sv": " (behåller en kopia)", "en": " (keep a copy)"},
        "cli.group": {
            "sv": Plural("{address}\t{name}\t{count} medlem", "{address}\t{name}\t{count} medlemmar"),
            "en": Plural("{address}\t{name}\t{count} member", "{address}\t{name}\t{count} members"),
        },
        "cli.undo_of": {"sv": " av {id}", "en": " of {id}"},
        "cli.undone_by": {"sv": " (ångrad av {id})", "en": " (undone by {id})"},
        "cli.demo_done": {
            "sv": "demodomänen {domain} med brevlådorna: {mailboxes}",
            "en": "demo domain {domain} with mailboxes: {mailboxes}",
        },
        "cli.demo_exists": {
            "sv": "databasen har redan domäner ({domains}); inget att göra",
            "en": "the database already has domains ({domains}); nothing to do",
        },
        # No-ops: the same request twice.
        "unchanged.alias": {
            "sv": "{alias} är redan ett alias för {mailbox}; inget att göra.",
            "en": "{alias} is already an alias of {mailbox}; nothing to do.",
        },
        "unchanged.no_alias": {
            "sv": "{alias} är inget alias; inget att göra.",
            "en": "{alias} is no alias; nothing to do.",
        },
        "unchanged.forward": {
            "sv": "{address} vidarebefordras redan så; inget att göra.",
            "en": "{address} is already forwarded like that; nothing to do.",
        },
        "unchanged.no_forward": {
            "sv": "{address} har ingen vidarebefordran; inget att göra.",
            "en": "{address} has no forward; nothing to do.",
        },
        "unchanged.group": {
            "sv": "Gruppen {address} finns redan; inget att göra.",
            "en": "The group {address} already exists; nothing to do.",
        },
        "unchanged.no_group": {
            "sv": "Det finns ingen grupp {address}; inget att göra.",
            "en": "There is no group {address}; nothing to do.",
        },
        "unchanged.members": {
            "sv": "Alla är redan medlemmar i {group}; inget att göra.",
            "en": "They are all members of {group} already; nothing to do.",
        },
        "unchanged.no_member": {
            "sv": "{member} är inte medlem i {group}; inget att göra.",
            "en": "{member} is not a member of {group}; nothing to do.",
        },
        "unchanged.undone": {
            "sv": "Ändring {id} är redan ångrad (av ändring {by}); inget att göra.",
            "en": "Change {id} is already undone (by change {by}); nothing to do.",
        },
        "unchanged.import_empty": {
            "sv": "Filen har inga brevlådor, bara rubrikraden; inget importerat.",
            "en": "The file has no mailboxes, only the header line; nothing imported.",
        },
        "unchanged.domain": {
            "sv": "Domänen {domain} finns redan; inget att göra.",
            "en": "The domain {domain} exists already; nothing to do.",
        },
        "unchanged.mailbox": {
            "sv": "Brevlådan {address} finns redan; inget att göra.",
            "en": "The mailbox {address} exists already; nothing to do.",
        },
        # What a change will do, in plain words.
        "effect.add_alias": {
            "sv": "Post till {alias} hamnar i inkorgen hos {mailbox}.",
            "en": "Mail to {alias} will land in {mailbox}'s inbox.",
        },
        "effect.add_alias_forwarded": {
            "sv": "Post till {alias} går till {mailbox}, som vidarebefordrar den till {target}: den hamnar "
            "inte i inkorgen hos {mailbox}.",
            "en": "Mail to {alias} will go to {mailbox}, which forwards it to {target}: it does not land in "
            "{mailbox}'s inbox.",
        },
        "effect.add_alias_forwarded_keep_copy": {
            "sv": "Post till {alias} hamnar i inkorgen hos {mailbox}, som också vidarebefordrar den till "
            "{target}.",
            "en": "Mail to {alias} will land in {mailbox}'s inbox, which also forwards it to {target}.",
        },
        "effect.remove_alias": {
            "sv": "Post till {alias} hamnar inte längre hos {mailbox}, utan avvisas som okänd adress.",
            "en": "Mail to {alias} will no longer reach {mailbox}; it is rejected as an unknown address.",
        },
        "effect.set_forward": {
            "sv": "Post till {address} skickas till {target} och hamnar inte i inkorgen hos {address}.",
            "en": "Mail to {address} will be forwarded to {target} and will not land in {address}'s inbox.",
        },
        "effect.set_forward_keep_copy": {
            "sv": "Post till {address} skickas till {target}; en kopia stannar i inkorgen hos {address}.",
            "en": "Mail to {address} will be forwarded to {target}, and a copy stays in {address}'s inbox.",
        },
        "effect.clear_forward": {
            "sv": "Post till {address} skickas inte längre till {target} utan hamnar i den egna inkorgen.",
            "en": "Mail to {address} will no longer go to {target}; it lands in its own inbox.",
        },
        "effect.create_group": {
            "sv": '{address} blir distributionsgruppen "{name}". Utan medlemmar avvisas post dit.',
            "en": '{address} becomes the group "{name}". Mail to it is rejected until it has members.',
        },
        "effect.delete_group": {
            "sv": Plural(
                "Gruppen {address} tas bort: post dit avvisas och dess enda medlem får den inte.",
                "Gruppen {address} tas bort: post dit avvisas och dess {count} medlemmar får den inte.",
            ),
            "en": Plural(
                "Group {address} is deleted: mail to it is rejected, its one member stops getting it.",
                "Group {address} is deleted: mail to it is rejected, its {count} members stop getting it.",
            ),
        },
        "effect.add_members": {
            "sv": "Post till {group} når också {members}.",
            "en": "Mail to {group} will also reach {members}.",
        },
        "effect.remove_member": {
            "sv": "{member} får inte längre post som skickas till {group}.",
            "en": "{member} will no longer get mail sent to {group}.",
        },
        "effect.outside": {
            "sv": "{effect} Utanför våra domäner: {addresses}.",
            "en": "{effect} Outside our domains: {addresses}.",
        },
        "effect.remove_member_still_reached": {
            "sv": "{member} är inte längre medlem i {group}, men post till {group} når fortfarande {member} "
            "(eller några av dess mottagare) genom en annan medlem.",
            "en": "{member} is no longer a member of {group}, but mail to {group} still reaches {member} "
            "(or some of its recipients) through another member.",
        },
        "effect.undo": {
            "sv": "{address} blir som före ändring {id} ({action}).",
            "en": "{address} goes back to how it was before change {id} ({action}).",
        },
        "effect.add_domain": {
            "sv": "Domänen {domain} läggs till; {postmaster} och {abuse} når {mailbox}.",
            "en": "The domain {domain} is added; {postmaster} and {abuse} reach {mailbox}.",
        },
        "effect.add_mailbox": {
            "sv": "Brevlådan {address} läggs till.",
            "en": "The mailbox {address} is added.",
        },
        "effect.import": {
            "sv": Plural("{count} brevlåda importerad.", "{count} brevlådor importerade."),
            "en": Plural("{count} mailbox imported.", "{count} mailboxes imported."),
        },
        # Trace.
        "trace.mailbox": {
            "sv": "levereras till brevlådan {address}",
            "en": "delivered to the mailbox {address}",
        },
        "trace.external": {
            "sv": "skickas ut ur våra domäner till {address}",
            "en": "sent out of our domains to {address}",
        },
        "trace.unknown": {
            "sv": "{address} finns inte hos oss: posten avvisas",
            "en": "{address} does not exist here: the mail is rejected",
        },
        "trace.loop": {
            "sv": "posten fastnar: adresserna pekar på varandra i en slinga (eller passerar Postfix "
            "gränser), Postfix skjuter upp leveransen",
            "en": "mail gets stuck: the addresses point at each other in a loop (or pass Postfix's "
            "limits) and Postfix defers delivery",
        },
        "trace.step.alias": {
            "sv": "{source} är ett alias för {destinations}",
            "en": "{source} is an alias of {destinations}",
        },
        "trace.step.forward": {
            "sv": "{source} vidarebefordras till {destinations}",
            "en": "{source} is forwarded to {destinations}",
        },
        "trace.step.forward_keep_copy": {
            "sv": "{source} vidarebefordras till {destinations} och behåller en kopia",
            "en": "{source} is forwarded to {destinations} and keeps a copy",
        },
        "trace.step.member": {
            "sv": "gruppen {source} har medlemmarna {destinations}",
            "en": "the group {source} has the members {destinations}",
        },
        "trace.step.keep_copy": {"sv": "{source} behåller en kopia", "en": "{source} keeps a copy"},
        "trace.outside": {
            "sv": "går vidare till {address}, utanför dina domäner (visas inte här)",
            "en": "goes on to {address}, outside your domains (not shown here)",
        },
        # A customer's own domains (an actor with a scope).
        "outside_scope": {
            "sv": "{address} hör inte till dina domäner ({domains}). Supporten kan hjälpa till med annat.",
            "en": "{address} is not in your domains ({domains}). Support can help with anything else.",
        },
        "leaves_scope": {
            "sv": "post till {address} skulle då också nå adresser utanför dina domäner ({domains}). "
            "Supporten kan göra en sådan ändring.",
            "en": "mail to {address} would then also reach addresses outside your domains ({domains}). "
            "Support can make such a change.",
        },
        "concealed": {
            "sv": "ändringen berör adresser utanför dina domäner, så detaljerna visas inte här. "
            "Supporten kan se på den.",
            "en": "the change involves addresses outside your domains, so the details are not shown "
            "here. Support can look into it.",
        },
    },
)
