"""Every subscribed channel gets its digest every morning, once: one cron job per channel.

The `channels` table is the source of truth; jobs are re-planned from it on every change made
through chat commands, and every minute for changes made with the CLI in another process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from analysis.engine import Engine
from bot.shared.chat import ChatAdapter
from bot.shared.morning import DigestCache
from bot.shared.posting import post_digest
from storage.chat import Channel
from storage.store import Store

log = logging.getLogger(__name__)
# No limit: a laptop that slept through 08:30 posts when it wakes, however late (the event loop's
# timers stop during suspend; the one-minute resync job wakes the scheduler within a minute of
# resuming). coalesce=True makes days slept through one run, and the claims make it at most one post.
MISFIRE_GRACE: int | None = None
# Minutes before each retry of a failed morning run: HF or a platform back within a few hours still
# means a digest today, and no loop hammers a service that is down.
RETRY_MINUTES = (5, 15, 30, 60, 120)
RETRY_PREFIX = "retry:"
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    def __init__(self, store: Store, engine: Engine, adapters: dict[str, ChatAdapter],
                 clock: Clock = utc_now) -> None:
        self.store, self.adapters, self.clock = store, adapters, clock
        self.digests = DigestCache(engine, store)
        self.aps = AsyncIOScheduler(timezone="UTC")
        self.last: dict[str, str] = {}  # channel key -> outcome line, for /healthz
        self.failures: dict[str, tuple[dt.date, int]] = {}  # channel key -> (local day, failed runs that day)
        # One run per channel at a time in this process: a retry, the catch-up and the cron job may meet,
        # and the post claim only keeps *other* processes out.
        self._running: dict[str, asyncio.Lock] = {}
        # Every run under way (cron, retry or catch-up), so a shutdown can let exactly these finish.
        self.in_flight: set[asyncio.Task[Any]] = set()

    # -- planning ----------------------------------------------------------------------------
    def start(self) -> None:
        self.sync_all()
        self.aps.add_job(self._resync, "interval", seconds=60, id="resync", replace_existing=True, coalesce=True)
        self.aps.start()

    async def _resync(self) -> None:
        # A coroutine, so APScheduler runs it on the event loop, where its jobs are planned; the channels
        # are read on a storage thread.
        self.sync_all(await self.store.call(self.store.channels))

    def pause(self) -> None:
        """No new runs from now on (shutting down); runs under way go on."""
        if self.aps.running:
            self.aps.pause()

    def shutdown(self) -> None:
        # wait=False cancels the jobs still running: serve calls this after draining `in_flight`
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def sync_all(self, channels: list[Channel] | None = None) -> None:
        """Plan every channel's job; `channels` as just read (start-up reads them here, before serving)."""
        channels = self.store.channels() if channels is None else channels
        wanted = {c.key: c for c in channels if c.platform in self.adapters}
        for job in self.aps.get_jobs():
            if job.id != "resync" and job.id.removeprefix(RETRY_PREFIX) not in wanted:
                job.remove()
        for channel in wanted.values():
            self.sync(channel)

    def sync(self, channel: Channel) -> None:
        """Add, move or remove one channel's job (called on every chat command that changes it)."""
        existing = self.aps.get_job(channel.key)
        if not channel.active or channel.platform not in self.adapters:
            if existing:
                existing.remove()
            return
        trigger = trigger_for(channel)
        if existing and str(existing.trigger) == str(trigger):
            return
        self.aps.add_job(self._scheduled, trigger, args=[channel.platform, channel.channel_id], id=channel.key,
                         name=channel.key, replace_existing=True, coalesce=True, max_instances=1,
                         misfire_grace_time=MISFIRE_GRACE)

    def next_runs(self) -> dict[str, str | None]:
        return {job.id: job.next_run_time.isoformat() if job.next_run_time else None
                for job in self.aps.get_jobs() if job.id != "resync" and not job.id.startswith(RETRY_PREFIX)}

    # -- running -----------------------------------------------------------------------------
    async def run_channel(self, platform: str, channel_id: str) -> str:
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            channel = await self.store.call(self.store.get_channel, platform, channel_id)
            if channel is None or not channel.active:
                return f"{platform} {channel_id}: not subscribed"
            async with self._running.setdefault(channel.key, asyncio.Lock()):
                return await self._run(channel)
        finally:
            self.in_flight.discard(task)

    async def _scheduled(self, platform: str, channel_id: str) -> None:
        """What APScheduler runs: a run cut by the shutdown deadline is resumed by the next run, which
        is worth a line in the log, not APScheduler's traceback."""
        try:
            await self.run_channel(platform, channel_id)
        except asyncio.CancelledError:
            log.warning("%s %s: the run was cut short by the shutdown; the next run resumes it",
                        platform, channel_id)

    async def _run(self, channel: Channel) -> str:
        now = self.clock()
        outcome: str
        try:
            digest = await self.digests.get(now, channel)
            outcome = await post_digest(self.adapters[channel.platform], self.store, channel, digest, now=now)
        except Exception as exc:
            log.error("digest for %s failed: %s", channel.key, exc)
            outcome = f"{channel.key}: failed ({exc}){self._retry_later(channel, now)}"
        else:
            self.failures.pop(channel.key, None)
        self.last[channel.key] = outcome
        log.info(outcome)
        return outcome

    def _retry_later(self, channel: Channel, now: dt.datetime) -> str:
        """Plan one more try of a failed run, later the same local day; says when, for the outcome line."""
        zone = ZoneInfo(channel.timezone)
        today = now.astimezone(zone).date()
        day, failures = self.failures.get(channel.key, (today, 0))
        failures = failures if day == today else 0
        self.failures[channel.key] = (today, failures + 1)
        if failures >= len(RETRY_MINUTES):
            return "; giving up until tomorrow"
        at = now + dt.timedelta(minutes=RETRY_MINUTES[failures])
        if at.astimezone(zone).date() != today:
            return "; too late to retry today"
        self.aps.add_job(self._scheduled, "date", run_date=at, args=[channel.platform, channel.channel_id],
                         id=RETRY_PREFIX + channel.key, replace_existing=True, misfire_grace_time=MISFIRE_GRACE)
        return f"; retrying at {at.astimezone(zone):%H:%M} {channel.timezone}"

    async def catch_up(self) -> list[str]:
        """At start-up: channels whose post time passed today, local time, with no post claimed today."""
        now = self.clock()
        due = await self.store.call(self._missed, now)
        return list(await asyncio.gather(*(self.run_channel(c.platform, c.channel_id) for c in due)))


    def _missed(self, now: dt.datetime) -> list[Channel]:  # on a storage thread
        return [c for c in self.store.channels() if c.platform in self.adapters and missed_today(self.store, c, now)]


def trigger_for(channel: Channel) -> CronTrigger:
    hour, minute = channel.post_time.split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=ZoneInfo(channel.timezone))


MORNING_DAYS = 5  # a morning run posts yesterday's list, or up to 3 days before it (weekends, holidays)


def missed_today(store: Store, channel: Channel, now: dt.datetime) -> bool:
    zone = ZoneInfo(channel.timezone)
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in channel.post_time.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return False
    # only a post of a recent day is this morning's: `digest --date <old day> --post` earlier today is a
    # backfill, and must not stand in for it (the run itself never posts a day twice)
    recent = (local.date() - dt.timedelta(days=MORNING_DAYS)).isoformat()
    last: dict[str, Any] | None = store.last_claim(channel.platform, channel.channel_id, since_day=recent)
    if last is None:
        return True
    claimed = dt.datetime.fromisoformat(str(last["claimed_at"])).astimezone(zone)
    return claimed.date() != local.date() or last["status"] != "posted"
