"""arXiv's terms for its feeds and API: one request at a time, one every 3 seconds. One Pace per engine
keeps the announcement feed, the API's window listings and the comment look-up of a morning in step."""

from __future__ import annotations

import asyncio
import time


class Pace:
    def __init__(self) -> None:
        self._last: float | None = None
        self._lock = asyncio.Lock()

    async def before(self, gap: float) -> None:
        """Wait until `gap` seconds have passed since the last arXiv request ended."""
        async with self._lock:
            if self._last is not None:
                wait = self._last + gap - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._last = time.monotonic()

    def after(self) -> None:
        """The request (or a paged listing's last page) ended now."""
        self._last = time.monotonic()
