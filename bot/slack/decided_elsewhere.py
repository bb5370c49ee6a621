"""A request decided outside Slack (`mailbot request approve|reject`), to be shown in Slack as an
agent's click there shows it: the post in the support channel updated, the requester told in their
language, the customer admins' App Home published again (`bot.slack.request_jobs`).

The terminal queues the job (`DecidedElsewhere`, the `announce` of `bot.flows.approvals.Approvals`) in
the job queue the instances share, in the decision's own transaction (an outbox: killed at any point,
the command leaves the decision and its job both written or neither), with the decision as JSON and
the workspace the request came in (for that workspace's bot token); the running
app's worker, of any instance, does it like any job: its replies recorded before they are sent and
each one as it is sent, so a retry sends nothing twice. With no app running the job waits for the
next start (for a day: `job_queue.RETENTION`). Kept apart from the work itself so that the command
line, which queues it, does not load the Slack rendering.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.flows.approvals import RequestStatus
from bot.slack.job_queue import Job, JobQueue

DECIDED_ELSEWHERE = "decided_elsewhere"


def decided_elsewhere_job(status: RequestStatus) -> Job | None:
    """The job that shows in Slack what became of a request decided outside it (the terminal); None
    for a request that never was in Slack (the terminal chat's), or when there is nothing to show (an
    Approve that made nothing, of a request not posted)."""
    if status.origin is None or (status.told is None and status.posted is None):
        return None
    # It names the requester, whose data it holds until it is done (erasure and export find it).
    details = {"team": status.origin, "status": status.to_json()}
    return Job(DECIDED_ELSEWHERE, details, user_id=status.requester.user_id)


class DecidedElsewhere:
    """Queues a decision's job in the decision's transaction (`Approvals(announce=...)`); `queued`
    says whether it did (a request that never was in Slack gets none)."""

    def __init__(self, engine: Engine) -> None:
        self.queue = JobQueue(engine)
        self.queued = False

    def __call__(self, session: Session, status: RequestStatus) -> None:
        job = decided_elsewhere_job(status)
        if job is not None:
            self.queue.enqueue_in(session.connection(), job)
            self.queued = True
