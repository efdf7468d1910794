"""`paperbot serve`: scheduler, every configured adapter and /healthz in one asyncio process.

Nothing slow runs on the event loop once it serves: litellm is imported (in a thread) before the
first listener opens, and SQLite waits are bounded. A platform that fails to start or to listen is
marked down in /healthz; the other keeps serving.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import Any

from aiohttp import web

from analysis.errors import ConfigError
from bot.adapters import Adapters, open_adapters
from bot.commands import Commands
from bot.config import Settings
from bot.engine import open_engine
from bot.scheduler import Scheduler
from bot.shutdown import HTTP_GRACE, SHUTDOWN_GRACE, WATCHDOG_AFTER, arm_watchdog, shut_down
from storage.store import Store

log = logging.getLogger(__name__)
# A write on the event loop that waits for another process's lock stalls every chat platform: serve
# waits at most this long (a failed run is retried; a command says so) where the CLI waits 30 s.
SERVE_BUSY_TIMEOUT_MS = 2000


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


def check_platforms(settings: Settings) -> None:
    if not (settings.slack_bot_token or settings.telegram_bot_token):
        raise ConfigError("serve needs a chat platform: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, "
                          "or TELEGRAM_BOT_TOKEN (see README).")
    if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
        raise ConfigError("SLACK_SIGNING_SECRET is missing: HTTP mode must verify Slack's requests. Copy it from "
                          "your Slack app's Basic Information page, or set SLACK_APP_TOKEN for Socket Mode.")


def tune_for_serving(store: Store) -> None:
    """SQLite writes run on the event loop: bound their waits for other processes' locks, and let
    commits skip the fsync (60-250 ms each on a busy disk, measured). In WAL mode that is still safe
    against any crash of the process; only a power cut can lose the last commits, which at worst
    repeats a message."""
    store.db.execute(f"PRAGMA busy_timeout = {SERVE_BUSY_TIMEOUT_MS}")
    store.db.execute("PRAGMA synchronous = NORMAL")


# Imported on first use by the morning run, in worker threads; but a C extension's import holds the
# interpreter lock throughout (lxml: ~0.2 s measured), which stalls the loop all the same.
LAZY_HEAVY = ("lxml.html", "pypdf")


async def warm_up(settings: Settings) -> None:
    """Import litellm (seconds of CPU) and the paper parsers off the loop and before anything listens:
    the first LLM call or paper read of the morning run must not hold every Slack ack and Telegram
    update behind an import."""
    await asyncio.to_thread(_import_all, LAZY_HEAVY)
    if settings.llm_model:
        from analysis.litellm_import import litellm_ready

        await litellm_ready()


def freeze_start_up_objects() -> None:
    """Move everything start-up made (litellm's, PTB's and bolt's hundreds of thousands of objects) out of
    the garbage collector's sight: otherwise each full collection walks them all on the event loop, one
    ~0.2 s stall every few minutes of work (measured). They live for the whole process anyway."""
    gc.collect()
    gc.freeze()


def _import_all(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # optional for serving: the reader imports it (or does without) when needed
            log.debug("warm-up: %s is not installed", name)


async def listen_all(adapters: Adapters, app: web.Application) -> None:
    """A platform whose listener fails (set_webhook refused, Socket Mode unreachable) is down, like
    one that failed to start; the others keep serving."""
    for name, adapter in list(adapters.items()):
        try:
            await adapter.listen(app)
        except Exception as exc:
            adapters.down(name, exc)
            await adapter.close()


async def serve(settings: Settings, store: Store, stop: asyncio.Event | None = None,
                grace: float = SHUTDOWN_GRACE) -> int:
    check_platforms(settings)
    own_process = stop is None  # the CLI's serve: signals and the last-resort watchdog are ours
    stop = stop or asyncio.Event()
    if own_process:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    tune_for_serving(store)
    await warm_up(settings)
    async with open_engine(settings, store) as engine:
        commands = Commands(settings, store, engine)
        async with open_adapters(settings, store, engine, commands) as adapters:
            scheduler = Scheduler(store, engine, adapters)
            commands.listeners.append(scheduler.sync)
            app = web.Application()

            async def healthz(_: web.Request) -> web.Response:
                return web.json_response(health(scheduler, adapters, store))

            app.router.add_get("/healthz", healthz)
            freeze_start_up_objects()
            await listen_all(adapters, app)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=HTTP_GRACE)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("paperbot serving on http://%s:%d (%s)", settings.host, settings.port, ", ".join(adapters))
            scheduler.start()
            catch_up = asyncio.create_task(scheduler.catch_up())
            await stop.wait()
            if own_process:
                arm_watchdog(grace + WATCHDOG_AFTER)
            await shut_down(scheduler, adapters, runner, [catch_up], grace)
    return 0
