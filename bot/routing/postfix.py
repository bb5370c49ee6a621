"""Postfix lookup tables that read the routing database directly.

Postfix asks three questions (docs/routing.md, "How Postfix reads the tables"): is this domain
ours (virtual_mailbox_domains), is this a mailbox and where is its Maildir (virtual_mailbox_maps),
and what does this address expand to (virtual_alias_maps). Each is one indexed query on our
tables; Postfix casefolds the key and escapes quotes in `%s` itself.

With smtputf8_enable = yes a key may name an IDN by its U-label (`kontakt@exämpel.se`): Postfix
does not turn it into the A-label we store, so each table also keeps the U-label form of its
addresses (`domains.unicode_name`, `mailboxes.address_unicode`, `routes.source_unicode`) and each
query asks for the key in both columns; mail to either form goes where `trace` says.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import suppress
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.i18n import Text
from bot.routing.messages import MESSAGES

MAPS = ("virtual_mailbox_domains", "virtual_mailbox_maps", "virtual_alias_maps")


def queries(kind: str) -> dict[str, str]:
    """Map name -> the query answering it, for Postfix's `sqlite` or `pgsql` table type.

    Postfix prepares the statement anew for every key, so it is kept short: two index probes in a
    UNION ALL (measured cheaper than `OR`, and than the join to `domains` this replaced: bench/README.md).
    A key never matches both columns (an A-label address is ASCII, a U-label one is not).
    """
    u_label_key = "'%s'"
    if kind == "pgsql":
        # Postfix 3.7 speaks LATIN1 to PostgreSQL (`encoding = LATIN1` keeps later versions so), so
        # the UTF-8 bytes of a U-label arrive as LATIN1 text: turn them back into the U-label. The
        # result takes the collation of its `name` argument ("C"), and an index of the column
        # (default collation) answers only a comparison in its own collation: without COLLATE,
        # PostgreSQL reads the whole table for every key.
        u_label_key = f"convert_from(convert_to({u_label_key}, 'LATIN1'), 'UTF8') COLLATE \"default\""

    def either(answer: str, table: str, column: str, u_label_column: str) -> str:
        return (
            f"SELECT {answer} FROM {table} WHERE {column} = '%s' "
            f"UNION ALL SELECT {answer} FROM {table} WHERE {u_label_column} = {u_label_key}"
        )

    return {
        "virtual_mailbox_domains": either("name", "domains", "name", "unicode_name"),
        "virtual_mailbox_maps": either("maildir", "mailboxes", "address", "address_unicode"),
        "virtual_alias_maps": either("destination", "routes", "source", "source_unicode"),
    }


class UnsupportedDatabase(ValueError):
    """A DATABASE_URL Postfix cannot read; `text` says why in sv/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def map_type(database_url: str) -> str:
    """Postfix's name for the table type that reads this database."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend == "postgresql":
        return "pgsql"
    raise UnsupportedDatabase(MESSAGES("postfix.unsupported", backend=backend))


def connection_lines(database_url: str) -> list[str]:
    """The connection part of a Postfix sqlite_table(5) / pgsql_table(5) file."""
    url = make_url(database_url)
    if map_type(database_url) == "sqlite":
        if not url.database or url.database == ":memory:":
            raise UnsupportedDatabase(MESSAGES("postfix.in_memory"))
        return [f"dbpath = {Path(url.database).resolve()}"]
    host = url.host or "localhost"
    if url.query.get("host"):  # a Unix socket directory, as libpq takes it
        host = f"unix:{url.query['host']}"
    elif url.port:
        host = f"{host}:{url.port}"
    lines = [f"hosts = {host}", f"dbname = {url.database}", "encoding = LATIN1"]
    if url.username:
        lines.append(f"user = {url.username}")
    if url.password:
        lines.append(f"password = {url.password}")
    return lines


def map_files(database_url: str) -> dict[str, str]:
    """File name -> content of the three `.cf` lookup tables."""
    connection = "\n".join(connection_lines(database_url))
    header = "# Written by `mailbot postfix-config`; Postfix reads mailbot's routing tables live.\n"
    answers = queries(map_type(database_url))
    return {f"{name}.cf": f"{header}{connection}\nquery = {query}\n" for name, query in answers.items()}


def main_cf_snippet(
    database_url: str, directory: Path, mailbox_base: str = "/var/mail/vhosts", proxy: bool = True
) -> str:
    """The main.cf lines that make Postfix use the tables in `directory`: through proxymap, or
    (`proxy=False`) opened by each daemon itself, which is faster but needs daemons not chrooted."""
    kind = map_type(database_url)
    directory = directory.resolve()
    how = (
        "# proxy: lets one proxymap process hold the database open for all Postfix daemons."
        if proxy
        else "# Without proxy: smtpd, cleanup and trivial-rewrite (unchrooted) open the database themselves."
    )
    table = f"proxy:{kind}" if proxy else kind
    lines = [
        '# mailbot routing: add to main.cf (see docs/operations.md, "Pointing Postfix at mailbot").',
        how,
        *(f"{name} = {table}:{directory / name}.cf" for name in MAPS),
        "# Our domains are virtual mailbox domains only; not also alias domains or mydestination.",
        "virtual_alias_domains =",
        "# anna+news@ reaches anna@ (the extension carried over to what anna@ expands to); mailbot's",
        "# rules and trace count on exactly this delimiter (Debian's main.cf sets it too).",
        "recipient_delimiter = +",
        "propagate_unmatched_extensions = canonical, virtual",
        "# Mail may name an IDN by its U-label (kontakt@exämpel.se); the tables answer for both forms.",
        "smtputf8_enable = yes",
        "virtual_transport = virtual",
        f"virtual_mailbox_base = {mailbox_base}",
        "# The owner of every Maildir (one system user for all virtual mailboxes).",
        "virtual_uid_maps = static:5000",
        "virtual_gid_maps = static:5000",
    ]
    return "\n".join(lines) + "\n"


class ConfigClash(Exception):
    """Files in the folder with other content than `write_config` would write (replaced only when asked)."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(", ".join(str(path) for path in paths))
        self.paths = paths


def write_config(
    database_url: str,
    directory: Path,
    mailbox_base: str = "/var/mail/vhosts",
    replace: bool = False,
    proxy: bool = True,
) -> list[Path]:
    """Write the three tables and `main.cf.snippet` into `directory`; return the paths whose content
    changed (none when the folder is up to date).

    All files or none: a new folder is filled under a temporary name and renamed into place; in a
    folder that exists, each file is written beside its place and renamed over it, and if one rename
    fails the files already renamed get their old content back. A file that is there with other
    content raises ConfigClash (nothing written) unless `replace`.
    """
    files = map_files(database_url)
    files["main.cf.snippet"] = main_cf_snippet(database_url, directory, mailbox_base, proxy)
    wanted = {directory / name: content for name, content in files.items()}
    changed = {path: content for path, content in wanted.items() if _content_of(path) != content}
    clashes = sorted(path for path in changed if path.exists() or path.is_symlink())
    if clashes and not replace:
        raise ConfigClash(clashes)
    # Only root and Postfix's own group may read a password (docs/operations.md says so too).
    mode = 0o640 if make_url(database_url).password else 0o644
    if not changed:
        return []
    if directory.exists() or directory.is_symlink():
        _replace_files(directory, changed, mode)
    else:
        _create_folder(directory, changed, mode)
    return sorted(changed)


def _content_of(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):  # absent, a folder, unreadable: not what we would write
        return None


def _write_file(path: Path, content: str, mode: int) -> None:
    with path.open("x") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    path.chmod(mode)
    if mode == 0o640:
        with suppress(LookupError, PermissionError):
            shutil.chown(path, group="postfix")


def _create_folder(directory: Path, files: dict[Path, str], mode: int) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        staging.chmod(0o755)
        for path, content in files.items():
            _write_file(staging / path.name, content, mode)
        staging.rename(directory)  # fails, writing nothing, if the folder appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace_files(directory: Path, files: dict[Path, str], mode: int) -> None:
    token = uuid.uuid4().hex[:8]
    staged = {path: directory / f".{path.name}.{token}.new" for path in files}
    kept = {path: directory / f".{path.name}.{token}.old" for path in files}
    renamed: list[Path] = []
    try:
        for path, content in files.items():
            _write_file(staged[path], content, mode)
        for path in sorted(files):
            if path.is_file():
                os.link(path, kept[path])  # the old content, to put back if a later rename fails
            staged[path].replace(path)
            renamed.append(path)
    except BaseException:
        for path in renamed:
            if kept[path].exists():
                kept[path].replace(path)
            else:
                path.unlink()
        raise
    finally:
        for leftover in (*staged.values(), *kept.values()):
            with suppress(FileNotFoundError):
                leftover.unlink()
