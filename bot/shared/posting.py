"""Posting a digest to a channel exactly once: claim, quick view, deep dives, finish; resumable.

Every message goes through the post log (storage.post_log): its intent is committed before the
platform is called and confirmed after. Whatever dies in between (the process, the disk, the lock),
the next run never sends that message again; a deep dive that may be missing gets one line in the
thread saying so. When the intent cannot be written at all, nothing is sent. Every database call
runs on the storage thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from enum import StrEnum

from analysis.models import Digest, DigestItem
from bot.shared.chat import ChatAdapter
from bot.shared.post_once import call, confirmed, send_once
from bot.shared.stores import Posting
from bot.shared.weekly import post_weekly
from storage.chat import Channel
from storage.errors import StoreError
from storage.post_log import QUICK_VIEW, Intent, dive_key, note_key
from storage.quick_views import redraw_json

log = logging.getLogger(__name__)


class Result(StrEnum):
    POSTED = "posted"
    ALREADY = "already posted"
    BUSY = "busy elsewhere"
    NOTHING_NEW = "nothing new"
    NO_PAPERS = "no papers"
    UNSURE = "interrupted earlier"  # an earlier run died posting the quick view: nothing more is sent
    FAILED = "failed"
    SKIPPED = "skipped"


class Outcome(str):
    """The one-line outcome people read, carrying what happened as a Result (never parsed from the text)."""

    kind: Result

    def __new__(cls, kind: Result, line: str) -> Outcome:
        made = super().__new__(cls, line)
        made.kind = kind
        return made


def not_posted(outcome: str) -> bool:
    """Whether a post_to_channels outcome is a channel that failed or was skipped (its platform down)."""
    return isinstance(outcome, Outcome) and outcome.kind in (Result.FAILED, Result.SKIPPED)


def missing_note(item: DigestItem) -> str:
    return (f"⚠️ paperbot was interrupted while posting《{item.paper.title}》; "
            f"ask /deepdive {item.paper.arxiv_id} if it is missing.")


def quick_view_note(day: str) -> str:
    return (f"⚠️ paperbot was interrupted while posting the digest of {day}; it may be missing above. "
            "Its deep dives follow in this thread.")


async def post_digest(adapter: ChatAdapter, store: Posting, channel: Channel, digest: Digest,
                      now: dt.datetime | None = None) -> Outcome:
    """Post `digest` to `channel` unless it already was; returns a one-line outcome.

    `now` is the scheduler's clock, so "posted today" means the same day to the claim and to catch-up."""
    day = digest.date.isoformat()
    where = f"{channel.platform} {channel.channel_id}"
    key = (channel.platform, channel.channel_id, day)
    claim = await call(store, store.claim_post, *key, now=now)
    if claim.state == "done":
        return Outcome(Result.ALREADY, f"{where}: digest of {day} was already posted")
    if claim.state == "busy":
        return Outcome(Result.BUSY, f"{where}: another paperbot process is posting the digest of {day}")
    view = digest.with_threshold(channel.threshold)
    ref = claim.quick_view_ref
    if ref is None and view.items and await _all_listed_before(store, channel, view):
        await _finish(store, channel, view)
        return Outcome(Result.NOTHING_NEW, f"{where}: every paper of {day} was in an earlier digest; nothing new "
                                           "to post")
    try:
        if ref is None:
            posted = await _post_quick_view(adapter, store, channel, view)
            if posted is Intent.UNCERTAIN and view.items:
                posted = await _replace_quick_view(adapter, store, channel, day)
            if posted is None or isinstance(posted, Intent):  # (an Intent is a str too)
                await _finish(store, channel, view)
                if posted is None:
                    return Outcome(Result.NO_PAPERS, f"{where}: no papers for {day}")
                return Outcome(Result.UNSURE, f"{where}: an earlier run was interrupted while posting the digest "
                                              f"of {day}; it may be missing there, and is not posted again")
            ref = posted
            await post_weekly(adapter, store, channel, view.date, ref)
        sent, missing = await _post_deep_dives(adapter, store, channel, view, ref)
    except BaseException:
        if ref is None:
            await _release(store, *key)
        raise
    await _finish(store, channel, view)
    resumed = " (resumed)" if claim.state == "resume" else ""
    lost = f"; {missing} deep dive(s) may be missing (an earlier run was interrupted)" if missing else ""
    return Outcome(Result.POSTED, f"{where}: posted the digest of {day} with {sent} deep dive(s){resumed}{lost}")


async def _finish(store: Posting, channel: Channel, view: Digest) -> None:
    """The post is done, and the channel has seen its papers, new versions and announcements."""
    day = view.date.isoformat()
    await call(store, store.finish_post, channel.platform, channel.channel_id, day)
    await call(store, store.remember_shown, channel.platform, channel.channel_id, day,
               [item.paper.arxiv_id for item in view.items], [(u.arxiv_id, u.version) for u in view.updates],
               [d.isoformat() for d in view.announcements or []])


async def _release(store: Posting, platform: str, channel_id: str, day: str) -> None:
    try:
        await call(store, store.release_post, platform, channel_id, day)
    except StoreError as exc:  # the claim stays; the next run resumes it, and the post log still holds
        log.warning("could not give back the claim of %s %s %s: %s", platform, channel_id, day, exc)


async def _post_quick_view(adapter: ChatAdapter, store: Posting, channel: Channel, view: Digest) -> str | Intent | None:
    """The quick view's ref; None when there is nothing to thread under; UNCERTAIN when an earlier run may
    have posted it (its ref unknown)."""
    day = view.date.isoformat()
    if not view.items and not channel.empty_note:
        return None

    async def send() -> list[str]:
        if not view.items:
            return [await adapter.post_text(channel.channel_id, f"No new papers on Hugging Face for {day} today.")]
        votes = await call(store, store.vote_counts, channel.platform, channel.channel_id)
        marks = await call(store, store.mark_counts, channel.platform, channel.channel_id)
        return [await adapter.post_quick_view(channel.channel_id, view, votes, marks)]

    refs = await send_once(store, channel, day, QUICK_VIEW, send)
    if isinstance(refs, Intent):
        return Intent.UNCERTAIN if refs is Intent.UNCERTAIN else None
    listed = [item.paper.arxiv_id for item in view.items]
    body = redraw_json(view) if view.items else None  # votes redraw it
    await confirmed(store, f"the quick view of {day}", lambda: store.quick_view_sent(
        channel.platform, channel.channel_id, day, refs[0], listed, body))
    return refs[0] if view.items else None


async def _replace_quick_view(adapter: ChatAdapter, store: Posting, channel: Channel, day: str) -> str | Intent:
    """An earlier run died posting the quick view, which may or may not be in the channel: not sent again,
    a one-line note takes its place as the thread of the deep dives (which were not sent yet)."""
    async def send() -> list[str]:
        return [await adapter.post_text(channel.channel_id, quick_view_note(day))]

    key = note_key(QUICK_VIEW)
    refs = await send_once(store, channel, day, key, send)
    if isinstance(refs, Intent):
        return Intent.UNCERTAIN  # the note too: nothing more goes to this channel today
    await confirmed(store, "a note", lambda: store.thread_replaced(channel.platform, channel.channel_id, day, key,
                                                                   refs[0]))
    return refs[0]


async def _post_deep_dives(adapter: ChatAdapter, store: Posting, channel: Channel, view: Digest,
                           ref: str) -> tuple[int, int]:
    """(sent now, may be missing) deep dives."""
    day = view.date.isoformat()
    earlier = await call(store, store.dived_before, channel.platform, channel.channel_id, day)  # no dive twice
    # 👎 "not for us" there, even when marked after the digest was built
    earlier |= await call(store, store.marked_ids, (channel.platform, channel.channel_id))
    sent = missing = 0
    for number, item in enumerate(view.selected(), start=1):
        arxiv_id = item.paper.arxiv_id
        if arxiv_id in earlier:
            continue
        key = dive_key(arxiv_id)

        async def dive(item: DigestItem = item, number: int = number) -> list[str]:
            return await adapter.post_deep_dive(channel.channel_id, ref, item, number)

        refs = await send_once(store, channel, day, key, dive, arxiv_id)
        if refs is Intent.UNCERTAIN:
            missing += 1
            await _say_missing(adapter, store, channel, day, key, ref, item)
        elif not isinstance(refs, Intent):
            def record(refs: list[str] = refs, arxiv_id: str = arxiv_id) -> None:
                store.message_sent(channel.platform, channel.channel_id, day, dive_key(arxiv_id), refs,
                                   kind="deep_dive", arxiv_id=arxiv_id, position=view.position(arxiv_id))

            await confirmed(store, f"the deep dive of {arxiv_id}", record)
            sent += 1
    return sent, missing


async def _say_missing(adapter: ChatAdapter, store: Posting, channel: Channel, day: str, key: str, ref: str,
                       item: DigestItem) -> None:
    """One line in the thread, once, for a deep dive that an interrupted run may or may not have posted."""
    async def send() -> list[str]:
        return [await adapter.post_text(channel.channel_id, missing_note(item), ref)]

    refs = await send_once(store, channel, day, note_key(key), send, item.paper.arxiv_id)
    if not isinstance(refs, Intent):
        await confirmed(store, "a note", lambda: store.message_sent(
            channel.platform, channel.channel_id, day, note_key(key), refs, kind="note"))


async def _all_listed_before(store: Posting, channel: Channel, view: Digest) -> bool:
    """HF sometimes serves an older day again (holidays, the 3-day fallback): post nothing twice."""
    earlier = await call(store, store.listed_before, channel.platform, channel.channel_id, view.date.isoformat())
    return {item.paper.arxiv_id for item in view.items} <= earlier


async def post_to_channels(adapters: Mapping[str, ChatAdapter], store: Posting, channels: Sequence[Channel],
                           digest: Digest | Mapping[str, Digest]) -> list[Outcome]:
    """Each channel in turn with its own threshold (and its own digest, when given by channel key: its
    keywords and taste); one channel's failure does not stop the others."""

    async def one(channel: Channel) -> Outcome:
        where = f"{channel.platform} {channel.channel_id}"
        adapter = adapters.get(channel.platform)
        if adapter is None:
            why = getattr(adapters, "failed", {}).get(channel.platform, f"{channel.platform} is not configured")
            return Outcome(Result.SKIPPED, f"{where}: skipped ({why})")
        mine = digest if isinstance(digest, Digest) else digest.get(channel.key)
        if mine is None:
            return Outcome(Result.SKIPPED, f"{where}: skipped (no digest was built for it)")
        try:
            return await post_digest(adapter, store, channel, mine)
        except Exception as exc:
            log.error("posting to %s failed: %s", where, exc)
            return Outcome(Result.FAILED, f"{where}: failed ({exc})")

    # Chats in parallel, messages within one chat in order: what the platforms' limits allow.
    return list(await asyncio.gather(*(one(c) for c in channels)))
