"""The platform seam: a platform that lives in a dict (tests/memo_platform.py), registered with one line,
gets its commands and reactions handled by the shared dispatcher like Slack's and Telegram's."""

from bot.adapters import open_adapters, platforms
from bot.config import load_settings
from bot.engine import open_engine
from bot.shared.commands import Commands
from bot.shared.events import Meaning
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
            # a slow one: answered in the background, in the digest's thread since the paper is in it
            await memo.type("room", "ann", f"/deepdive {dive['paper']}")
            await until(lambda: memo.sent["room"][-1]["kind"] == "analysis")
            assert memo.sent["room"][-1]["thread"] == quick["ref"]
            # reactions: up on a deep dive votes, down does not (yet), keycap-like "first" votes for paper 1
            assert memo.react("room", "ann", dive["ref"], "like") == dive["paper"]
            assert memo.react("room", "bob", dive["ref"], "dislike") is None
            assert memo.react("room", "bob", quick["ref"], "first") == quick["papers"][0]
            assert memo.react("room", "bob", dive["ref"], "wave") is None  # not in the platform's table
            vote = memo.press("room", "cid", quick["ref"], 1)
            assert vote is not None and vote.up and vote.arxiv_id == quick["papers"][1]
            assert memo.press("room", "cid", quick["ref"], 999) is None
            counts = store.vote_counts("memo", "room")
            assert counts[dive["paper"]] == (2 if dive["paper"] == quick["papers"][0] else 1)
            # the quick view is redrawn with the counts, once for the burst
            memo.inbound.refresher.delay = 0.05
            memo.react("room", "cid", dive["ref"], "like")
            await until(lambda: "votes" in quick)
    store.close()


def test_each_platform_names_its_reactions() -> None:
    down, up = Meaning("down"), Meaning("up")
    assert SLACK["-1"] == SLACK["thumbsdown"] == down and SLACK["+1"] == SLACK["fire"] == up
    assert SLACK["one"] == Meaning("up", 1) and SLACK["keycap_ten"] == Meaning("up", 10)
    assert base_name("+1::skin-tone-2") == "+1"
    assert TELEGRAM["👎"] == down and TELEGRAM["👍"] == TELEGRAM["🔥"] == TELEGRAM["❤️"] == up
    assert "one" not in TELEGRAM and "👍" not in SLACK
