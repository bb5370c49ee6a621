"""Imports the core's table modules, so `Base.metadata` knows their tables, and gathers the core's
tables that hold people's data.

The Slack adapter keeps its own tables (`bot.slack.stores`, with their own PERSONAL_DATA); the migrations
import both.
"""

from bot import feedback as feedback_models
from bot import teaching as teaching_models
from bot.customers import models as customer_models
from bot.flows import store as flow_models
from bot.routing import models as routing_models

# The core's tables holding people's data, for `mailbot privacy` and the daily prune (bot.privacy.registry).
PERSONAL_DATA = (
    *feedback_models.PERSONAL_DATA,
    *flow_models.PERSONAL_DATA,
    *routing_models.PERSONAL_DATA,
    *customer_models.PERSONAL_DATA,
    *teaching_models.PERSONAL_DATA,
)

__all__ = [
    "PERSONAL_DATA",
    "customer_models",
    "feedback_models",
    "flow_models",
    "routing_models",
    "teaching_models",
]
