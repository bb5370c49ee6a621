"""Imports every table module, so `Base.metadata` knows all tables (for migrations and tests), and
gathers the tables that hold people's data."""

from bot import feedback as feedback_models
from bot.flows import store as flow_models
from bot.routing import models as routing_models
from bot.slack import stores as slack_stores

# Every table holding people's data, for `mailbot privacy` and the daily prune (bot.privacy.registry).
PERSONAL_DATA = (
    *feedback_models.PERSONAL_DATA,
    *flow_models.PERSONAL_DATA,
    *routing_models.PERSONAL_DATA,
    *slack_stores.PERSONAL_DATA,
)

__all__ = ["PERSONAL_DATA", "feedback_models", "flow_models", "routing_models", "slack_stores"]
