"""Imports every table module, so `Base.metadata` knows all tables (for migrations and tests)."""

from bot.routing import models as routing_models

__all__ = ["routing_models"]
