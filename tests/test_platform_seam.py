"""The platform seam: a platform that lives in a dict (tests/memo_platform.py), registered with one line,
gets its commands and reactions handled by the shared dispatcher like Slack's and Telegram's."""

import pytest

from analysis.errors import ConfigError
from bot.adapters import channel_ids, open_adapters, platforms
from bot.config import load_settings
from bot.engine import open_engine
from bot.serve import check_platforms
from bot.shared.commands import Commands
from bot.shared.events import Meaning, Vote, VoteButton
from bot.shared.platform import none_configured
from bot.shared.posting import post_digest
from bot.slack.reactions import REACTIONS as SLACK
from bot.slack.reactions import base_name
from bot.telegram.reactions import REACTIONS as TELEGRAM
from storage.store import Store
from tests.chat_harness import DAY
from tests.helpers import day_papers, until
from tests.memo_platform import MEMO, MemoAdapter


async def test_a_platform_in_a_dict_gets_commands_and_reactions(env: dict) -> None:
    from analysis.pipeline import build_digest

    settings = load_settings()
    store = Store(settings.db)
    async with open_engine(settings, store) as engine:
        commands = Commands(settings, store, engine)
        async with open_adapters(settings, store, engine, commands, specs=[*platforms(), MEMO]) as adapters:
            memo = adapters["memo"]
            assert isinstance(memo, MemoAdapter) and list(adapters) == ["memo"]  # no Slack or Telegram token
            channel = store.upsert_channel("memo", "room", threshold=0, post_time="08:30", timezone="UTC")
            digest = await build_digest(engine, DAY, day_papers(), thresholds=(0,))
            assert "posted the digest" in await post_digest(memo, store, channel, digest)
            quick, dive = memo.sent["room"][0], memo.sent["room"][1]
            # a command: checked, handled and answered under the message that typed it
            await memo.type("room", "ann", "/threshold 70")
            await memo.type("room", "ann", "/deepdive 1234")
            replies = [m for m in memo.sent["room"] if m["kind"] == "reply"]
            assert "Threshold set to 70" in replies[0]["text"] and "'1234' is not an arXiv id" in replies[1]["text"]
            assert replies[0]["thread"] == memo.sent["room"][-4]["ref"]
            assert store.get_channel("memo", "room").threshold == 70  # type: ignore[union-attr]
            # a chat of its own subscribes from inside, its id the platform's: nothing in bot/shared names it
            await memo.type("den", "ann", "/subscribe 07:45 UTC")
            assert "Subscribed" in memo.sent["den"][-1]["text"] and store.get_channel("memo", "den") is not None
            # a slow one: answered in the background, in the digest's thread since the paper is in it
            await memo.type("room", "ann", f"/deepdive {dive['paper']}")
            await until(lambda: memo.sent["room"][-1]["kind"] == "analysis")
            assert memo.sent["room"][-1]["thread"] == quick["ref"]
            # reactions: up on a deep dive votes, down marks it "not for us", keycap-like "first" votes for paper 1
            assert await memo.react("room", "ann", dive["ref"], "like") == dive["paper"]
            assert await memo.react("room", "bob", dive["ref"], "dislike") == dive["paper"]
            assert store.mark_counts("memo", "room") == {dive["paper"]: 1}
            assert await memo.react("room", "bob", quick["ref"], "first") == quick["papers"][0]
            assert await memo.react("room", "bob", dive["ref"], "wave") is None  # not in the platform's table
            vote = await memo.press("room", "cid", quick["ref"], 1)
            assert vote is not None and vote.up and vote.arxiv_id == quick["papers"][1]
            assert await memo.press("room", "cid", quick["ref"], 999) is None
            # a button may name its paper instead: only one the quick view lists
            by_id = await memo.inbound.vote_button(VoteButton("memo", "room", "dan", quick["ref"],
                                                              arxiv_id=quick["papers"][2]))
            assert by_id == Vote(quick["papers"][2], True)
            assert await memo.inbound.vote_button(VoteButton("memo", "room", "dan", quick["ref"],
                                                             arxiv_id="2601.99999")) is None
            counts = store.vote_counts("memo", "room")
            assert counts[dive["paper"]] == (2 if dive["paper"] == quick["papers"][0] else 1)
            # the quick view is redrawn with the counts, once for the burst
            memo.inbound.refresher.delay = 0.05
            await memo.react("room", "cid", dive["ref"], "like")
            await until(lambda: "votes" in quick)
    store.close()


def test_each_platform_names_its_reactions() -> None:
    down, up = Meaning("down"), Meaning("up")
    assert SLACK["-1"] == SLACK["thumbsdown"] == down and SLACK["+1"] == SLACK["fire"] == up
    assert SLACK["one"] == Meaning("up", 1) and SLACK["keycap_ten"] == Meaning("up", 10)
    assert base_name("+1::skin-tone-2") == "+1"
    assert TELEGRAM["👎"] == down and TELEGRAM["👍"] == TELEGRAM["🔥"] == TELEGRAM["❤️"] == up
    assert "one" not in TELEGRAM and "👍" not in SLACK


def test_what_to_set_names_every_platform(env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = platforms()
    assert none_configured(specs, serving=True) == ("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or TELEGRAM_BOT_TOKEN, "
                                                    "or FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_VERIFICATION_TOKEN")
    assert none_configured(specs, serving=False) == "SLACK_BOT_TOKEN or TELEGRAM_BOT_TOKEN or FEISHU_APP_ID"
    assert channel_ids().looks_like() == ("C0123ABCD (Slack) or -1001234567890 / @channelname (Telegram) or "
                                          "oc_4d83f1dc8596c773a09e86f50a931b77 (Feishu)")
    with pytest.raises(ConfigError, match="serve needs a chat platform: set SLACK_BOT_TOKEN and SLACK_SIGNING"):
        check_platforms(load_settings())
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-only-the-token")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is missing"):
        check_platforms(load_settings())
