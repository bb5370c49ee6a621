"""The app's listeners, one module per kind of request; `register` adds them all to a Bolt app.

A listener queues its request's job (`bot.slack.after_ack.queued`) and acks. The app runs listeners
before it answers Slack (`process_before_response`), so the job is in the database before Slack
hears the ack, however the listener's lines are ordered.

Handlers are module-level functions whose first arguments (the `Runtime`, the after-ack worker) are
bound with `functools.partial`; Bolt passes the rest by name (`ack`, `body`, `context` ...), so a test
can reach each one through `app.dispatch` with a signed request.
"""

from slack_bolt import App

from bot.slack.after_ack import AfterAck
from bot.slack.listeners import actions, commands, events, flows, requests, teaching, views
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime, work: AfterAck) -> None:
    events.register(app, work, runtime.settings.uses_oauth)
    commands.register(app, work)
    actions.register(app, work)
    views.register(app, work)
    flows.register(app, runtime, work)
    requests.register(app, runtime, work)
    teaching.register(app, work)
    events.register_last(app)
