"""The documentation stays true to the code: every setting the code reads is in the README's table and
in .env.example, and every link between the documents leads to a file and heading that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# get("NAME") / env.get("NAME") in bot/config.py, os.environ.get("NAME") / os.getenv("NAME") elsewhere (not
# a WSGI request's environ).
READS = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|\benv\.get|(?<![.\w])get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def variables_read_by_the_code() -> set[str]:
    found = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for match in READS.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found


def anchor(heading: str) -> str:
    """The fragment a Markdown renderer gives a heading (GitHub's rule: lowercase, punctuation dropped,
    spaces to hyphens)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_every_setting_the_code_reads_is_documented() -> None:
    variables = variables_read_by_the_code()
    assert {"DATABASE_URL", "SLACK_BOT_TOKEN", "MAILBOT_LANG", "PORT", "WEB_CONCURRENCY"} <= variables
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Slack setup")]
    example = (ROOT / ".env.example").read_text()
    for name in sorted(variables):
        assert f"`{name}`" in table, f"{name} is missing from the README's configuration table"
        assert re.search(rf"^{name}=", example, re.MULTILINE), f"{name} is missing from .env.example"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_links_lead_to_files_and_headings_that_exist(document: Path) -> None:
    for target in LINK.findall(document.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto: ...
        path_part, _, fragment = target.partition("#")
        linked = (document.parent / path_part).resolve() if path_part else document
        assert linked.exists(), f"{document.name} links to a missing {target}"
        if fragment:
            assert fragment in anchors(linked), f"{document.name} links to a missing heading {target}"
