"""Bolt listeners, one module per kind of request (events, commands, actions, views)."""
