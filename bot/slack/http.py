"""HTTP mode: one WSGI app for `mailbot serve --http` and for production servers (gunicorn).

    gunicorn 'bot.slack.http:create_wsgi_app()'

`POST /slack/events` takes every Slack request (events, commands, interactivity); `GET /health`
answers 200 when the database answers, else 503, so a load balancer can take an instance out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.answers import detect_language, topics
from bot.config import Settings, load_settings
from bot.db import make_engine, make_sessionmaker
from bot.slack.app import create_app
from bot.slack.request_log import describe, log_request, outcome_of

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/health"
# Slack's biggest requests (a click in a 50-block message, a Home tab view, a 40,000-character message)
# are a few hundred kilobytes; a body must be read whole before its signature can be checked.
MAX_BODY_BYTES = 2_000_000
log = logging.getLogger(__name__)


def create_wsgi_app(settings: Settings | None = None) -> WSGIApplication:
    settings = settings or load_settings()
    # The articles, their index and the language model, before the first request (not in its threads).
    topics(settings.default_lang, settings)
    detect_language("", settings.default_lang)
    engine = make_engine(settings.database_url, for_acks=True)
    slack = _SlackRequestHandler(create_app(settings, make_sessionmaker(engine)), path=SLACK_PATH)

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
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == SLACK_PATH and method == "POST":
            refused = {"method": method, "path": path, **describe({}), "outcome": "refused"}
            if _content_length(environ) > MAX_BODY_BYTES:  # not read at all
                log_request({**refused, "status": 413})
                start_response("413 Content Too Large", [("Content-Type", "text/plain")])
                return [b"too large\n"]
            try:
                return slack(environ, start_response)  # Bolt dispatches it: LoggedApp writes its line
            except ValueError:  # a body that is not Slack's JSON or form: Bolt parses it before verifying
                log_request({**refused, "status": 400})
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [b"bad request\n"]
        # Everything else (health checks, the OAuth pages, unknown paths) gets a line of its own here.
        started = time.perf_counter()
        status = [500]

        def remember(status_line: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status[0] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, *args)

        try:
            if path == HEALTH_PATH and method in ("GET", "HEAD"):
                return health(remember)
            return slack(environ, remember)
        finally:
            fields = {"method": method, "path": path, **describe({}), "status": status[0]}
            milliseconds = round((time.perf_counter() - started) * 1000, 1)
            log_request({**fields, "outcome": outcome_of(status[0]), "ms": milliseconds})

    return wsgi


def _content_length(environ: WSGIEnvironment) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def bolt_request(body: str, query: str | None = None, headers: dict[str, Any] | None = None) -> BoltRequest:
    """Bolt's request for an HTTP POST, with a slash command's form read right: Bolt takes any form
    whose text holds the letters "payload" (a question about payloads, a user named upayload) for an
    interaction, finds no `payload` field and reads nothing, so the command went unanswered (404).
    ValueError for a body that is not Slack's (JSON that is no object: Bolt failed on it with a
    traceback, before the signature was checked)."""
    try:
        request = BoltRequest(body=body, query=query, headers=headers)
    except (AttributeError, TypeError) as error:
        raise ValueError("not a Slack request body") from error
    if request.body or request.content_type != "application/x-www-form-urlencoded":
        return request
    form = dict(parse_qsl(body, keep_blank_values=True))
    if not form or "payload" in form:
        return request
    # Built from the form (Bolt takes a dict only in Socket Mode), then made the HTTP request it is,
    # so its signature is checked against the raw body.
    read = BoltRequest(body=form, query=query, headers=headers, mode="socket_mode")
    read.mode, read.raw_body = "http", body
    return read


class _SlackRequestHandler(SlackRequestHandler):
    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(
            bolt_request(request.get_body(), request.query_string, request.get_headers())
        )


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Slack retries unanswered requests: one slow request must not hold the rest
    request_queue_size = 128  # the default backlog of 5 resets connections under a burst of requests


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        log.debug("%s %s", self.address_string(), format % args)  # the request log has the request's line


def serve_http(settings: Settings, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted, on all interfaces (a development or single-instance server)."""
    serve_wsgi(create_wsgi_app(settings), port, on_ready)


def serve_wsgi(app: WSGIApplication, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Any WSGI app on the threaded standard-library server `serve --http` uses (benchmarks share it)."""
    server = make_server("", port, app, _ThreadingWSGIServer, _QuietHandler)
    if on_ready:
        on_ready(f"http://localhost:{server.server_port}{SLACK_PATH}")
    server.serve_forever()
