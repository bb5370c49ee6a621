"""mailbot as users install it: a wheel in a fresh virtual environment, run outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_under_bot_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists the packages by hand (bot.knowledge is mapped from knowledge/): a new
    subpackage missing from that list would be missing from every installed mailbot."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "bot").rglob("__init__.py")}
    assert listed == on_disk | {"bot.knowledge"}


def test_wheel_installed_outside_the_checkout_answers_and_writes_postfix_tables(tmp_path: Path) -> None:
    # pip builds in the source tree (build/, *.egg-info): a copy keeps the checkout untouched, and no
    # stale build/lib of the checkout's can slip into the wheel.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "*.db"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            tmp_path / "dist",
            source,
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("mailbot-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        check=True,
        cwd=tmp_path,
    )
    # A working directory outside the checkout, and no PYTHONPATH pointing back into it.
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MAILBOT_KNOWLEDGE_DIR")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'mailbot.db'}"

    def mailbot(*args: str) -> str:
        done = subprocess.run(
            [bin_dir / "mailbot", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    answer = json.loads(mailbot("ask", "--json", "vad är ett alias?"))
    assert answer["article"] == "alias" and answer["lang"] == "sv"
    assert "kulexempel.se" in answer["text"]  # the article's template was rendered

    mailbot("demo")
    assert "anna@kulexempel.se" in mailbot("trace", "anna@kulexempel.se")

    mailbot("postfix-config", "--out", str(tmp_path / "postfix"))
    written = {path.name for path in (tmp_path / "postfix").iterdir()}
    assert {"virtual_alias_maps.cf", "virtual_mailbox_maps.cf", "main.cf.snippet"} <= written
    assert str(tmp_path / "mailbot.db") in (tmp_path / "postfix" / "virtual_alias_maps.cf").read_text()
