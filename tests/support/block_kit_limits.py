"""Slack's documented Block Kit limits, checked as Slack checks them when a message or view arrives.

The Web API stand-in (`slack_standin.py`) refuses what Slack would refuse: a message's blocks with
`invalid_blocks` (chat.postMessage, chat.postEphemeral, chat.update; a `response_url` answers HTTP 400
with the body `invalid_blocks`), a view with `invalid_arguments` (views.open, views.push, views.update,
views.publish), each naming the place with a JSON pointer as Slack does
(`"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"`).

The limits: https://docs.slack.dev/reference/block-kit/blocks (50 blocks in a message, 100 in a modal
or Home tab; a section's text 3000 characters, its fields 10 of 2000; a header 150; a context 10
elements; an actions block 25 elements; block_id 255),
https://docs.slack.dev/reference/block-kit/block-elements (a button's text 75, value 2000, action_id
255; a select's options 100, an option's text 75 and value 150, a placeholder 150; a text input's
initial_value within its max_length, at most 3000),
https://docs.slack.dev/reference/views (a modal's title, submit and close 24 characters each,
private_metadata 3000, callback_id 255). The total text of a message's blocks is also limited
(`msg_blocks_too_long`): undocumented, about 13,000 characters as measured in
https://github.com/slackapi/bolt-js/issues/2509; checked here at 12,000, the limit documented for
markdown blocks.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_BLOCKS_TEXT = 12_000


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")


def _longer(problems: list[str], value: Any, limit: int, pointer: str) -> None:
    if len(_text(value)) > limit:
        problems.append(f"must be less than {limit + 1} characters [json-pointer:{pointer}]")


def _many(problems: list[str], items: Any, limit: int, pointer: str) -> None:
    if isinstance(items, list) and len(items) > limit:
        problems.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")


def _element(problems: list[str], element: dict[str, Any], at: str) -> None:
    kind = element.get("type")
    _longer(problems, element.get("action_id"), 255, f"{at}/action_id")
    if kind == "button":
        _longer(problems, element.get("text"), 75, f"{at}/text/text")
        _longer(problems, element.get("value"), 2000, f"{at}/value")
    if kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        _longer(problems, element.get("placeholder"), 150, f"{at}/placeholder/text")
        options = element.get("options") or []
        _many(problems, options, 100 if "select" in str(kind) else 10, f"{at}/options")
        for number, option in enumerate(options):
            _longer(problems, option.get("text"), 75, f"{at}/options/{number}/text/text")
            _longer(problems, option.get("value"), 150, f"{at}/options/{number}/value")
    if kind == "plain_text_input":
        limit = min(int(element.get("max_length") or 3000), 3000)
        _longer(problems, element.get("initial_value"), limit, f"{at}/initial_value")


def _block(problems: list[str], block: dict[str, Any], at: str) -> None:
    kind = block.get("type")
    _longer(problems, block.get("block_id"), 255, f"{at}/block_id")
    if kind == "section":
        _longer(problems, block.get("text"), 3000, f"{at}/text/text")
        fields = block.get("fields") or []
        _many(problems, fields, 10, f"{at}/fields")
        for number, field in enumerate(fields):
            _longer(problems, field, 2000, f"{at}/fields/{number}/text")
        if block.get("accessory"):
            _element(problems, block["accessory"], f"{at}/accessory")
    elif kind == "header":
        _longer(problems, block.get("text"), 150, f"{at}/text/text")
    elif kind == "context":
        _many(problems, block.get("elements"), 10, f"{at}/elements")
        for number, element in enumerate(block.get("elements") or []):
            _longer(problems, element, 3000, f"{at}/elements/{number}/text")
    elif kind == "actions":
        _many(problems, block.get("elements"), 25, f"{at}/elements")
        for number, element in enumerate(block.get("elements") or []):
            _element(problems, element, f"{at}/elements/{number}")
    elif kind == "input":
        _longer(problems, block.get("label"), 2000, f"{at}/label/text")
        _longer(problems, block.get("hint"), 2000, f"{at}/hint/text")
        if block.get("element"):
            _element(problems, block["element"], f"{at}/element")


def _blocks(problems: list[str], blocks: Any, limit: int, at: str) -> None:
    if not isinstance(blocks, list):
        return
    _many(problems, blocks, limit, at)
    for number, block in enumerate(blocks):
        if isinstance(block, dict):
            _block(problems, block, f"{at}/{number}")


def _all_text(value: Any) -> int:
    """The characters of every `text` string in a block tree."""
    if isinstance(value, dict):
        return sum(
            len(item) if key == "text" and isinstance(item, str) else _all_text(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(_all_text(item) for item in value)
    return 0


def message_problems(message: dict[str, Any]) -> tuple[str, list[str]] | None:
    """Slack's error for a message's blocks (`invalid_blocks` with its reasons, or
    `msg_blocks_too_long`), or None when Slack takes them."""
    problems: list[str] = []
    blocks = message.get("blocks")
    _blocks(problems, blocks, MESSAGE_BLOCKS, "/blocks")
    if problems:
        return "invalid_blocks", problems
    if _all_text(blocks) > MESSAGE_BLOCKS_TEXT:
        return "msg_blocks_too_long", []
    return None


def view_problems(view: dict[str, Any]) -> list[str]:
    """Why Slack refuses a view (views.open/push/update/publish), empty when it takes it."""
    problems: list[str] = []
    for name in ("title", "submit", "close"):
        _longer(problems, view.get(name), 24, f"/view/{name}/text")
    _longer(problems, view.get("private_metadata"), 3000, "/view/private_metadata")
    _longer(problems, view.get("callback_id"), 255, "/view/callback_id")
    _blocks(problems, view.get("blocks"), VIEW_BLOCKS, "/view/blocks")
    return problems
