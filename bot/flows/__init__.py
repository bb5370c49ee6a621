"""Guided routing changes (no Slack here): parse a command, preview it, confirm, undo.

Adapters (the Slack listeners, the terminal chat) call `bot.flows.core.Flows` and render the
`Reply` it returns in the user's language; the pending change between preview and confirm lives
in the database, so any instance can take the click.
"""
