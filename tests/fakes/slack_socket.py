"""Slack's Socket Mode on the Slack fake, for apps without a public URL.

`apps.connections.open`, called with the app-level token (`xapp-…`), hands out a `ws://` URL on the
same loopback server. Slack greets each connection with a `hello`, then sends envelopes
(`{"envelope_id", "type", "payload", "accepts_response_payload"}`) that the app acks by sending
back `{"envelope_id", "payload"?}`. Tests `push` envelopes and read the `acks`.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .base import LoopbackServer

PATH = "/socket-mode"


class SocketMode:
    def __init__(self, server: LoopbackServer, app_token: str = "xapp-1-A0001-test-token") -> None:
        self.server = server
        self.app_token = app_token
        self.acks: list[dict[str, Any]] = []
        self.connections = 0  # sockets opened so far
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)

    def setup(self, app: web.Application) -> None:
        app.router.add_get(PATH, self._connect)

    def open(self) -> dict[str, Any]:
        """The `apps.connections.open` answer."""
        return {"ok": True, "url": self.server.url.replace("http://", "ws://", 1) + PATH}

    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope down the newest open socket; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids)}"
        message = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                   "accepts_response_payload": kind != "events_api"}
        self.server.run(self._send(message))
        return envelope_id

    def push_command(self, body: bytes) -> str:
        """A slash command as Socket Mode carries it: the form fields of the HTTP request, as JSON."""
        return self.push("slash_commands", dict(parse_qsl(body.decode(), keep_blank_values=True)))

    def ack(self, envelope_id: str) -> dict[str, Any] | None:
        return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

    def reset(self) -> None:
        self.acks.clear()

    async def _send(self, message: dict[str, Any]) -> None:
        sockets = [ws for ws in self._sockets if not ws.closed]
        if not sockets:
            raise RuntimeError("no Socket Mode connection is open")
        await sockets[-1].send_json(message)

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers pings by itself, as Slack does
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A0001"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return ws
