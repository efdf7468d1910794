"""Posting cut off at any message, and platforms refusing a channel: the digest still lands exactly once."""

from typing import Any

import pytest

from bot.shared.posting import post_digest, post_to_channels
from tests.chat_harness import running
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram

SLACK_CHANNEL, TELEGRAM_CHAT = "C0PAPERS", -1001234567890


def top_level_and_replies(platform: str, slack: FakeSlack, telegram: FakeTelegram) -> tuple[list[Any], list[Any]]:
    """The messages people see: those at the top of the channel, and the replies, with their parent ref."""
    if platform == "slack":
        sent = slack.messages_in(SLACK_CHANNEL)
        return ([m["ts"] for m in sent if m["thread_ts"] is None],
                [m["thread_ts"] for m in sent if m["thread_ts"] is not None])
    chat = telegram.sent_to(TELEGRAM_CHAT)
    return [m["message_id"] for m in chat if m["reply_to"] is None], [m["reply_to"] for m in chat if m["reply_to"]]


@pytest.mark.parametrize("platform", ["slack", "telegram"])
@pytest.mark.parametrize("cut_at", [0, 1, 2, 3])
async def test_a_post_cut_at_any_message_is_finished_once(
        env: dict, slack_env: dict, telegram_env: dict, slack: FakeSlack, telegram: FakeTelegram,
        platform: str, cut_at: int) -> None:
    fake = slack if platform == "slack" else telegram
    path = "chat.postMessage" if platform == "slack" else "sendMessage"
    body = None if platform == "slack" else {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    async with running(listen=False) as h:
        digest = await h.digest(thresholds=(0,))
        chat = SLACK_CHANNEL if platform == "slack" else str(TELEGRAM_CHAT)
        channel = h.store.upsert_channel(platform, chat, threshold=0, post_time="08:30", timezone="UTC")  # type: ignore[arg-type]
        expected = 1 + len(digest.with_threshold(0).selected())  # the quick view and its deep dives
        fake.fail_next(502, body, path=path, after=cut_at)  # the service fails this message, once
        with pytest.raises(Exception):  # noqa: B017 - whatever the platform's error, the post stops here
            await post_digest(h.adapters[platform], h.store, channel, digest)
        again = await post_digest(h.adapters[platform], h.store, channel, digest)
        third = await post_digest(h.adapters[platform], h.store, channel, digest)
    tops, replies = top_level_and_replies(platform, slack, telegram)
    assert "posted the digest" in again and "already posted" in third
    assert len(tops) == 1 and len(replies) == expected - 1 and set(replies) == set(tops)


async def test_a_channel_slack_does_not_know_is_skipped_and_the_others_post(
        env: dict, slack_env: dict, slack: FakeSlack) -> None:
    slack.fail_channel("C0GONE", "channel_not_found")
    slack.fail_channel("C0LONG", "msg_too_long")
    async with running(listen=False) as h:
        channels = [h.store.upsert_channel("slack", c, threshold=60, post_time="08:30", timezone="UTC")
                    for c in ("C0GONE", "C0LONG", "C0OK")]
        outcomes = await post_to_channels(h.adapters, h.store, channels, await h.digest())
        assert [h.store.post_status("slack", c, "2026-01-23") for c in ("C0GONE", "C0LONG")] == [None, None]
    gone, long, ok = outcomes
    assert "channel_not_found" in gone and "check the channel id" in gone
    assert "msg_too_long" in long and "too long" in long
    assert "posted the digest" in ok and slack.messages_in("C0OK")
    assert slack.messages_in("C0GONE") == slack.messages_in("C0LONG") == []


async def test_a_telegram_send_that_times_out_is_never_sent_again(env: dict, telegram_env: dict,
                                                                   telegram: FakeTelegram) -> None:
    """python-telegram-bot gives up after 5 s; the message lands later all the same (as it may on Telegram):
    the rerun says it may be missing instead of sending it a second time."""
    from tests.helpers import until

    async with running(listen=False) as h:
        digest = await h.digest(thresholds=(0,))
        chat = str(TELEGRAM_CHAT)
        channel = h.store.upsert_channel("telegram", chat, threshold=0, post_time="08:30", timezone="UTC")
        telegram.fail_next(200, delay=6.0, passthrough=True, path="sendMessage", after=1)  # the first deep dive
        with pytest.raises(Exception, match="did not answer"):
            await post_digest(h.adapters["telegram"], h.store, channel, digest)
        await until(lambda: len(telegram.sent_to(TELEGRAM_CHAT)) >= 2, timeout=15)  # it landed after all
        again = await post_digest(h.adapters["telegram"], h.store, channel, digest)
    texts = [m["text"] for m in telegram.sent_to(TELEGRAM_CHAT)]
    assert "1 deep dive(s) may be missing" in again and len(texts) == len(set(texts))
    assert sum("paperbot was interrupted while posting" in t for t in texts) == 1
