"""How the Bot API reads a request and answers an error, for the fake in tests.fakes.telegram.

PTB 22 POSTs an `application/x-www-form-urlencoded` body (multipart only when uploading files). Each
value is sent as is when it is a string and JSON-encoded otherwise: `chat_id=-100123`,
`disable_notification=true`, `reply_parameters={"message_id": 5}`. JSON bodies and query strings are
read too, as Telegram does.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

MAX_CALLBACK_DATA = 64  # bytes
# Values sent as plain strings; everything else PTB sends JSON-encoded (numbers, booleans, objects)
TEXT_FIELDS = frozenset({"text", "caption", "parse_mode", "url", "secret_token", "callback_query_id",
                         "inline_message_id", "language_code", "ip_address", "business_connection_id",
                         "description", "short_description", "name", "title", "emoji", "query",
                         "message_effect_id", "custom_title", "certificate"})

Args = dict[str, Any]


class ApiError(Exception):
    """An answer with `ok: false`; the HTTP status is the error code, as Telegram sends it."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def response(self) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def chat_id_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def not_modified() -> ApiError:
    return ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup "
                         "are exactly the same as a current content and reply markup of the message")


def checked_markup(markup: Any) -> dict[str, Any] | None:
    """The reply_markup as Telegram would store it; raises for buttons Telegram refuses."""
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if len(button) == 1:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                    "Text buttons are unallowed in the inline keyboard")
    return markup


async def arguments(request: web.Request) -> Args:
    """Query string, then the body: JSON as is; form and multipart fields decoded as PTB encoded them."""
    if request.content_type == "application/json":
        data = await request.json() if await request.read() else {}
        return {**request.query, **(data if isinstance(data, dict) else {})}
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        for key, value in (await request.post()).items():
            raw[key] = {"filename": value.filename} if isinstance(value, web.FileField) else value
    return {key: decoded(key, value) for key, value in raw.items()}


def decoded(key: str, value: Any) -> Any:
    if key in TEXT_FIELDS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelname"
