"""Feishu through the real `paperbot serve` process, in both of Feishu's modes: encrypted and signed (an
Encrypt Key set), and plain (the verification token alone). `digest --post` runs as its own process first."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.feishu import cards
from storage.store import Store
from tests.fakes import feishu as lark
from tests.fakes.feishu import FakeFeishu
from tests.fakes.llm import FakeLLM
from tests.helpers import FIXTURES, free_port, until

DAY = str(FIXTURES / "hf_daily_papers_2026-01-23.json")
SCRIPT = str(Path(sys.executable).parent / "paperbot")
CHAT = lark.chat_id(7)
MANAGER, MEMBER = "ou_" + "c" * 32, "ou_" + "d" * 32
KEY = "feishu-encrypt-key-for-tests"


def paperbot(run_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], env=run_env, capture_output=True, text=True, timeout=120)


def subscribe_and_post(run_env: dict[str, str], feishu: FakeFeishu) -> str:
    """The chat subscribed from a shell (its post time half a day away: serve's catch-up leaves it alone)
    and the fixture day posted by `digest --post`; a rerun posts nothing. The card's message id."""
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)).strftime("%H:%M")
    added = paperbot(run_env, "channel", "add", "feishu", CHAT, "--time", later, "--tz", "UTC")
    assert added.returncode == 0 and f"subscribed feishu {CHAT}" in added.stdout, added.stderr
    first = paperbot(run_env, "digest", "--from-file", DAY, "--post")
    assert first.returncode == 0 and f"feishu {CHAT}: posted the digest" in first.stderr, first.stderr
    sent = len(feishu.in_chat(CHAT))
    again = paperbot(run_env, "digest", "--from-file", DAY, "--post")
    assert again.returncode == 0 and "already posted" in again.stderr and len(feishu.in_chat(CHAT)) == sent
    card = feishu.in_chat(CHAT)[0]
    assert card["msg_type"] == "interactive" and len(feishu.thread(card["message_id"])) == sent - 1 >= 1
    return str(card["message_id"])


@contextmanager
def serving(run_env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([SCRIPT, "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        finally:
            proc.kill()


async def health(port: int, proc: subprocess.Popen[str]) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "serve exited"
            try:
                return dict((await client.get(f"http://127.0.0.1:{port}/healthz")).json())
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise AssertionError("serve never answered /healthz")


class Sender:
    """Posts to serve's /feishu/events as Feishu does: the envelope, encrypted and signed with `key` if given."""

    def __init__(self, client: httpx.AsyncClient, port: int, feishu: FakeFeishu, key: str | None) -> None:
        self.client, self.url, self.feishu, self.key = client, f"http://127.0.0.1:{port}/feishu/events", feishu, key

    async def raw(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        body, headers = lark.request(payload, self.key, **kw)
        return await self.client.post(self.url, content=body, headers=headers)

    async def event(self, kind: str, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> httpx.Response:
        return await self.raw(lark.envelope(kind, event, event_id=event_id), **kw)

    async def say(self, text: str, user: str) -> httpx.Response:
        return await self.event("im.message.receive_v1", self.feishu.heard(lark.message_event(CHAT, text, user)))


def answers(feishu: FakeFeishu) -> list[str]:
    return [str(m["content"].get("text")) for m in feishu.in_chat(CHAT) if m["msg_type"] == "text"]


def test_serve_in_encrypted_mode_verifies_and_votes(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    port = free_port()
    run_env = {**os.environ, "PAPERBOT_PORT": str(port), "PAPERBOT_THRESHOLD": "0", "FEISHU_ENCRYPT_KEY": KEY}
    card = subscribe_and_post(run_env, feishu)
    feishu.chats[CHAT] = {"managers": [MANAGER], "members": [MEMBER]}
    dive = feishu.thread(card)[0]["message_id"]
    with serving(run_env) as proc:
        asyncio.run(_encrypted(port, proc, feishu, card, dive))
        assert proc.poll() is None
    store = Store(run_env["PAPERBOT_DB"])
    channel = store.get_channel("feishu", CHAT)
    votes = store.vote_counts("feishu", CHAT)
    store.close()
    assert channel is not None and channel.threshold == 70
    assert sorted(votes.values()) == [1, 1] and len(votes) == 2  # one from the reaction, one from the button
    assert "· 1" in cards.card_text(feishu.patches[-1]["card"])


async def _encrypted(port: int, proc: subprocess.Popen[str], feishu: FakeFeishu, card: str, dive: str) -> None:
    body = await health(port, proc)
    assert body["adapters"]["feishu"] == "up", body
    async with httpx.AsyncClient(timeout=10) as client:
        send = Sender(client, port, feishu, KEY)
        challenge = await send.raw(lark.challenge(code="encrypted-challenge"))
        assert challenge.status_code == 200 and challenge.json() == {"challenge": "encrypted-challenge"}
        assert (await send.say("/threshold 70", MANAGER)).status_code == 200
        await until(lambda: len(answers(feishu)) == 1, 20)
        await send.say("/threshold 10", MEMBER)
        await until(lambda: len(answers(feishu)) == 2, 20)
        assert "Threshold set to 70" in answers(feishu)[0] and "Only chat administrators" in answers(feishu)[1]
        thumbs = lark.reaction_event(dive, "THUMBSUP", MEMBER)
        for _ in range(2):  # a retried event: the same event id
            assert (await send.event("im.message.reaction.created_v1", thumbs, event_id="thumbs-up-1")).is_success
        await until(lambda: len(feishu.patches) >= 1, 20)
        press = lark.card_action(CHAT, card, MANAGER, {"paperbot": "vote", "index": 5})
        toasts = [(await send.event("card.action.trigger", press, event_id="press-6")).json() for _ in range(2)]
        assert toasts[0]["toast"]["type"] == "success" and "toast" not in toasts[1]
        await until(lambda: any("👍 6 · 1" in cards.card_text(p["card"]) for p in feishu.patches), 20)
        forged = lark.request(lark.envelope("im.message.reaction.created_v1", thumbs), KEY)
        forged_headers = {**forged[1], "X-Lark-Signature": "0" * 64}
        refused = [await client.post(send.url, content=forged[0], headers=forged_headers),
                   await send.event("im.message.reaction.created_v1", thumbs,
                                    timestamp=dt.datetime.now(dt.UTC).timestamp() - 600),
                   await send.event("im.message.reaction.created_v1", thumbs, sign=False)]
        assert [r.status_code for r in refused] == [401, 401, 401]


def test_serve_in_plain_mode_answers_the_challenge_and_deep_dives_in_the_thread(
        llm_env: dict, feishu_env: dict, feishu: FakeFeishu, llm: FakeLLM) -> None:
    port = free_port()
    run_env = {**os.environ, "PAPERBOT_PORT": str(port), "PAPERBOT_THRESHOLD": "90"}
    card = subscribe_and_post(run_env, feishu)
    with serving(run_env) as proc:
        asyncio.run(_plain(port, proc, feishu, card))


async def _plain(port: int, proc: subprocess.Popen[str], feishu: FakeFeishu, card: str) -> None:
    await health(port, proc)
    async with httpx.AsyncClient(timeout=10) as client:
        send = Sender(client, port, feishu, None)
        challenge = await send.raw(lark.challenge(code="plain-challenge"))
        assert challenge.json() == {"challenge": "plain-challenge"}
        wrong = await send.raw(lark.challenge(token="not-the-token"))
        assert wrong.status_code == 401
        listed = [line for line in cards.card_text(feishu.message(card)["content"]).splitlines()  # type: ignore[index]
                  if line.startswith("1. ")]
        paper = listed[0].split("arxiv.org/abs/")[1].split(")")[0]
        before = len(feishu.thread(card))
        await send.say(f"/deepdive {paper}", MEMBER)
        await until(lambda: len(feishu.thread(card)) > before, 60)
    answer = feishu.thread(card)[-1]
    assert answer["msg_type"] == "interactive" and paper in cards.card_text(answer["content"])
