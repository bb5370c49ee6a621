"""Personal data through the running Slack app (`mailbot serve --http`, signed requests), on SQLite
and PostgreSQL: it prunes by itself when it starts, a DM's question and a 👎 comment are stored
masked while the answer comes as usual, and `mailbot privacy erase` then leaves nothing of the person."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.db import utcnow
from bot.feedback import AnsweredQuestion, FeedbackVote, record_answer
from bot.privacy.masking import EMAIL_MASK, PERSONAL_ID_MASK, PHONE_MASK
from tests.support.personal_data import PERSON, SECRET, all_rows, texts_in
from tests.support.slack_fixtures import SlackAppProcess, find_element
from tests.support.slack_standin import SlackStandIn
from tests.test_feedback import ALIAS_ANSWER
from tests.test_privacy import wait_for
from tests.test_slack import dm, section_text


def test_the_app_prunes_at_start_stores_masked_text_and_erasure_leaves_nothing(
    database_url: str,
    engine: Engine,
    session_factory: sessionmaker,
    slack_standin: SlackStandIn,
    tmp_path: Path,
) -> None:
    with session_factory() as session:  # asked 181 days ago, before the app started
        old = record_answer(session, "gammal fråga", ALIAS_ANSWER, user_id="U07OLDASKER", channel_id="D0")
        session.execute(
            update(AnsweredQuestion)
            .where(AnsweredQuestion.id == old)
            .values(asked_at=utcnow() - timedelta(days=181))
        )
        session.commit()
    slack_standin.reset()
    app = SlackAppProcess(
        database_url, slack_standin, {"MAILBOT_PSEUDONYM_SECRET": SECRET}, tmp_path / "app.log"
    )
    try:

        def old_is_anonymised() -> bool:
            with session_factory() as session:
                row = session.get(AnsweredQuestion, old)
                return row is not None and (row.question, row.user_id, row.channel_id) == ("", None, None)

        wait_for(old_is_anonymised)

        question = "hur lägger jag till ett alias? ring 070-123 45 67, anna@kulexempel.se, pnr 811218-9876"
        assert app.event(dm(question, user=PERSON, channel="D07PERSON")).status == 200
        [reply] = slack_standin.wait_for(
            "chat.postMessage", lambda call: call.args.get("channel") == "D07PERSON"
        )
        assert "alias" in section_text(reply.args["blocks"]).lower()  # answered as usual
        negative = find_element(reply.args["blocks"], "answer_feedback")["negative_button"]["value"]
        assert (
            app.click(reply.args["blocks"], "answer_feedback", value=negative, user_id=PERSON).status == 200
        )
        [opened] = slack_standin.wait_for("views.open")
        values = {
            "comment": {"comment_input": {"type": "plain_text_input", "value": "Svara på +46 8 123 456 78"}}
        }
        assert app.submit_view(opened.args["view"], values, user_id=PERSON).status == 200

        def comment_stored() -> bool:
            with session_factory() as session:
                return (
                    session.scalar(select(FeedbackVote.comment).where(FeedbackVote.user_id == PERSON))
                    is not None
                )

        wait_for(comment_stored)
        with session_factory() as session:
            stored = session.scalar(
                select(AnsweredQuestion.question).where(AnsweredQuestion.user_id == PERSON)
            )
            comment = session.scalar(select(FeedbackVote.comment).where(FeedbackVote.user_id == PERSON))
        assert stored == (
            f"hur lägger jag till ett alias? ring {PHONE_MASK}, {EMAIL_MASK}, pnr {PERSONAL_ID_MASK}"
        )
        assert comment == f"Svara på {PHONE_MASK}"

        env = {"DATABASE_URL": database_url, "MAILBOT_PSEUDONYM_SECRET": SECRET, "MAILBOT_LANG": "en"}
        erased = CliRunner().invoke(main, ["privacy", "erase", "--slack-user", PERSON], env=env)
        assert erased.exit_code == 0, erased.output
        assert "language_setting: deleted 1 row" in erased.output  # the locale the app asked Slack for
        traces = [
            (table, column)
            for table, column, value in texts_in(all_rows(engine))
            if PERSON in value or stored in value or comment in value
        ]
        assert traces == []
    finally:
        app.stop()
