"""Reading a mailbox import file: CSV whose first line names the columns `address` and (optionally) `name`.

Strict, so that a mistake in the file is never imported silently: every record has exactly as many
fields as the header, every quote is closed, no column is unknown or named twice. Blank lines are
skipped. Line numbers are the file's own lines, counted from 1 (the header), as an editor shows them;
a record with a quoted line break is numbered by its first line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.i18n import Text
from bot.routing.messages import MESSAGES

COLUMNS = ("address", "name")


@dataclass(frozen=True)
class MailboxLine:
    """One mailbox to import, and the line of the file it is on."""

    line: int
    address: str
    name: str = ""


class CsvProblem(ValueError):
    """The file is not a mailbox CSV as described above; `text` says where and why in sv/en."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.render("en"))
        self.text = text


def _problem(line: int, detail: Text) -> CsvProblem:
    return CsvProblem(MESSAGES("import_line", line=line, detail=detail))


def read_mailbox_csv(data: bytes) -> list[MailboxLine]:
    """The mailboxes of a CSV file's content (UTF-8, with or without a byte order mark); raises CsvProblem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _problem(data[: error.start].count(b"\n") + 1, MESSAGES("import_not_utf8")) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    last_line = 0
    try:
        for record in reader:
            if record:  # a blank line
                records.append((last_line + 1, record))
            last_line = reader.line_num
    except csv.Error as error:
        # Python's csv module words an unclosed quote as running out of data at the end of the file.
        unclosed = "unexpected end of data" in str(error)
        detail = MESSAGES("import_unclosed_quote") if unclosed else MESSAGES("import_bad_csv", reason=error)
        raise _problem(last_line + 1, detail) from None
    if not records:
        raise CsvProblem(MESSAGES("import_no_address_column"))
    header_line, header = records[0]
    columns = [name.strip().lower() for name in header]
    if "address" not in columns:
        raise CsvProblem(MESSAGES("import_no_address_column"))
    for name in columns:
        if name not in COLUMNS:
            raise _problem(
                header_line, MESSAGES("import_unknown_column", column=name, known=", ".join(COLUMNS))
            )
        if columns.count(name) > 1:
            raise _problem(header_line, MESSAGES("import_column_twice", column=name))
    mailboxes = []
    for line, record in records[1:]:
        if len(record) != len(columns):
            detail = MESSAGES("import_field_count", count=len(record), expected=len(columns))
            raise _problem(line, detail)
        fields = dict(zip(columns, record, strict=True))
        mailboxes.append(MailboxLine(line, fields["address"], fields.get("name", "")))
    return mailboxes
