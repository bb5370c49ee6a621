"""gunicorn settings for HTTP mode in production (the Procfile's `web:` line):

    gunicorn -c python:bot.slack.gunicorn_config

Each worker builds its own app and database pool; what a later request needs (events seen,
installations, flows) is in the database, so any worker of any instance can take any request.
Schema migrations are a separate step (`mailbot db upgrade`, the Procfile's `release:`), so
instances starting together never race to migrate.
"""

import os

from bot.config import load_settings
from bot.logs import LOGGING
from bot.slack.after_ack import DRAIN_SECONDS

wsgi_app = "bot.slack.http:create_wsgi_app()"
bind = f"{os.environ.get('HOST') or '0.0.0.0'}:{os.environ.get('PORT') or '3000'}"
# Threads: a request waits for Bolt's ack while the listener works in the background.
worker_class = "gthread"
# SQLite takes one writer at a time: one process (with threads) keeps its writers in one queue;
# PostgreSQL takes several processes, and several instances (see docs/operations.md, "Production").
_ONE_PROCESS = load_settings().database_url.startswith("sqlite")
workers = int(os.environ.get("WEB_CONCURRENCY") or (1 if _ONE_PROCESS else 2))
threads = int(os.environ.get("MAILBOT_THREADS") or 8)
timeout = 30
# On a stop or restart (SIGTERM), requests in flight get this long (an ack takes milliseconds), and
# each worker process waits for its after-ack worker to finish the jobs it holds (DRAIN_SECONDS).
graceful_timeout = DRAIN_SECONDS + 5
# No access log: the request log (bot.slack.request_log) writes one JSON line per request.
accesslog = None
logconfig_dict = LOGGING  # JSON lines, as every other process of the app writes them
# No control socket (gunicornc). By default every instance on a host binds the same path
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a second instance takes it from the
# first, and the first to stop removes it. Instances are managed by their signals (SIGTERM drains,
# SIGHUP reloads, TTIN/TTOU change the workers), each through its own master's pid.
control_socket_disable = True
