"""Debounced quick-view redraws against the fake Bot API: one edit of a message at a time, the newest count last."""

import asyncio
import time

from bot.shared.posting import post_digest
from bot.shared.refresh import Refresher
from tests.chat_harness import running
from tests.fakes.telegram import FakeTelegram
from tests.helpers import until

GROUP = -1001234567890
EDITS = ("/editMessageText", "/editMessageReplyMarkup")


def counts(telegram: FakeTelegram, message_id: int) -> list[str]:
    record = telegram.message(GROUP, message_id)
    assert record is not None
    return [b["text"] for row in record["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_vote_during_a_slow_edit_is_drawn_after_it(env: dict, telegram_env: dict,
                                                           telegram: FakeTelegram) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("telegram", str(GROUP), threshold=60, post_time="08:30", timezone="UTC")
        await post_digest(h.adapters["telegram"], h.store, channel, digest)
        quick = telegram.sent_to(GROUP)[0]["message_id"]
        paper = digest.quick_items()[0].paper.arxiv_id
        refresher = Refresher(h.store, "telegram", h.adapters["telegram"].update_quick_view, delay=0.05,
                              min_interval=0.05)
        for path in EDITS:  # the first edit hangs a while; Telegram answers the next one at once
            telegram.fail_next(delay=1.5, path=path, passthrough=True)
        h.store.set_vote("telegram", str(GROUP), paper, "1", up=True)
        await refresher.voted(str(GROUP), paper)
        await until(lambda: any(telegram.calls_to(p) for p in EDITS))
        h.store.set_vote("telegram", str(GROUP), paper, "2", up=True)
        await refresher.voted(str(GROUP), paper)
        await until(lambda: refresher.edits == 2)
        await until(refresher.idle)  # nothing more planned or on its way: the fake holds the last edit
        await refresher.close()
    assert counts(telegram, quick)[0] == "👍 1 · 2"
    assert sum(len(telegram.calls_to(path)) for path in EDITS) == 2


async def test_close_cancels_an_edit_in_flight(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("telegram", str(GROUP), threshold=60, post_time="08:30", timezone="UTC")
        await post_digest(h.adapters["telegram"], h.store, channel, digest)
        paper = digest.quick_items()[0].paper.arxiv_id
        refresher = Refresher(h.store, "telegram", h.adapters["telegram"].update_quick_view, delay=0.05)
        for path in EDITS:
            telegram.fail_next(delay=5, path=path, passthrough=True)
        h.store.set_vote("telegram", str(GROUP), paper, "1", up=True)
        await refresher.voted(str(GROUP), paper)
        await until(lambda: any(telegram.calls_to(p) for p in EDITS))
        started = time.monotonic()
        await refresher.close()
        left = [t for t in asyncio.all_tasks() if not t.done() and "_redraw" in repr(t.get_coro())]
    assert time.monotonic() - started < 3 and left == []
