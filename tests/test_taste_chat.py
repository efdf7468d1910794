"""`/keywords` and `/top` on both platforms against the loopback fakes; `channel add --keywords`."""

import json
from typing import Any

import pytest

from bot.cli import main
from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.test_slack import CHANNEL, command
from tests.test_telegram import ALICE, BOB, GROUP, message, replies_after


def said(response: Any) -> str:
    """An answer's text: Slack takes a public answer as JSON in the ack, a private one as plain text."""
    text = str(response.text)
    return str(json.loads(text)["text"]) if text.startswith("{") else text


async def test_slack_keywords_show_set_reset_and_refuse(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        shown = said(await command(h, slack, "keywords", ""))
        set_ = said(await command(h, slack, "keywords", "Video Generation,  world model ,video generation"))
        channel = h.store.get_channel("slack", CHANNEL)
        again = said(await command(h, slack, "keywords", ""))
        empty = said(await command(h, slack, "keywords", " , ,"))
        reset = said(await command(h, slack, "keywords", "default"))
        after = h.store.get_channel("slack", CHANNEL)
    assert shown.startswith("This channel uses the default interests: Image Restoration, Masked Autoregressive")
    assert "now Video Generation, world model;" in set_  # duplicates and spaces folded
    assert channel is not None and channel.keywords == ("Video Generation", "world model") and channel.active
    assert again.startswith("This channel's interests: Video Generation, world model.")
    assert empty.startswith("Usage: /keywords")
    assert "the default ones (Image Restoration" in reset and after is not None and after.keywords == ()


async def test_slack_top_lists_the_most_voted_papers_of_the_last_days(env: dict, slack_env: dict,
                                                                     slack: FakeSlack) -> None:
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["slack"], h.store, h.store.upsert_channel(
            "slack", CHANNEL, threshold=60, post_time="08:30", timezone="UTC"), digest)
        first, second = digest.items[0].paper, digest.items[1].paper
        for user in ("U1", "U2"):
            h.store.set_vote("slack", CHANNEL, second.arxiv_id, user, True)
        h.store.set_vote("slack", CHANNEL, first.arxiv_id, "U1", True)
        h.store.db.execute("update votes set created_at = '2020-01-01T00:00:00+00:00' where arxiv_id = ?",
                           [first.arxiv_id])  # an old vote: outside 7 days
        week = said(await command(h, slack, "top", ""))
        ever = said(await command(h, slack, "top", "365"))
        bad = said(await command(h, slack, "top", "a week"))
    assert week.splitlines()[0] == "Most voted in the last 7 days:" and len(week.splitlines()) == 2
    assert week.splitlines()[1].startswith(f"1. 👍 2  {second.title[:20]}") and f"({second.arxiv_id})" in week
    assert first.arxiv_id not in week and first.arxiv_id not in ever  # 2020 is before 365 days ago too
    assert "'a week' is not a number of days" in bad


async def test_telegram_keywords_are_for_admins_and_top_answers(env: dict, telegram_env: dict,
                                                               telegram: FakeTelegram) -> None:
    telegram.add_admin(GROUP, ALICE)
    async with running() as h:
        telegram.push_update(message("/keywords diffusion, 3D", user=BOB))
        refused = await replies_after(telegram, 0)
        telegram.push_update(message("/keywords@paperbot_test_bot diffusion, 3D", user=ALICE))
        accepted = await replies_after(telegram, 1)
        telegram.push_update(message("/keywords", user=BOB))
        shown = await replies_after(telegram, 2)
        telegram.push_update(message("/top", user=BOB))
        top = await replies_after(telegram, 3)
        channel = h.store.get_channel("telegram", str(GROUP))
    assert "Only chat administrators" in refused[0]["text"]
    assert "now diffusion, 3D" in accepted[0]["text"] and "This channel's interests: diffusion, 3D" in shown[0]["text"]
    assert channel is not None and channel.keywords == ("diffusion", "3D")
    assert top[0]["text"].startswith("No votes in the last 7 days")


def test_channel_add_keywords(env: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["channel", "add", "slack", "C0KW", "--keywords", "3D Gaussian Splatting, NeRF"]) == 0
    assert "interests 3D Gaussian Splatting, NeRF" in capsys.readouterr().out
    assert main(["channel", "list"]) == 0
    assert "interests 3D Gaussian Splatting, NeRF" in capsys.readouterr().out
    assert main(["channel", "add", "slack", "C0KW", "--keywords", ","]) == 1
    assert "Usage: /keywords" in capsys.readouterr().err


async def test_the_scheduler_posts_each_channel_its_own_ranking(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    import datetime as dt

    from bot.scheduler import Scheduler

    morning = dt.datetime(2026, 1, 24, 9, 0, tzinfo=dt.UTC)
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
        h.store.upsert_channel("slack", "C2", threshold=60, post_time="08:30", timezone="UTC")
        h.store.update_channel("slack", "C2", keywords="streaming video")
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: morning)
        outcomes = await scheduler.catch_up()
        h.store.upsert_channel("slack", "C3", threshold=60, post_time="08:30", timezone="UTC")  # after the run
        h.store.update_channel("slack", "C3", keywords="computer use agents")
        late = await scheduler.run_channel("slack", "C3")
    assert len(outcomes) == 2 and all("posted the digest of 2026-01-23" in o for o in outcomes)
    assert "posted the digest of 2026-01-23" in late

    def first_listed(channel: str) -> str:
        blocks = slack.messages_in(channel)[0]["blocks"]
        return next(b["text"]["text"] for b in blocks if b["type"] == "section").splitlines()[0]

    assert "HERMES" in first_listed("C2") and "EvoCUA" in first_listed("C3")
    assert "HERMES" not in first_listed("C1") and "EvoCUA" not in first_listed("C1")
