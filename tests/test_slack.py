"""Slack end to end: real slack-bolt and slack_sdk against the loopback fake Web API; requests to our
own /slack/events are signed like Slack signs them."""

import asyncio
import json
import logging
import re
import time
from typing import Any

import pytest

from analysis.models import Analysis, DeepDive, Paper
from bot.shared.posting import post_digest
from bot.slack import render
from tests.chat_harness import Harness, running
from tests.conftest import SLACK_SECRET
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack, reaction_event, sign, slash_command_body
from tests.helpers import FIXTURES, until

CHANNEL = "C0PAPERS"


async def command(h: Harness, slack: FakeSlack, name: str, text: str, *, timestamp: int | None = None,
                  secret: str = SLACK_SECRET) -> Any:
    body = slash_command_body(f"/{name}", text, channel_id=CHANNEL, response_url=slack.response_url(name))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body, timestamp)}
    return await h.http.post("/slack/events", content=body, headers=headers)


async def event(h: Harness, payload: dict[str, Any]) -> Any:
    body = json.dumps(payload).encode()
    return await h.http.post("/slack/events", content=body,
                             headers={"Content-Type": "application/json", **sign(SLACK_SECRET, body)})


def subscribe(h: Harness, threshold: int = 60) -> Any:
    return h.store.upsert_channel("slack", CHANNEL, threshold=threshold, post_time="08:30", timezone="UTC")



async def test_post_quick_view_and_one_threaded_reply_per_deep_dive(llm_env: dict, slack_env: dict,
                                                                    slack: FakeSlack, llm: FakeLLM) -> None:
    async with running() as h:
        digest = await h.digest()
        channel = subscribe(h)
        outcome = await post_digest(h.adapters["slack"], h.store, channel, digest)
    selected = digest.selected()
    messages = slack.messages_in(CHANNEL)
    quick = messages[0]
    assert "posted the digest of 2026-01-23 with" in outcome and len(selected) >= 1
    assert quick["thread_ts"] is None and quick["blocks"][0]["type"] == "header"
    listed = "\n".join(b["text"]["text"] for b in quick["blocks"] if b["type"] == "section")
    # the best PAPERBOT_TOP_N (15) of the 27 scanned, with their ids; then how many more, and /deepdive
    assert [item.paper.arxiv_id in listed for item in digest.items] == [True] * 15 + [False] * 12
    assert listed.count("⭐") == len(selected)
    contexts = [b["elements"][0]["text"] for b in quick["blocks"] if b["type"] == "context"]
    assert any("另扫描了 12 篇" in text and "/deepdive" in text for text in contexts)
    replies = slack.thread(CHANNEL, quick["ts"])
    assert len(replies) == len(selected) == len(messages) - 1
    assert selected[0].paper.title.split(":")[0] in replies[0]["text"]


async def test_a_long_deep_dive_respects_block_kit_limits(llm_env: dict, slack_env: dict, slack: FakeSlack,
                                                          llm: FakeLLM) -> None:
    llm.deep_dive_size = 200_000  # ~80 sections of 3,000 characters: more than one message holds
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
    for message in slack.messages_in(CHANNEL):
        assert len(message["blocks"]) <= 50
        for block in message["blocks"]:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= 3000
    assert len(slack.messages_in(CHANNEL)) > 1 + len(digest.selected())  # the long replies were split


async def test_a_rerun_posts_nothing(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        digest = await h.digest()
        channel = subscribe(h)
        await post_digest(h.adapters["slack"], h.store, channel, digest)
        count = len(slack.messages)
        outcome = await post_digest(h.adapters["slack"], h.store, channel, digest)
    assert "already posted" in outcome and len(slack.messages) == count


async def test_a_crash_mid_thread_is_resumed_without_a_second_quick_view(llm_env: dict, slack_env: dict,
                                                                         slack: FakeSlack, llm: FakeLLM) -> None:
    async with running() as h:
        digest = await h.digest(thresholds=(0,))
        channel = subscribe(h, threshold=0)  # three deep dives
        slack.fail_next(500, "boom", path="chat.postMessage", after=2)  # quick view and 1st reply get through
        with pytest.raises(Exception, match="Slack refused"):
            await post_digest(h.adapters["slack"], h.store, channel, digest)
        assert len(slack.messages_in(CHANNEL)) == 2
        h.store.db.execute("update posts set owner = 'ghost:1:dead', claimed_at = '2000-01-01T00:00:00+00:00'")
        h.store.db.conn.commit()  # the crashed process is gone and its claim is stale
        outcome = await post_digest(h.adapters["slack"], h.store, channel, digest)
    quick = slack.messages_in(CHANNEL)[0]
    assert "(resumed)" in outcome
    assert [m["thread_ts"] for m in slack.messages_in(CHANNEL)] == [None, quick["ts"], quick["ts"], quick["ts"]]


async def test_channel_errors_leave_the_post_unclaimed_for_a_later_run(env: dict, slack_env: dict,
                                                                      slack: FakeSlack) -> None:
    slack.fail_channel(CHANNEL, "not_in_channel")
    async with running() as h:
        digest = await h.digest()
        channel = subscribe(h)
        with pytest.raises(Exception, match="invite the bot"):
            await post_digest(h.adapters["slack"], h.store, channel, digest)
        assert h.store.post_status("slack", CHANNEL, "2026-01-23") is None
        slack.fail_channel(CHANNEL, None)
        assert "posted" in await post_digest(h.adapters["slack"], h.store, channel, digest)


async def test_deepdive_command_acks_at_once_and_posts_the_analysis(llm_env: dict, slack_env: dict,
                                                                    slack: FakeSlack, llm: FakeLLM) -> None:
    llm.latency = 0.5
    async with running() as h:
        started = time.monotonic()
        response = await command(h, slack, "deepdive", "arXiv:2601.15621v1")
        assert response.status_code == 200 and time.monotonic() - started < 3
        assert "Reading" in response.text
        await until(lambda: slack.messages_in(CHANNEL))
    message = slack.messages_in(CHANNEL)[0]
    assert message["thread_ts"] is None and "Qwen3-TTS" in message["text"]
    assert any("核心创新点" in b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


async def test_deepdive_of_a_paper_in_the_digest_answers_in_its_thread(llm_env: dict, slack_env: dict,
                                                                       slack: FakeSlack) -> None:
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
        quick_ts = slack.messages_in(CHANNEL)[0]["ts"]
        last = digest.items[-1].paper.arxiv_id  # listed but not selected
        before = len(slack.messages_in(CHANNEL))
        await command(h, slack, "deepdive", f"https://arxiv.org/abs/{last}")
        await until(lambda: len(slack.messages_in(CHANNEL)) > before)
    assert slack.messages_in(CHANNEL)[-1]["thread_ts"] == quick_ts


@pytest.mark.parametrize(("text", "fragment"), [("1234", "not an arXiv id"), ("", "Usage: /deepdive")])
async def test_deepdive_bad_id_is_one_line_and_posts_nothing(env: dict, slack_env: dict, slack: FakeSlack,
                                                             text: str, fragment: str) -> None:
    async with running() as h:
        response = await command(h, slack, "deepdive", text)
    assert response.status_code == 200 and fragment in response.text
    assert "\n" not in response.text and slack.messages == []


async def test_deepdive_unknown_id_answers_privately(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        await command(h, slack, "deepdive", "2601.99999")
        await until(lambda: slack.responses)
    assert "has no paper 2601.99999" in slack.responses[0]["text"]
    assert slack.responses[0]["response_type"] == "ephemeral" and slack.messages_in(CHANNEL) == []


async def test_threshold_show_set_and_refuse(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        shown = (await command(h, slack, "threshold", "")).text
        set_70 = (await command(h, slack, "threshold", "70")).text
        too_big = (await command(h, slack, "threshold", "150")).text
        letters = (await command(h, slack, "threshold", "abc")).text
        channel = h.store.get_channel("slack", CHANNEL)
    assert "threshold is 60" in shown and "Threshold set to 70" in set_70
    assert "'150' is not a threshold" in too_big and "'abc' is not a threshold" in letters
    assert channel is not None and channel.threshold == 70


async def test_subscribe_status_help_unsubscribe(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running() as h:
        sub = (await command(h, slack, "subscribe", "07:45 Asia/Shanghai")).text
        bad = (await command(h, slack, "subscribe", "25:00")).text
        status = (await command(h, slack, "status", "")).text
        helps = (await command(h, slack, "help", "")).text
        unsub = (await command(h, slack, "unsubscribe", "")).text
        channel = h.store.get_channel("slack", CHANNEL)
    assert "07:45 Asia/Shanghai" in sub and "HH:MM" in bad and "Subscribed: digest at 07:45" in status
    assert "/deepdive" in helps and "/threshold" in helps and "Unsubscribed" in unsub
    assert channel is not None and not channel.active and channel.post_time == "07:45"


async def test_reactions_vote_once_and_can_be_taken_back(env: dict, slack_env: dict, slack: FakeSlack,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")  # each reaction handled says so: waited for below
    async with running() as h:
        digest = await h.digest(thresholds=(0,))
        await post_digest(h.adapters["slack"], h.store, subscribe(h, threshold=0), digest)
        quick, first_reply = slack.messages_in(CHANNEL)[:2]
        paper = digest.selected(0)[0].paper.arxiv_id
        second = digest.items[1].paper.arxiv_id
        await event(h, reaction_event("+1", channel=CHANNEL, ts=first_reply["ts"], event_id="Ev1"))
        await event(h, reaction_event("+1", channel=CHANNEL, ts=first_reply["ts"], event_id="Ev1"))  # retried
        await event(h, reaction_event("fire", channel=CHANNEL, ts=first_reply["ts"], user="U2", event_id="Ev2"))
        await event(h, reaction_event("two", channel=CHANNEL, ts=quick["ts"], event_id="Ev3"))
        await event(h, reaction_event("eyes", channel=CHANNEL, ts=first_reply["ts"], event_id="Ev4"))
        await until(lambda: h.store.vote_counts("slack", CHANNEL).get(second) == 1)
        assert h.store.vote_counts("slack", CHANNEL)[paper] == 2
        await event(h, reaction_event("+1", channel=CHANNEL, ts=first_reply["ts"], event_id="Ev5", added=False))
        await until(lambda: h.store.vote_counts("slack", CHANNEL)[paper] == 1)
        status = (await command(h, slack, "status", "")).text
        # U2 also puts :one: on the quick view (the same paper), then takes back 🔥: the vote stands
        await event(h, reaction_event("one", channel=CHANNEL, ts=quick["ts"], user="U2", event_id="Ev6"))
        await event(h, reaction_event("fire", channel=CHANNEL, ts=first_reply["ts"], user="U2", event_id="Ev7",
                                      added=False))
        await event(h, reaction_event("eyes", channel=CHANNEL, ts=quick["ts"], user="U2", event_id="Ev8"))
        await until(lambda: all(any(text in r.getMessage() for r in caplog.records) for text in
                                ("'one' added by U2", "'fire' removed by U2", "'eyes' added by U2")))
        assert h.store.vote_counts("slack", CHANNEL)[paper] == 1
        await event(h, reaction_event("one", channel=CHANNEL, ts=quick["ts"], user="U2", event_id="Ev9",
                                      added=False))
        await until(lambda: paper not in h.store.vote_counts("slack", CHANNEL))
    assert f"{paper} 👍 1" in status


@pytest.mark.parametrize("forgery", ["wrong secret", "six minutes old", "unsigned"])
async def test_forged_stale_or_unsigned_requests_are_refused(env: dict, slack_env: dict, slack: FakeSlack,
                                                             forgery: str) -> None:
    async with running() as h:
        if forgery == "wrong secret":
            response = await command(h, slack, "threshold", "5", secret="not-the-secret")
        elif forgery == "six minutes old":
            response = await command(h, slack, "threshold", "5", timestamp=int(time.time()) - 360)
        else:
            body = slash_command_body("/threshold", "5", channel_id=CHANNEL)
            response = await h.http.post("/slack/events", content=body,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 401
        assert h.store.get_channel("slack", CHANNEL) is None


async def test_a_429_is_waited_out(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    slack.fail_next(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"}, path="chat.postMessage")
    async with running(listen=False) as h:
        ts = await h.adapters["slack"].post_text(CHANNEL, "No new papers <today> & tomorrow")
    assert ts and len(slack.calls_to("chat.postMessage")) == 2
    assert slack.messages_in(CHANNEL)[0]["text"] == "No new papers &lt;today&gt; &amp; tomorrow"


def test_the_docs_signing_vector_verifies() -> None:
    from slack_sdk.signature import SignatureVerifier

    vector = json.loads((FIXTURES / "slack_signing_vector_docs.json").read_text())
    body = (FIXTURES / "slack_slash_command_body_docs-signing-example.txt").read_text()
    secret, expected = vector["signing_secret"], vector["expected_signature"]
    stamp = vector["headers"]["X-Slack-Request-Timestamp"]
    assert body == vector["body"]

    class Clock:
        def now(self) -> float:
            return float(stamp) + 10

    verifier = SignatureVerifier(secret, clock=Clock())  # type: ignore[arg-type]
    assert verifier.is_valid(body, stamp, expected)
    assert sign(secret, body.encode(), int(stamp))["X-Slack-Signature"] == expected
    assert not verifier.is_valid(body + " ", stamp, expected)


async def test_deepdive_of_a_pasted_link_in_slack_markup_is_understood(llm_env: dict, slack_env: dict,
                                                                       slack: FakeSlack) -> None:
    # Slack hands links over in its own markup, and &, <, > as entities
    async with running() as h:
        response = await command(h, slack, "deepdive",
                                 "<https://arxiv.org/abs/2601.15621|arxiv.org/abs/2601.15621> &amp; more")
        assert "Reading https://arxiv.org/abs/2601.15621 &amp; more" in response.text  # escaped once
        await until(lambda: slack.messages_in(CHANNEL))
        refused = (await command(h, slack, "deepdive", "x&lt;!channel&gt;y")).text
    assert "Qwen3-TTS" in slack.messages_in(CHANNEL)[0]["text"]
    assert "'x&lt;!channel&gt;y' is not an arXiv id" in refused  # quoted back, still inert


async def test_a_deepdive_that_cannot_be_posted_says_why_privately(llm_env: dict, slack_env: dict,
                                                                   slack: FakeSlack) -> None:
    slack.fail_channel(CHANNEL, "not_in_channel")  # /deepdive works in channels the bot was never invited to
    async with running() as h:
        response = await command(h, slack, "deepdive", "2601.15621")
        assert "follows in the channel" in response.text
        await until(lambda: slack.responses)
    assert "invite the bot" in slack.responses[0]["text"]
    assert slack.responses[0]["response_type"] == "ephemeral" and slack.messages_in(CHANNEL) == []


async def test_subscribe_is_announced_in_the_channel_and_status_stays_private(env: dict, slack_env: dict,
                                                                              slack: FakeSlack) -> None:
    async with running() as h:
        sub = (await command(h, slack, "subscribe", "07:45 UTC")).json()
        status = await command(h, slack, "status", "")
    assert sub["response_type"] == "in_channel" and "07:45" in sub["text"]
    assert status.headers["content-type"].startswith("text/plain")  # a bare text: ephemeral


async def test_titles_and_llm_text_cannot_mention_anyone(llm_env: dict, slack_env: dict, slack: FakeSlack,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_TITLE", "Papers <!channel> & friends")
    async with running() as h:
        await post_digest(h.adapters["slack"], h.store, subscribe(h), await h.digest())
    quick = slack.messages_in(CHANNEL)[0]
    assert "<!channel>" not in quick["text"] and "&lt;!channel&gt; &amp; friends" in quick["text"]
    paper = Paper(arxiv_id="2601.00001", title="Ping <!here> & <@U0BOSS>", abstract="a")
    dive = DeepDive(key_contribution="@channel see <!everyone>", methodology=["m"], takeaways=["t"],
                    limitations=["l"])
    [message] = render.analysis_message(paper, Analysis(arxiv_id=paper.arxiv_id, deep_dive=dive), 80)
    assert message["text"] == "Ping &lt;!here&gt; &amp; &lt;@U0BOSS&gt;"
    texts = [t for b in message["blocks"] for t in ([b["text"]] if "text" in b else b["elements"])]
    assert all(t["verbatim"] is True for t in texts)  # no automatic parsing of "@channel" and the like
    assert not any(re.search(r"<[!@]", t["text"]) for t in texts)


def test_a_long_line_without_spaces_is_not_cut_inside_an_entity_or_link() -> None:
    entity = "字" * 2998 + render.escape("&") + "字" * 100
    link = "字" * 2990 + render.link("https://arxiv.org/abs/2601.00001", "a title") + "字" * 100
    for line in (entity, link):
        parts = [b["text"]["text"] for b in render.sections([line])]
        assert "".join(parts) == line and all(len(p) <= 3000 for p in parts)
        assert not any(re.search(r"&(?!amp;|lt;|gt;)|<[^>]*$|^[^<]*>", p) for p in parts)


async def test_a_dropped_connection_to_slack_is_retried(env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk retries a connection Slack dropped (its default handler); ours must keep doing so."""
    answer = json.dumps({"ok": True, "ts": "1700000000.000001", "user_id": "UBOT", "bot_id": "B0001"}).encode()
    seen = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal seen
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        await reader.readexactly(int(length.group(1)) if length else 0)
        seen += 1
        if b"chat.postMessage" in head and seen == 2:  # the first post: the connection just ends
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: " + str(len(answer)).encode() + b"\r\n\r\n" + answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SLACK_SECRET,
                        "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}.items():
        monkeypatch.setenv(name, value)
    async with server, running(listen=False) as h:
        ts = await h.adapters["slack"].post_text(CHANNEL, "No new papers")
    assert ts == "1700000000.000001" and seen == 3  # auth.test, the dropped post, its retry
