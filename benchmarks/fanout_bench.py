"""Fan-out: one digest posted to N Slack channels and N Telegram chats against the loopback fakes."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from analysis.models import Analysis, DeepDive, Digest, DigestItem, Score
from benchmarks.fixtures import day_papers
from benchmarks.report import check, table
from bot.adapters import open_adapters
from bot.config import load_settings
from bot.engine import open_engine
from bot.shared.posting import post_to_channels
from fakes.slack import FakeSlack
from fakes.telegram import FakeTelegram
from storage.store import Store

# Documented limits: Slack chat.postMessage ~1 message/s per channel (bursts allowed); Telegram ~30 messages/s
# per bot overall and 20 messages/min per group.
TELEGRAM_GLOBAL_PER_S = 30.0


def sample_digest() -> Digest:
    dive = DeepDive(key_contribution="k", methodology=["m"], takeaways=["t"], limitations=["l"])
    items = [DigestItem(paper=p, score=Score(arxiv_id=p.arxiv_id, score=90 - i),
                        analysis=Analysis(arxiv_id=p.arxiv_id, deep_dive=dive))
             for i, p in enumerate(day_papers()[:15])]
    return Digest(title="CV 论文日报", date=dt.date(2026, 1, 23), items=items, threshold=60, max_deep_dives=3)


def per_pair(digest: Digest) -> int:
    """Messages one Slack channel and one Telegram chat get: each a quick view and the dives; Telegram sends a
    paper's thumbnail as a photo of its own before the dive, Slack puts it inside the dive's message."""
    dives = digest.selected()
    photos = sum(1 for item in dives if item.paper.thumbnail)
    return (1 + len(dives)) * 2 + photos


def most_in_window(stamps: list[float], window: float) -> int:
    """The most sends in any `window` seconds (stamps sorted)."""
    start, most = 0, 0
    for end, at in enumerate(stamps):
        while at - stamps[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def run(channels: int, tmp: str) -> list[str]:
    misses: list[str] = []
    with FakeSlack() as slack, FakeTelegram() as telegram:
        os.environ.update({
            "PAPERBOT_DB": str(Path(tmp) / "fanout.db"), "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": slack.url + "/api/",
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.url + "/bot",
        })
        settings = load_settings()
        store = Store(settings.db)
        subscribed = [store.upsert_channel("slack", f"C{i:04d}", threshold=60, post_time="08:30", timezone="UTC")
                      for i in range(channels)]
        subscribed += [store.upsert_channel("telegram", str(-1000 - i), threshold=60, post_time="08:30",
                                            timezone="UTC") for i in range(channels)]
        async with open_engine(settings, store) as engine, open_adapters(settings, store, engine) as adapters:
            t0 = time.perf_counter()
            outcomes = await post_to_channels(adapters, store, subscribed, sample_digest())
            wall = time.perf_counter() - t0
        store.close()
        sent = len(slack.messages) + len(telegram.sent)
        # photos count against Telegram's limits like messages do
        stamps = sorted(c.at for c in telegram.calls_to("/sendMessage") + telegram.calls_to("/sendPhoto"))
    expected = channels * per_pair(sample_digest())
    failed = [o for o in outcomes if "failed" in o]
    rate = sent / wall
    busiest = most_in_window(stamps, 1.0)  # Telegram's rule is per second, whatever the average
    table(f"Fan-out: one digest (quick view + 3 deep dives) to {channels} Slack channels and {channels} Telegram chats",
          ["measure", "value", "target"], [
              ("messages sent", sent, f"= {expected} " + check(misses, sent == expected and not failed,
                                                                "fan-out sent every message")),
              ("wall s", wall, ""),
              ("messages / s, all", rate, ""),
              ("Telegram messages / s, all", len(stamps) / max(1e-9, stamps[-1] - stamps[0]), ""),
              ("Telegram messages in the busiest second", busiest,
               f"<= {TELEGRAM_GLOBAL_PER_S:.0f} " + check(misses, busiest <= TELEGRAM_GLOBAL_PER_S,
                                                         "Telegram global rate")),
          ])
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL"):
        os.environ.pop(var, None)
    return misses
