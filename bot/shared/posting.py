"""Posting a digest to a channel exactly once: claim, quick view, deep dives, finish; resumable.

Every message's reference is stored as soon as it is sent, so a process that dies between two
messages is resumed by the next run (same quick view, only the missing deep dives) instead of
posting the digest twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence

from analysis.models import Digest
from bot.shared.chat import ChatAdapter
from bot.shared.weekly import post_weekly
from storage.chat import Channel
from storage.store import Store

log = logging.getLogger(__name__)
FAILED, SKIPPED = ": failed (", ": skipped ("  # how post_to_channels says a channel got no digest


def not_posted(outcome: str) -> bool:
    """Whether a post_to_channels line is a channel that failed or was skipped (its platform down)."""
    return FAILED in outcome or SKIPPED in outcome


async def post_digest(adapter: ChatAdapter, store: Store, channel: Channel, digest: Digest,
                      now: dt.datetime | None = None) -> str:
    """Post `digest` to `channel` unless it already was; returns a one-line outcome.

    `now` is the scheduler's clock, so "posted today" means the same day to the claim and to catch-up."""
    day = digest.date.isoformat()
    where = f"{channel.platform} {channel.channel_id}"
    claim = store.claim_post(channel.platform, channel.channel_id, day, now=now)
    if claim.state == "done":
        return f"{where}: digest of {day} was already posted"
    if claim.state == "busy":
        return f"{where}: another paperbot process is posting the digest of {day}"
    view = digest.with_threshold(channel.threshold)
    ref = claim.quick_view_ref
    if ref is None and view.items and _all_listed_before(store, channel, view):
        store.finish_post(channel.platform, channel.channel_id, day)
        return f"{where}: every paper of {day} was in an earlier digest; nothing new to post"
    try:
        if ref is None:
            ref = await _post_quick_view(adapter, store, channel, view)
            if ref is None:
                store.finish_post(channel.platform, channel.channel_id, day)
                return f"{where}: no papers for {day}"
            await post_weekly(adapter, store, channel, view.date, ref)
        sent = await _post_deep_dives(adapter, store, channel, view, ref)
    except BaseException:
        if ref is None:
            store.release_post(channel.platform, channel.channel_id, day)
        raise
    store.finish_post(channel.platform, channel.channel_id, day)
    resumed = " (resumed)" if claim.state == "resume" else ""
    return f"{where}: posted the digest of {day} with {sent} deep dive(s){resumed}"


async def _post_quick_view(adapter: ChatAdapter, store: Store, channel: Channel, view: Digest) -> str | None:
    day = view.date.isoformat()
    if not view.items:
        if not channel.empty_note:
            return None
        ref = await adapter.post_text(channel.channel_id, f"No new papers on Hugging Face for {day} today.")
    else:
        votes = store.vote_counts(channel.platform, channel.channel_id)
        marks = store.mark_counts(channel.platform, channel.channel_id)
        ref = await adapter.post_quick_view(channel.channel_id, view, votes, marks)
    listed = json.dumps([item.paper.arxiv_id for item in view.items])
    store.set_quick_view(channel.platform, channel.channel_id, day, ref, listed)
    store.save_view(channel.platform, channel.channel_id, day, view)  # votes redraw it
    store.record_message(channel.platform, channel.channel_id, day, ref, kind="quick_view")
    return ref if view.items else None


async def _post_deep_dives(adapter: ChatAdapter, store: Store, channel: Channel, view: Digest, ref: str) -> int:
    day = view.date.isoformat()
    done = {m["arxiv_id"] for m in store.messages(channel.platform, channel.channel_id, day)
            if m["kind"] == "deep_dive"}
    done |= store.posted_ids(channel.platform, channel.channel_id, before_day=day)  # no deep dive twice
    done |= store.marked_ids((channel.platform, channel.channel_id))  # 👎 "not for us", even if marked since
    sent = 0
    for number, item in enumerate(view.selected(), start=1):
        if item.paper.arxiv_id in done:
            continue
        refs = await adapter.post_deep_dive(channel.channel_id, ref, item, number)
        for part in refs:
            store.record_message(channel.platform, channel.channel_id, day, part, kind="deep_dive",
                                 arxiv_id=item.paper.arxiv_id, position=view.position(item.paper.arxiv_id))
        sent += 1
    return sent


def _all_listed_before(store: Store, channel: Channel, view: Digest) -> bool:
    """HF sometimes serves an older day again (holidays, the 3-day fallback): post nothing twice."""
    rows = store.db.execute("select summary from posts where platform = ? and channel_id = ? and day < ? and "
                            "summary is not null", [channel.platform, channel.channel_id, view.date.isoformat()])
    earlier: set[str] = set()
    for (summary,) in rows.fetchall():
        try:
            earlier.update(json.loads(summary))
        except ValueError:
            continue
    return {item.paper.arxiv_id for item in view.items} <= earlier


def listed_papers(store: Store, platform: str, channel_id: str, quick_view_ref: str) -> list[str]:
    """The quick view's papers in the order it listed them (keycap and button votes count on it)."""
    row = store.db.execute("select summary from posts where platform = ? and channel_id = ? and "
                           "quick_view_ref = ?", [platform, channel_id, quick_view_ref]).fetchone()
    try:
        return list(json.loads(row[0])) if row and row[0] else []
    except ValueError:
        return []


async def post_to_channels(adapters: Mapping[str, ChatAdapter], store: Store, channels: Sequence[Channel],
                           digest: Digest | Mapping[str, Digest]) -> list[str]:
    """Each channel in turn with its own threshold (and its own digest, when given by channel key: its
    keywords and taste); one channel's failure does not stop the others."""
    import asyncio

    async def one(channel: Channel) -> str:
        adapter = adapters.get(channel.platform)
        if adapter is None:
            why = getattr(adapters, "failed", {}).get(channel.platform, f"{channel.platform} is not configured")
            return f"{channel.platform} {channel.channel_id}{SKIPPED}{why})"
        mine = digest if isinstance(digest, Digest) else digest.get(channel.key)
        if mine is None:
            return f"{channel.platform} {channel.channel_id}{SKIPPED}no digest was built for it)"
        try:
            return await post_digest(adapter, store, channel, mine)
        except Exception as exc:
            log.error("posting to %s %s failed: %s", channel.platform, channel.channel_id, exc)
            return f"{channel.platform} {channel.channel_id}{FAILED}{exc})"

    # Chats in parallel, messages within one chat in order: what the platforms' limits allow.
    return list(await asyncio.gather(*(one(c) for c in channels)))
