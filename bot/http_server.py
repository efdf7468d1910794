"""serve's HTTP side (Slack events, the Telegram webhook, /healthz) with its connections bounded.

Idle sockets must not exhaust the process's file descriptors (systemd's default is 1,024): a
keep-alive connection idle for KEEPALIVE_TIMEOUT is closed (aiohttp applies it from the moment a
connection opens, so one that never sends a request is closed too), and at most `most` connections
are open at once. A new connection beyond that closes the longest-open connection that is not in the
middle of a request, so a flood of idle sockets cannot lock out /healthz or Slack's next request.
A client that hangs up in the middle of its request body costs one log line, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)
KEEPALIVE_TIMEOUT = 15.0  # seconds an idle connection stays open (aiohttp's default: 75)
MAX_CONNECTIONS = 512  # at most; never more than half the descriptors the process may open
CAP_NOTE_EVERY = 60.0  # seconds between two log lines about connections closed at the cap
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def raise_fd_limit() -> int:
    """Raise the soft limit on open files to the hard limit (allowed without privileges); the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:  # a sandbox may refuse it: the cap below still holds
            log.debug("could not raise the open-file limit: %s", exc)
    return soft


def connection_cap(fd_limit: int) -> int:
    return max(8, min(MAX_CONNECTIONS, fd_limit // 2))


class HttpServer:
    def __init__(self, app: web.Application, *, shutdown_timeout: float, keepalive: float = KEEPALIVE_TIMEOUT,
                 most: int | None = None) -> None:
        app.middlewares.append(self._track)  # before the runner freezes the app
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout,
                                    keepalive_timeout=keepalive)
        self.fd_limit = raise_fd_limit()
        self.most = most if most is not None else connection_cap(self.fd_limit)
        # (aiohttp's RequestHandler takes no weak references: plain sets, emptied as connections go)
        self._busy: set[RequestHandler] = set()  # connections inside a request handler
        self._closed: set[RequestHandler] = set()  # closed by us, not yet gone from server.connections
        self._listener: asyncio.Server | None = None
        self._cut, self._noted = 0, -CAP_NOTE_EVERY

    async def start(self, host: str, port: int) -> None:
        await self.runner.setup()
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(self._accept, host, port, reuse_address=True, backlog=128)

    async def cleanup(self) -> None:
        """Stop accepting, then let requests under way finish (shutdown_timeout) and close the rest."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        await self.runner.cleanup()

    def _accept(self) -> RequestHandler:
        """The protocol for one new connection, after making room for it. (asyncio drops the connection
        without a word when this raises, outside its debug mode: so it must not.)"""
        server = self.runner.server
        assert server is not None
        try:
            self._make_room(server.connections)
        except Exception as exc:
            log.error("HTTP: could not check the connection cap: %s", exc)
        return server()

    def _make_room(self, connections: list[RequestHandler]) -> None:
        # asyncio makes the protocols of one accept burst (up to the backlog) before any of them is
        # connected, so `connections` can lag by that many: the cap's other half of the limit covers it
        self._closed.intersection_update(connections)
        open_now = [c for c in connections if c not in self._closed]
        excess = len(open_now) + 1 - self.most
        if excess > 0:
            idle = [c for c in open_now if c not in self._busy][:excess]  # oldest first
            for connection in idle:
                self._closed.add(connection)
                connection.force_close()
            self._note_cut(len(idle))

    def _note_cut(self, count: int) -> None:
        self._cut += count
        now = asyncio.get_running_loop().time()
        if self._cut and now - self._noted >= CAP_NOTE_EVERY:
            log.warning("HTTP: %d idle connection(s) closed to stay within %d open connections (a client "
                        "opening many and sending nothing?)", self._cut, self.most)
            self._cut, self._noted = 0, now

    @web.middleware
    async def _track(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        connection: RequestHandler = request.protocol
        self._busy.add(connection)
        try:
            return await handler(request)
        except ConnectionResetError:  # aiohttp's "Connection lost" while the handler read the body
            if request.transport is not None and not request.transport.is_closing():
                raise
            log.warning("HTTP: a client hung up before its request body arrived (%s %s)",
                        request.method, request.path)
            return web.Response(status=400, text="request body cut short")
        finally:
            self._busy.discard(connection)
