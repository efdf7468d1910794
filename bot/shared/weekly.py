"""The first digest of each week carries a short "上周团队最爱": last week's five most voted papers, and one
line of how well the ranking served the votes of the 30 days before (bot.shared.taste_stats)."""

from __future__ import annotations

import datetime as dt
import logging

from analysis.errors import ChatError
from bot.shared.chat import ChatAdapter
from bot.shared.post_once import call, confirmed, send_once
from bot.shared.stores import Posting
from bot.shared.taste_stats import taste_stats, weekly_line
from storage.chat import Channel
from storage.post_log import WEEKLY, Intent
from storage.store import Store

log = logging.getLogger(__name__)
HEADING = "🏆 上周团队最爱"


def weekly_text(store: Store, channel: Channel, day: dt.date) -> str | None:
    """Last week's (Monday to Sunday before `day`'s week) top five by votes, when the digest of `day` is the
    channel's first of its week; None otherwise, or when nobody voted."""
    monday = day - dt.timedelta(days=day.weekday())
    if store.posted_between(channel.platform, channel.channel_id, monday.isoformat(), day.isoformat()):
        return None
    since = (monday - dt.timedelta(days=7)).isoformat()
    rows = store.most_voted(channel.platform, channel.channel_id, since, limit=5, until=monday.isoformat())
    if not rows:
        return None
    quality = weekly_line(taste_stats(store, channel.platform, channel.channel_id,
                                      dt.datetime.combine(monday, dt.time(), dt.UTC)))
    return "\n".join([HEADING, *(f"{n}. 👍 {votes}  {title}  ({arxiv_id})"
                                 for n, (arxiv_id, title, votes, _) in enumerate(rows, 1)),
                      *([quality] if quality else [])])


async def post_weekly(adapter: ChatAdapter, store: Posting, channel: Channel, day: dt.date, thread_ref: str) -> None:
    """Posted under the quick view, once (through the post log); a refusal is logged, never a reason to leave
    the digest half-posted."""
    text = await call(store, weekly_text, store, channel, day)
    if text is None:
        return

    async def send() -> list[str]:
        return [await adapter.post_text(channel.channel_id, text, thread_ref)]

    try:
        refs = await send_once(store, channel, day.isoformat(), WEEKLY, send)
    except ChatError as exc:
        log.warning("the weekly favourites for %s were not posted: %s", channel.key, exc)
        return
    if not isinstance(refs, Intent):
        await confirmed(store, "the weekly favourites", lambda: store.message_sent(
            channel.platform, channel.channel_id, day.isoformat(), WEEKLY, refs, kind="weekly"))
