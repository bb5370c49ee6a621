"""Block Kit for customers' requests: the post agents decide on, and the form asking why they reject.

Small pure functions (tests call them directly); every value from outside is escaped (`mrkdwn`).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.config import Lang
from bot.customers.messages import MESSAGES
from bot.customers.requests import MAX_REASON
from bot.flows.approvals import RequestStatus
from bot.slack.blocks import mrkdwn_sections
from bot.slack.flow_blocks import mrkdwn

APPROVE_ACTION = "request_approve"  # under a request in the support channel; value: the request's id
REJECT_ACTION = "request_reject"
REJECT_MODAL = "request_reject_modal"  # private_metadata: the request's id
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"


def request_message(status: RequestStatus, lang: Lang) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments: who asks for what, and Approve / Reject while open."""
    text = "\n".join(mrkdwn(line, lang) for line in (status.header, *status.lines))
    blocks: list[Block] = [*mrkdwn_sections(text)]
    if status.open:
        value = str(status.request_id)
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=MESSAGES.text("approve", lang),
                        action_id=APPROVE_ACTION,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(
                        text=MESSAGES.text("reject", lang),
                        action_id=REJECT_ACTION,
                        value=value,
                        style="danger",
                    ),
                ]
            )
        )
    return {"text": text[:3000], "blocks": blocks}


def reject_modal(lang: Lang, request_id: int) -> View:
    return View(
        type="modal",
        callback_id=REJECT_MODAL,
        private_metadata=str(request_id),
        title=PlainTextObject(text=MESSAGES.text("reason_title", lang)),
        submit=PlainTextObject(text=MESSAGES.text("reason_submit", lang)),
        close=PlainTextObject(text=MESSAGES.text("reason_close", lang)),
        blocks=[
            InputBlock(
                block_id=REASON_BLOCK,
                label=PlainTextObject(text=MESSAGES.text("reason_label", lang)),
                element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=MAX_REASON),
            )
        ],
    )


def submitted_reason(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    return ((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or ""
