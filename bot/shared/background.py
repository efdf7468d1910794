"""Work that outlives the request that asked for it (a deep dive after Slack's 3 s ack, a Telegram answer),
kept track of so that `serve`'s shutdown can let it finish within its deadline.

Work that was promised to someone ("the deep dive follows in the channel") carries a way to tell them
when a shutdown cuts it: `serve` cancels it a little before its deadline and says RESTARTED, so nobody
waits for an answer that will never come.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

RESTARTED = "paperbot was restarted; ask again."
Tell = Callable[[str], Awaitable[Any]]  # says one line to the person the work was promised to
# task -> how to tell its person; weak, so a finished task leaves no trace. Module-wide because the
# shutdown sees only the tasks (ChatAdapter.busy()), whichever platform's Background spawned them.
_PROMISES: weakref.WeakKeyDictionary[asyncio.Task[Any], Tell] = weakref.WeakKeyDictionary()


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], promised: Tell | None = None) -> None:
        """Run `work`; `promised` when someone was told its result will come (see RESTARTED)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)  # held here: the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)
        if promised is not None:
            _PROMISES[task] = promised

    def busy(self) -> set[asyncio.Task[None]]:
        return set(self._tasks)

    async def settle(self, timeout: float = 30) -> None:
        """Let what is running finish, for at most `timeout` seconds (serve's deadline cuts it shorter)."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)


def promise_of(task: asyncio.Task[Any]) -> Tell | None:
    """How to tell the person `task` was promised to that it will not come; None for unpromised work."""
    return _PROMISES.get(task)
