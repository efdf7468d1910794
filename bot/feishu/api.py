"""The few Feishu Open API calls paperbot makes, through lark-oapi, with its own token and its own pacing.

lark-oapi fetches the tenant token with a blocking `requests` call even inside its async methods, keeps it
in a process-wide cache and never drops one Feishu rejects. So the client runs with `enable_set_token` and
the token is ours: fetched with the SDK's async raw request, renewed half an hour before it expires (Feishu
hands out a new one from then on; they live two hours), fetched again once when Feishu calls it invalid,
and never logged. Errors come back as codes, not exceptions; they become one ChatError line here.

Limits (Feishu's frequency-control docs): sending is 1000 a minute and 50 a second per app, and 5 a second
into one chat, shared by every bot in it. Calls are paced under both; a rate-limit answer (HTTP 429 or code
99991400, 230020 for one chat) waits `x-ogw-ratelimit-reset` seconds and tries again, three times.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from analysis.errors import ChatError, ConfigError
from bot import logs

log = logging.getLogger(__name__)
RENEW_BEFORE = 1800.0  # seconds before expiry: Feishu gives a fresh token when less than 30 min are left
TOKEN_INVALID = {99991661, 99991663, 99991664, 99991665, 99991668, 99991671}
RATE_LIMITED = {99991400, 99991402, 230020, 11020, 11021}
RETRIES = 3
MAX_WAIT = 30.0  # longest back-off honoured from x-ogw-ratelimit-reset
PER_CHAT_INTERVAL = 0.25  # 4 a second into one chat, under its shared 5 QPS
APP_INTERVAL = 1 / 16  # 16 a second overall: 1000 a minute sustained, far under the 50 a second
CALL_TIMEOUT = 15.0
HINTS = {
    10003: "FEISHU_APP_ID or FEISHU_APP_SECRET is wrong: copy both from the app's Credentials page",
    10014: "FEISHU_APP_SECRET is wrong: copy it from the app's Credentials page",
    230002: "the bot is not in this chat: add it to the group (group settings → Bots)",
    230006: "the app's Bot feature is off: turn it on under Features → Bot and publish a version",
    230013: "the user is outside the app's availability range: widen it in the app's version settings",
    230025: "the message is too long for Feishu",
    230099: "Feishu refused the card",
    232009: "the chat was dissolved; remove it with: paperbot channel remove feishu <id>",
    99991672: "the app lacks a permission: add the scopes the README lists and publish a new version",
}
Send = Callable[[Any], Awaitable[Any]]  # (lark RequestOption) -> lark response


def lark() -> Any:
    """lark_oapi, imported on first use (two seconds of imports: never on `--help`, never on the loop)."""
    return importlib.import_module("lark_oapi")


class FeishuError(ChatError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Pacer:
    """Spaces calls: one chat at most every PER_CHAT_INTERVAL, the app at most every APP_INTERVAL."""

    def __init__(self) -> None:
        self._next_app = 0.0
        self._next_chat: dict[str, float] = {}

    async def wait(self, chat: str | None) -> None:
        now = time.monotonic()
        at = max(now, self._next_app, self._next_chat.get(chat, 0.0) if chat else 0.0)
        self._next_app = at + APP_INTERVAL  # reserved before sleeping, so concurrent callers queue up
        if chat:
            self._next_chat[chat] = at + PER_CHAT_INTERVAL
            if len(self._next_chat) > 5000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        if at > now:
            await asyncio.sleep(at - now)


class FeishuApi:
    def __init__(self, app_id: str, app_secret: str, domain: str) -> None:
        self.app_id, self._secret, self.domain = app_id, app_secret, domain.rstrip("/")
        self.client: Any = None
        self._token: tuple[str, float] | None = None  # (token, renew after this monotonic time)
        self._token_lock = asyncio.Lock()
        self.pacer = Pacer()

    async def open(self) -> None:
        """Build the SDK client (its import in a thread); FEISHU_API_URL must be one it accepts."""
        sdk = await asyncio.to_thread(lark)
        try:
            self.client = (sdk.Client.builder().app_id(self.app_id).app_secret(self._secret).domain(self.domain)
                           .enable_set_token(True).timeout(CALL_TIMEOUT).log_level(sdk.LogLevel.ERROR).build())
        except ValueError as exc:  # lark-oapi 1.7 takes https origins, and http only on loopback
            raise ConfigError(f"FEISHU_API_URL={self.domain} is refused by lark-oapi ({exc}); use "
                              "https://open.feishu.cn or https://open.larksuite.com.") from None

    # -- the token ---------------------------------------------------------------------------
    async def token(self) -> str:
        async with self._token_lock:
            if self._token is None or time.monotonic() >= self._token[1]:
                self._token = await self._fetch_token()
            return self._token[0]

    async def _fetch_token(self) -> tuple[str, float]:
        sdk = lark()
        request = (sdk.BaseRequest.builder().http_method(sdk.HttpMethod.POST)
                   .uri("/open-apis/auth/v3/tenant_access_token/internal")
                   .body({"app_id": self.app_id, "app_secret": self._secret}).build())
        response = await self._transport(self.client.arequest(request), "the tenant token")
        body = _json(response)
        if body.get("code") != 0 or not body.get("tenant_access_token"):
            code = body.get("code") if isinstance(body.get("code"), int) else -1
            raise ConfigError(f"Feishu refused FEISHU_APP_ID / FEISHU_APP_SECRET (code {code}): copy both from the "
                              "app's Credentials & Basic Info page.")
        expire = float(body.get("expire") or 7200)
        token = str(body["tenant_access_token"])
        logs.register_secrets([token])  # whoever logs a request with it (an SDK at debug level), it is masked
        return token, time.monotonic() + max(expire - RENEW_BEFORE, expire / 2)

    # -- calls -------------------------------------------------------------------------------
    async def call(self, what: str, send: Send, chat: str | None = None) -> dict[str, Any]:
        """`send(option)` with a valid token, paced, retried on rate limits; the answer's JSON body."""
        sdk = lark()
        renewed = False
        for attempt in range(RETRIES + 1):
            await self.pacer.wait(chat)
            option = sdk.RequestOption.builder().tenant_access_token(await self.token()).build()
            response = await self._transport(send(option), what)
            body = _json(response)
            code = body["code"] if isinstance(body.get("code"), int) else -1
            if code == 0:
                return body
            status = getattr(response.raw, "status_code", 0)
            if code in TOKEN_INVALID and not renewed:
                renewed, self._token = True, None  # revoked or expired early: fetch once more
                continue
            if (status == 429 or code in RATE_LIMITED) and attempt < RETRIES:
                wait = _reset_after(response, attempt)
                log.warning("Feishu rate-limited %s (code %d); trying again in %.1f s", what, code, wait)
                await asyncio.sleep(wait)
                continue
            raise refusal(what, code, str(body.get("msg", "")))
        raise ChatError(f"Feishu kept rate-limiting {what}; it is tried again with the next post or vote.")

    async def _transport(self, sending: Awaitable[Any], what: str) -> Any:
        """The SDK's call; its transport's errors (httpx's, a JSON answer it cannot parse) in one line."""
        try:
            return await asyncio.wait_for(sending, CALL_TIMEOUT + 5)
        except ValueError:  # the SDK parses every answer as JSON
            raise ChatError(f"Feishu's answer to {what} was not JSON (a proxy's error page?); check FEISHU_API_URL "
                            "or try later.") from None
        except (httpx.HTTPError, OSError, TimeoutError) as exc:
            raise ChatError(f"could not reach Feishu at FEISHU_API_URL for {what} ({type(exc).__name__}); "
                            "check the network or the URL.") from None

    # -- what paperbot sends -----------------------------------------------------------------
    async def send(self, chat_id: str, msg_type: str, content: dict[str, Any], uuid: str | None = None) -> str:
        from lark_oapi.api.im.v1 import CreateMessageRequest, CreateMessageRequestBody

        body = CreateMessageRequestBody.builder().receive_id(chat_id).msg_type(msg_type).content(_dumps(content))
        if uuid:
            body = body.uuid(uuid[:50])
        request = CreateMessageRequest.builder().receive_id_type("chat_id").request_body(body.build()).build()
        answer = await self.call(f"a message to {chat_id}", lambda o: self.client.im.v1.message.acreate(request, o),
                                 chat_id)
        return str(answer["data"]["message_id"])

    async def reply(self, chat_id: str, message_id: str, msg_type: str, content: dict[str, Any], *,
                    in_thread: bool, uuid: str | None = None) -> str:
        from lark_oapi.api.im.v1 import ReplyMessageRequest, ReplyMessageRequestBody

        body = (ReplyMessageRequestBody.builder().msg_type(msg_type).content(_dumps(content))
                .reply_in_thread(in_thread))
        if uuid:
            body = body.uuid(uuid[:50])
        request = ReplyMessageRequest.builder().message_id(message_id).request_body(body.build()).build()
        answer = await self.call(f"a reply in {chat_id}", lambda o: self.client.im.v1.message.areply(request, o),
                                 chat_id)
        return str(answer["data"]["message_id"])

    async def patch(self, chat_id: str, message_id: str, card: dict[str, Any]) -> None:
        from lark_oapi.api.im.v1 import PatchMessageRequest, PatchMessageRequestBody

        body = PatchMessageRequestBody.builder().content(_dumps(card)).build()
        request = PatchMessageRequest.builder().message_id(message_id).request_body(body).build()
        await self.call(f"the card {message_id} in {chat_id}", lambda o: self.client.im.v1.message.apatch(request, o))

    async def chat_of(self, message_id: str) -> str | None:
        """The chat a message is in (reaction events do not say)."""
        from lark_oapi.api.im.v1 import GetMessageRequest

        request = GetMessageRequest.builder().message_id(message_id).build()
        answer = await self.call(f"the message {message_id}", lambda o: self.client.im.v1.message.aget(request, o))
        items = (answer.get("data") or {}).get("items") or []
        return str(items[0]["chat_id"]) if items and items[0].get("chat_id") else None

    async def managers(self, chat_id: str) -> set[str]:
        """open_ids of the chat's owner and managers (chat.get; Feishu has no list-managers call)."""
        from lark_oapi.api.im.v1 import GetChatRequest

        request = GetChatRequest.builder().chat_id(chat_id).user_id_type("open_id").build()
        data = (await self.call(f"the chat {chat_id}", lambda o: self.client.im.v1.chat.aget(request, o)))["data"]
        owner = [data["owner_id"]] if data.get("owner_id") and data.get("owner_id_type", "open_id") == "open_id" else []
        return {str(i) for i in owner + list(data.get("user_manager_id_list") or [])}

    async def bot_open_id(self) -> str:
        sdk = lark()
        request = (sdk.BaseRequest.builder().http_method(sdk.HttpMethod.GET).uri("/open-apis/bot/v3/info")
                   .token_types({sdk.AccessTokenType.TENANT}).build())
        answer = await self.call("the bot's identity", lambda o: self.client.arequest(request, o))
        return str((answer.get("bot") or {}).get("open_id", ""))

    async def upload_image(self, data: bytes) -> str:
        import io

        from lark_oapi.api.im.v1 import CreateImageRequest, CreateImageRequestBody

        def request() -> Any:  # a fresh file object per attempt: a retry must send the bytes again
            body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(data)).build()
            return CreateImageRequest.builder().request_body(body).build()

        answer = await self.call("an image", lambda o: self.client.im.v1.image.acreate(request(), o))
        return str(answer["data"]["image_key"])


def refusal(what: str, code: int, msg: str) -> FeishuError:
    hint = HINTS.get(code, "see Feishu's error code list")
    return FeishuError(f"Feishu refused {what}: code {code} {msg[:200]} ({hint}).", code)


def _json(response: Any) -> dict[str, Any]:
    raw = getattr(response, "raw", None)
    try:
        body = json.loads(raw.content) if raw is not None and raw.content else {}
    except ValueError:  # a proxy's HTML error page
        status = getattr(raw, "status_code", "?")
        raise ChatError(f"Feishu answered HTTP {status}, not JSON (a proxy's error page?); check FEISHU_API_URL "
                        "or try later.") from None
    return body if isinstance(body, dict) else {}


def _reset_after(response: Any, attempt: int) -> float:
    headers = {k.lower(): v for k, v in (getattr(response.raw, "headers", None) or {}).items()}
    try:
        wait = float(headers.get("x-ogw-ratelimit-reset", ""))
    except ValueError:
        wait = 2.0**attempt
    return min(max(wait, 0.2), MAX_WAIT)


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
