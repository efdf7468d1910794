"""A running paperbot chat side for tests: Store, Engine, Commands, one adapter and serve's HTTP app."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer

from analysis.engine import Engine
from analysis.models import Digest
from analysis.pipeline import build_digest
from bot.adapters import open_adapters
from bot.config import Settings, load_settings
from bot.engine import open_engine
from bot.shared.commands import Commands
from storage.store import Store
from tests.helpers import day_papers

DAY = dt.date(2026, 1, 23)


@dataclass
class Harness:
    settings: Settings
    store: Store
    engine: Engine
    commands: Commands
    adapters: dict[str, Any]
    http: httpx.AsyncClient  # to serve's own app (Slack events, Telegram webhook)

    async def digest(self, thresholds: tuple[int, ...] = ()) -> Digest:
        return await build_digest(self.engine, DAY, day_papers(), thresholds=thresholds)


@asynccontextmanager
async def running(listen: bool = True) -> AsyncIterator[Harness]:
    settings = load_settings()
    store = Store(settings.db)
    async with open_engine(settings, store) as engine:
        commands = Commands(settings, store, engine)
        async with open_adapters(settings, store, engine, commands) as adapters:
            app = web.Application()
            if listen:
                for adapter in adapters.values():
                    await adapter.listen(app)
            server = TestServer(app, host="127.0.0.1")
            await server.start_server()
            async with httpx.AsyncClient(base_url=str(server.make_url("")), timeout=10) as client:
                yield Harness(settings, store, engine, commands, adapters, client)
            await server.close()
    store.close()
