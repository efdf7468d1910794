"""The fake Bot API's queue of updates, as getUpdates hands them out, and the captured updates tests feed it."""

from __future__ import annotations

import copy
import itertools
import json
import threading
from typing import Any

from .hf import FIXTURES

# What Telegram delivers when allowed_updates was never set or set to []
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Updates waiting for getUpdates, each under a fresh update_id; thread-safe (tests push from their thread)."""

    def __init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1000)  # never reset, so a stale offset cannot eat new updates

    def push(self, update: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        """`update` queued under a fresh id, or under `update_id` (a redelivery of an earlier update)."""
        with self._lock:
            fresh = {**copy.deepcopy(update), "update_id": update_id or next(self._ids)}
            self._updates.append(fresh)
        return fresh

    def __len__(self) -> int:
        with self._lock:
            return len(self._updates)

    def clear(self) -> None:
        with self._lock:
            self._updates.clear()

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        with self._lock:
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def deliverable(self, allowed: list[str] | None) -> list[dict[str, Any]]:
        wanted = set(allowed or [])
        with self._lock:
            pending = list(self._updates)
        return [u for u in pending if (_kind(u) in wanted if wanted else _kind(u) not in DEFAULT_EXCLUDED)]


def _kind(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def load_update(name: str) -> dict[str, Any]:
    """A captured update from the shared fixtures: a file name, `telegram_update_<name>.json`, or a
    unique prefix of <name> ("private_start"). A fresh copy each time."""
    exact = [FIXTURES / name, FIXTURES / f"telegram_update_{name}.json"]
    paths = [p for p in exact if p.is_file()] or sorted(FIXTURES.glob(f"telegram_update_{name}*.json"))
    if len(paths) != 1:
        raise FileNotFoundError(f"no single telegram update fixture matches {name!r}: {[p.name for p in paths]}")
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    return dict(data)
