"""App Home, as each person sees it: how to ask; for agents the feedback per article, the questions to
teach the bot and the latest changes with Undo; for a customer's admin their customer's requests, for
the customer's other people their own.

Published when someone opens it (`bot.slack.jobs`), after an agent's Undo or teaching there, and for a
customer's admins and the requester whenever a request is made or decided (`bot.slack.request_jobs`).
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.answers import topics
from bot.config import Lang
from bot.feedback import report
from bot.flows.core import Person
from bot.slack.blocks import home_view
from bot.slack.deliveries import home
from bot.slack.flow_blocks import changes_blocks
from bot.slack.job_queue import Delivery
from bot.slack.request_blocks import customer_requests_blocks
from bot.slack.runtime import Runtime
from bot.slack.teaching_blocks import teach_queue_blocks
from bot.teaching import questions_to_teach

QUESTIONS_TO_TEACH = 8  # App Home holds 100 blocks; each question takes 3


def titles(runtime: Runtime, lang: Lang) -> dict[str, str]:
    """The articles' titles in `lang`, by topic id."""
    return {ref.topic_id: ref.title for ref in topics(lang, runtime.settings)}


def home_tab(runtime: Runtime, who: Person, lang: Lang, notice: str | None = None) -> View:
    """The App Home `who` sees, in `lang`; `notice` (mrkdwn) says what their last click there did."""
    article_titles = titles(runtime, lang)
    if who.role is None:
        view = home_view(lang, None, article_titles)
        requests = runtime.approvals.of_customer(who)
        if requests is not None:
            view.blocks = [*view.blocks, *customer_requests_blocks(lang, requests)]
        return view
    with runtime.sessions() as session:
        feedback = report(session)
        to_teach = questions_to_teach(session, QUESTIONS_TO_TEACH)
    view = home_view(lang, feedback, article_titles)
    teaching = teach_queue_blocks(lang, to_teach, article_titles)
    view.blocks = [*view.blocks, *teaching, *changes_blocks(lang, runtime.flows.latest_changes(), notice)]
    return view


def request_watchers_homes(
    runtime: Runtime, client: WebClient, customer_id: int, requester: str, workspace: str | None
) -> list[Delivery]:
    """App Home published again for each of the customer's admins and for the requester, each in their
    own language (a request was made or decided); `workspace` is where the request came in. Best
    effort: someone Slack will not publish for (of another organisation, say) is only logged."""
    deliveries = []
    for user_id in runtime.approvals.watchers(customer_id, requester):
        watcher = runtime.person(client, user_id, None, workspace)
        view = home_tab(runtime, watcher, runtime.lang(client, user_id))
        deliveries.append(home(user_id, view, best_effort=True))
    return deliveries
