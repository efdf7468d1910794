"""Vote counts redrawn on the quick view in place, debounced: a burst of votes makes one edit.

Each adapter owns one Refresher with its own edit call (Slack chat.update, Telegram editMessageText or
editMessageReplyMarkup). A vote asks for a redraw of the channel's latest quick view listing the paper;
the redraw waits `delay` seconds (collecting every vote of a burst), and never comes sooner than
`min_interval` after the previous edit of the same message, which keeps within the platforms' edit limits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from analysis.models import Digest
from bot.shared.stores import QuickViews

log = logging.getLogger(__name__)
# (channel id, ref, digest, votes, 👎 marks)
Edit = Callable[[str, str, Digest, dict[str, int], dict[str, int]], Awaitable[None]]


class Refresher:
    def __init__(self, store: QuickViews, platform: str, edit: Edit, *, delay: float = 1.5,
                 min_interval: float = 3.0) -> None:
        self.store, self.platform, self.edit = store, platform, edit
        self.delay, self.min_interval = delay, min_interval
        self._pending: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._last: dict[tuple[str, str], float] = {}
        self._dirty: set[tuple[str, str]] = set()  # voted on since its running redraw read the counts
        self.edits = 0  # how many edits were made (for /healthz and the tests)

    async def voted(self, channel_id: str, arxiv_id: str | None) -> None:
        """A vote on `arxiv_id` in this channel changed: redraw the quick view that lists it, soon."""
        if arxiv_id is None:
            return
        ref = await self.store.call(self.store.view_ref, self.platform, channel_id, arxiv_id, lane="votes")
        if ref is None:
            return
        key = (channel_id, ref)
        if key in self._pending:
            # planned: it reads the counts when it runs; running: its counts may be old, so it draws once more
            self._dirty.add(key)
            return
        self._pending[key] = asyncio.create_task(self._redraw(key))

    def idle(self) -> bool:
        """No redraw planned or under way (the tests wait for it rather than for a while)."""
        return not self._pending

    def _wait(self, key: tuple[str, str]) -> float:
        return max(self.delay, self._last.get(key, 0.0) + self.min_interval - time.monotonic())

    async def _redraw(self, key: tuple[str, str]) -> None:
        """Redraws of one message, one at a time: the key stays pending until its edit is answered, so an
        older count never lands after a newer one."""
        try:
            while True:
                await asyncio.sleep(self._wait(key))
                self._dirty.discard(key)
                await self._edit(key)
                if key not in self._dirty:
                    return
        finally:
            del self._pending[key]
            self._dirty.discard(key)

    async def _edit(self, key: tuple[str, str]) -> None:
        channel_id, ref = key
        body = await self.store.call(self.store.view_at, self.platform, channel_id, ref, lane="votes")
        if body is None:
            return
        digest = Digest.model_validate_json(body)
        self._last[key] = time.monotonic()
        try:
            counts = await self.store.call(self.store.vote_counts, self.platform, channel_id, lane="votes")
            marked = await self.store.call(self.store.mark_counts, self.platform, channel_id, lane="votes")
            await self.edit(channel_id, ref, digest, counts, marked)
            self.edits += 1
        except Exception as exc:  # a failed redraw loses nothing: the next vote redraws again
            log.warning("redrawing the quick view %s in %s failed: %s", ref, channel_id, exc)

    async def close(self) -> None:
        """Drop the planned redraws and the edits in flight (the process is stopping): the counts are safe
        in the database."""
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
