"""`paperbot serve`: scheduler, every configured adapter and /healthz in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web

from analysis.errors import ConfigError
from bot.adapters import open_adapters
from bot.commands import Commands
from bot.config import Settings
from bot.engine import open_engine
from bot.scheduler import Scheduler
from storage.store import Store

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 30.0  # seconds an in-flight post gets to finish on SIGTERM


def health(scheduler: Scheduler, adapters: dict[str, Any], store: Store) -> dict[str, Any]:
    runs = scheduler.next_runs()
    channels = []
    for channel in store.channels():
        last = store.last_post(channel.platform, channel.channel_id)
        channels.append({
            "channel": channel.key, "next_run": runs.get(channel.key),
            "last_digest": {"day": last["day"], "status": last["status"]} if last else None,
            "last_outcome": scheduler.last.get(channel.key),
        })
    states = {name: "up" for name in adapters} | {name: f"down: {why}" for name, why in
                                                   getattr(adapters, "failed", {}).items()}
    return {"status": "ok" if adapters else "degraded", "adapters": states, "channels": channels}


async def serve(settings: Settings, store: Store, stop: asyncio.Event | None = None) -> int:
    if not (settings.slack_bot_token or settings.telegram_bot_token):
        raise ConfigError("serve needs a chat platform: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, "
                          "or TELEGRAM_BOT_TOKEN (see README).")
    if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
        raise ConfigError("SLACK_SIGNING_SECRET is missing: HTTP mode must verify Slack's requests. Copy it from "
                          "your Slack app's Basic Information page, or set SLACK_APP_TOKEN for Socket Mode.")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with open_engine(settings, store) as engine:
        commands = Commands(settings, store, engine)
        async with open_adapters(settings, store, engine, commands) as adapters:
            scheduler = Scheduler(store, engine, adapters)
            commands.listeners.append(scheduler.sync)
            app = web.Application()

            async def healthz(_: web.Request) -> web.Response:
                return web.json_response(health(scheduler, adapters, store))

            app.router.add_get("/healthz", healthz)
            for adapter in adapters.values():
                await adapter.listen(app)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("paperbot serving on http://%s:%d (%s)", settings.host, settings.port, ", ".join(adapters))
            scheduler.start()
            catch_up = asyncio.create_task(scheduler.catch_up())
            await stop.wait()
            log.info("stopping: letting in-flight posts finish (up to %.0f s)", SHUTDOWN_GRACE)
            scheduler.shutdown()
            await _drain([catch_up])
            await runner.cleanup()
    return 0


async def _drain(tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for in-flight work, then cancel what is left: posting is resumable, so a cut is safe."""
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    running = [t for t in pending if t in tasks or "run_channel" in repr(t.get_coro())]
    if running:
        _, late = await asyncio.wait(running, timeout=SHUTDOWN_GRACE)
        for task in late:
            task.cancel()
