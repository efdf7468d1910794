"""The Slack Web API as slack_sdk calls it (`POST /api/<method>`), plus helpers to sign requests
to an app's own `/slack/events` endpoint the way Slack does."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from tests.fakes.base import LoopbackServer

MAX_TEXT = 40_000


class FakeSlack(LoopbackServer):
    def __init__(self, token: str = "xoxb-test-token") -> None:
        super().__init__()
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # what slash commands' response_url received
        self.channel_errors: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._ts_lock = threading.Lock()

    # -- what tests look at ------------------------------------------------------------------
    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel and not m.get("ephemeral_user")]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages_in(channel) if m.get("thread_ts") == ts]

    def fail_channel(self, channel: str, error: str | None) -> None:
        if error is None:
            self.channel_errors.pop(channel, None)
        else:
            self.channel_errors[channel] = error

    def response_url(self, key: str) -> str:
        return f"{self.url}/response/{key}"

    def reset(self) -> None:
        super().reset()
        self.messages.clear()
        self.responses.clear()
        self.channel_errors.clear()

    # -- server ------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append({"key": request.match_info["key"], **(await request.json())})
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        args = await _arguments(request)
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.token}" and args.get("token") != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = {
            "auth.test": self._auth_test, "chat.postMessage": self._post, "chat.postEphemeral": self._ephemeral,
            "chat.update": self._update, "chat.getPermalink": self._permalink,
            "conversations.info": self._conversation, "reactions.add": _ok, "users.info": self._user,
        }.get(request.match_info["method"])
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake Team", "user": "paperbot",
                "team_id": "T0001", "user_id": "UBOT", "bot_id": "B0001"}

    def _next_ts(self) -> str:
        with self._ts_lock:
            return f"1700000000.{next(self._ts):06d}"

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, text = str(args.get("channel", "")), str(args.get("text") or "")
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if len(text) > MAX_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        blocks = _blocks(args.get("blocks"))
        if blocks is not None and len(blocks) > 50:
            return {"ok": False, "error": "invalid_blocks"}
        ts = self._next_ts()
        message = {"channel": channel, "ts": ts, "thread_ts": args.get("thread_ts"), "text": text, "blocks": blocks,
                   "user": "UBOT"}
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {k: v for k, v in message.items() if k != "channel" and v is not None}}

    def _ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        self.messages.append({"channel": args.get("channel"), "ts": ts, "thread_ts": args.get("thread_ts"),
                              "text": args.get("text"), "blocks": _blocks(args.get("blocks")),
                              "ephemeral_user": args.get("user")})
        return {"ok": True, "message_ts": ts}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages:
            if message["channel"] == args.get("channel") and message["ts"] == args.get("ts"):
                message.update(text=args.get("text"), blocks=_blocks(args.get("blocks")))
                return {"ok": True, "channel": message["channel"], "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {"ok": True, "channel": args.get("channel"),
                "permalink": f"https://fake.slack.com/archives/{args.get('channel')}/p{ts}"}

    def _conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": args.get("channel"), "name": "papers", "is_member": True}}

    def _user(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": {"id": args.get("user"), "name": "someone", "is_admin": False}}


def _ok(_: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True}


async def _arguments(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    return dict(await request.post())


def _blocks(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    return json.loads(value) if isinstance(value, str) else list(value)


# -- requests from Slack to the app ------------------------------------------------------------

def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(command: str, text: str, *, channel_id: str = "C0PAPERS", user_id: str = "U0ALICE",
                       response_url: str = "https://hooks.slack.com/commands/T0001/1/x",
                       trigger_id: str = "13345224609.738474920.8088930838d88f008e0") -> bytes:
    return urlencode({
        "token": "verification-token-unused", "team_id": "T0001", "team_domain": "fake", "channel_id": channel_id,
        "channel_name": "papers", "user_id": user_id, "user_name": "alice", "command": command, "text": text,
        "api_app_id": "A0001", "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": trigger_id,
    }).encode()


def reaction_event(reaction: str, *, channel: str, ts: str, user: str = "U0ALICE", event_id: str = "Ev0001",
                   added: bool = True, item_user: str = "UBOT") -> dict[str, Any]:
    """An Events API `event_callback` envelope around `reaction_added` / `reaction_removed`."""
    return {
        "token": "verification-token-unused", "team_id": "T0001", "api_app_id": "A0001",
        "event": {
            "type": "reaction_added" if added else "reaction_removed", "user": user, "reaction": reaction,
            "item_user": item_user, "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}",
        },
        "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": "T0001", "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }
