"""The Feishu cards: Slack's content in Feishu's markup, within Feishu's 30 KB, no text lost when split."""

from __future__ import annotations

import json

from analysis.models import Digest
from bot.feishu import cards
from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes import feishu as lark
from tests.fakes.feishu import MAX_CARD, FakeFeishu
from tests.fakes.llm import FakeLLM

CHAT = lark.chat_id(4)


def squeezed(text: str) -> str:
    return "".join(text.split())


async def test_a_long_deep_dive_is_split_into_cards_feishu_takes_without_losing_text(
        llm_env: dict, feishu_env: dict, feishu: FakeFeishu, llm: FakeLLM) -> None:
    llm.deep_dive_size = 40_000
    async with running(listen=False) as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("feishu", CHAT, threshold=digest.threshold, post_time="08:30",
                                         timezone="UTC")
        await post_digest(h.adapters["feishu"], h.store, channel, digest)
    card = feishu.in_chat(CHAT)[0]["message_id"]
    item = digest.selected()[0]
    parts = [m for m in feishu.thread(card) if item.paper.title[:40] in m["content"]["header"]["title"]["content"]]
    assert len(parts) >= 3 and all(len(m["raw"].encode()) <= MAX_CARD for m in parts)  # the fake refuses more
    shown = squeezed("".join(cards.card_text(m["content"]) for m in parts))
    dive = item.analysis.deep_dive  # type: ignore[union-attr]
    assert all(squeezed(cards.model_md(line)) in shown for line in dive.methodology)
    assert squeezed(cards.model_md(dive.limitations[-1])) in shown


async def test_the_quick_view_lists_what_fits_and_votes_for_all_it_lists(env: dict, feishu_env: dict) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
    many = Digest.model_validate({**digest.model_dump(), "items": [i.model_dump() for i in digest.items] * 12,
                                  "top_n": 0})
    card = cards.quick_view(many, {})
    lines = [line for e in card["elements"] if e["tag"] == "markdown"
             for line in e["content"].splitlines() if line[:1].isdigit()]
    buttons = [b for e in card["elements"] if e["tag"] == "action" for b in e["actions"]]
    assert cards.size(card) <= cards.MAX_CARD_BYTES and 20 < len(lines) < len(many.items)
    assert len(buttons) == len(lines) and buttons[-1]["value"] == {"paperbot": "vote", "index": len(lines) - 1}
    assert f"另扫描了 {len(many.items) - len(lines)} 篇" in cards.card_text(card)


async def test_titles_are_shown_literally(env: dict, feishu_env: dict) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
    hostile = "**Bold** [link](https://evil.example) <at id=all></at> _x_ `y`"
    first = digest.items[0].model_copy(update={"paper": digest.items[0].paper.model_copy(update={"title": hostile})})
    card = cards.quick_view(digest.model_copy(update={"items": [first, *digest.items[1:]]}), {first.paper.arxiv_id: 2})
    line = next(e["content"] for e in card["elements"] if e["tag"] == "markdown" and "1. " in e["content"])
    assert "<at" not in json.dumps(card) and "**Bold**" not in line and "](https://evil.example)" not in line
    assert "&#42;&#42;Bold&#42;&#42;" in line and line.split("\n")[0].endswith("👍 2")
    assert cards.text_content("hi <at user_id=\"all\"></at>") == {"text": "hi < at user_id=\"all\"></at>"}
