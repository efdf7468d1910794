"""Small builders shared by tests: an Engine on a temporary Store, papers from tests/fixtures."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from analysis.engine import Engine
from analysis.models import Paper
from analysis.sources.daily_file import read_daily_file
from bot.config import load_settings
from bot.engine import open_engine
from storage.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def day_papers(name: str = "hf_daily_papers_2026-01-23.json") -> list[Paper]:
    return read_daily_file(FIXTURES / name)[0]


@asynccontextmanager
async def engine_for(store: Store | None = None, **overrides: str) -> AsyncIterator[Engine]:
    """An Engine built the way the CLI builds it, from the (fake-pointing) environment."""
    settings = load_settings(**overrides)
    own = store is None
    store = store or Store(settings.db)
    try:
        async with open_engine(settings, store) as engine:
            yield engine
    finally:
        if own:
            store.close()


async def until(predicate: Callable[[], object], timeout: float = 10) -> None:
    """Wait for something a background task or another thread does; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
