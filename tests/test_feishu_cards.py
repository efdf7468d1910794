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
    assert len(buttons) == 2 * len(lines) and buttons[-1]["value"] == {"paperbot": "down", "index": len(lines) - 1}
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


async def test_the_thumbnail_is_uploaded_once_and_shown_on_each_chats_deep_dive(
        llm_env: dict, feishu_env: dict, feishu: FakeFeishu, llm: FakeLLM) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        first, second = digest.selected()[:2]
        pictured = first.model_copy(update={"paper": first.paper.model_copy(
            update={"thumbnail": f"{feishu.url}/thumbnails/{first.paper.arxiv_id}.png"})})
        missing = second.model_copy(update={"paper": second.paper.model_copy(
            update={"thumbnail": f"{feishu.url}/thumbnails/gone.jpg"})})  # 404: no picture, the dive all the same
        adapter = h.adapters["feishu"]
        for n in (5, 6):
            card = await adapter.post_quick_view(lark.chat_id(n), digest, {})
            await adapter.post_deep_dive(lark.chat_id(n), card, pictured, 1)
            await adapter.post_deep_dive(lark.chat_id(n), card, missing, 2)
        fixture_cdn = digest.items[0].paper.thumbnail  # HF's real CDN: not on HF_ENDPOINT's host here, not fetched
        assert fixture_cdn and await adapter.thumbnails.key(fixture_cdn) is None
    assert len(feishu.images) == 1  # one upload for the paper, shown in both chats
    for n in (5, 6):
        pictured_dive, missing_dive = (m["content"]["elements"] for m in feishu.in_chat(lark.chat_id(n))[1:])
        assert [e["tag"] for e in pictured_dive].count("img") == 1 and pictured_dive[1]["img_key"].startswith("img_v2_")
        assert "img" not in [e["tag"] for e in missing_dive]
