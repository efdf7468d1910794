"""A loopback HTTP server in a thread, with request recording, latency and fault injection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EPOCH = web.RequestKey("epoch", int)


async def _cancel_others() -> None:
    """Requests a test left hanging on purpose end here, not as 'Task was destroyed' noise."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    @property
    def params(self) -> dict[str, Any]:
        """Query, form or JSON body merged: how most Web APIs accept arguments."""
        merged: dict[str, Any] = dict(self.query)
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype and isinstance(self.json, dict):
            merged.update(self.json)
        elif "x-www-form-urlencoded" in ctype:
            merged.update(self.form)
        return merged


@dataclass
class Fault:
    """An answer the fake gives instead of its normal one (or a delay before the normal one)."""

    status: int = 500
    body: str | bytes | dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    delay: float = 0.0
    path: str | None = None  # only requests whose path ends with this
    passthrough: bool = False  # after the delay, answer normally
    after: int = 0  # let this many matching requests through first ("fail the third post")

    def response(self) -> web.Response:
        if isinstance(self.body, dict):
            return web.json_response(self.body, status=self.status, headers=self.headers)
        payload = self.body if self.body is not None else f"fake fault {self.status}"
        data = payload.encode() if isinstance(payload, str) else payload
        return web.Response(body=data, status=self.status, headers=self.headers)


class LoopbackServer:
    """Subclasses add routes in `setup`; tests use `url`, `calls`, `fail_next` and `latency`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.latency = 0.0
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.epoch = 0  # bumped by reset(): a request still in flight from before it is stale
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- to override -------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop
        if self._runner is not None:
            with contextlib.suppress(TimeoutError):
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
            with contextlib.suppress(TimeoutError):
                asyncio.run_coroutine_threadsafe(_cancel_others(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def run(self, work: Awaitable[Any], timeout: float = 10) -> Any:
        """Run a coroutine on the server's own loop, from a test's thread, and return its result."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)  # type: ignore[arg-type]

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        app = web.Application(middlewares=[self._middleware], client_max_size=16 * 1024 * 1024)
        self.setup(app)
        # a test may leave a request hanging on purpose (delay faults): do not wait for it at shutdown
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.close()

    # -- faults and recording ----------------------------------------------------------------
    def fail_next(self, status: int = 500, body: str | bytes | dict[str, Any] | None = None, *,
                  headers: dict[str, str] | None = None, times: int = 1, delay: float = 0.0,
                  path: str | None = None, passthrough: bool = False, after: int = 0) -> None:
        """Queue `times` faulty answers for the next matching requests (after `after` good ones)."""
        with self._lock:
            for n in range(times):
                self._faults.append(Fault(status, body, headers, delay, path, passthrough, after if n == 0 else 0))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls_to(self, path_suffix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path.endswith(path_suffix)]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._faults.clear()
            self.epoch += 1
        self.latency = 0.0  # fakes live for the whole session: one test's slowness must not leak into the next

    def stale(self, request: web.Request) -> bool:
        """Whether `request` arrived before the last reset (a test's hanging request ending late)."""
        return request.get(EPOCH, self.epoch) != self.epoch

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or path.endswith(fault.path):
                    if fault.after:
                        fault.after -= 1
                        return None
                    self._faults.remove(fault)
                    return fault
        return None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        call = Call(request.method, request.path, dict(request.query), dict(request.headers), body)
        with self._lock:
            self.calls.append(call)
            request[EPOCH] = self.epoch
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self._take_fault(request.path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            # a request left hanging by an earlier test must not land in the test running now
            if not fault.passthrough or self.stale(request):
                return fault.response()
        return await handler(request)
