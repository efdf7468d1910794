"""👎 "not for us" and followed authors through the real `paperbot serve` process against the fakes: a paper
marked from the CLI gets no deep dive even at the top of the day, a followed author's paper far below the
threshold is lifted to it and shows 👤, a 👎 on a deep dive is stored once (Slack's retry of the same event
included) and shown on the quick view, and /follow works on Slack and Telegram."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from analysis.models import Digest
from storage.store import Store
from tests.conftest import SLACK_SECRET
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack, reaction_event, sign, slash_command_body
from tests.fakes.telegram import FakeTelegram
from tests.helpers import day_papers, free_port, until
from tests.test_serve import CHANNEL, papers_yesterday, port_open  # noqa: F401 (a fixture)

GROUP, ADMIN, MEMBER = -1009876543210, 42, 43


def test_marks_and_follows_through_the_real_serve_process(
        llm_env: dict, slack_env: dict, telegram_env: dict, slack: FakeSlack, telegram: FakeTelegram,
        llm: FakeLLM, papers_yesterday: str) -> None:  # noqa: F811
    port = free_port()
    script = str(Path(sys.executable).parent / "paperbot")
    run_env = {**os.environ, "PAPERBOT_PORT": str(port), "PAPERBOT_THRESHOLD": "50"}
    marked, followed = day_papers()[4].arxiv_id, day_papers()[10].arxiv_id  # the latter by Nicholas Carlini
    llm.scores[marked] = 100  # the day's best paper, far above the threshold
    llm.scores[followed] = 10  # far below it
    cli = [[script, "channel", "add", "slack", CHANNEL, "--time", "00:00", "--tz", "UTC",
            "--follow", "Kaiming He, N. Carlini"],
           [script, "taste", "add", "--not", "--channel", f"slack:{CHANNEL}", marked]]
    for argv in cli:
        done = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    listing = subprocess.run([script, "channel", "list"], env=run_env, capture_output=True, text=True).stdout
    assert "follows Kaiming He" in listing
    telegram.set_chat(GROUP, "supergroup", "papers")
    telegram.add_admin(GROUP, ADMIN)
    proc = subprocess.Popen([script, "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        asyncio.run(_chat(port, slack, telegram, (marked, followed), run_env["PAPERBOT_DB"], papers_yesterday))
        proc.send_signal(signal.SIGTERM)
        proc.wait(40)
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err


async def _chat(port: int, slack: FakeSlack, telegram: FakeTelegram, papers: tuple[str, str], db: str,
                day: str) -> None:
    marked, followed = papers
    await port_open(port)
    store = Store(db)
    await until(lambda: store.post_status("slack", CHANNEL, day) == "posted", timeout=90)
    quick = slack.messages_in(CHANNEL)[0]
    dives = slack.thread(CHANNEL, quick["ts"])
    shown = Digest.model_validate_json(store.db.execute("select view from posts where channel_id = ?",
                                                        [CHANNEL]).fetchone()[0])
    # the marked paper leads the list, with its mark counted, yet gets no deep dive; three others do
    assert shown.items[0].paper.arxiv_id == marked and shown.items[0].score.score == 100
    assert len(dives) == 3 and not any(marked in d["text"] for d in dives)
    blocks = json.dumps(quick["blocks"], ensure_ascii=False)
    assert f"`{marked}`  👎 1" in blocks
    # the followed author's paper, scored 10 by the LLM, is lifted to the threshold and named with 👤
    lifted = next(i for i in shown.items if i.paper.arxiv_id == followed)
    assert lifted.score.score >= 50 and lifted.followed == ["N. Carlini"]
    assert "👤 关注的作者：N. Carlini（第" in blocks
    dived = str(store.find_message("slack", CHANNEL, dives[0]["ts"])["arxiv_id"])
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        alice = reaction_event("-1", CHANNEL, dives[0]["ts"], user="U0ALICE", event_id="EvDown1")
        await _event(client, alice)
        await until(lambda: store.mark_counts("slack", CHANNEL).get(dived) == 1)
        await until(lambda: f"`{dived}`  👎 1" in json.dumps(slack.message(CHANNEL, quick["ts"]), ensure_ascii=False))
        await _event(client, reaction_event("-1", CHANNEL, dives[0]["ts"], event_id="EvDown2", added=False))
        await until(lambda: dived not in store.mark_counts("slack", CHANNEL))
        await _event(client, alice, retry=1)  # Slack delivers the first event again: it must not mark again
        await _event(client, reaction_event("thumbsdown", CHANNEL, dives[0]["ts"], user="U0BOB", event_id="EvDown3"))
        await until(lambda: store.mark_counts("slack", CHANNEL).get(dived) == 1 and _marked_by(store, "U0BOB"))
        assert not _marked_by(store, "U0ALICE")  # her mark was taken back, and the retry did not bring it back
        follow = await _slash(client, "/follow", "Yann LeCun")
        listed = await _slash(client, "/follow", "")
    assert "Now following Yann LeCun" in follow.text
    assert "Kaiming He" in listed.text and "Yann LeCun" in listed.text
    # Telegram: a group's member may list, only an administrator may follow
    telegram.push_update(_message(MEMBER, 7, "/follow Ross Girshick"))
    telegram.push_update(_message(ADMIN, 8, "/follow Ross Girshick"))
    await until(lambda: len(telegram.sent_to(GROUP)) >= 2, timeout=20)
    replies = {m["reply_to"]: m["text"] for m in telegram.sent_to(GROUP)}
    assert "Only chat administrators" in replies[7] and "Now following Ross Girshick" in replies[8]
    assert store.follows("telegram", str(GROUP)) == ["Ross Girshick"]
    assert store.follows("slack", CHANNEL) == ["Kaiming He", "N. Carlini", "Yann LeCun"]
    store.close()


def _marked_by(store: Store, user: str) -> bool:
    return store.db.execute("select 1 from marks where user_id = ? and withdrawn_at is null", [user]).fetchone() \
        is not None


async def _event(client: httpx.AsyncClient, envelope: dict, retry: int = 0) -> None:
    body = json.dumps(envelope).encode()
    headers = {"Content-Type": "application/json", **sign(SLACK_SECRET, body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200


async def _slash(client: httpx.AsyncClient, command: str, text: str) -> httpx.Response:
    body = slash_command_body(command, text, channel_id=CHANNEL)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SLACK_SECRET, body)}
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    return response


def _message(user: int, message_id: int, text: str) -> dict:
    command = text.split()[0]
    return {"message": {"message_id": message_id, "date": int(time.time()), "text": text,
                        "chat": {"id": GROUP, "type": "supergroup", "title": "papers"},
                        "from": {"id": user, "is_bot": False, "first_name": "Ann"},
                        "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]}}
