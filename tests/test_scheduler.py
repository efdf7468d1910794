"""The scheduler and `serve` with a clock passed in, real adapters and the loopback fakes."""

import asyncio
import datetime as dt
import inspect
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.config import load_settings
from bot.scheduler import Scheduler
from bot.serve import serve
from bot.shared.answers import Invocation
from storage.store import Store
from tests.chat_harness import running
from tests.fakes.hf import FakeHF
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.helpers import FIXTURES, free_port

UTC = dt.UTC
MORNING = dt.datetime(2026, 1, 24, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 02:00 in Berlin: HF's latest day is the 23rd


def both_channels(store: Store) -> None:
    store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="Asia/Shanghai")
    store.upsert_channel("telegram", "-100777", threshold=60, post_time="08:30", timezone="Europe/Berlin")


async def test_catch_up_posts_only_channels_whose_time_passed_and_only_once(
        llm_env: dict, slack_env: dict, telegram_env: dict, slack: FakeSlack, telegram: FakeTelegram,
        llm: FakeLLM, hf: FakeHF) -> None:
    async with running(listen=False) as h:
        both_channels(h.store)
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: MORNING)
        first = await scheduler.catch_up()
        assert len(first) == 1 and "slack C1: posted the digest of 2026-01-23" in first[0]
        assert telegram.sent == [] and len(slack.messages_in("C1")) >= 1
        later = MORNING + dt.timedelta(hours=7)  # 08:00 in Berlin: its turn
        restarted = Scheduler(h.store, h.engine, h.adapters, clock=lambda: later)  # as after a restart
        second = await restarted.catch_up()
        assert len(second) == 1 and second[0].startswith("telegram -100777: posted")
        assert await restarted.catch_up() == []
    assert len(hf.calls_to("/api/daily_papers")) == 2  # one run per catch-up, not one per channel
    assert len(llm.calls_for("paper_scores")) == 2  # the first run's two batches; the second found all cached


async def test_channels_due_together_share_one_pipeline_run(
        llm_env: dict, slack_env: dict, telegram_env: dict, llm: FakeLLM, hf: FakeHF) -> None:
    llm.latency = 0.2
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=80, post_time="08:30", timezone="UTC")
        h.store.upsert_channel("telegram", "-100777", threshold=20, post_time="08:30", timezone="UTC")
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: MORNING + dt.timedelta(hours=8))
        outcomes = await asyncio.gather(scheduler.run_channel("slack", "C1"),
                                        scheduler.run_channel("telegram", "-100777"))
    assert all("posted the digest of 2026-01-23" in o for o in outcomes)
    assert len(hf.calls_to("/api/daily_papers")) == 1 and len(llm.calls_for("paper_scores")) == 2  # 27 papers
    assert len(llm.calls_for("deep_dive")) == 3  # the low bar's papers, computed once for both


async def test_a_retry_meeting_the_cron_job_posts_once(llm_env: dict, slack_env: dict, slack: FakeSlack,
                                                       llm: FakeLLM) -> None:
    llm.latency = 0.3  # both runs are inside the pipeline together before either claims the post
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: MORNING + dt.timedelta(hours=8))
        outcomes = await asyncio.gather(scheduler.run_channel("slack", "C1"), scheduler.catch_up())
    assert "posted the digest" in outcomes[0] and "already posted" in outcomes[1][0]
    assert len([m for m in slack.messages_in("C1") if m["thread_ts"] is None]) == 1


async def test_jobs_follow_subscriptions_without_a_restart(env: dict, slack_env: dict) -> None:
    async with running(listen=False) as h:
        scheduler = Scheduler(h.store, h.engine, h.adapters)
        h.commands.listeners.append(scheduler.sync)
        scheduler.start()
        try:
            who = Invocation("slack", "C42", "U1")
            await h.commands.handle(who, "subscribe", "07:15 Asia/Tokyo")
            run = scheduler.next_runs()["slack:C42"]
            assert run is not None and dt.datetime.fromisoformat(run).astimezone(dt.UTC).strftime("%H:%M") == "22:15"
            await h.commands.handle(who, "subscribe", "09:00")
            moved = scheduler.next_runs()["slack:C42"]
            assert moved is not None and dt.datetime.fromisoformat(moved).strftime("%H:%M") == "09:00"
            await h.commands.handle(who, "unsubscribe", "")
            assert "slack:C42" not in scheduler.next_runs()
            h.store.upsert_channel("slack", "C43", threshold=60, post_time="08:30", timezone="UTC")  # the CLI's way
            scheduler.sync_all()
            assert "slack:C43" in scheduler.next_runs()
            job = scheduler.aps.get_job("slack:C43")
            assert job.coalesce and job.misfire_grace_time is None and job.max_instances == 1  # late, never lost
            # every job runs on the event loop, none in APScheduler's thread pool beside the loop's SQLite use
            assert all(inspect.iscoroutinefunction(j.func) for j in scheduler.aps.get_jobs())
        finally:
            scheduler.shutdown()



async def test_a_failed_morning_run_is_retried_later_the_same_day(
        env: dict, slack_env: dict, slack: FakeSlack, hf: FakeHF) -> None:
    now = MORNING + dt.timedelta(hours=8)  # 09:00 UTC
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
        scheduler = Scheduler(h.store, h.engine, h.adapters, clock=lambda: now)
        hf.fail_next(503, times=3, path="/api/daily_papers")  # every try of this run
        failed = await scheduler.run_channel("slack", "C1")
        assert "failed (Hugging Face answered HTTP 503" in failed and failed.endswith("retrying at 09:05 UTC")
        retry = scheduler.aps.get_job("retry:slack:C1")
        assert retry is not None and retry.trigger.run_date == now + dt.timedelta(minutes=5)
        assert slack.messages_in("C1") == []
        assert "retry:slack:C1" not in scheduler.next_runs()  # /healthz shows the channel's own schedule
        scheduler.sync_all()
        assert scheduler.aps.get_job("retry:slack:C1") is not None  # re-planning keeps a pending retry
        hf.fail_next(503, times=3, path="/api/daily_papers")
        again = await scheduler.run_channel("slack", "C1")  # what the retry job runs; HF still down
        assert again.endswith("retrying at 09:15 UTC")  # backs off: 5, then 15 minutes
        posted = await scheduler.run_channel("slack", "C1")  # HF is back: no stale failure is replayed
        assert "posted the digest of 2026-01-23" in posted and len(slack.messages_in("C1")) >= 1
        assert scheduler.failures == {}
        late = Scheduler(h.store, h.engine, h.adapters, clock=lambda: now.replace(hour=23, minute=58))
        hf.fail_next(503, times=3, path="/api/daily_papers")
        h.store.upsert_channel("slack", "C2", threshold=60, post_time="08:30", timezone="UTC")
        assert (await late.run_channel("slack", "C2")).endswith("too late to retry today")
        assert late.aps.get_job("retry:slack:C2") is None


async def test_serve_answers_healthz_and_stops_cleanly(env: dict, slack_env: dict, telegram_env: dict,
                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    monkeypatch.setenv("PAPERBOT_PORT", str(port))
    settings = load_settings()
    store = Store(settings.db)
    store.upsert_channel("slack", "C1", threshold=60, post_time="23:59", timezone="UTC")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, store, stop))
    body = None
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                body = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    stop.set()
    assert await asyncio.wait_for(task, 30) == 0
    assert body is not None and body["status"] == "ok" and set(body["adapters"]) == {"slack", "telegram"}
    assert body["channels"][0]["channel"] == "slack:C1" and body["channels"][0]["next_run"].endswith("+00:00")


def test_kill_9_mid_post_then_rerun_posts_the_rest_once(env: dict, slack_env: dict, slack: FakeSlack,
                                                        tmp_path: Path) -> None:
    script = str(Path(sys.executable).parent / "paperbot")
    day = str(FIXTURES / "hf_daily_papers_2026-01-23.json")
    run_env = {**os.environ, "PAPERBOT_THRESHOLD": "0"}
    subprocess.run([script, "channel", "add", "slack", "C9"], env=run_env, check=True, capture_output=True)
    slack.fail_next(200, delay=30, passthrough=True, path="chat.postMessage", after=2)  # the 3rd message hangs
    proc = subprocess.Popen([script, "digest", "--from-file", day, "--post"], env=run_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(slack.calls_to("chat.postMessage")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert len(slack.messages_in("C9")) == 2  # quick view and the first deep dive landed, then the process died
    slack.clear_faults()
    again = subprocess.run([script, "digest", "--from-file", day, "--post"], env=run_env, capture_output=True,
                           text=True, timeout=60)
    assert "(resumed)" in again.stderr and "1 deep dive(s) may be missing" in again.stderr
    messages = slack.messages_in("C9")
    # the hung deep dive may or may not have reached Slack: never sent again, one line says it may be missing
    assert [m["thread_ts"] is None for m in messages] == [True, False, False, False]
    assert "paperbot was interrupted while posting" in messages[2]["text"]
    third = subprocess.run([script, "digest", "--from-file", day, "--post"], env=run_env, capture_output=True,
                           text=True, timeout=60)
    assert "already posted" in third.stderr and len(slack.messages_in("C9")) == 4
    assert json.loads(json.dumps(messages))  # plain data: nothing half-written
