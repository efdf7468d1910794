"""One message of a digest, sent at most once: intent committed, platform called, refs confirmed."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from analysis.errors import ChatError
from storage.chat import Channel
from storage.errors import StoreError
from storage.post_log import Intent
from storage.store import Store


async def send_once(store: Store, channel: Channel, day: str, key: str, send: Callable[[], Awaitable[list[str]]],
                    arxiv_id: str | None = None) -> list[str] | Intent:
    """Send one message of the day unless an earlier run did or may have: the refs sent, or what the post
    log already says (SENT, UNCERTAIN). The intent is committed first; a database that refuses it (locked,
    full) raises StoreError and nothing is sent. The caller confirms the refs."""
    where = (channel.platform, channel.channel_id, day, key)
    state = await store.call(store.begin_message, *where, arxiv_id)
    if state is not Intent.NEW:
        return state
    try:
        return await send()
    except ChatError:  # the platform refused it: it is certainly not there, so a later run may send it
        with contextlib.suppress(StoreError):  # else it stays "sending": a later run says it may be missing
            await store.call(store.forget_message, *where)
        raise


async def confirmed(store: Store, what: str, confirm: Callable[[], object]) -> None:
    """Write down that a message was posted; when that fails, stop posting here (the next run resumes it
    and does not send that message again)."""
    try:
        await store.call(confirm)
    except StoreError as exc:
        raise StoreError(f"{what} was posted but could not be recorded ({exc}); posting stopped here so nothing is "
                         "posted twice. The next run finishes the rest.") from None
