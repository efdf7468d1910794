"""Telegram: the vote keyboard's redraw, channels subscribed by @name, supergroup moves, background failures."""

import time
from typing import Any

from bot.posting import post_digest
from tests.chat_harness import running
from tests.fakes.telegram import FakeTelegram
from tests.helpers import until

GROUP = -1001234567890
ALICE = 42


def press(chat: int, message_id: int, data: str) -> dict[str, Any]:
    return {"callback_query": {
        "id": f"cb{time.monotonic_ns()}", "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
        "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": chat, "type": "supergroup", "title": "papers"}}}}


def buttons(markup: dict[str, Any]) -> list[str]:
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


async def test_a_vote_redraws_the_keyboard_of_the_listed_papers_only(env: dict, telegram_env: dict,
                                                                     telegram: FakeTelegram) -> None:
    async with running() as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("telegram", str(GROUP), threshold=60, post_time="08:30", timezone="UTC")
        await post_digest(h.adapters["telegram"], h.store, channel, digest)
        quick = telegram.sent_to(GROUP)[0]
        assert len(digest.items) > len(digest.quick_items()) == len(buttons(quick["reply_markup"]))
        telegram.push_update(press(GROUP, quick["message_id"], "v:1"))
        await until(lambda: telegram.edits, timeout=15)
    redrawn = buttons(telegram.edits[-1]["reply_markup"])
    assert len(redrawn) == len(digest.quick_items())
    assert redrawn[1] == "👍 2 · 1" and redrawn[0] == "👍 1"
