"""What a person typed, from the text Slack sends for it.

Slack sends a message's or a command's text in its own markup
(https://docs.slack.dev/messaging/formatting-message-text#retrieving-messages): `&`, `<` and `>` as
`&amp;`, `&lt;`, `&gt;`; links it made as `<http://x.se|x.se>` and `<mailto:a@x.se|a@x.se>`; people,
channels and groups as `<@U123|name>`, `<#C123|name>`, `<!subteam^S123|@team>`, `<!here>`. The
answers, the flows and the stored question see the words instead: a link's label (else its target),
a person's, channel's or group's name when Slack gave one, `@here` for `<!here>`. A message written
with Block Kit only (`text` empty, its words in `rich_text` blocks) is read from those blocks.
"""

from __future__ import annotations

import html
import re
from typing import Any

# <target> or <target|label>: a link, a mention, a channel, a special mention.
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _words_of(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^S1|@team>, <!date^...|fallback>
        if target in ("!here", "!channel", "!everyone"):
            return f"@{target[1:]}"  # as typed; shown again escaped, it notifies nobody
        return label or ""
    if target.startswith(("@", "#")):
        return f"{target[0]}{label}" if label else ""
    if label:
        return label
    return target.removeprefix("mailto:")


def plain_text(text: str) -> str:
    """`text` as Slack sends it (a message, a slash command's text) as the person typed it."""
    return html.unescape(_MARKUP.sub(_words_of, text)) if ("<" in text or "&" in text) else text


def command_text(command: dict[str, Any]) -> str:
    """A slash command's text (`command` is Slack's payload) as the person typed it."""
    return plain_text(command.get("text") or "")


def rich_text_words(blocks: list[dict[str, Any]] | None) -> str:
    """The words of a message's `rich_text` blocks (text, links, emoji names left out), for a message
    whose `text` is empty (https://docs.slack.dev/reference/block-kit/blocks/rich-text-block)."""
    words: list[str] = []

    def walk(element: dict[str, Any]) -> None:
        kind = element.get("type")
        if kind == "text" or (kind == "link" and element.get("text")):
            words.append(str(element.get("text") or ""))
        elif kind == "link":
            words.append(str(element.get("url") or "").removeprefix("mailto:"))
        for child in element.get("elements") or []:
            if isinstance(child, dict):
                walk(child)
        if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
            words.append("\n")

    for block in blocks or []:
        if isinstance(block, dict) and block.get("type") == "rich_text":
            walk(block)
    return "".join(words).strip()


def message_words(event: dict[str, Any]) -> str:
    """What a person wrote in a message event: its text, else its rich_text blocks' words."""
    text = event.get("text") or ""
    return plain_text(text).strip() if text.strip() else rich_text_words(event.get("blocks"))
