"""Block Kit for the guided flows: replies with Confirm/Cancel/Undo, the modal, App Home's changes.

Small pure functions (tests call them directly); every value from outside is escaped for mrkdwn.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.answers.knowledge import escape_mrkdwn
from bot.config import Lang
from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.flows.commands import BARE_COMMAND_FLOW, YES, FieldKind, Flow
from bot.flows.core import Reply, ReplyKind
from bot.flows.messages import MESSAGES
from bot.i18n import Someone, Text
from bot.routing.service import AuditRecord
from bot.slack.blocks import START_FLOW_ACTION, mrkdwn_sections
from bot.slack.messages import MESSAGES as SLACK_MESSAGES

CONFIRM_ACTION = "flow_confirm"
REQUEST_ACTION = "flow_request"  # a customer's "Request this change" (bot.slack.listeners.requests)
CANCEL_ACTION = "flow_cancel"
UNDO_ACTION = "flow_undo"  # value: the pending change's id
HOME_UNDO_ACTION = "flow_home_undo"  # value: the audit id of the change
FLOW_MODAL = "flow_modal"
VALUE_INPUT = "value"  # the action_id of every modal input; the block_id is the field name
MAX_REPLY_BLOCKS = 45  # Slack takes 50 blocks in a message; room for the buttons
# Slack refuses a message whose blocks hold more than about 12,000 characters in all
# (`msg_blocks_too_long`); a reply echoing a pasted 40,000-character "address" is cut below that.
REPLY_TEXT_LIMIT = 11_000
ADDRESS_FIELD_LIMIT = 254  # the longest address there can be (RFC 5321 path)
ADDRESSES_FIELD_LIMIT = 3000  # Slack's limit for a text input
HOME_CHANGES = 10
NOT_UNDOABLE_PREFIXES = ("domain.", "mailbox.", "customer.")
# Changes made in Slack are audited with the user's id: shown as a mention (Slack shows the name).
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def slack_value(value: object) -> str:
    """A value inside a message, for Slack: a person as a mention, anything else escaped (an address or
    group name cannot mention anyone or link)."""
    if isinstance(value, Someone) and SLACK_USER_ID.fullmatch(value.user_id):
        return f"<@{value.user_id}>"
    return escape_mrkdwn(value)


def mrkdwn(text: Text, lang: Lang) -> str:
    """`text` rendered for Slack, every value through `slack_value`."""
    return text.render_with(lang, slack_value)


def reply_message(lang: Lang, reply: Reply) -> dict[str, Any]:
    """respond / chat.postMessage arguments for a flow's reply, with its buttons."""
    text = "\n".join(mrkdwn(line, lang) for line in reply.lines)
    if len(text) > REPLY_TEXT_LIMIT:
        text = f"{text[:REPLY_TEXT_LIMIT]} …\n{SLACK_MESSAGES.text('reply_shortened', lang)}"
    blocks: list[Block] = [*mrkdwn_sections(text)[:MAX_REPLY_BLOCKS]]
    pending = str(reply.pending_id)
    if reply.kind is ReplyKind.PREVIEW:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=MESSAGES.text("confirm", lang),
                        action_id=CONFIRM_ACTION,
                        value=pending,
                        style="primary",
                    ),
                    ButtonElement(text=MESSAGES.text("cancel", lang), action_id=CANCEL_ACTION, value=pending),
                ]
            )
        )
    elif reply.kind is ReplyKind.REQUESTABLE:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=CUSTOMERS.text("request", lang),
                        action_id=REQUEST_ACTION,
                        value=pending,
                        style="primary",
                    ),
                    ButtonElement(text=MESSAGES.text("cancel", lang), action_id=CANCEL_ACTION, value=pending),
                ]
            )
        )
    elif reply.kind is ReplyKind.DONE and reply.pending_id is not None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text=MESSAGES.text("undo", lang), action_id=UNDO_ACTION, value=pending)
                ]
            )
        )
    return {"text": text[:3000], "blocks": blocks}


def modal_metadata(flow_id: str, response_url: str | None) -> str:
    """What the submission needs to know: the flow, and where to show the preview (None: a DM)."""
    return json.dumps({"flow": flow_id, "response_url": response_url})


def parse_modal_metadata(metadata: str) -> tuple[str, str | None] | None:
    """The flow and response_url `modal_metadata` wrote, or None for a form that is not this version's
    (a modal an older version opened, still open during a deploy)."""
    try:
        data = json.loads(metadata)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("flow"), str):
        return None
    response_url = data.get("response_url")
    return (data["flow"], response_url) if response_url is None or isinstance(response_url, str) else None


def stale_form(lang: Lang) -> View:
    """What a form that is not this version's turns into when it is submitted: why, and what to do."""
    return View(
        type="modal",
        title=PlainTextObject(text=SLACK_MESSAGES.text("stale_form_title", lang)),
        close=PlainTextObject(text=SLACK_MESSAGES.text("modal_close", lang)),
        blocks=[SectionBlock(text=MarkdownTextObject(text=SLACK_MESSAGES.text("stale_form", lang)))],
    )


def flow_modal(lang: Lang, flow: Flow, values: dict[str, str], metadata: str) -> View:
    """The modal asking for a flow's fields; `values` (what a command already gave) prefilled."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("modal_intro", lang)))]
    for field in flow.fields:
        label = PlainTextObject(text=MESSAGES.text(field.label, lang))
        value = values.get(field.name)
        if field.kind is FieldKind.FLAG:
            option = Option(value=YES, text=MESSAGES.text("field.keep_copy_option", lang))
            element: Any = CheckboxesElement(
                action_id=VALUE_INPUT, options=[option], initial_options=[option] if value == YES else None
            )
        else:
            limit = ADDRESSES_FIELD_LIMIT if field.kind is FieldKind.ADDRESSES else ADDRESS_FIELD_LIMIT
            element = PlainTextInputElement(
                action_id=VALUE_INPUT,
                # Slack refuses to open a form whose prefilled value is longer than its field takes.
                initial_value=(value or "")[:limit] or None,
                multiline=field.kind is FieldKind.ADDRESSES,
                max_length=limit,
            )
        blocks.append(
            InputBlock(block_id=field.name, label=label, element=element, optional=not field.required)
        )
    return View(
        type="modal",
        callback_id=FLOW_MODAL,
        private_metadata=metadata,
        title=PlainTextObject(text=MESSAGES.text(f"flow.{flow.id}", lang)),
        submit=PlainTextObject(text=MESSAGES.text("modal_submit", lang)),
        close=PlainTextObject(text=MESSAGES.text("modal_close", lang)),
        blocks=blocks,
    )


def modal_values(view: dict[str, Any]) -> dict[str, str]:
    """Field name -> typed value (a checked keep_copy box -> "yes") from a submitted modal's state."""
    values: dict[str, str] = {}
    for block_id, inputs in ((view.get("state") or {}).get("values") or {}).items():
        state = inputs.get(VALUE_INPUT) or {}
        if "selected_options" in state:
            values[block_id] = (
                YES if any(o.get("value") == YES for o in state["selected_options"] or []) else ""
            )
        else:
            values[block_id] = state.get("value") or ""
    return values


def start_buttons(lang: Lang) -> ActionsBlock:
    """Buttons that open each command's most common flow (App Home)."""
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=MESSAGES.text(f"flow.{flow_id}", lang),
                action_id=f"{START_FLOW_ACTION}:{n}",
                value=flow_id,
            )
            for n, flow_id in enumerate(BARE_COMMAND_FLOW.values())
        ]
    )


def changes_blocks(lang: Lang, changes: list[AuditRecord], notice: str | None = None) -> list[Block]:
    """App Home for agents: the latest changes, each with Undo while it can still be undone."""
    blocks: list[Block] = [DividerBlock(), start_buttons(lang)]
    if notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=notice)))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("home_changes", lang))))
    if not changes:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("home_no_changes", lang))))
    for change in changes[:HOME_CHANGES]:
        row = MESSAGES.text(
            "home_change_row",
            lang,
            id=change.id,
            action=escape_mrkdwn(change.action),
            subject=escape_mrkdwn(change.subject),
            actor=f"<@{change.actor}>"
            if SLACK_USER_ID.fullmatch(change.actor)
            else escape_mrkdwn(change.actor),
            at=change.at.strftime("%Y-%m-%d %H:%M"),
        )
        undoable = change.undone_by is None and not change.action.startswith(NOT_UNDOABLE_PREFIXES)
        if change.undone_by is not None:
            row += " " + MESSAGES.text("home_change_undone", lang, by=change.undone_by)
        button = (
            ButtonElement(text=MESSAGES.text("undo", lang), action_id=HOME_UNDO_ACTION, value=str(change.id))
            if undoable
            else None
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=row), accessory=button))
    return blocks
