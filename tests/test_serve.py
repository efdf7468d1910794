"""`serve` under real conditions: platform faults stay local, shutdown keeps one deadline, and the
event loop stays free while the morning digest runs (the last with the real `paperbot serve` process)."""

import asyncio
import datetime as dt
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.config import load_settings
from bot.scheduler import Scheduler
from bot.serve import serve
from bot.shutdown import shut_down
from storage.store import Store
from tests.chat_harness import running
from tests.conftest import SLACK_SECRET
from tests.fakes.hf import FakeHF
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack, sign, slash_command_body
from tests.fakes.telegram import FakeTelegram
from tests.helpers import FIXTURES, free_port, until

DAY_FILE = FIXTURES / "hf_daily_papers_2026-01-23.json"
CHANNEL = "C0PAPERS"


@pytest.fixture
def papers_yesterday(hf: FakeHF) -> Iterator[str]:
    """serve runs on the real clock: HF lists the fixture day as yesterday (and the day before, for midnight)."""
    today = dt.datetime.now(dt.UTC).date()
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (1, 2)]
    for day in days:
        hf.load_day(day, DAY_FILE)
    yield days[0]
    for day in days:
        hf.days.pop(day, None)


async def healthz(port: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                return dict((await client.get(f"http://127.0.0.1:{port}/healthz")).json())
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve never answered /healthz"
                await asyncio.sleep(0.1)


async def slash(client: httpx.AsyncClient, port: int, text: str = "70") -> tuple[float, httpx.Response]:
    body = slash_command_body("/threshold", text, channel_id=CHANNEL)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SLACK_SECRET, body)}
    started = time.monotonic()
    response = await client.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers)
    return time.monotonic() - started, response


# -- faults stay local ---------------------------------------------------------------------------

async def test_an_http_webhook_leaves_slack_serving_and_healthz_says_why(
        env: dict, slack_env: dict, telegram_env: dict, slack: FakeSlack, telegram: FakeTelegram,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "http://bot.example.org/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-value_1")
    store = Store(load_settings().db)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_settings(), store, stop))
    body = await healthz(port)
    async with httpx.AsyncClient() as client:
        _, answer = await slash(client, port)
    stop.set()
    assert await asyncio.wait_for(task, 30) == 0
    assert body["adapters"]["slack"] == "up" and body["status"] == "ok"
    assert body["adapters"]["telegram"].startswith("down: TELEGRAM_WEBHOOK_URL must be an https:// address")
    assert answer.status_code == 200 and "Threshold set to 70" in answer.text
    assert telegram.calls_to("/setWebhook") == []  # refused before Telegram was asked
    assert not any(r.exc_info for r in caplog.records)  # one line, no traceback
    store.close()


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "ünïcode"])
async def test_a_webhook_secret_telegram_would_refuse_is_named(env: dict, telegram_env: dict,
                                                              monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    async with running(listen=False) as h:
        assert h.adapters == {}
        why = h.adapters.failed["telegram"]  # type: ignore[attr-defined]
    assert why.startswith("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters") and secret not in why


async def test_a_listener_that_fails_marks_its_platform_down(
        env: dict, slack_env: dict, telegram_env: dict, telegram: FakeTelegram,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://unresolvable.example.org/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    refusal = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    telegram.fail_next(400, {"ok": False, "error_code": 400, "description": refusal}, path="/setWebhook")
    store = Store(load_settings().db)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_settings(), store, stop))
    body = await healthz(port)
    stop.set()
    assert await asyncio.wait_for(task, 30) == 0
    assert body["adapters"]["slack"] == "up"
    assert body["adapters"]["telegram"].startswith("down: Telegram refused TELEGRAM_WEBHOOK_URL (Bad webhook: failed")
    assert not any(r.exc_info for r in caplog.records)
    store.close()


async def test_a_port_in_use_is_one_line_before_anything_starts(env: dict, slack_env: dict, slack: FakeSlack,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from analysis.errors import ConfigError

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        monkeypatch.setenv("PAPERBOT_PORT", str(holder.getsockname()[1]))
        store = Store(load_settings().db)
        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1:\d+ .*set PAPERBOT_PORT"):
            await serve(load_settings(), store, asyncio.Event())
        store.close()
    assert slack.calls_to("auth.test") == []  # refused before Slack was called


async def test_serve_stops_with_one_line_when_no_platform_can_start(env: dict, slack_env: dict,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.errors import ChatError

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("PAPERBOT_PORT", str(free_port()))
    store = Store(load_settings().db)
    with pytest.raises(ChatError, match=r"^no chat platform could start \(slack: .*\); fix that and start again"):
        await asyncio.wait_for(serve(load_settings(), store, asyncio.Event()), 60)
    store.close()


# -- one shutdown deadline -----------------------------------------------------------------------

async def test_a_scheduled_post_in_flight_is_finished_not_cancelled(
        llm_env: dict, slack_env: dict, slack: FakeSlack, llm: FakeLLM) -> None:
    now = dt.datetime(2026, 1, 24, 9, 0, tzinfo=dt.UTC)
    async with running(listen=False) as h:
        channel = h.store.upsert_channel("slack", CHANNEL, threshold=0, post_time="08:30", timezone="UTC")
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: now)
        scheduler.start()
        # every deep dive takes a second to post: the run is mid-thread when the stop comes
        slack.fail_next(200, delay=1.0, passthrough=True, path="chat.postMessage", after=1, times=3)
        scheduler.aps.get_job(channel.key).modify(next_run_time=dt.datetime.now(dt.UTC))  # the cron job fires
        await until(lambda: slack.messages_in(CHANNEL))
        assert scheduler.in_flight  # APScheduler's task, tracked as ours
        runner = web.AppRunner(web.Application())
        await runner.setup()
        started = time.monotonic()
        cut = await shut_down(scheduler, h.adapters, runner, grace=20)
        took = time.monotonic() - started
        status = h.store.post_status("slack", CHANNEL, "2026-01-23")
    assert cut == 0 and status == "posted" and 1.5 < took < 20
    messages = slack.messages_in(CHANNEL)
    assert len(messages) == 4 and [m["thread_ts"] is None for m in messages] == [True, False, False, False]


async def test_a_429_being_waited_out_cannot_stretch_the_stop(
        env: dict, telegram_env: dict, telegram: FakeTelegram, papers_yesterday: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    store = Store(load_settings().db)
    store.upsert_channel("telegram", "-100777", threshold=60, post_time="00:00", timezone="UTC")
    telegram.flood(retry_after=25)  # PTB's AIORateLimiter sleeps 25 s before trying again
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_settings(), store, stop, grace=2.0))
    await healthz(port)
    await until(lambda: telegram.calls_to("/sendMessage"), timeout=20)
    stop.set()
    started = time.monotonic()
    assert await asyncio.wait_for(task, 30) == 0
    took = time.monotonic() - started
    assert took < 2.0 + 2.0, f"serve took {took:.1f} s to stop"
    assert store.post_status("telegram", "-100777", papers_yesterday) != "posted"  # cut: the next run resumes it
    store.close()


async def test_a_hung_deepdive_cannot_stretch_the_stop(llm_env: dict, slack_env: dict, slack: FakeSlack,
                                                       llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    store = Store(load_settings().db)
    llm.latency = 120  # the LLM never answers in time
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_settings(), store, stop, grace=1.5))
    await healthz(port)
    body = slash_command_body("/deepdive", "2601.15621", channel_id=CHANNEL, response_url=slack.response_url("dd"))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SLACK_SECRET, body)}
    async with httpx.AsyncClient() as client:
        ack = await client.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers)
    await until(lambda: llm.calls_to("/chat/completions"))  # the deep dive's LLM call hangs
    stop.set()
    started = time.monotonic()
    assert await asyncio.wait_for(task, 30) == 0
    took = time.monotonic() - started
    assert "Reading" in ack.text and took < 1.5 + 2.0, f"serve took {took:.1f} s to stop"
    store.close()


# -- the real process: acks during the morning digest, then SIGTERM mid-post -----------------------

def test_serve_acks_commands_during_the_first_digest_and_finishes_the_post_on_sigterm(
        llm_env: dict, slack_env: dict, slack: FakeSlack, llm: FakeLLM, papers_yesterday: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    port = free_port()
    script = str(Path(sys.executable).parent / "paperbot")
    run_env = {**os.environ, "PAPERBOT_PORT": str(port), "PAPERBOT_THRESHOLD": "0"}
    subprocess.run([script, "channel", "add", "slack", CHANNEL, "--time", "00:00", "--tz", "UTC"], env=run_env,
                   check=True, capture_output=True)
    llm.latency = 1.5  # every LLM call: the digest takes two of them, the first right after start-up
    slack.fail_next(200, delay=1.0, passthrough=True, path="chat.postMessage", after=1, times=3)
    proc = subprocess.Popen([script, "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        timings, stopped_in = asyncio.run(_acks_then_sigterm(proc, port, slack, llm))
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
    # the target is 1.5 s at most, 0.5 s median; measured ~0.03 s at most. With litellm imported on the
    # loop the first commands waited out the import (1.3 s on an idle machine, 4-6 s on a busy one)
    assert len(timings) >= 6 and max(timings) < 1.0 and statistics.median(timings) <= 0.5, timings
    assert proc.returncode == 0 and stopped_in < 30 + 2, err
    messages = slack.messages_in(CHANNEL)
    assert len(messages) == 4 and "Traceback" not in err  # quick view + 3 deep dives: finished, not cut
    store = Store(run_env["PAPERBOT_DB"])
    assert store.post_status("slack", CHANNEL, papers_yesterday) == "posted"
    store.close()


async def port_open(port: int, timeout: float = 60) -> None:
    """As soon as serve accepts connections (a /healthz answer could itself wait behind a stalled loop)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            assert time.monotonic() < deadline, "serve never opened its port"
            await asyncio.sleep(0.02)


async def _acks_then_sigterm(proc: subprocess.Popen[str], port: int, slack: FakeSlack,
                             llm: FakeLLM) -> tuple[list[float], float]:
    await port_open(port)
    timings: list[float] = []
    async with httpx.AsyncClient(timeout=10) as client:
        pending: list[asyncio.Task[tuple[float, httpx.Response]]] = []
        # while the digest runs: from its first LLM call until the quick view is out
        while not slack.messages_in(CHANNEL) and len(pending) < 200:
            pending.append(asyncio.create_task(slash(client, port)))
            await asyncio.sleep(0.25)
        for took, response in await asyncio.gather(*pending):
            assert response.status_code == 200 and "Threshold set to 70" in response.text
            timings.append(took)
    assert llm.calls_to("/chat/completions")  # the commands overlapped the LLM calls
    proc.send_signal(signal.SIGTERM)  # deep dives are still being posted, a second each
    started = time.monotonic()
    await asyncio.to_thread(proc.wait, 40)
    return timings, time.monotonic() - started


async def test_a_hung_telegram_handler_cannot_stretch_the_stop(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    store = Store(load_settings().db)
    telegram.fail_next(200, delay=60, passthrough=True, path="/getChatMember")  # the admin check hangs
    stop = asyncio.Event()
    task = asyncio.create_task(serve(load_settings(), store, stop, grace=1.5))
    await healthz(port)
    group = -1001234567890
    telegram.push_update({"message": {
        "message_id": 7, "date": int(time.time()), "text": "/threshold 70",
        "chat": {"id": group, "type": "supergroup", "title": "papers"},
        "from": {"id": 43, "is_bot": False, "first_name": "Bob"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 10}]}})
    await until(lambda: telegram.calls_to("/getChatMember"))  # PTB is inside our handler, waiting
    stop.set()
    started = time.monotonic()
    assert await asyncio.wait_for(task, 30) == 0
    took = time.monotonic() - started
    assert took < 1.5 + 2.0, f"serve took {took:.1f} s to stop"
    store.close()
