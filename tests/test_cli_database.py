"""`mailbot db upgrade` migrates the configured database, or says in the user's language why it cannot."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from bot.cli import main


def test_db_upgrade_creates_the_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": url, "MAILBOT_LANG": "sv"})
    assert (result.exit_code, result.output.strip()) == (0, "databasen är uppdaterad")
    assert {"routes", "mailboxes", "audit_log"} <= set(inspect(create_engine(url)).get_table_names())


def test_a_malformed_database_url_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["db", "upgrade", "--lang", "en"], env={"DATABASE_URL": "nonsense://"})
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output and "Traceback" not in result.output
