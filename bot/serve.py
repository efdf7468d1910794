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

from analysis.errors import ChatError, ConfigError
from bot.adapters import Adapters, open_adapters, platforms
from bot.config import Settings
from bot.engine import open_engine
from bot.http_server import HttpServer
from bot.scheduler import Scheduler
from bot.shared.commands import Commands
from bot.shared.platform import none_configured
from bot.shutdown import HTTP_GRACE, SHUTDOWN_GRACE, WATCHDOG_AFTER, arm_watchdog, shut_down
from storage.chat import Channel
from storage.store import Store

log = logging.getLogger(__name__)
# Posts, commands and votes wait for another process's lock on storage threads (each with its own bound);
# what still runs SQLite on the event loop (the LLM cache's writes) waits at most DIRECT_BUSY_TIMEOUT_MS,
# since that wait stalls every chat platform. The CLI waits 30 s.
SERVE_BUSY_TIMEOUT_MS = 2000
DIRECT_BUSY_TIMEOUT_MS = 250


def health(scheduler: Scheduler, adapters: dict[str, Any],
           posts: list[tuple[Channel, dict[str, Any] | None]]) -> dict[str, Any]:
    """/healthz's body; `posts` (each channel with its last post) as read by `last_posts`."""
    runs = scheduler.next_runs()
    channels = []
    for channel, last in posts:
        channels.append({
            "channel": channel.key, "next_run": runs.get(channel.key),
            "last_digest": {"day": last["day"], "status": last["status"]} if last else None,
            "last_outcome": scheduler.last.get(channel.key),
        })
    states = {name: "up" for name in adapters} | {name: f"down: {why}" for name, why in
                                                   getattr(adapters, "failed", {}).items()}
    return {"status": "ok" if adapters else "degraded", "adapters": states, "channels": channels}


def last_posts(store: Store) -> list[tuple[Channel, dict[str, Any] | None]]:  # on a storage thread
    return [(c, store.last_post(c.platform, c.channel_id)) for c in store.channels()]


def check_platforms(settings: Settings) -> None:
    """At least one platform configured, and each configured one with what serving needs."""
    specs = platforms()
    configured = [spec for spec in specs if spec.configured(settings)]
    if not configured:
        raise ConfigError(f"serve needs a chat platform: set {none_configured(specs, serving=True)} (see README).")
    for spec in configured:
        if spec.check_serving is not None:
            spec.check_serving(settings)


def tune_for_serving(store: Store) -> None:
    """Posts, commands and votes run SQLite on the storage thread (Store.call), but reads and caches still
    made from the loop must not wait long for other processes' locks; and commits skip the fsync
    (60-250 ms each on a busy disk, measured). In WAL mode that is still safe against any crash of the
    process; only a power cut can lose the last commits, which at worst leaves a message uncertain (the
    post log then says it may be missing rather than post it twice)."""
    store.tune(busy_ms=SERVE_BUSY_TIMEOUT_MS, synchronous="NORMAL", direct_busy_ms=DIRECT_BUSY_TIMEOUT_MS)


async def warm_up(settings: Settings) -> None:
    """Import litellm (seconds of CPU) and start the paper parsers' worker process (lxml and pypdf are
    imported there, not here) off the loop and before anything listens: the first LLM call or paper
    read of the morning run must not hold every Slack ack and Telegram update behind an import, nor
    behind the fork that starts the parsers' process."""
    from analysis.reading import worker

    try:
        await asyncio.to_thread(worker.prepare)
    except (OSError, EOFError, ValueError) as exc:  # papers are then parsed by a worker started when needed
        log.warning("the paper parsers' process did not start (%s); deep dives try again when they need it", exc)
    if settings.llm_model:
        from analysis.writing.litellm_import import litellm_ready

        await litellm_ready()


def freeze_start_up_objects() -> None:
    """Move everything start-up made (litellm's, PTB's and bolt's hundreds of thousands of objects) out of
    the garbage collector's sight: otherwise each full collection walks them all on the event loop, one
    ~0.2 s stall every few minutes of work (measured). They live for the whole process anyway."""
    gc.collect()
    gc.freeze()


def check_port(host: str, port: int) -> None:
    """One line, not a traceback, when another program holds PAPERBOT_PORT (or PAPERBOT_HOST is not ours)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConfigError(f"cannot listen on PAPERBOT_HOST={host}: {exc.strerror or exc}; use an address of "
                          "this machine, e.g. 127.0.0.1 or 0.0.0.0.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds: TIME_WAIT is no conflict
        try:
            probe.bind(address)
        except OSError as exc:
            raise ConfigError(_port_problem(host, port, exc)) from None


def _port_problem(host: str, port: int, exc: OSError) -> str:
    return (f"cannot listen on {host}:{port} ({exc.strerror or exc}); another program may be using it: stop it "
            "or set PAPERBOT_PORT (and PAPERBOT_HOST).")


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
    check_port(settings.host, settings.port)  # before the seconds of warm-up, and before any platform is called
    tune_for_serving(store)
    await warm_up(settings)
    async with open_engine(settings, store) as engine:
        commands = Commands(settings, store, engine)
        async with open_adapters(settings, store, engine, commands) as adapters:
            scheduler = Scheduler(store, engine, adapters)
            commands.listeners.append(scheduler.sync)
            app = web.Application()

            async def healthz(_: web.Request) -> web.Response:
                posts = await store.call(last_posts, store, lane="commands")
                return web.json_response(health(scheduler, adapters, posts))

            app.router.add_get("/healthz", healthz)
            freeze_start_up_objects()
            await listen_all(adapters, app)
            if not adapters:  # systemd's Restart=on-failure can try again; idling would hide it
                raise ChatError("no chat platform could start (" + "; ".join(
                    f"{name}: {why}" for name, why in adapters.failed.items()) + "); fix that and start again.")
            runner = HttpServer(app, shutdown_timeout=HTTP_GRACE)
            try:
                await runner.start(settings.host, settings.port)
            except OSError as exc:  # taken since check_port looked
                await runner.cleanup()
                raise ConfigError(_port_problem(settings.host, settings.port, exc)) from None
            log.info("paperbot serving on http://%s:%d (%s; at most %d connections, %d open files)", settings.host,
                     settings.port, ", ".join(adapters), runner.most, runner.fd_limit)
            scheduler.start()
            catch_up = asyncio.create_task(scheduler.catch_up())
            await stop.wait()
            if own_process:
                arm_watchdog(grace + WATCHDOG_AFTER)
            await shut_down(scheduler, adapters, runner, [catch_up], grace)
    return 0
