"""The Feishu Open API as lark-oapi calls it, plus builders for what Feishu sends to an app's event URL.

lark-oapi 1.7 accepts `http://127.0.0.1:PORT` as its domain (http only on loopback) and calls
`/open-apis/...` on it. Answers are built from the docs' example payloads in tests/fixtures/feishu/ (ids
and texts replaced). Errors are Feishu's: JSON `{"code": N, "msg": ...}` with HTTP 400, except the app's
rate limit, 99991400 with HTTP 429 and `x-ogw-ratelimit-*` headers. Sending is limited like Feishu's:
5 a second into one chat (230020), 50 a second for the app (99991400); `uuid` sends at most one message.

Events are built from the docs' event payloads, encrypted (AES-256-CBC, key sha256(encrypt key), IV first)
and signed (sha256 of timestamp + nonce + encrypt key + body) with the real algorithms.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import web

from .base import LoopbackServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feishu"
APP_ID = "cli_a1b2c3d4e5f60718"
APP_SECRET = "feishu-test-app-secret-0123456789"
VERIFICATION_TOKEN = "feishu-verification-token-0123"
BOT_OPEN_ID = "ou_b07b07b07b07b07b07b07b07b07b07b0"
OWNER = "ou_0000000000000000000000000000owner"
MAX_CARD = 30 * 1024
MAX_TEXT = 150 * 1024
CHAT_QPS, APP_QPS = 5, 50
Body = dict[str, Any]
# a 1×1 PNG, as HF's CDN would serve a paper's social thumbnail
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5E"
                       "rkJggg==")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def error(code: int, msg: str, status: int = 400, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status, headers=headers)


class FakeFeishu(LoopbackServer):
    """Sent messages land in `messages` (content parsed), patches in `patches`."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        self.patches: list[dict[str, Any]] = []
        self.images: list[bytes] = []
        self.people: list[dict[str, Any]] = []  # messages people sent (the tests' events), which the bot replies to
        self.chats: dict[str, dict[str, Any]] = {}  # chat id -> {"owner": open_id, "managers": [...]}
        self.gone: set[str] = set()  # chats the bot was removed from (230002)
        self.token_expire = 7200
        self.token_requests = self.token_refusals = 0
        self.chat_gets = 0
        self._tokens: dict[str, float] = {}  # token -> expires at (monotonic)
        self._ids = itertools.count(1)  # never reset: ids stay unique for the session
        self._sent: dict[str, deque[float]] = {}
        self._uuids: dict[str, str] = {}
        self._state = threading.Lock()

    # -- what tests set and look at -----------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        with self._state:
            self.messages.clear()
            self.patches.clear()
            self.images.clear()
            self.people.clear()
            self.chats.clear()
            self.gone.clear()
            self._tokens.clear()
            self._sent.clear()
            self._uuids.clear()
        self.token_expire, self.token_requests, self.token_refusals, self.chat_gets = 7200, 0, 0, 0

    def in_chat(self, chat_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["chat_id"] == chat_id]

    def thread(self, message_id: str) -> list[dict[str, Any]]:
        """Replies in the thread under `message_id` (reply_in_thread), oldest first."""
        return [m for m in self.messages if m["root_id"] == message_id and m["in_thread"]]

    def message(self, message_id: str) -> dict[str, Any] | None:
        return next((m for m in [*self.messages, *self.people] if m["message_id"] == message_id), None)

    def heard(self, event: Body) -> Body:
        """Keep a person's message the test sends as an event (im.message.receive_v1), so replies to it work."""
        message = event["message"]
        with self._state:
            self.people.append({"message_id": message["message_id"], "chat_id": message["chat_id"],
                                "msg_type": message["message_type"], "content": json.loads(message["content"]),
                                "raw": message["content"], "root_id": message.get("root_id") or None,
                                "parent_id": message.get("parent_id") or None,
                                "thread_id": message.get("thread_id") or None, "in_thread": False})
        return event

    def revoke_tokens(self) -> None:
        """Every tenant token issued so far is refused from now on (99991663)."""
        with self._state:
            self._tokens.clear()

    # -- routes ------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        base = "/open-apis"
        app.router.add_post(f"{base}/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_get(f"{base}/bot/v3/info", self._authed(self._bot_info))
        app.router.add_post(f"{base}/im/v1/messages", self._authed(self._create))
        app.router.add_post(f"{base}/im/v1/messages/{{id}}/reply", self._authed(self._reply))
        app.router.add_patch(f"{base}/im/v1/messages/{{id}}", self._authed(self._patch))
        app.router.add_get(f"{base}/im/v1/messages/{{id}}", self._authed(self._get_message))
        app.router.add_post(f"{base}/im/v1/images", self._authed(self._image))
        app.router.add_get(f"{base}/im/v1/chats/{{id}}", self._authed(self._chat))
        app.router.add_get(f"{base}/im/v1/chats/{{id}}/members", self._authed(self._members))
        app.router.add_get("/thumbnails/{name}", self._thumbnail)  # a stand-in for HF's picture CDN

    async def _token(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read() or b"{}")  # the SDK sends no Content-Type here
        self.token_requests += 1
        if body.get("app_id") != APP_ID:
            return error(10003, "invalid param")
        if body.get("app_secret") != APP_SECRET:
            return error(10014, "app secret invalid")
        now = time.monotonic()
        with self._state:
            live = [(t, at) for t, at in self._tokens.items() if at - now > 1800]
            if live:  # Feishu hands out the same token until less than 30 minutes are left
                token, expires = live[0]
            else:
                token, expires = f"t-{os.urandom(20).hex()}", now + self.token_expire
                self._tokens[token] = expires
        answer = fixture("api_tenant_access_token_internal.response.docs.json")
        answer.update(tenant_access_token=token, expire=max(int(expires - now), 0))
        return web.json_response(answer)

    def _authed(self, handler: Any) -> Any:
        async def checked(request: web.Request) -> web.StreamResponse:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            with self._state:
                expires = self._tokens.get(token)
            if expires is None or expires < time.monotonic():
                self.token_refusals += 1
                return error(99991663, "Invalid access token for authorization. Please make a request with token "
                                       "attached.")
            return await handler(request)  # type: ignore[no-any-return]

        return checked

    async def _bot_info(self, _: web.Request) -> web.Response:
        answer = fixture("api_bot_info.response.docs-transcribed.json")
        answer["bot"].update(open_id=BOT_OPEN_ID, app_name="paperbot")
        return web.json_response(answer)

    async def _create(self, request: web.Request) -> web.Response:
        if request.query.get("receive_id_type") != "chat_id":
            return error(230001, "Your request contains an invalid request parameter.")
        body: Body = json.loads(await request.read())
        return self._send(str(body.get("receive_id", "")), body, parent=None)

    async def _reply(self, request: web.Request) -> web.Response:
        parent = self.message(request.match_info["id"])
        if parent is None:
            return error(230011, "The message is recalled.")
        return self._send(parent["chat_id"], json.loads(await request.read()), parent=parent)

    def _send(self, chat_id: str, body: Body, parent: dict[str, Any] | None) -> web.Response:
        if chat_id in self.gone or not chat_id.startswith("oc_"):
            return error(230002, "The bot can not be outside the group.")
        kind, content = str(body.get("msg_type")), str(body.get("content", ""))
        if len(content.encode()) > (MAX_TEXT if kind == "text" else MAX_CARD):
            return error(230025, "The length of the message content reaches its limit.")
        try:
            parsed = json.loads(content)
        except ValueError:
            return error(230001, "Your request contains an invalid request parameter.")
        uuid = body.get("uuid")
        with self._state:
            if uuid and uuid in self._uuids:  # the same request again within the hour: the same message
                return web.json_response(self._answer(self.message(self._uuids[uuid])))
            limited = self._limited(chat_id)
            if limited is not None:
                return limited
            message = self._new(chat_id, kind, parsed, content, parent, bool(body.get("reply_in_thread")))
            if uuid:
                self._uuids[uuid] = message["message_id"]
            self.messages.append(message)
        return web.json_response(self._answer(message))

    def _limited(self, chat_id: str) -> web.Response | None:
        now = time.monotonic()
        for key, most in ((chat_id, CHAT_QPS), ("", APP_QPS)):
            sent = self._sent.setdefault(key, deque())
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) >= most:
                if key:
                    return error(230020, "This operation triggers the frequency limit.")
                return error(99991400, "request trigger frequency limit", 429,
                             {"x-ogw-ratelimit-limit": str(APP_QPS), "x-ogw-ratelimit-reset": "1"})
        for key in (chat_id, ""):
            self._sent[key].append(now)
        return None

    def _new(self, chat_id: str, kind: str, parsed: Any, content: str, parent: dict[str, Any] | None,
             in_thread: bool) -> dict[str, Any]:
        number = next(self._ids)
        message_id = "om_" + hashlib.md5(f"m{number}".encode()).hexdigest()
        root = (parent["root_id"] or parent["message_id"]) if parent else None
        thread = (parent["thread_id"] or "omt_" + hashlib.md5(f"t{number}".encode()).hexdigest()[:12]) \
            if parent and in_thread else (parent["thread_id"] if parent else None)
        return {"message_id": message_id, "chat_id": chat_id, "msg_type": kind, "content": parsed, "raw": content,
                "root_id": root, "parent_id": parent["message_id"] if parent else None, "thread_id": thread,
                "in_thread": in_thread, "at": time.monotonic()}

    def _answer(self, message: dict[str, Any] | None) -> Body:
        assert message is not None
        answer = fixture("api_message_create.response.docs.json")
        data = answer["data"]
        data.update(message_id=message["message_id"], chat_id=message["chat_id"], msg_type=message["msg_type"],
                    root_id=message["root_id"] or "", parent_id=message["parent_id"] or "",
                    thread_id=message["thread_id"] or "", upper_message_id=message["parent_id"] or "",
                    body={"content": message["raw"]}, mentions=[])
        data["sender"].update(id=APP_ID)
        return dict(answer)

    async def _patch(self, request: web.Request) -> web.Response:
        message = self.message(request.match_info["id"])
        if message is None:
            return error(230011, "The message is recalled.")
        content = str(json.loads(await request.read()).get("content", ""))
        card = json.loads(content)
        if message["msg_type"] != "interactive" or not all(
                (c.get("config") or {}).get("update_multi") for c in (message["content"], card)):
            return error(230001, "Your request contains an invalid request parameter.")
        if len(content.encode()) > MAX_CARD:
            return error(230025, "The length of the message content reaches its limit.")
        with self._state:
            message.update(content=card, raw=content)
            self.patches.append({"message_id": message["message_id"], "card": card, "at": time.monotonic()})
        return web.json_response({"code": 0, "msg": "success", "data": {}})

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.message(request.match_info["id"])
        if message is None:
            return error(230011, "The message is recalled.")
        item = self._answer(message)["data"]
        return web.json_response({"code": 0, "msg": "success", "data": {"items": [item]}})

    async def _image(self, request: web.Request) -> web.Response:
        data = await request.read()
        if b'name="image_type"' not in data or b'name="image"' not in data:
            return error(234001, "Invalid request param.")
        self.images.append(data)
        answer = fixture("api_image_create.response.docs.json")
        answer["data"]["image_key"] = f"img_v2_{hashlib.md5(data).hexdigest()}"
        return web.json_response(answer)

    async def _chat(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["id"]
        self.chat_gets += 1
        if chat_id in self.gone:
            return error(232011, "Operator can NOT be out of the chat.")
        known = self.chats.get(chat_id, {})
        answer = fixture("api_chat_get.response.docs.json")
        answer["data"].update(owner_id_type="open_id", owner_id=known.get("owner", OWNER),
                              user_manager_id_list=list(known.get("managers", [])), bot_manager_id_list=[APP_ID])
        return web.json_response(answer)

    async def _thumbnail(self, request: web.Request) -> web.Response:
        if not request.match_info["name"].endswith(".png"):
            return web.Response(status=404, text="not found")
        return web.Response(body=PNG, content_type="image/png")

    async def _members(self, request: web.Request) -> web.Response:
        known = self.chats.get(request.match_info["id"], {})
        answer = fixture("api_chat_members_get.response.docs.json")
        template = answer["data"]["items"][0]
        people = [known.get("owner", OWNER), *known.get("managers", []), *known.get("members", [])]
        answer["data"].update(items=[{**template, "member_id": p, "name": p[-6:]} for p in people],
                              has_more=False, page_token="", member_total=len(people))
        return web.json_response(answer)


# -- what Feishu sends to the app ---------------------------------------------------------------------
def envelope(event_type: str, event: Body, token: str = VERIFICATION_TOKEN, event_id: str | None = None) -> Body:
    """A schema 2.0 event, its header from the docs' example."""
    body = fixture("event_im_message_receive_v1_group_mention.docs.json")
    body["header"].update(event_type=event_type, event_id=event_id or os.urandom(16).hex(), token=token,
                          app_id=APP_ID, create_time=str(int(time.time() * 1000)))
    body["event"] = event
    return dict(body)


def message_event(chat_id: str, text: str, sender: str, *, p2p: bool = False, mention_bot: bool = True,
                  message_id: str | None = None, thread_id: str = "") -> Body:
    """im.message.receive_v1 as the docs show it: `@_user_1` in the text stands for the bot when mentioned."""
    event = fixture("event_im_message_receive_v1_group_mention.docs.json")["event"]
    message = event["message"]
    mention = message["mentions"][0]
    mention["id"].update(open_id=BOT_OPEN_ID)
    mention.update(name="paperbot")
    message.update(chat_id=chat_id, chat_type="p2p" if p2p else "group", thread_id=thread_id,
                   root_id="", parent_id="", message_id=message_id or "om_" + os.urandom(16).hex(),
                   content=json.dumps({"text": (f"@_user_1 {text}" if mention_bot else text)}, ensure_ascii=False),
                   mentions=[mention] if mention_bot else [])
    event["sender"]["sender_id"].update(open_id=sender)
    return dict(event)


def reaction_event(message_id: str, emoji: str, user: str, *, added: bool = True) -> Body:
    name = f"event_im_message_reaction_{'created' if added else 'deleted'}_v1.docs.json"
    event = fixture(name)["event"]
    event.update(message_id=message_id, operator_type="user", app_id=APP_ID)
    event["reaction_type"]["emoji_type"] = emoji
    event["user_id"]["open_id"] = user
    return dict(event)


def card_action(chat_id: str, message_id: str, user: str, value: Any) -> Body:
    event = fixture("event_card_action_trigger_v2.docs-fixture.json")["event"]
    event["operator"]["open_id"] = user
    event["action"]["value"] = value
    event["context"].update(open_chat_id=chat_id, open_message_id=message_id)
    return dict(event)


def challenge(token: str = VERIFICATION_TOKEN, code: str = "ajls384kdj1234") -> Body:
    body = fixture("event_url_verification_plain.docs-transcribed.json")
    body.update(token=token, challenge=code)
    return dict(body)


def encrypt(plaintext: bytes, encrypt_key: str, iv: bytes | None = None) -> str:
    from Crypto.Cipher import AES

    iv = iv or os.urandom(16)
    pad = 16 - len(plaintext) % 16
    cipher = AES.new(hashlib.sha256(encrypt_key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(plaintext + bytes([pad]) * pad)).decode()


def request(payload: Body, encrypt_key: str | None = None, *, timestamp: float | None = None,
            nonce: str | None = None, sign: bool = True) -> tuple[bytes, dict[str, str]]:
    """(body, headers) as Feishu posts `payload`: encrypted and signed when the app has an encrypt key."""
    plain = json.dumps(payload, ensure_ascii=False).encode()
    body = json.dumps({"encrypt": encrypt(plain, encrypt_key)}).encode() if encrypt_key else plain
    stamp, nonce = str(int(timestamp if timestamp is not None else time.time())), nonce or os.urandom(8).hex()
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Lark-Request-Timestamp": stamp,
               "X-Lark-Request-Nonce": nonce}
    if encrypt_key and sign:
        digest = hashlib.sha256((stamp + nonce + encrypt_key).encode() + body).hexdigest()
        headers["X-Lark-Signature"] = digest
    return body, headers


def chat_id(n: int) -> str:
    """A chat id of Feishu's form: oc_ and 32 hex digits."""
    return "oc_" + hashlib.md5(f"chat{n}".encode()).hexdigest()
