"""Votes people can see: every listed paper votable in Slack, counts redrawn in place (debounced), and a vote
putting the paper in the channel's taste."""

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.cli import main
from bot.shared.posting import post_digest
from bot.shared.weekly import weekly_text
from tests.chat_harness import Harness, running
from tests.conftest import SLACK_SECRET
from tests.fakes.slack import FakeSlack, reaction_event, sign
from tests.fakes.telegram import FakeTelegram
from tests.helpers import until
from tests.test_slack import CHANNEL, event, subscribe
from tests.test_telegram import ALICE, BOB, GROUP
from tests.test_telegram import subscribe as tg_subscribe

ROOT = Path(__file__).resolve().parents[1]


def button_press(index: int, ts: str, user: str = "U0ALICE") -> bytes:
    """A block_actions interaction as Slack posts it: form-encoded `payload` JSON (the fields bolt reads)."""
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "alice", "team_id": "T0001"},
        "api_app_id": "A0PAPERBOT", "token": "verification-token-unused", "trigger_id": "1.2.3",
        "team": {"id": "T0001", "domain": "fake-team"},
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL, "is_ephemeral": False},
        "channel": {"id": CHANNEL, "name": "papers"}, "message": {"type": "message", "ts": ts},
        "response_url": "https://hooks.slack.com/actions/T0001/1/x",
        "actions": [{"action_id": f"vote:{index}", "block_id": "votes:0", "value": str(index), "type": "button",
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def press(h: Harness, body: bytes, secret: str = SLACK_SECRET) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body)}
    return await h.http.post("/slack/events", content=body, headers=headers)


def fast(h: Harness, platform: str) -> None:
    h.adapters[platform].inbound.refresher.delay = 0.2  # the tests need not wait out the production debounce


async def test_every_listed_paper_has_a_button_and_a_burst_of_presses_is_one_update(
        env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        fast(h, "slack")
        digest = await h.digest()
        assert len(digest.items) == 27 and len(digest.quick_items()) == 15  # PAPERBOT_TOP_N caps the list
        await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
        quick = slack.messages_in(CHANNEL)[0]
        buttons = [e for b in quick["blocks"] if b["type"] == "actions" for e in b["elements"]]
        # a 👍 N and a 👎 N ("not for us") button for each listed paper, side by side
        assert [b["action_id"] for b in buttons] == [f"{kind}:{i}" for i in range(15) for kind in ("vote", "down")]
        twelfth, fifteenth = digest.items[11].paper.arxiv_id, digest.items[14].paper.arxiv_id
        forged = await press(h, button_press(11, quick["ts"]), secret="not-the-secret")
        assert forged.status_code == 401
        for user in ("U1", "U2", "U3"):
            assert (await press(h, button_press(11, quick["ts"], user))).status_code == 200
        await press(h, button_press(14, quick["ts"]))
        await until(lambda: "👍 12 · 3" in json.dumps(slack.message(CHANNEL, quick["ts"]), ensure_ascii=False))
        updated = slack.message(CHANNEL, quick["ts"])
        assert updated is not None
        assert h.store.vote_counts("slack", CHANNEL) == {twelfth: 3, fifteenth: 1}
        assert h.adapters["slack"].inbound.refresher.edits == 1  # four presses, one chat.update
        listed = "\n".join(b["text"]["text"] for b in updated["blocks"] if b["type"] == "section")
        assert f"`{twelfth}`  👍 3" in listed and f"`{fifteenth}`  👍 1" in listed
        await press(h, button_press(14, quick["ts"]))  # pressed again: the vote is taken back
        await until(lambda: fifteenth not in h.store.vote_counts("slack", CHANNEL))


async def test_a_fire_on_a_deep_dive_joins_the_taste_and_redraws_the_quick_view(
        env: dict, slack_env: dict, slack: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    async with running() as h:
        fast(h, "slack")
        digest = await h.digest(thresholds=(0,))
        await post_digest(h.adapters["slack"], h.store, subscribe(h, threshold=0), digest)
        quick, reply = slack.messages_in(CHANNEL)[:2]
        paper = digest.selected(0)[0].paper
        await event(h, reaction_event("fire", channel=CHANNEL, ts=reply["ts"], event_id="EvFire"))
        await until(lambda: "👍 1 · 1" in json.dumps(slack.message(CHANNEL, quick["ts"]), ensure_ascii=False))
    assert main(["taste", "list", "--channel", f"slack:{CHANNEL}"]) == 0
    out = capsys.readouterr().out
    assert f"{paper.arxiv_id:<16} 👍 1" in out and "1 voted up" in out


async def test_telegram_buttons_redraw_the_counts_in_place(env: dict, telegram_env: dict,
                                                           telegram: FakeTelegram) -> None:
    async with running() as h:
        fast(h, "telegram")
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, tg_subscribe(h), digest)
        quick = telegram.sent_to(GROUP)[0]
        for n, user in enumerate((ALICE, BOB)):
            telegram.push_update({"callback_query": {
                "id": f"cb{n}", "from": {"id": user, "is_bot": False, "first_name": "A"}, "chat_instance": "ci",
                "data": "v:1", "message": {"message_id": quick["message_id"], "date": int(time.time()),
                                           "chat": {"id": GROUP, "type": "supergroup", "title": "papers"}}}})
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(digest.items[1].paper.arxiv_id) == 2)
        await until(lambda: bool(telegram.edits))
        await until(lambda: "👍 2 · 2" in json.dumps(telegram.edits[-1], ensure_ascii=False))
    assert telegram.edits[-1]["method"] in ("editMessageText", "editMessageReplyMarkup")
    assert len(telegram.edits) <= 2  # two presses: at most two redraws, never one per poll


async def test_the_first_digest_of_a_week_carries_last_weeks_favourites(env: dict, slack_env: dict,
                                                                        slack: FakeSlack) -> None:
    async with running() as h:
        digest = await h.digest()  # 2026-01-23, a Friday: its week starts on Monday the 19th
        papers = [item.paper for item in digest.items]
        h.store.save_papers(papers)
        for user in ("U1", "U2"):
            h.store.set_vote("slack", CHANNEL, papers[3].arxiv_id, user, True)
        h.store.set_vote("slack", CHANNEL, papers[5].arxiv_id, "U1", True)
        h.store.set_vote("slack", CHANNEL, papers[7].arxiv_id, "U1", True)
        h.store.db.execute("update votes set created_at = '2026-01-14T09:00:00+00:00'")  # last week
        h.store.db.execute("update votes set created_at = '2026-01-20T09:00:00+00:00' where arxiv_id = ?",
                           [papers[7].arxiv_id])  # this week: not last week's favourite
        h.store.db.conn.commit()
        channel = subscribe(h)
        await post_digest(h.adapters["slack"], h.store, channel, digest)
        quick = slack.messages_in(CHANNEL)[0]
        weekly = [m for m in slack.thread(CHANNEL, quick["ts"]) if m["text"].startswith("🏆 上周团队最爱")]
        assert len(weekly) == 1
        lines = weekly[0]["text"].splitlines()
        assert lines[1].startswith("1. 👍 2  ") and papers[3].arxiv_id in lines[1]
        assert papers[5].arxiv_id in lines[2] and len(lines) == 3
        assert weekly_text(h.store, channel, digest.date + dt.timedelta(days=1)) is None  # second of the week
        assert weekly_text(h.store, subscribe_other(h), digest.date) is None  # nobody voted there


def subscribe_other(h: Harness) -> Any:
    return h.store.upsert_channel("slack", "C0OTHER", threshold=60, post_time="08:30", timezone="UTC")


def test_the_manifest_sends_button_presses_to_our_endpoint() -> None:
    import yaml

    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True and interactivity["request_url"].endswith("/slack/events")
