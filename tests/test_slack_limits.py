"""Slack's limits and preconditions, end to end against the fake: total block text per message,
the bot's membership before /subscribe, and bolt authorizing from start()'s auth.test."""

import datetime as dt

import pytest
from slack_sdk.errors import SlackApiError

from analysis.models import Digest, DigestItem, Score
from bot.shared.posting import post_digest
from bot.slack import render as slack_render
from bot.slack.render import MAX_BLOCKS, MAX_MESSAGE_TEXT, block_text_length
from tests.chat_harness import running
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import MAX_BLOCKS_TEXT, FakeSlack
from tests.helpers import day_papers
from tests.test_slack import CHANNEL, command, subscribe


def blocks_text(message: dict) -> int:
    total = 0
    for block in message["blocks"] or []:
        total += len((block.get("text") or {}).get("text", ""))
        total += sum(len(e.get("text", "")) for e in block.get("elements") or [])
    return total


def long_day(count: int = 60) -> Digest:
    """A day with many papers and long titles: its list outgrows one Slack message's text."""
    base = day_papers()
    items = []
    for n in range(count):
        paper = base[n % len(base)].model_copy(update={
            "arxiv_id": f"2601.{20000 + n}", "title": f"Paper {n}: " + "a long title about restoration " * 6})
        items.append(DigestItem(paper=paper, score=Score(arxiv_id=paper.arxiv_id, score=max(0, 99 - n))))
    return Digest(title="CV 论文日报", date=dt.date(2026, 1, 23), items=items, threshold=101, max_deep_dives=3)


async def test_the_fake_refuses_blocks_over_the_total_text_limit(env: dict, slack_env: dict,
                                                                 slack: FakeSlack) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    async with running(listen=False) as h:
        with pytest.raises(SlackApiError) as refused:
            await h.adapters["slack"].client.chat_postMessage(channel=CHANNEL, text="t", blocks=[section] * 5)
        fits = await h.adapters["slack"].client.chat_postMessage(channel=CHANNEL, text="t", blocks=[section] * 4)
    assert refused.value.response["error"] == "msg_blocks_too_long" and fits["ok"]


async def test_a_long_quick_view_fits_one_message_with_a_button_per_shown_line(env: dict, slack_env: dict,
                                                                               slack: FakeSlack) -> None:
    digest = long_day()  # 60 papers with long titles: ~21k characters of list
    async with running(listen=False) as h:
        outcome = await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
    quick = [m for m in slack.messages_in(CHANNEL) if m["thread_ts"] is None]
    assert "posted the digest" in outcome and len(quick) == 1  # not refused with msg_blocks_too_long
    assert blocks_text(quick[0]) <= MAX_BLOCKS_TEXT and quick[0]["blocks"][0]["type"] == "header"
    buttons = [e for b in quick[0]["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"].startswith("vote:")]
    listed = "\n".join(b["text"]["text"] for b in quick[0]["blocks"] if b["type"] == "section").splitlines()
    assert digest.items[0].paper.arxiv_id in listed[0] and 10 < len(listed) < len(digest.quick_items())
    assert len(buttons) == len(listed)  # a button for each line shown, none for a paper not shown
    contexts = " ".join(e["text"] for b in quick[0]["blocks"] if b["type"] == "context" for e in b["elements"])
    assert f"另扫描了 {len(digest.items) - len(listed)} 篇" in contexts


def test_a_300_paper_day_with_no_top_n_shows_what_fits_and_says_the_rest() -> None:
    digest = long_day(300)
    message = slack_render.quick_view(digest, {})
    blocks = message["blocks"]
    assert len(blocks) <= MAX_BLOCKS and sum(map(block_text_length, blocks)) <= MAX_MESSAGE_TEXT
    lines = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section").splitlines()
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"].startswith("vote:")]
    assert 0 < len(lines) == len(buttons) < 300 and buttons[-1]["action_id"] == f"vote:{len(lines) - 1}"
    assert any(f"另扫描了 {300 - len(lines)} 篇" in e["text"] for b in blocks if b["type"] == "context"
               for e in b["elements"])


async def test_a_long_deep_dive_stays_under_the_total_text_limit(llm_env: dict, slack_env: dict,
                                                                 slack: FakeSlack, llm: FakeLLM) -> None:
    llm.deep_dive_size = 30_000  # one deep dive of ~33k characters: three messages' worth
    async with running(listen=False) as h:
        digest = await h.digest()
        outcome = await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
    replies = [m for m in slack.messages_in(CHANNEL) if m["thread_ts"]]
    assert "posted the digest" in outcome and len(replies) > 2 * len(digest.selected())
    assert all(blocks_text(m) <= MAX_BLOCKS_TEXT for m in slack.messages_in(CHANNEL))


async def test_subscribe_where_the_bot_is_not_a_member_says_invite_first(env: dict, slack_env: dict,
                                                                         slack: FakeSlack) -> None:
    slack.add_channel(CHANNEL, "papers", is_member=False)
    async with running() as h:
        refused = (await command(h, slack, "subscribe", "08:30 UTC")).text
        assert "Invite the bot first" in refused and h.store.get_channel("slack", CHANNEL) is None
        slack.add_channel(CHANNEL, "papers", is_member=True)
        accepted = (await command(h, slack, "subscribe", "08:30 UTC")).text
        assert "Invite" not in accepted and h.store.get_channel("slack", CHANNEL) is not None
    assert len(slack.calls_to("conversations.info")) == 2


async def test_bolt_authorizes_from_the_start_up_auth_test(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        for value in ("70", "65", ""):
            assert (await command(h, slack, "threshold", value)).status_code == 200
    assert len(slack.calls_to("auth.test")) == 1  # start() only: no round trip inside a command's 3 s
