"""One arXiv announcement's papers, from wherever it can be had with the fewest requests.

A stored listing first (a rerun asks nothing); the RSS feed when the announcement is the one it shows
(one request, exactly arXiv's list); else the API's listing of the announcement's submission window
(the bot was down that morning, `digest --date` of an older day, or the feed is unreachable). A day
arXiv does not announce is an empty announcement, never a request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from analysis.errors import SourceError
from analysis.models import Paper
from analysis.sources import arxiv_listing, arxiv_rss, schedule
from analysis.sources.arxiv_rss import Announcement, Replacement

if TYPE_CHECKING:
    from analysis.engine import Engine

log = logging.getLogger(__name__)
# The API can lag the announcement by hours, sometimes a day or more: a window listed sooner is not kept.
SETTLED = dt.timedelta(days=1)
From = Literal["stored", "feed", "api", "none"]


@dataclass
class Listed:
    day: dt.date
    papers: list[Paper] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)
    source: From = "none"
    problem: str | None = None  # a partial API listing: why
    total: int = 0  # what the API said the window holds


class Announcements:
    """The announcements of one run: the feed is asked at most once, and only for the day it shows."""

    def __init__(self, engine: Engine, now: dt.datetime) -> None:
        self.engine, self.now = engine, now
        self.categories = list(engine.arxiv_categories)
        self.key = "+".join(sorted(self.categories))
        self._feed: asyncio.Future[Announcement] | None = None
        self.feed_problem: str | None = None

    async def get(self, day: dt.date) -> Listed:
        """The announcement dated `day`; SourceError when neither the feed nor the API could give it."""
        if not schedule.announces(day):
            return Listed(day)
        stored = await asyncio.to_thread(self._stored, day)  # SQLite off the event loop
        if stored is not None:
            return stored
        if day == schedule.latest(self.now):
            feed = await self._from_feed()
            if feed is not None and feed.day == day and feed.cut_short:
                log.warning("arXiv's feed of %s holds %d items, its most: it may be cut short; listing the "
                            "announcement through the API instead", self.key, feed.items)
            elif feed is not None and feed.day == day:
                await asyncio.to_thread(self._save, day, feed.papers, feed.replaced, "feed")
                return Listed(day, feed.papers, feed.replaced, "feed")
        return await self._from_api(day)

    def _stored(self, day: dt.date) -> Listed | None:
        if self.engine.listings is None:
            return None
        found = self.engine.listings.stored_announcement(day.isoformat(), self.key)
        if found is None:
            return None
        papers, replaced = found
        return Listed(day, papers, [Replacement(str(r["arxiv_id"]), int(str(r["version"])), str(r["title"]))
                                    for r in replaced], "stored")

    def _save(self, day: dt.date, papers: list[Paper], replaced: list[Replacement], source: From) -> None:
        if self.engine.listings is not None:
            self.engine.listings.save_announcement(day.isoformat(), self.key, papers,
                                                   [dataclasses.asdict(r) for r in replaced], source)

    async def _from_feed(self) -> Announcement | None:
        if self._feed is None:
            self.engine.progress(f"reading arXiv's announcement feed of {', '.join(self.categories)}")
            self._feed = asyncio.ensure_future(self._fetch_feed())
        try:
            return await asyncio.shield(self._feed)
        except SourceError as exc:
            self.feed_problem = str(exc)
            log.warning("%s; listing the announcement through the API instead", str(exc).rstrip("."))
            return None

    async def _fetch_feed(self) -> Announcement:
        await self.engine.arxiv_pace.before(self.engine.arxiv_paging.delay)
        try:
            return await arxiv_rss.fetch_feed(self.engine.http, self.engine.arxiv_rss_url, self.categories)
        finally:
            self.engine.arxiv_pace.after()

    async def _from_api(self, day: dt.date) -> Listed:
        self.engine.progress(f"listing arXiv's announcement of {day} ({', '.join(self.categories)}) through the API")
        await self.engine.arxiv_pace.before(self.engine.arxiv_paging.delay)
        try:
            listing = await arxiv_listing.list_announcement(self.engine.http, self.engine.arxiv_api_url,
                                                            self.categories, day, self.engine.arxiv_paging)
        finally:
            self.engine.arxiv_pace.after()
        if listing.complete and listing.papers and self.now >= schedule.mailing(day) + SETTLED:
            await asyncio.to_thread(self._save, day, listing.papers, [], "api")
        return Listed(day, listing.papers, [], "api", listing.problem, listing.total)
