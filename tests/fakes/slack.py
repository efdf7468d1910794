"""The Slack Web API as slack_sdk calls it, plus builders for what Slack sends to an app.

slack_sdk's `AsyncWebClient(base_url=fake.url + "/api/")` reaches `/api/<method>`. What it sends
differs per method (slack_sdk 3.48): methods that carry blocks (`chat.postMessage`, `chat.update`,
`chat.postEphemeral`) POST a JSON body; `auth.test` and `reactions.add` POST with the arguments in
the *query string* and an empty body; `chat.getPermalink`, `conversations.info` and `users.info`
are GETs. Other clients post form bodies, where `blocks` is a JSON string. All of these are read
here. The token travels as `Authorization: Bearer`, or as a `token` argument.

Errors come back as HTTP 200 with `{"ok": false, "error": ...}`, the way Slack answers, except a
rate limit, which tests inject with `fail_next(429, ..., headers={"Retry-After": "1"})`. Socket Mode
(`apps.connections.open` and its websocket) is `fake.socket_mode`, in tests.fakes.slack_socket.
"""

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

from .base import LoopbackServer
from .slack_blocks import MAX_BLOCKS, MAX_BLOCKS_TEXT, block_errors, text_length  # noqa: F401 - re-exported
from .slack_socket import SocketMode

MAX_TEXT = 40_000  # chat.postMessage refuses longer text with msg_too_long
TEAM_ID = "T0001"
BOT_USER = "UBOT"
BOT_ID = "B0001"
APP_ID = "A0001"

Args = dict[str, Any]
Answer = dict[str, Any]


class FakeSlack(LoopbackServer):
    """Slack's Web API on 127.0.0.1; posted messages land in `messages`, response_url posts in `responses`."""

    def __init__(self, token: str = "xoxb-test-token") -> None:
        super().__init__()
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # what slash commands' response_url received
        self.reactions: list[dict[str, Any]] = []  # reactions.add by the bot: channel, ts, name
        self.channel_errors: dict[str, str] = {}
        self.channels: dict[str, dict[str, Any]] = {}  # conversations.info overrides
        self.users: dict[str, dict[str, Any]] = {}  # users.info overrides
        self.socket_mode = SocketMode(self)
        self._ts = itertools.count(101)  # never reset: a ts stays unique for the whole session
        self._ts_lock = threading.Lock()

    # -- what tests set and look at -----------------------------------------------------------
    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Messages everyone in `channel` sees (ephemeral ones left out), oldest first."""
        return [m for m in self.messages if m["channel"] == channel and not m.get("ephemeral_user")]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under the message `ts` (not the parent itself)."""
        return [m for m in self.messages_in(channel) if m.get("thread_ts") == ts]

    def ephemeral(self, channel: str, user: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel and m.get("ephemeral_user")
                and (user is None or m["ephemeral_user"] == user)]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["channel"] == channel and m["ts"] == ts), None)

    def fail_channel(self, channel: str, error: str | None) -> None:
        """Make chat.* answer `{"ok": false, "error": error}` for `channel` until called with None."""
        if error is None:
            self.channel_errors.pop(channel, None)
        else:
            self.channel_errors[channel] = error

    def add_channel(self, channel: str, name: str, **extra: Any) -> None:
        self.channels[channel] = {"id": channel, "name": name, **extra}

    def add_user(self, user: str, name: str, *, is_admin: bool = False, is_owner: bool = False) -> None:
        self.users[user] = {"id": user, "name": name, "real_name": name, "is_admin": is_admin,
                            "is_owner": is_owner, "is_bot": False}

    def response_url(self, key: str) -> str:
        """A response_url for a slash command; what is posted to it lands in `responses` with this key."""
        return f"{self.url}/response/{key}"

    def responses_for(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.responses if r["key"] == key]

    def reset(self) -> None:
        super().reset()
        for store in (self.messages, self.responses, self.reactions):
            store.clear()
        for registry in (self.channel_errors, self.channels, self.users):
            registry.clear()
        self.socket_mode.reset()

    # -- server -------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        self.socket_mode.setup(app)

    async def _response(self, request: web.Request) -> web.Response:
        payload = await _arguments(request)
        self.responses.append({"key": request.match_info["key"], **payload})
        return web.Response(text="ok")  # what hooks.slack.com answers

    async def _api(self, request: web.Request) -> web.Response:
        args = await _arguments(request)
        method = request.match_info["method"]
        expected = self.socket_mode.app_token if method == "apps.connections.open" else self.token
        if self._token_of(request, args) != expected:
            # Slack itself says not_authed when there is no token at all; one error keeps tests simple
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = self._handlers().get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    def _handlers(self) -> dict[str, Any]:
        return {
            "auth.test": self._auth_test, "chat.postMessage": self._post, "chat.postEphemeral": self._ephemeral,
            "chat.update": self._update, "chat.getPermalink": self._permalink,
            "conversations.info": self._conversation, "reactions.add": self._react, "users.info": self._user,
            "apps.connections.open": lambda _: self.socket_mode.open(),
        }

    @staticmethod
    def _token_of(request: web.Request, args: Args) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ").strip()
        token = args.pop("token", None)
        return str(token) if token is not None else None

    def _next_ts(self) -> str:
        with self._ts_lock:
            return f"1700000000.{next(self._ts):06d}"

    # -- methods ------------------------------------------------------------------------------
    def _auth_test(self, _: Args) -> Answer:
        return {"ok": True, "url": "https://fake-team.slack.com/", "team": "Fake Team", "user": "paperbot",
                "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _post(self, args: Args) -> Answer:
        problem = self._message_problem(args)
        if problem is not None:
            return problem
        ts = self._next_ts()
        message = {"channel": str(args["channel"]), "ts": ts, "thread_ts": _str_or_none(args.get("thread_ts")),
                   "text": str(args.get("text") or ""), "blocks": _json_list(args.get("blocks")),
                   "user": BOT_USER, "ephemeral_user": None}
        self.messages.append(message)
        return {"ok": True, "channel": message["channel"], "ts": ts, "message": _public(message)}

    def _ephemeral(self, args: Args) -> Answer:
        problem = self._message_problem(args)
        if problem is not None:
            return problem
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        ts = self._next_ts()
        self.messages.append({"channel": str(args["channel"]), "ts": ts,
                              "thread_ts": _str_or_none(args.get("thread_ts")), "text": str(args.get("text") or ""),
                              "blocks": _json_list(args.get("blocks")), "user": BOT_USER,
                              "ephemeral_user": str(args["user"])})
        return {"ok": True, "message_ts": ts}

    def _update(self, args: Args) -> Answer:
        problem = self._message_problem(args)
        if problem is not None:
            return problem
        message = self.message(str(args["channel"]), str(args.get("ts", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("ephemeral_user"):
            return {"ok": False, "error": "cant_update_message"}
        message.update(text=str(args.get("text") or ""), blocks=_json_list(args.get("blocks")))
        return {"ok": True, "channel": message["channel"], "ts": message["ts"], "text": message["text"],
                "message": _public(message)}

    def _message_problem(self, args: Args) -> Answer | None:
        """Why Slack would refuse this message, in Slack's own words (None: it would take it)."""
        channel = str(args.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        text, blocks = args.get("text"), _json_list(args.get("blocks"))
        if not text and not blocks and not args.get("attachments"):
            return {"ok": False, "error": "no_text"}
        if len(str(text or "")) > MAX_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        if sum(text_length(b) for b in blocks or []) > MAX_BLOCKS_TEXT:
            return {"ok": False, "error": "msg_blocks_too_long"}
        errors = block_errors(blocks or [])
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors,
                    "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]}}
        return None

    def _permalink(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
        if self.message(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel,
                "permalink": f"https://fake-team.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    def _conversation(self, args: Args) -> Answer:
        channel = str(args.get("channel", ""))
        if self.channel_errors.get(channel) == "channel_not_found" or not channel:
            return {"ok": False, "error": "channel_not_found"}
        info = {"id": channel, "name": "papers", "is_channel": channel.startswith("C"),
                "is_private": channel.startswith("G"), "is_im": channel.startswith("D"),
                "is_member": self.channel_errors.get(channel) != "not_in_channel"}
        return {"ok": True, "channel": {**info, **self.channels.get(channel, {})}}

    def _react(self, args: Args) -> Answer:
        # lenient about the message: it may be a person's message, which the fake never saw
        channel, ts, name = str(args.get("channel", "")), str(args.get("timestamp", "")), str(args.get("name", ""))
        if not name:
            return {"ok": False, "error": "invalid_name"}
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        reaction = {"channel": channel, "ts": ts, "name": name}
        if reaction in self.reactions:
            return {"ok": False, "error": "already_reacted"}
        self.reactions.append(reaction)
        return {"ok": True}

    def _user(self, args: Args) -> Answer:
        user = str(args.get("user", ""))
        if not user:
            return {"ok": False, "error": "user_not_found"}
        default = {"id": user, "name": f"user-{user.lower()}", "real_name": f"User {user}", "is_admin": False,
                   "is_owner": False, "is_bot": False, "tz": "UTC"}
        return {"ok": True, "user": {**default, **self.users.get(user, {})}}


# -- request parsing ------------------------------------------------------------------------------

async def _arguments(request: web.Request) -> Args:
    """Query string, then the body (JSON, urlencoded or multipart) on top."""
    args: Args = dict(request.query)
    if request.content_type == "application/json":
        data = await request.json() if await request.read() else {}
        if isinstance(data, dict):
            args.update(data)
    elif request.method == "POST":
        args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return args


def _json_list(value: Any) -> list[Any] | None:
    """`blocks` as a list whether it came as JSON or as a JSON string inside a form body."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]  # not JSON: block_errors reports it
    return list(value) if isinstance(value, list) else [value]


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """The `message` object of an API answer: what Slack stored, without the fake's own fields."""
    shown = {"type": "message", "user": message["user"], "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
             "text": message["text"], "ts": message["ts"]}
    if message["blocks"] is not None:
        shown["blocks"] = message["blocks"]
    if message["thread_ts"]:
        shown["thread_ts"] = message["thread_ts"]
    return shown


# -- requests from Slack to the app (for tests that call the app's own /slack/events) ---------------

def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(command: str, text: str, channel_id: str = "C0PAPERS", user_id: str = "U0ALICE",
                       response_url: str = "https://hooks.slack.com/commands/T0001/1/x", *,
                       trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
                       team_id: str = TEAM_ID, team_domain: str = "fake-team", channel_name: str = "papers",
                       user_name: str = "alice", token: str = "verification-token-unused",
                       enterprise_id: str | None = None, enterprise_name: str | None = None,
                       api_app_id: str | None = APP_ID) -> bytes:
    """A slash command's form body, fields in the order Slack sends them (`+` for spaces, as Slack
    encodes). `api_app_id=None` leaves out the two fields that older captures lack."""
    fields: list[tuple[str, str]] = [
        ("token", token), ("team_id", team_id), ("team_domain", team_domain), ("channel_id", channel_id),
        ("channel_name", channel_name), ("user_id", user_id), ("user_name", user_name), ("command", command),
        ("text", text),
    ]
    if enterprise_id is not None:
        fields += [("enterprise_id", enterprise_id), ("enterprise_name", enterprise_name or "")]
    if api_app_id is not None:
        fields += [("api_app_id", api_app_id), ("is_enterprise_install", "false")]
    fields += [("response_url", response_url), ("trigger_id", trigger_id)]
    return urlencode(fields).encode()


def reaction_event(reaction: str, channel: str, ts: str, user: str = "U0ALICE", event_id: str = "Ev0001",
                   added: bool = True, *, item_user: str = BOT_USER, event_time: int | None = None,
                   team_id: str = TEAM_ID, enterprise_id: str | None = None) -> dict[str, Any]:
    """An Events API `event_callback` envelope around `reaction_added` / `reaction_removed`."""
    when = int(time.time()) if event_time is None else event_time
    envelope: dict[str, Any] = {"token": "verification-token-unused", "team_id": team_id}
    if enterprise_id is not None:
        envelope["enterprise_id"] = enterprise_id
    envelope.update({
        "context_team_id": team_id, "context_enterprise_id": enterprise_id, "api_app_id": APP_ID,
        "event": {
            "type": "reaction_added" if added else "reaction_removed", "user": user,
            "item": {"type": "message", "channel": channel, "ts": ts}, "reaction": reaction,
            "item_user": item_user, "event_ts": f"{when}.000100",
        },
        "type": "event_callback", "event_id": event_id, "event_time": when, "authed_users": [BOT_USER],
        "authorizations": [{"enterprise_id": enterprise_id, "team_id": team_id, "user_id": BOT_USER,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    })
    return envelope
