"""Event-loop lag while `serve` runs its morning: the litellm import, then one digest posted to N Slack
channels and N Telegram chats with a slow fake LLM, the way serve's catch-up runs it.

A probe task sleeps 5 ms at a time; how late it wakes is how long every Slack ack and Telegram update
would have waited at that moment. paperbot runs in a fresh process, so litellm's import and its first
call are measured as serve meets them, and the fakes run in this one, so their work does not compete
with paperbot's loop for the interpreter lock (real Slack and Telegram are not in our process either).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from benchmarks.report import check, table

TARGET = 0.100  # seconds: no stall above this
INTERVAL = 0.005


class LagProbe:
    """The largest and the typical delay of a 5 ms sleep on the running loop, per phase."""

    def __init__(self) -> None:
        self.phase = "idle"
        self.lags: dict[str, list[float]] = {}

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started, phase = loop.time(), self.phase  # a stall counts for the phase it began in
            await asyncio.sleep(INTERVAL)
            self.lags.setdefault(phase, []).append(loop.time() - started - INTERVAL)

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for phase, lags in self.lags.items():
            ordered = sorted(lags)
            out[phase] = {"worst": ordered[-1], "p99": ordered[int(0.99 * (len(ordered) - 1))],
                          "over_target": sum(lag > TARGET for lag in lags), "samples": len(lags)}
        return out


@contextmanager
def fakes(latency: float) -> Iterator[dict[str, Any]]:
    from benchmarks.fixtures import FIXTURES
    from fakes.arxiv_pages import FakeArxivPages
    from fakes.hf import FakeHF
    from fakes.llm import FakeLLM
    from fakes.slack import FakeSlack
    from fakes.telegram import FakeTelegram

    with ExitStack() as stack:
        hf = stack.enter_context(FakeHF.from_fixtures())
        llm, slack, telegram = (stack.enter_context(f()) for f in (FakeLLM, FakeSlack, FakeTelegram))
        pages = stack.enter_context(FakeArxivPages())
        today = dt.datetime.now(dt.UTC).date()
        day = FIXTURES / "hf_daily_papers_2026-01-21.json"
        for back in (1, 2):  # serve runs on the real clock: the fixture day is "yesterday"
            hf.load_day((today - dt.timedelta(days=back)).isoformat(), day)
        page = FIXTURES / "arxiv_html_latexml-0.8.7_astro-ml.html"
        for item in json.loads(day.read_text(encoding="utf-8")):  # deep dives read a real LaTeXML page
            pages.add_html(item["paper"]["id"], page)
        llm.latency = latency
        yield {"slack": slack, "telegram": telegram, "llm": llm, "env": {
            "HF_ENDPOINT": hf.url, "LLM_MODEL": "openai/gpt-4o-mini", "LLM_API_BASE": llm.url, "LLM_API_KEY": "sk-b",
            "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": "bench-secret",
            "SLACK_API_URL": slack.url + "/api/",
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.url + "/bot",
            "ARXIV_HTML_URL": pages.url + "/html", "ARXIV_PDF_URL": pages.url + "/pdf",
            "PAPERBOT_THRESHOLD": "0", "PAPERBOT_MAX_DEEP_DIVES": "3",
        }}


async def measure(channels: int) -> dict[str, Any]:
    """In the child process, with the environment pointing at the parent's fakes."""
    from bot.adapters import open_adapters
    from bot.config import load_settings
    from bot.engine import open_engine
    from bot.scheduler import Scheduler
    from bot.serve import freeze_start_up_objects, tune_for_serving, warm_up
    from storage.store import Store

    probe = LagProbe()
    probing = asyncio.create_task(probe.run())
    settings = load_settings()
    store = Store(settings.db)
    tune_for_serving(store)
    for n in range(channels):
        store.upsert_channel("slack", f"C{n:04d}", threshold=0, post_time="00:00", timezone="UTC")
        store.upsert_channel("telegram", str(-1000 - n), threshold=0, post_time="00:00", timezone="UTC")
    probe.phase = "start-up, before listening"
    t0 = time.perf_counter()
    await warm_up(settings)
    import_s = time.perf_counter() - t0
    async with open_engine(settings, store) as engine, open_adapters(settings, store, engine) as adapters:
        freeze_start_up_objects()  # as serve does before it listens
        probe.phase = "serving: digest + fan-out"
        t0 = time.perf_counter()
        outcomes = await Scheduler(store, engine, adapters).catch_up()
        wall = time.perf_counter() - t0
        probe.phase = "closing"  # serve's stop: its own deadline, nothing listens any more
    store.close()
    probing.cancel()
    return {"phases": probe.summary(), "import_s": import_s, "wall": wall,
            "posted": sum("posted the digest" in o for o in outcomes), "channels": 2 * channels}


def run(latency: float = 1.0, channels: int = 20) -> list[str]:
    """Measure in a fresh process and print the table."""
    with fakes(latency) as servers, tempfile.TemporaryDirectory() as tmp:
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, **servers["env"], "PAPERBOT_DB": str(Path(tmp) / "lag.db"), "PYTHONPATH": root}
        result = subprocess.run([sys.executable, "-m", "benchmarks.loop_lag_bench", "--channels", str(channels),
                                 "--json"], capture_output=True, text=True, check=True, env=env, cwd=tmp)
        data = json.loads(result.stdout.strip().splitlines()[-1])
        data["sent"] = len(servers["slack"].messages) + len(servers["telegram"].sent)
    misses: list[str] = []
    rows = []
    for phase, figures in data["phases"].items():
        if phase == "idle":
            continue
        # nothing listens before serve's site opens or after it closes: only the serving phase has a target
        target = "" if not phase.startswith("serving") else f"<= {TARGET * 1000:.0f} ms " + check(
            misses, figures["worst"] <= TARGET, f"loop lag: {phase}")
        rows.append((phase, figures["worst"] * 1000, figures["p99"] * 1000, figures["over_target"], target))
    table(f"Event-loop lag: litellm import ({data['import_s']:.2f} s), then one digest to {channels} Slack + "
          f"{channels} Telegram channels, fake LLM latency {latency:.1f} s ({data['wall']:.2f} s, "
          f"{data['sent']} messages, {data['posted']}/{data['channels']} posted)",
          ["phase", "worst ms", "p99 ms", "stalls > 100 ms", "target"], rows)
    check(misses, data["posted"] == data["channels"], "loop-lag run posted to every channel")
    return misses


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loop_lag_bench")
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="measure only, against the fakes in the environment")
    args = parser.parse_args()
    if not args.json:
        return 1 if run(args.latency, args.channels) else 0
    data = asyncio.run(measure(args.channels))
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
