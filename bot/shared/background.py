"""Work that outlives the request that asked for it (a deep dive after Slack's 3 s ack, a Telegram answer),
kept track of so that `serve`'s shutdown can let it finish within its deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # held here: the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)

    def busy(self) -> set[asyncio.Task[None]]:
        return set(self._tasks)

    async def settle(self, timeout: float = 30) -> None:
        """Let what is running finish, for at most `timeout` seconds (serve's deadline cuts it shorter)."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
