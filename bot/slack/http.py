"""HTTP mode: one WSGI app for `mailbot serve --http` and for production servers (gunicorn).

    gunicorn 'bot.slack.http:create_wsgi_app()'

`POST /slack/events` takes every Slack request (events, commands, interactivity); `GET /health`
answers 200 when the database answers, else 503, so a load balancer can take an instance out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.answers import detect_language, topics
from bot.config import Settings, load_settings
from bot.db import make_engine, make_sessionmaker
from bot.slack.app import create_app
from bot.slack.request_log import RequestLog, configure_json_logging

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/health"
log = logging.getLogger(__name__)


def create_wsgi_app(settings: Settings | None = None) -> WSGIApplication:
    settings = settings or load_settings()
    # The articles, their index and the language model, before the first request (not in its threads).
    topics(settings.default_lang, settings)
    detect_language("", settings.default_lang)
    engine = make_engine(settings.database_url, for_acks=True)
    slack = SlackRequestHandler(create_app(settings, make_sessionmaker(engine)), path=SLACK_PATH)

    def health(start_response: StartResponse) -> Iterable[bytes]:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            log.exception("health check: database unreachable")
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"database unreachable\n"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok\n"]

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return health(start_response)
        try:
            return slack(environ, start_response)
        except ValueError:  # a body that is not Slack's JSON or form: Bolt parses it before verifying
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"bad request\n"]

    return RequestLog(wsgi)  # one JSON log line per request


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Slack retries unanswered requests: one slow request must not hold the rest
    request_queue_size = 128  # the default backlog of 5 resets connections under a burst of requests


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        log.debug("%s %s", self.address_string(), format % args)  # RequestLog writes the request's line


def serve_http(settings: Settings, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted, on all interfaces (a development or single-instance server)."""
    configure_json_logging()
    serve_wsgi(create_wsgi_app(settings), port, on_ready)


def serve_wsgi(app: WSGIApplication, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Any WSGI app on the threaded standard-library server `serve --http` uses (benchmarks share it)."""
    server = make_server("", port, app, _ThreadingWSGIServer, _QuietHandler)
    if on_ready:
        on_ready(f"http://localhost:{server.server_port}{SLACK_PATH}")
    server.serve_forever()
