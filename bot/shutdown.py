"""Stopping `serve` within one deadline: no new work, in-flight posts finish, what is left is cancelled.

Posting is resumable (every message's reference is stored as it is sent), so cancelling a post at the
deadline is safe: the next run finishes it. A /deepdive or /ask that was promised to someone cannot
resume: it is cut a little earlier (TELL_RESERVE before the deadline) so that its person is told to ask
again. Each step below gets only what is left of the one grace period, so a 429 being waited out or a
handler that hangs cannot stretch the stop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, Protocol

from bot.scheduler import Scheduler
from bot.shared.background import RESTARTED, Tell, promise_of
from bot.shared.chat import ChatAdapter

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 30.0  # seconds in-flight posts get to finish after SIGINT/SIGTERM
HTTP_GRACE = 2.0  # an HTTP request under way (a slash command's ack) gets this long, within the grace
CANCEL_WAIT = 0.5  # for cancelled work to unwind
WATCHDOG_AFTER = 1.5  # past the grace period, the process exits whatever still hangs
TELL_RESERVE = 3.0  # promised answers still running this long before the deadline are cut and told


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.seconds = seconds
        self.at = self.loop.time() + seconds

    def left(self) -> float:
        return max(0.0, self.at - self.loop.time())

    def reserve(self) -> float:
        """What the telling of cut promises keeps back: TELL_RESERVE, a third of a short grace."""
        return min(TELL_RESERVE, self.seconds / 3)


class HttpServer(Protocol):
    async def cleanup(self) -> None: ...


async def bounded(work: Awaitable[Any], seconds: float, what: str) -> None:
    """Await `work` for at most `seconds`, then cut it; a failure while stopping is only logged."""
    try:
        await asyncio.wait_for(work, timeout=max(seconds, 0.01))
    except TimeoutError:
        log.warning("stopping: %s did not finish in time; cut short", what)
    except Exception as exc:
        log.warning("stopping: %s failed: %s", what, exc)


async def drain(tasks: Iterable[asyncio.Task[Any]], deadline: Deadline) -> int:
    """Let `tasks` finish until the deadline, then cancel the rest; returns how many were cut. Promised
    answers are cut before the others, so their people can be told within the same deadline."""
    pending = {t for t in tasks if not t.done()}
    if not pending:
        return 0
    promised = {t for t in pending if promise_of(t) is not None}
    told: set[asyncio.Task[Any]] = set()
    if promised:
        await asyncio.wait(pending, timeout=max(0.0, deadline.left() - deadline.reserve()))
        told = tell_cut({t for t in promised if not t.done()}, deadline)
        pending = {t for t in pending if not t.done()} | told
    _, late = await asyncio.wait(pending, timeout=deadline.left())
    late -= told  # a telling is bounded by the deadline itself, and is no post
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late, timeout=CANCEL_WAIT)
        log.warning("stopping: %d task(s) still running at the deadline were cancelled; posts resume "
                    "on the next run", len(late))
    return len(late)


def tell_cut(tasks: set[asyncio.Task[Any]], deadline: Deadline) -> set[asyncio.Task[Any]]:
    """Cancel promised answers that cannot finish in time, and tell each one's person (best effort)."""
    tells = set()
    for task in tasks:
        tell = promise_of(task)
        task.cancel()
        if tell is not None:
            tells.add(asyncio.create_task(bounded(_telling(tell), deadline.left(), "telling who asked")))
    if tasks:
        log.warning("stopping: %d promised answer(s) could not finish in time; told each person to ask again",
                    len(tasks))
    return tells


async def _telling(tell: Tell) -> None:
    await tell(RESTARTED)


def in_flight(scheduler: Scheduler, adapters: Mapping[str, ChatAdapter],
              extra: Iterable[asyncio.Task[Any]] = ()) -> set[asyncio.Task[Any]]:
    """Every run of the scheduler (cron, retry, catch-up) and every adapter's background work."""
    work = set(scheduler.in_flight) | set(extra)
    for adapter in adapters.values():
        work |= adapter.busy()
    return work


async def shut_down(scheduler: Scheduler, adapters: Mapping[str, ChatAdapter], runner: HttpServer,
                    extra: Iterable[asyncio.Task[Any]] = (), grace: float = SHUTDOWN_GRACE) -> int:
    """The whole stop within `grace` seconds (plus CANCEL_WAIT and the adapters' last close)."""
    deadline = Deadline(grace)
    log.info("stopping: letting in-flight posts finish (up to %.0f s)", grace)
    scheduler.pause()
    for adapter in adapters.values():
        await bounded(adapter.stop_listening(), min(HTTP_GRACE, deadline.left()), f"{adapter.platform} listener")
    await bounded(runner.cleanup(), deadline.left(), "the HTTP server")  # its requests get HTTP_GRACE
    cut = await drain(in_flight(scheduler, adapters, extra), deadline)
    scheduler.shutdown()
    for adapter in adapters.values():  # open_adapters closes them again on exit: close is idempotent
        await bounded(adapter.close(), max(deadline.left(), CANCEL_WAIT), f"closing {adapter.platform}")
    return cut


def arm_watchdog(seconds: float) -> threading.Timer:
    """The last resort behind the deadline: a thread stuck in SQLite or a task that ignores
    cancellation cannot keep the process alive past `seconds`."""
    def fire() -> None:
        sys.stderr.write("paperbot: shutdown overran its grace period; exiting now\n")
        sys.stderr.flush()
        os._exit(1)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer
