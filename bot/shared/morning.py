"""Each channel's morning pool: the arXiv announcements since the last one it was posted, HF's latest
day, minus every paper it was already shown; and one line per new version of a paper it liked.

Channels that are at the same point (same announcements since their last post) share one fetch, and
channels whose pools are then alike share one pipeline run per way of ranking (bot/shared/views.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Hashable
from dataclasses import dataclass, field, replace

from analysis.engine import Engine
from analysis.errors import SourceError
from analysis.models import Digest, LikedUpdate
from analysis.sources import schedule
from analysis.sources.arxiv_comments import fetch_comments
from analysis.sources.pool import Pool, latest_pool
from bot.shared.views import DEFAULT, build_views
from storage.chat import Channel
from storage.store import Store

log = logging.getLogger(__name__)


async def morning_key(engine: Engine, store: Store, channel: Channel | None, now: dt.datetime) -> Hashable:
    """What decides a channel's pool at `now`: HF's day and the announcements it has not had."""
    today = now.astimezone(dt.UTC).date()
    if not engine.arxiv_categories:
        return today, ()
    last = await _last(store, channel)
    days = tuple(schedule.since(last, now))
    return today, days, None if days else last


async def _last(store: Store, channel: Channel | None) -> dt.date | None:
    return None if channel is None else await store.call(store.last_announcement, channel.platform, channel.channel_id)


async def unseen(store: Store, channel: Channel, pool: Pool) -> Pool:
    """The pool without the papers the channel was shown in an earlier digest (any version, any source)."""
    seen = await store.call(store.seen_ids, channel.platform, channel.channel_id)
    if not seen:
        return pool
    papers = [p for p in pool.papers if p.arxiv_id not in seen]
    hf_count = sum("hf" in p.sources for p in papers)
    arxiv_count = None if pool.arxiv_count is None else len(papers) - hf_count
    return replace(pool, papers=papers, hf_count=hf_count, arxiv_count=arxiv_count)


async def liked_updates(store: Store, channel: Channel, pool: Pool, comments: dict[str, str]) -> list[LikedUpdate]:
    """New versions of papers the channel voted up or got a deep dive of, each version once."""
    if not pool.replaced:
        return []
    liked = await store.call(store.liked_ids, channel.platform, channel.channel_id)
    shown = await store.call(store.shown_updates, channel.platform, channel.channel_id)
    found = {r.arxiv_id: r for r in pool.replaced if r.arxiv_id in liked and (r.arxiv_id, r.version) not in shown}
    return [LikedUpdate(arxiv_id=r.arxiv_id, version=r.version, title=r.title, comment=comments.get(r.arxiv_id))
            for r in found.values()]


@dataclass
class Morning:
    pool: Pool
    comments: dict[str, str]
    digests: dict[str, Digest] = field(default_factory=dict)


class DigestCache:
    """One fetch and one pipeline run per morning state, shared by every channel that posts at about the
    same time in that state."""

    def __init__(self, engine: Engine, store: Store, ttl: dt.timedelta = dt.timedelta(minutes=10)) -> None:
        self.engine, self.store, self.ttl = engine, store, ttl
        self._runs: dict[Hashable, tuple[dt.datetime, asyncio.Task[Morning]]] = {}

    async def get(self, now: dt.datetime, channel: Channel | None = None) -> Digest:
        key = await morning_key(self.engine, self.store, channel, now)
        started = self._runs.get(key)
        if started is None or (started[1].done() and (now - started[0] > self.ttl or _failed(started[1]))):
            self._runs = {k: v for k, v in self._runs.items() if not v[1].done() or now - v[0] <= self.ttl}
            self._runs[key] = (now, asyncio.ensure_future(self._fetch(now, key, channel)))
            started = self._runs[key]
        morning = await asyncio.shield(started[1])
        name = channel.key if channel is not None else DEFAULT
        if name not in morning.digests:  # a channel subscribed after the morning's run (or the default view)
            morning.digests.update(await channel_digests(self.engine, self.store, morning,
                                                         [channel] if channel is not None else [],
                                                         with_default=channel is None))
        return morning.digests[name]

    async def _fetch(self, now: dt.datetime, key: Hashable, channel: Channel | None) -> Morning:
        pool = await latest_pool(self.engine, now, last=await _last(self.store, channel))
        morning = Morning(pool, await _comments(self.engine, self.store, pool))
        if channel is not None:  # every channel in the same state now: one run for all of them
            mates = [c for c in await self.store.call(self.store.channels)
                     if await morning_key(self.engine, self.store, c, now) == key]
            mates += [channel] if all(c.key != channel.key for c in mates) else []
            morning.digests.update(await channel_digests(self.engine, self.store, morning, mates))
        return morning


async def channel_digests(engine: Engine, store: Store, morning: Morning, channels: list[Channel], *,
                          with_default: bool = False) -> dict[str, Digest]:
    """Each channel's digest of the morning: channels with the same unseen papers share a pipeline run."""
    pool = morning.pool
    groups: dict[tuple[str, ...], tuple[Pool, list[Channel]]] = {}
    for channel in channels:
        own = await unseen(store, channel, pool)
        groups.setdefault(tuple(p.arxiv_id for p in own.papers), (own, []))[1].append(channel)
    built: dict[str, Digest] = {}
    if with_default:
        built.update(await build_views(engine, store, pool.day, pool, [], with_default=True))
    for own, members in groups.values():
        views = await build_views(engine, store, own.day, own, members, with_default=False)
        for channel in members:
            updates = await liked_updates(store, channel, pool, morning.comments)
            built[channel.key] = views[channel.key].model_copy(update={"updates": updates}) if updates \
                else views[channel.key]
    return built


async def _comments(engine: Engine, store: Store, pool: Pool) -> dict[str, str]:
    """arXiv's comments on the new versions some channel liked and was not shown yet: one request, or none."""
    channels = await store.call(store.channels) if pool.replaced else []
    ids = sorted({update.arxiv_id for c in channels for update in await liked_updates(store, c, pool, {})})
    if not ids:
        return {}
    await engine.arxiv_pace.before(engine.arxiv_paging.delay)
    try:
        return await fetch_comments(engine.http, engine.arxiv_api_url, ids)
    except SourceError as exc:  # the line is worth showing without its comment
        log.warning("arXiv's comments on %d new versions could not be had: %s", len(ids), exc)
        return {}
    finally:
        engine.arxiv_pace.after()


def _failed(task: asyncio.Task[Morning]) -> bool:
    return task.cancelled() or task.exception() is not None
