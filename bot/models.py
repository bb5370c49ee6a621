"""Imports every table module, so `Base.metadata` knows all tables (for migrations and tests)."""

from bot import feedback as feedback_models
from bot.flows import store as flow_models
from bot.routing import models as routing_models
from bot.slack import stores as slack_stores

__all__ = ["feedback_models", "flow_models", "routing_models", "slack_stores"]
