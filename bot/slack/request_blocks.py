"""Block Kit for customers' requests: the post agents decide on, the form asking why they reject, and
the requests in a customer admin's App Home.

Small pure functions (tests call them directly); every value from outside is escaped (`mrkdwn`).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.answers.knowledge import escape_mrkdwn
from bot.config import Lang
from bot.customers.messages import MESSAGES
from bot.customers.models import RequestState
from bot.customers.requests import MAX_REASON
from bot.flows.approvals import CustomerRequests, RequestStatus, RequestSummary
from bot.slack.blocks import mrkdwn_sections, slack_date
from bot.slack.flow_blocks import mrkdwn, slack_value

APPROVE_ACTION = "request_approve"  # under a request in the support channel; value: the request's id
REJECT_ACTION = "request_reject"
REJECT_MODAL = "request_reject_modal"  # private_metadata: the request's id
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
HEADER_LIMIT = 150  # Slack's limit for a header's text
HOME_REASON_LIMIT = 300  # characters of a rejection's reason App Home shows


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


def customer_requests_blocks(lang: Lang, requests: CustomerRequests) -> list[Block]:
    """App Home, for a customer's admin: their customer's requests waiting for support, and the latest
    decisions; for one of the customer's other people the same of their own requests."""
    own = requests.requester is not None
    title = MESSAGES.text("home.own_title" if own else "home.title", lang, customer=requests.customer)
    about = MESSAGES.text("home.own_about" if own else "home.about", lang)
    waiting = [_request_line(lang, request, own) for request in requests.waiting]
    decided = [_request_line(lang, request, own) for request in requests.decided]
    text = "\n".join(
        [
            MESSAGES.text("home.waiting", lang),
            *(waiting or [MESSAGES.text("home.none_waiting", lang)]),
            "",
            MESSAGES.text("home.decided", lang),
            *(decided or [MESSAGES.text("home.none_decided", lang)]),
        ]
    )
    return [
        DividerBlock(),
        HeaderBlock(text=title[:HEADER_LIMIT]),
        ContextBlock(elements=[MarkdownTextObject(text=about)]),
        *mrkdwn_sections(text),
    ]


def _request_line(lang: Lang, request: RequestSummary, own: bool) -> str:
    """What, who asked (unless it is the reader's own) and when; then what became of it."""
    what, at = mrkdwn(request.what, lang), slack_date(request.requested_at)
    if own:
        line = MESSAGES.text("home.own_request", lang, id=request.request_id, what=what, at=at)
    else:
        requester = slack_value(request.requester)
        line = MESSAGES.text(
            "home.request", lang, id=request.request_id, what=what, requester=requester, at=at
        )
    decided = slack_date(request.decided_at) if request.decided_at else ""
    match request.state:
        case RequestState.APPROVING:
            return f"{line} {MESSAGES.text('home.approving', lang)}"
        case RequestState.APPROVED:
            outcome = MESSAGES.text("home.approved", lang, at=decided, change_id=request.change_id)
            return f"{line}\n    {outcome}"
        case RequestState.REJECTED:
            reason = " ".join((request.reason or "").split())
            short = reason[:HOME_REASON_LIMIT] + ("…" if len(reason) > HOME_REASON_LIMIT else "")
            outcome = MESSAGES.text("home.rejected", lang, at=decided, reason=escape_mrkdwn(short))
            return f"{line}\n    {outcome}"
    return line
