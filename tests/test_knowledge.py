"""The knowledge base: every article renders in both languages, they agree, outside values are inert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.answers import render_topic, topics
from bot.answers.knowledge import TOPIC_IDS, KnowledgeError, load_knowledge
from bot.config import DEFAULT_KNOWLEDGE_DIR, LANGS, Lang, Settings

EXPECTED_FLOWS = {
    "alias": "alias.add",
    "manage-aliases": "alias.add",
    "forwarding": "forward.set",
    "manage-forwarding": "forward.set",
    "external-forwarding": "forward.set",
    "distribution-group": "group.create",
    "manage-groups": "group.create",
}
HOSTILE = ["<!channel>", "{{ 7*7 }}", "{% raw %}", "a & b <https://evil.example|click>"]


def front_matter(lang: str, topic_id: str) -> dict:
    source = (DEFAULT_KNOWLEDGE_DIR / lang / f"{topic_id}.md.j2").read_text(encoding="utf-8")
    return yaml.safe_load(source.split("---\n")[1])


def test_every_topic_has_an_article_in_both_languages_and_nothing_else() -> None:
    for lang in LANGS:
        files = sorted(p.name for p in (DEFAULT_KNOWLEDGE_DIR / lang).glob("*.md.j2"))
        assert files == sorted(f"{topic}.md.j2" for topic in TOPIC_IDS)


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_both_languages_share_keys_related_topics_and_flow(topic_id: str) -> None:
    sv, en = front_matter("sv", topic_id), front_matter("en", topic_id)
    assert sorted(sv) == sorted(en)
    assert sv["related"] == en["related"]
    assert sv.get("flow") == en.get("flow") == EXPECTED_FLOWS.get(topic_id)
    assert len(sv["questions"]) >= 4 and len(en["questions"]) >= 4
    assert sv["title"] != en["title"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_every_article_renders_with_the_customers_values(topic_id: str, lang: Lang) -> None:
    settings = Settings(provider_name="Acme Mejl", support_contact="hjalp@acme.example")
    answer = render_topic(topic_id, lang, settings, context={"domain": "acme.example", "name": "Bo"})
    assert answer.topic_id == topic_id and answer.lang == lang
    assert answer.title == front_matter(lang, topic_id)["title"]
    assert 80 < len(answer.text) < 1500, "a Slack-sized answer"
    assert "{{" not in answer.text and "{%" not in answer.text
    assert "acme.example" in answer.text or "Acme Mejl" in answer.text or "hjalp@acme.example" in answer.text
    assert "kulexempel" not in answer.text, "the customer's values replace the examples"
    assert [ref.topic_id for ref in answer.related] == front_matter(lang, topic_id)["related"]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("topic_id", ["alias", "manage-groups", "external-forwarding"])
def test_outside_values_are_escaped_and_never_evaluated(topic_id: str, hostile: str) -> None:
    settings = Settings(provider_name=hostile, support_contact=hostile)
    for lang in LANGS:
        text = render_topic(topic_id, lang, settings, context={"domain": hostile, "mailbox": hostile}).text
        escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in text
        assert "<!channel>" not in text and "<https://evil" not in text
        assert "49" not in text


def test_the_customer_mailbox_is_completed_with_their_domain() -> None:
    text = render_topic("alias", "en", Settings(), context={"domain": "acme.example", "mailbox": "bo"}).text
    assert "`bo@acme.example`" in text and "`support@acme.example`" in text


def test_topics_lists_every_topic_with_its_title_in_the_language() -> None:
    sv, en = topics("sv"), topics("en")
    assert [t.topic_id for t in sv] == [t.topic_id for t in en] == list(TOPIC_IDS)
    assert sv[0].title == "Vad är ett alias?" and en[0].title == "What is an alias?"


def copy_knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


def test_a_missing_article_is_reported_with_its_topic(tmp_path: Path) -> None:
    knowledge = copy_knowledge(tmp_path)
    (knowledge / "en" / "connected-accounts.md.j2").unlink()
    with pytest.raises(KnowledgeError, match="connected-accounts"):
        load_knowledge(knowledge)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("related: [", "related: [no-such-topic, ", "unknown topics"),
        ("flow: alias.add", "flow: alias.explode", "'flow' must be one of"),
        ("title:", "titel: x\ntitle:", "unknown front matter keys"),
        ("An *alias*", "An {{ alias", "body line"),
    ],
)
def test_a_malformed_article_is_reported_with_its_file(
    tmp_path: Path, replace: str, by: str, message: str
) -> None:
    knowledge = copy_knowledge(tmp_path)
    path = knowledge / "en" / "alias.md.j2"
    path.write_text(path.read_text(encoding="utf-8").replace(replace, by, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message) as error:
        load_knowledge(knowledge)
    assert "alias.md.j2" in str(error.value)
