"""Who may change a group's settings: its owner and managers, read with chat.get and remembered for a few
minutes (every settings command asks, and each chat.get counts against the app's request budget)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from analysis.errors import ChatError

log = logging.getLogger(__name__)
TTL = 300.0  # seconds; a demoted manager keeps the rights this long at most


class ManagerCache:
    def __init__(self, fetch: Callable[[str], Awaitable[set[str]]], ttl: float = TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fetch, self.ttl, self.clock = fetch, ttl, clock
        self._known: dict[str, tuple[float, frozenset[str]]] = {}

    async def is_manager(self, chat_id: str, open_id: str) -> bool:
        entry = self._known.get(chat_id)
        if entry is None or self.clock() - entry[0] > self.ttl:
            try:
                managers = frozenset(await self.fetch(chat_id))
            except ChatError as exc:  # not remembered: the next command asks again
                log.warning("could not read the managers of %s: %s", chat_id, exc)
                return False
            if len(self._known) > 5000:  # a long-running serve meets many chats: forget the stale
                now = self.clock()
                self._known = {k: v for k, v in self._known.items() if now - v[0] <= self.ttl}
            entry = self._known[chat_id] = (self.clock(), managers)
        return open_id in entry[1]
