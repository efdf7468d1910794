"""Telegram: the vote keyboard's redraw, channels subscribed by @name, groups upgraded to supergroups, background
failures."""

import time
from typing import Any

from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes.telegram import FakeTelegram
from tests.helpers import until
from tests.test_telegram import ALICE, GROUP, message


def press(chat: int, message_id: int, data: str) -> dict[str, Any]:
    return {"callback_query": {
        "id": f"cb{time.monotonic_ns()}", "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
        "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": chat, "type": "supergroup", "title": "papers"}}}}


def buttons(markup: dict[str, Any]) -> list[str]:
    """The 👍 N buttons' labels (each row of them has its row of 👎 N beneath)."""
    return [b["text"] for row in markup["inline_keyboard"] for b in row if b["callback_data"].startswith("v:")]


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


CHANNEL = -1002236736395


async def test_a_channel_subscribed_by_name_gets_its_pictures_and_redraws(llm_env: dict, telegram_env: dict,
                                                                          telegram: FakeTelegram) -> None:
    telegram.set_chat(CHANNEL, "channel", username="papers_daily")
    async with running(listen=False) as h:  # subscribed after start: still by name when posting
        digest = await h.digest(thresholds=(0,))
        channel = h.store.upsert_channel("telegram", "@papers_daily", threshold=0, post_time="08:30",
                                         timezone="UTC")
        outcome = await post_digest(h.adapters["telegram"], h.store, channel, digest)
        quick = telegram.sent_to(CHANNEL)[0]
        first = digest.quick_items()[0].paper.arxiv_id
        await h.adapters["telegram"].update_quick_view("@papers_daily", str(quick["message_id"]), digest, {first: 2})
    assert "posted the digest" in outcome
    assert [m["photo"] for m in telegram.sent_to(CHANNEL) if "photo" in m] == [
        item.paper.thumbnail for item in digest.selected()]
    assert buttons(telegram.edits[-1]["reply_markup"])[0] == "👍 1 · 2"


async def test_names_become_numeric_ids_at_start(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                 caplog: Any) -> None:
    telegram.set_chat(CHANNEL, "channel", username="papers_daily")
    chat = {"id": CHANNEL, "type": "channel", "title": "papers", "username": "papers_daily"}
    async with running(listen=False) as h:
        h.store.upsert_channel("telegram", "@papers_daily", threshold=33, post_time="07:15", timezone="UTC")
        h.store.upsert_channel("telegram", "@nobody_knows_this", threshold=50, post_time="08:30", timezone="UTC")
    async with running() as h:  # the next start finds them
        telegram.push_update({"channel_post": {"message_id": 7, "date": int(time.time()), "chat": chat,
                                               "sender_chat": chat, "text": "/subscribe"}})
        await until(lambda: len(telegram.sent_to(CHANNEL)) == 1)
        active = {c.channel_id: c for c in h.store.channels() if c.platform == "telegram"}
    assert set(active) == {str(CHANNEL), "@nobody_knows_this"}  # one subscription, not a second by number
    assert active[str(CHANNEL)].threshold == 33 and active[str(CHANNEL)].post_time == "07:15"
    warned = [r for r in caplog.records if "@nobody_knows_this" in r.getMessage()]
    assert len(warned) == 1 and "stays subscribed" in warned[0].getMessage()


async def test_subscribe_in_groups_is_for_admins(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    bob = 43
    telegram.add_admin(GROUP, ALICE)
    async with running() as h:
        h.store.upsert_channel("telegram", str(GROUP), threshold=60, post_time="08:30", timezone="UTC")
        telegram.push_update(message("/subscribe 06:00", user=bob))
        await until(lambda: len(telegram.sent_to(GROUP)) == 1)
        refused = telegram.sent_to(GROUP)[0]["visible"]
        channel = h.store.get_channel("telegram", str(GROUP))
        telegram.push_update(message("/subscribe 06:00", user=ALICE))
        await until(lambda: len(telegram.sent_to(GROUP)) == 2)
        moved = h.store.get_channel("telegram", str(GROUP))
    assert "Only chat administrators" in refused
    assert channel is not None and channel.post_time == "08:30"
    assert moved is not None and moved.post_time == "06:00"


async def test_a_deep_dive_that_cannot_be_posted_says_so(llm_env: dict, telegram_env: dict,
                                                        telegram: FakeTelegram) -> None:
    async with running():
        # the dive's first message is refused; the line saying so is not
        telegram.fail_next(400, {"ok": False, "error_code": 400,
                                 "description": "Bad Request: not enough rights to send text messages"},
                           path="/sendMessage")
        telegram.push_update(message("/deepdive 2601.15621", user=ALICE))
        await until(lambda: any("could not be posted" in m["visible"] for m in telegram.sent_to(GROUP)))
    told = [m for m in telegram.sent_to(GROUP) if "could not be posted" in m["visible"]]
    assert len(told) == 1 and "Not enough rights" in told[0]["visible"] and "\n" not in told[0]["visible"]
    assert told[0]["visible"].startswith("The deep dive could not be posted")


async def test_an_upgraded_group_keeps_its_keywords(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    old, new = -4001234, -1009876543
    async with running() as h:
        h.store.upsert_channel("telegram", str(old), threshold=42, post_time="08:30", timezone="UTC")
        h.store.update_channel("telegram", str(old), keywords="speech synthesis, audio")
        telegram.push_update({"message": {"message_id": 9, "date": int(time.time()), "migrate_to_chat_id": new,
                                          "chat": {"id": old, "type": "group", "title": "papers"},
                                          "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"}}})
        await until(lambda: h.store.get_channel("telegram", str(new)) is not None)
        moved = h.store.get_channel("telegram", str(new))
    assert moved is not None and moved.active and moved.keywords == ("speech synthesis", "audio")


async def test_a_group_upgraded_to_a_supergroup_moves_the_channel(env: dict, telegram_env: dict,
                                                                  telegram: FakeTelegram) -> None:
    # Telegram answers 400 with parameters.migrate_to_chat_id; PTB raises ChatMigrated (not BadRequest).
    old, new = -4001234, -1009876543
    telegram.set_chat(old, "group")
    telegram.fail_chat(old, "Bad Request: group chat was upgraded to a supergroup chat",
                       parameters={"migrate_to_chat_id": new})
    async with running(listen=False) as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("telegram", str(old), threshold=42, post_time="08:30", timezone="UTC")
        await post_digest(h.adapters["telegram"], h.store, channel, digest)
        moved, gone = h.store.get_channel("telegram", str(new)), h.store.get_channel("telegram", str(old))
    sent = telegram.sent_to(new)
    assert len(sent) == 1 + len(digest.selected()) and telegram.sent_to(old) == []
    assert all(m["reply_to"] == sent[0]["message_id"] for m in sent[1:])
    assert moved is not None and moved.active and moved.threshold == 42
    assert gone is not None and not gone.active


async def test_the_migration_service_message_moves_the_channel(env: dict, telegram_env: dict,
                                                               telegram: FakeTelegram) -> None:
    old, new = -4001234, -1009876543
    async with running() as h:
        h.store.upsert_channel("telegram", str(old), threshold=42, post_time="08:30", timezone="UTC")
        h.store.claim_post("telegram", str(old), "2026-01-23")
        h.store.finish_post("telegram", str(old), "2026-01-23")
        h.store.set_vote("telegram", str(old), "2601.14256", "7", up=True)
        telegram.push_update({"message": {"message_id": 9, "date": int(time.time()), "migrate_to_chat_id": new,
                                          "chat": {"id": old, "type": "group", "title": "papers"},
                                          "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"}}})
        await until(lambda: (c := h.store.get_channel("telegram", str(new))) is not None and c.threshold == 42)
        gone = h.store.get_channel("telegram", str(old))
        assert h.store.post_status("telegram", str(new), "2026-01-23") == "posted"  # not posted again there
        assert h.store.vote_counts("telegram", str(new)) == {"2601.14256": 1}
    assert gone is not None and not gone.active
