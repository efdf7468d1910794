"""Who is a chat administrator, remembered for a few minutes: every settings command in a group asks,
and getChatMember calls count against the bot's request budget like messages do."""

from __future__ import annotations

import time
from collections.abc import Callable

ADMIN_TTL = 300.0  # seconds; a demoted admin keeps the rights this long at most


class AdminCache:
    def __init__(self, ttl: float = ADMIN_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._known: dict[tuple[int, int], tuple[float, bool]] = {}

    def get(self, chat_id: int, user_id: int) -> bool | None:
        entry = self._known.get((chat_id, user_id))
        if entry is None or self.clock() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        if len(self._known) > 10_000:  # a long-running serve meets many people: forget the stale
            now = self.clock()
            self._known = {k: v for k, v in self._known.items() if now - v[0] <= self.ttl}
        self._known[(chat_id, user_id)] = (self.clock(), is_admin)
