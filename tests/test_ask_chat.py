"""`/ask` on Slack and Telegram, and the papers' thumbnails with their deep dives."""

import time
from pathlib import Path
from typing import Any

from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes.arxiv_pages import FakeArxivPages
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram, visible_text
from tests.helpers import day_papers, until
from tests.test_slack import CHANNEL, command
from tests.test_slack import subscribe as subscribe_slack
from tests.test_telegram import GROUP, message, replies_after
from tests.test_telegram import subscribe as subscribe_telegram

ASTRO = Path(__file__).parent / "fixtures" / "arxiv_html_latexml-0.8.7_astro-ml.html"


def every_paper_has_html(pages: FakeArxivPages) -> None:
    # one real LaTeXML page stands in for every paper of the day: what matters here is where answers go
    for paper in day_papers():
        pages.add_html(paper.arxiv_id, ASTRO)


async def test_slack_ask_answers_in_the_papers_thread_with_quotes(
        llm_env: dict, slack_env: dict, slack: FakeSlack, llm: FakeLLM, arxiv_pages: FakeArxivPages) -> None:
    every_paper_has_html(arxiv_pages)
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["slack"], h.store, subscribe_slack(h), digest)
        posted = slack.messages_in(CHANNEL)
        quick_ts = posted[0]["ts"]
        chosen = digest.selected()[0].paper
        started = time.monotonic()
        ack = await command(h, slack, "ask", f"{chosen.arxiv_id} Which classifier has the best F1 score?")
        assert ack.status_code == 200 and time.monotonic() - started < 3 and "Reading" in ack.text
        await until(lambda: len(slack.messages_in(CHANNEL)) > len(posted))
        bad = (await command(h, slack, "ask", "")).text
        not_id = (await command(h, slack, "ask", "1234 what is it?")).text  # said in the ack, nothing follows
        no_question = (await command(h, slack, "ask", chosen.arxiv_id)).text
        await until(lambda: not h.adapters["slack"].busy())  # the first /ask is done; the others started nothing
    answer = slack.messages_in(CHANNEL)[-1]
    assert answer["thread_ts"] == quick_ts  # the paper is in the day's digest: its thread
    text = "\n".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert "Which classifier has the best F1 score?" in text and chosen.arxiv_id in text
    assert "\n> _Decision Trees" in text  # the supporting quote
    assert any("HTML full text" in b["elements"][0]["text"] for b in answer["blocks"] if b["type"] == "context")
    assert "Usage: /ask" in bad
    assert "'1234' is not an arXiv id" in not_id and "Reading" not in not_id
    assert "Usage: /ask" in no_question and "Reading" not in no_question
    assert slack.responses_for("ask") == []
    # the day's deep dives show HF's thumbnail; a message without a dive shows none
    dives = [m for m in posted[1:]]
    pictures = [b for m in dives for b in m["blocks"] if b["type"] == "image"]
    assert [p["image_url"] for p in pictures] == [item.paper.thumbnail for item in digest.selected()]
    assert all(not any(b["type"] == "image" for b in m["blocks"]) for m in [posted[0], answer])


async def test_telegram_ask_as_a_reply_to_a_deep_dive_needs_no_id(
        llm_env: dict, telegram_env: dict, telegram: FakeTelegram, llm: FakeLLM,
        arxiv_pages: FakeArxivPages) -> None:
    every_paper_has_html(arxiv_pages)
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, subscribe_telegram(h), digest)
        sent = telegram.sent_to(GROUP)
        dive = next(m for m in sent[1:] if "photo" not in m)  # the first deep dive's text
        paper = digest.selected()[0].paper
        assert paper.arxiv_id in dive["text"]
        question = message("/ask Which classifier has the best F1 score?")
        question["message"]["reply_to_message"] = _as_update_message(dive)
        telegram.push_update(question)
        replies = await replies_after(telegram, len(sent))
        telegram.push_update(message("/ask"))
        usage = await replies_after(telegram, len(sent) + len(replies))
    answer = replies[0]
    assert answer["reply_to"] == question["message"]["message_id"]  # under the question, in the dive's thread
    assert paper.arxiv_id in answer["text"] and "<blockquote>" in answer["text"]
    assert "According to" in visible_text(answer["text"])
    assert "Usage: /ask" in usage[0]["text"]
    asked = llm.calls_for("paper_answer")
    assert len(asked) == 1 and f'<paper id="{paper.arxiv_id}">' in asked[0]["messages"][1]["content"]


def _as_update_message(record: dict[str, Any]) -> dict[str, Any]:
    """The bot's own message as it appears in `reply_to_message` of an update."""
    return {"message_id": record["message_id"], "date": record["date"],
            "chat": {"id": GROUP, "type": "supergroup", "title": "papers"},
            "from": {"id": 1, "is_bot": True, "first_name": "paperbot"}, "text": record["visible"]}


async def test_a_thumbnail_the_platform_cannot_fetch_costs_the_picture_not_the_dive(
        llm_env: dict, slack_env: dict, telegram_env: dict, slack: FakeSlack, telegram: FakeTelegram,
        llm: FakeLLM) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        first = digest.selected()[0]
        assert first.paper.thumbnail
        telegram.unreachable_photos.add(first.paper.thumbnail)
        slack.fail_next(200, {"ok": False, "error": "invalid_blocks"}, path="/chat.postMessage", after=1)
        await post_digest(h.adapters["slack"], h.store, subscribe_slack(h), digest)
        await post_digest(h.adapters["telegram"], h.store, subscribe_telegram(h), digest)
    dives = slack.messages_in(CHANNEL)[1:]
    assert len(dives) == len(digest.selected())
    assert not any(b["type"] == "image" for b in dives[0]["blocks"])  # refused with it, posted without it
    assert any(b["type"] == "image" for b in dives[1]["blocks"])
    sent = telegram.sent_to(GROUP)[1:]
    assert "photo" not in sent[0] and first.paper.arxiv_id in sent[0]["text"]
    assert len([m for m in sent if "photo" in m]) == len(digest.selected()) - 1
