"""Imports the core's table modules, so `Base.metadata` knows their tables.

The Slack adapter keeps its own tables (`bot.slack.stores`); the migrations import both.
"""

from bot import feedback as feedback_models
from bot import teaching as teaching_models
from bot.flows import store as flow_models
from bot.routing import models as routing_models

__all__ = ["feedback_models", "flow_models", "routing_models", "teaching_models"]
