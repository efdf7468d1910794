"""Telegram delivers an update again when it did not get our answer in time (webhook retries, a poll
cut short): the recent update_ids, bounded, let each be handled once."""

from __future__ import annotations

from collections import deque

RECENT = 10_000  # far more than arrive between two retries of one update


class RecentIds:
    def __init__(self, most: int = RECENT) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self.most = most

    def first_time(self, update_id: int) -> bool:
        """True the first time an id is seen (among the last `most`), False for a repeat."""
        if update_id in self._ids:
            return False
        self._ids.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self.most:
            self._ids.discard(self._order.popleft())
        return True
