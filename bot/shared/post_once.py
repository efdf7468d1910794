"""One message of a digest, sent at most once: intent committed, platform called, refs confirmed."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from analysis.errors import ChatError, ChatUncertain
from bot.shared.stores import OffLoop, PostLog
from storage.chat import Channel
from storage.errors import StoreError
from storage.post_log import Intent

T = TypeVar("T")
# How long one post-log call waits for another process's write lock (SQLite retries it on the storage
# thread): long enough for any short write elsewhere, short enough that a lock held for minutes fails the
# channel's run in seconds (serve retries it later; `digest --post` exits 1 and a rerun resumes).
POST_WAIT_MS = 2000


async def call(store: OffLoop, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """A post-log call on the storage thread, waiting at most POST_WAIT_MS for a lock."""
    return await store.call(fn, *args, wait_ms=POST_WAIT_MS, **kwargs)


async def send_once(store: PostLog, channel: Channel, day: str, key: str, send: Callable[[], Awaitable[list[str]]],
                    arxiv_id: str | None = None) -> list[str] | Intent:
    """Send one message of the day unless an earlier run did or may have: the refs sent, or what the post
    log already says (SENT, UNCERTAIN). The intent is committed first; a database that refuses it (locked,
    full) raises StoreError and nothing is sent. The caller confirms the refs."""
    where = (channel.platform, channel.channel_id, day, key)
    state = await call(store, store.begin_message, *where, arxiv_id)
    if state is not Intent.NEW:
        return state
    try:
        return await send()
    except ChatError as exc:
        if not isinstance(exc, ChatUncertain):  # refused: certainly not there, so a later run may send it
            with contextlib.suppress(StoreError):  # else it stays "sending": a later run says it may be missing
                await call(store, store.forget_message, *where)
        raise


async def confirmed(store: PostLog, what: str, confirm: Callable[[], object]) -> None:
    """Write down that a message was posted; when that fails, stop posting here (the next run resumes it
    and does not send that message again)."""
    try:
        await call(store, confirm)
    except StoreError as exc:
        raise StoreError(f"{what} was posted but could not be recorded ({exc}); posting stopped here so nothing is "
                         "posted twice. The next run finishes the rest.") from None
