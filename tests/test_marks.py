"""👎 "not for us": the buttons and reactions on both platforms, the counts on the quick view, the marked
papers as the taste's negatives and set aside from deep dives, and `taste add/remove --not` from the CLI."""

import copy
import json
import time
from typing import Any

from bot.cli import main
from bot.shared.posting import post_digest
from bot.shared.tastes import taste_of
from bot.shared.views import build_views, set_aside_of
from storage.store import Store
from tests.chat_harness import DAY, running
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram, load_update
from tests.helpers import day_papers, until
from tests.test_slack import CHANNEL, subscribe
from tests.test_telegram import ALICE, BOB, GROUP
from tests.test_telegram import subscribe as tg_subscribe
from tests.test_votes_visible import button_press, fast, press

SLACK = ("slack", CHANNEL)


def down_press(index: int, ts: str, user: str = "U0ALICE") -> bytes:
    """A 👎 N press: the 👍 press with the other action id."""
    return button_press(index, ts, user).replace(b"vote%3A", b"down%3A")


def tg_press(message_id: int, data: str, user: int = ALICE) -> dict[str, Any]:
    return {"callback_query": {
        "id": f"cb{time.monotonic_ns()}", "from": {"id": user, "is_bot": False, "first_name": "A"},
        "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": GROUP, "type": "supergroup", "title": "papers"}}}}


async def test_slack_down_buttons_mark_toggle_and_show_the_count(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        fast(h, "slack")
        digest = await h.digest()
        await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
        quick = slack.messages_in(CHANNEL)[0]
        third = digest.items[2].paper.arxiv_id
        for user in ("U1", "U2"):
            assert (await press(h, down_press(2, quick["ts"], user))).status_code == 200
        await until(lambda: h.store.mark_counts(*SLACK).get(third) == 2)
        await until(lambda: "👎 3 · 2" in json.dumps(slack.message(CHANNEL, quick["ts"]), ensure_ascii=False))
        assert f"`{third}`  👎 2" in json.dumps(slack.message(CHANNEL, quick["ts"]), ensure_ascii=False)
        await press(h, down_press(2, quick["ts"], "U1"))  # a second press takes that person's mark back
        await until(lambda: h.store.mark_counts(*SLACK).get(third) == 1)
        assert h.store.vote_counts(*SLACK) == {}  # a mark is no vote


async def test_telegram_down_reaction_and_button(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    async with running() as h:
        fast(h, "telegram")
        digest = await h.digest(thresholds=(0,))
        await post_digest(h.adapters["telegram"], h.store, tg_subscribe(h, threshold=0), digest)
        paper = digest.selected(0)[0].paper.arxiv_id
        chat = str(GROUP)
        dive_id = telegram.sent_to(GROUP)[1]["message_id"]
        added = copy.deepcopy(load_update("message_reaction_user_supergroup_teloxide"))
        added["message_reaction"].update(chat={"id": GROUP, "title": "papers", "type": "supergroup"},
                                         message_id=dive_id, old_reaction=[],
                                         new_reaction=[{"type": "emoji", "emoji": "👎"}])
        telegram.push_update(added)
        await until(lambda: h.store.mark_counts("telegram", chat).get(paper) == 1)
        removed = copy.deepcopy(added)
        removed["message_reaction"].update(old_reaction=[{"type": "emoji", "emoji": "👎"}], new_reaction=[])
        telegram.push_update(removed)
        await until(lambda: paper not in h.store.mark_counts("telegram", chat))
        quick = telegram.sent_to(GROUP)[0]
        second = digest.items[1].paper.arxiv_id
        telegram.push_update(tg_press(quick["message_id"], "d:1", BOB))
        await until(lambda: h.store.mark_counts("telegram", chat).get(second) == 1)
        await until(lambda: "👎 2 · 1" in json.dumps(telegram.edits[-1:], ensure_ascii=False), timeout=15)
        assert h.store.vote_counts("telegram", chat) == {}
        await until(lambda: any("marked not for us" in str(a.get("text")) for a in telegram.answers))


async def test_a_telegram_channels_anonymous_down_count_is_kept_as_marks(env: dict, telegram_env: dict,
                                                                         telegram: FakeTelegram) -> None:
    channel_id = -1002236736395
    telegram.set_chat(channel_id, "channel")
    async with running() as h:
        digest = await h.digest(thresholds=(0,))
        await post_digest(h.adapters["telegram"], h.store, tg_subscribe(h, threshold=0, chat=channel_id), digest)
        paper = digest.selected(0)[0].paper.arxiv_id
        counted = copy.deepcopy(load_update("message_reaction_count_channel_teloxide"))
        counted["message_reaction_count"]["message_id"] = telegram.sent_to(channel_id)[1]["message_id"]
        counted["message_reaction_count"]["reactions"] = [{"type": {"type": "emoji", "emoji": "👎"}, "total_count": 2}]
        telegram.push_update(counted)
        await until(lambda: h.store.mark_counts("telegram", str(channel_id)).get(paper) == 2)
        fewer = copy.deepcopy(counted)
        fewer["message_reaction_count"]["reactions"][0]["total_count"] = 1
        telegram.push_update(fewer)  # one taken back
        await until(lambda: h.store.mark_counts("telegram", str(channel_id)).get(paper) == 1)
        assert h.store.vote_counts("telegram", str(channel_id)) == {}


async def test_marked_papers_are_the_tastes_negatives_and_get_no_deep_dive(env: dict, slack_env: dict,
                                                                            slack: FakeSlack) -> None:
    async with running() as h:
        channel = subscribe(h, threshold=0)
        papers = day_papers()
        h.store.save_papers(papers)
        first = (await h.digest()).selected(0)[0].paper.arxiv_id  # the best paper of the day, unmarked
        liked = next(p.arxiv_id for p in papers if p.arxiv_id != first)
        h.store.set_vote(*SLACK, liked, "U1", True)
        h.store.set_mark(*SLACK, first, "U2", True)
        h.store.set_mark(*SLACK, liked, "U3", True)  # liked by one, marked by another: counts as liked
        taste = taste_of(h.store, SLACK)
        assert [p.arxiv_id for p in taste.negatives] == [first] and taste.ids == {liked}
        assert set_aside_of(h.store, channel) == {first, liked}
        views = await build_views(h.engine, h.store, DAY, papers, [channel])
        mine, report = views[channel.key], views["default"]
        assert first not in [i.paper.arxiv_id for i in mine.selected(0)]
        assert len(mine.selected(0)) == mine.max_deep_dives and all(i.analysis for i in mine.selected(0))
        assert report.selected(0)[0].paper.arxiv_id == first  # the report has no marks of this channel
        await post_digest(h.adapters["slack"], h.store, channel, mine)
        dives = slack.thread(CHANNEL, slack.messages_in(CHANNEL)[0]["ts"])
        assert dives and not any(first in d["text"] for d in dives)


def test_taste_add_and_remove_not_from_the_cli(env: dict, capsys: Any) -> None:
    paper = day_papers()[0].arxiv_id
    assert main(["taste", "add", "--not", "--channel", f"slack:{CHANNEL}", paper]) == 0
    assert "marked 1 paper(s) not for us" in capsys.readouterr().out
    store = Store(env["PAPERBOT_DB"])
    assert store.marked_ids(SLACK) == {paper} and store.mark_counts(*SLACK) == {paper: 1}
    store.set_vote(*SLACK, day_papers()[1].arxiv_id, "U1", True)
    store.save_papers(day_papers()[1:2])
    store.close()
    assert main(["taste", "list", "--channel", f"slack:{CHANNEL}"]) == 0
    listed = capsys.readouterr().out
    liked_part, _, marked_part = listed.partition("not for us (👎)")
    assert day_papers()[1].arxiv_id in liked_part and paper in marked_part and paper not in liked_part
    assert main(["taste", "remove", "--not", "--channel", f"slack:{CHANNEL}", paper]) == 0
    assert main(["taste", "remove", "--not", "--channel", f"slack:{CHANNEL}", paper]) == 1  # nothing left to take
    out = capsys.readouterr()
    assert "took the 👎 mark off 1 paper(s)" in out.out and "is not marked not for us" in out.err


def test_one_mark_per_person_and_a_move_keeps_them() -> None:
    store = Store(":memory:")
    assert store.set_mark("telegram", "-1", "2601.00001", "U1", True)
    assert not store.set_mark("telegram", "-1", "2601.00001", "U1", True)  # one per person, paper, channel
    assert store.set_mark("telegram", "-1", "2601.00001", "U2", True)
    assert store.mark_counts("telegram", "-1") == {"2601.00001": 2}
    store.follow("telegram", "-1", ["Kaiming He"])
    store.move_history("telegram", "-1", "-1002")  # a group became a supergroup
    assert store.mark_counts("telegram", "-1002") == {"2601.00001": 2}
    assert store.follows("telegram", "-1002") == ["Kaiming He"]
