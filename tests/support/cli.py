"""Running `mailbot` as a user does: in this process through Click's runner, or as its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from bot.cli import main

CHECKOUT = Path(__file__).resolve().parents[2]


class Mailbot:
    """`mailbot` in this process (Click's runner) against one database, messages in English."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.runner = CliRunner()
        self.env = {"DATABASE_URL": database_url, "MAILBOT_LANG": "en", **env}

    def __call__(self, *args: str, exit_code: int = 0) -> Result:
        result = self.runner.invoke(main, list(args), env=self.env)
        assert result.exit_code == exit_code, (result.output, result.exception)
        # Every ending is one Click chose (a message and a status), never an uncaught exception.
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    def json(self, *args: str, exit_code: int = 0) -> Any:
        return json.loads(self(*args, "--json", exit_code=exit_code).stdout)


def run_mailbot(
    args: Sequence[str], database_url: str, prefix: Sequence[str] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    """`mailbot ARGS` as its own process (`prefix` runs it under another program, e.g. setpriv)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=_environment(database_url, env),
        cwd=CHECKOUT,
        check=False,
        timeout=120,
    )


def start_mailbot(args: Sequence[str], database_url: str, **env: str) -> subprocess.Popen[str]:
    """`mailbot ARGS` started as its own process, for the test to signal while it runs."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(database_url, env),
        cwd=CHECKOUT,
    )


def _environment(database_url: str, env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "MAILBOT_LANG": "en", **env}
