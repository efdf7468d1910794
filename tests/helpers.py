"""Small builders shared by tests: an Engine on a temporary Store, papers from the shared fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from analysis.hf import load_daily_file
from analysis.models import Paper
from analysis.pipeline import Engine
from bot.config import load_settings
from bot.engine import open_engine
from storage.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def day_papers(name: str = "hf_daily_papers_2026-01-23.json") -> list[Paper]:
    return load_daily_file(SHARED / name)


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
