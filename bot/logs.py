"""One logging setup for every process of the app: JSON lines on stderr.

`mailbot serve` (HTTP and Socket Mode), the after-ack worker it spawns and gunicorn (its
`logconfig_dict`) all use `LOGGING`, so one log pipeline reads every line the same way.
"""

from __future__ import annotations

import json
import logging
import logging.config
from typing import Any


class JsonLines(logging.Formatter):
    """A log record as one JSON object: the message, plus the fields passed as `extra={"fields": ...}`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonLines}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        # gunicorn's own loggers go to the root's handler (its access log is replaced by the request log).
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        "alembic": {"level": "WARNING"},
    },
}


def configure_logging() -> None:
    logging.config.dictConfig(LOGGING)
