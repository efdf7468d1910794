"""Followed authors: /follow, /unfollow and /follow alone on Slack and Telegram (groups: admins only),
`paperbot channel add --follow`, one clear line for what is no name, and the follows handed to the ranking."""

import pytest

from analysis.errors import BadInput
from bot.cli import main
from bot.shared.commands import help_text
from bot.shared.follow_commands import parse_names
from bot.shared.views import view_of
from storage.store import Store
from tests.chat_harness import running
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.test_slack import CHANNEL, command, subscribe
from tests.test_telegram import ALICE, BOB, GROUP, message, replies_after


def test_names_are_parsed_once_each_and_a_surname_alone_is_refused() -> None:
    assert parse_names(" Kaiming  He, kaiming he；Ross Girshick ") == ["Kaiming He", "Ross Girshick"]
    assert parse_names("何恺明") == ["何恺明"]  # a Chinese name is one word
    for bad, why in [("He", "is one word"), ("  ,  ", "Usage: /follow"), ("1234 5678", "is not an author's name"),
                     ("A " * 50, "is not an author's name")]:
        with pytest.raises(BadInput, match=why):
            parse_names(bad)


async def test_follow_on_slack(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        empty = await command(h, slack, "follow", "")
        added = await command(h, slack, "follow", "Kaiming He, Ross Girshick")
        again = await command(h, slack, "follow", "kaiming  he")
        bad = await command(h, slack, "follow", "He")
        gone = await command(h, slack, "unfollow", "ross girshick")
        missing = await command(h, slack, "unfollow", "Yann LeCun")
        listed = await command(h, slack, "follow", "")
        status = await command(h, slack, "status", "")
        follows = h.store.follows("slack", CHANNEL)
    assert "follows no authors yet" in empty.text
    assert "Now following Kaiming He, Ross Girshick" in added.text and "in_channel" in added.text
    assert "Already followed: kaiming he" in again.text
    assert "'He' is one word" in bad.text
    assert "No longer following Ross Girshick" in gone.text
    assert "Not followed here: Yann LeCun. This channel follows Kaiming He." in missing.text
    assert "follows 1 author(s): Kaiming He" in listed.text and follows == ["Kaiming He"]
    assert "Following: Kaiming He." in status.text


async def test_follow_in_a_telegram_group_is_for_admins(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    telegram.add_admin(GROUP, ALICE)
    async with running() as h:
        telegram.push_update(message("/follow Kaiming He", user=BOB))
        refused = await replies_after(telegram, 0)
        telegram.push_update(message("/follow Kaiming He", user=ALICE))
        accepted = await replies_after(telegram, 1)
        telegram.push_update(message("/follow", user=BOB))  # anyone may see them
        listed = await replies_after(telegram, 2)
        telegram.push_update(message("/unfollow Kaiming He", user=BOB))
        kept = await replies_after(telegram, 3)
        follows = h.store.follows("telegram", str(GROUP))
    assert "Only chat administrators can change the followed authors" in refused[0]["text"]
    assert "Now following Kaiming He" in accepted[0]["text"] and "Kaiming He" in listed[0]["text"]
    assert "Only chat administrators" in kept[0]["text"] and follows == ["Kaiming He"]


async def test_the_follows_reach_the_channels_ranking(env: dict, slack_env: dict) -> None:
    async with running(listen=False) as h:
        channel = subscribe(h)
        h.store.follow("slack", CHANNEL, ["Kaiming He"])
        mine, default = view_of(h.store, h.engine.profile, channel), view_of(h.store, h.engine.profile, None)
        assert mine.follows == ("Kaiming He",) and default.follows == ()
        assert h.engine.ranker.key(mine) != h.engine.ranker.key(default)  # a channel with follows ranks on its own


def test_channel_add_follow(env: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["channel", "add", "slack", "C0FOLLOW", "--follow", "Kaiming He, Ross Girshick"]) == 0
    assert "Now following Kaiming He, Ross Girshick" in capsys.readouterr().out
    assert main(["channel", "add", "slack", "C0FOLLOW", "--follow", "He"]) == 1
    assert "'He' is one word" in capsys.readouterr().err
    assert main(["channel", "list"]) == 0
    assert "follows Kaiming He, Ross Girshick" in capsys.readouterr().out
    store = Store(env["PAPERBOT_DB"])
    assert store.follows("slack", "C0FOLLOW") == ["Kaiming He", "Ross Girshick"]
    store.close()


def test_help_lists_the_new_commands() -> None:
    text = help_text()
    assert "/follow [author name]" in text and "/unfollow <author name>" in text and "/taste —" in text
