"""The Telegram Bot API as python-telegram-bot calls it (`POST /bot<token>/<method>`), strict about
HTML and message length the way Telegram is, with an update queue for long polling."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

from tests.fakes.base import LoopbackServer
from tests.fakes.hf import FIXTURES

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                "pre", "blockquote", "tg-emoji"}
_JSON_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "message_thread_id",
                "reply_parameters", "reply_markup", "allowed_updates", "commands", "link_preview_options",
                "entities", "disable_notification", "show_alert", "reply_to_message_id"}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")


class FakeTelegram(LoopbackServer):
    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.username = "paperbot_test_bot"
        self.sent: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []  # answerCallbackQuery
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.allowed_updates: list[str] | None = None
        self.admins: dict[int, set[int]] = defaultdict(set)
        self.chat_types: dict[int, str] = {}
        self.chat_errors: dict[int, tuple[int, str]] = {}
        self._html_rejects: set[int] = set()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))

    # -- what tests set and look at ----------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> int:
        update = {**update, "update_id": next(self._update_ids)}
        self._updates.append(update)
        return int(update["update_id"])

    def pending_updates(self) -> int:
        return len(self._updates)

    def add_admin(self, chat_id: int, user_id: int) -> None:
        self.admins[chat_id].add(user_id)

    def set_chat(self, chat_id: int, chat_type: str) -> None:
        self.chat_types[chat_id] = chat_type

    def fail_chat(self, chat_id: int, description: str | None, code: int = 400) -> None:
        if description is None:
            self.chat_errors.pop(chat_id, None)
        else:
            self.chat_errors[chat_id] = (code, description)

    def reject_html_once(self, chat_id: int) -> None:
        self._html_rejects.add(chat_id)

    def flood(self, retry_after: int = 1, times: int = 1) -> None:
        self.fail_next(429, {"ok": False, "error_code": 429,
                             "description": f"Too Many Requests: retry after {retry_after}",
                             "parameters": {"retry_after": retry_after}}, times=times, path="/sendMessage")

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["chat_id"] == chat_id]

    def reset(self) -> None:
        super().reset()
        for store in (self.sent, self.edits, self.answers, self.commands, self._updates):
            store.clear()
        self.admins.clear()
        self.chat_types.clear()
        self.chat_errors.clear()
        self._html_rejects.clear()
        self.webhook = {}
        self.allowed_updates = None

    # -- server ------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._api)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        args = await _arguments(request)
        method = request.match_info["method"]
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = await handler(args) if method == "getUpdates" else handler(args)
        return result if isinstance(result, web.Response) else web.json_response({"ok": True, "result": result})

    def _m_getMe(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "paperbot",
                "username": self.username, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        kind = self.chat_types.get(chat_id) or ("supergroup" if chat_id < 0 else "private")
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        chat.update({"title": "papers"} if kind != "private" else {"first_name": "Alice"})
        return chat

    def _m_sendMessage(self, args: dict[str, Any]) -> dict[str, Any] | web.Response:
        chat_id, text = int(args["chat_id"]), str(args.get("text", ""))
        if chat_id in self.chat_errors:
            code, description = self.chat_errors[chat_id]
            return _error(code, description)
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        html_mode = str(args.get("parse_mode", "")).upper() == "HTML"
        if html_mode and chat_id in self._html_rejects:
            self._html_rejects.discard(chat_id)
            return _error(400, "Bad Request: can't parse entities: unsupported start tag \"x\" at byte offset 0")
        problem = html_problem(text) if html_mode else None
        if problem:
            return _error(400, f"Bad Request: can't parse entities: {problem}")
        if utf16_len(visible_text(text) if html_mode else text) > 4096:
            return _error(400, "Bad Request: message is too long")
        message_id = next(self._message_ids[chat_id])
        reply_to = (args.get("reply_parameters") or {}).get("message_id") or args.get("reply_to_message_id")
        record = {"chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": args.get("parse_mode"),
                  "reply_to": reply_to, "thread_id": args.get("message_thread_id"),
                  "reply_markup": args.get("reply_markup")}
        self.sent.append(record)
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                                   "from": self._m_getMe({}), "text": visible_text(text) if html_mode else text}
        if record["thread_id"]:
            message["message_thread_id"] = record["thread_id"]
        if record["reply_markup"]:
            message["reply_markup"] = record["reply_markup"]
        if reply_to:
            message["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()),
                                           "chat": self._chat(chat_id)}
        return message

    def _m_editMessageText(self, args: dict[str, Any]) -> dict[str, Any]:
        self.edits.append(args)
        return {"message_id": args.get("message_id"), "date": int(time.time()),
                "chat": self._chat(int(args.get("chat_id", 0))), "text": args.get("text", "")}

    def _m_editMessageReplyMarkup(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._m_editMessageText(args)

    def _m_answerCallbackQuery(self, args: dict[str, Any]) -> bool:
        self.answers.append(args)
        return True

    def _m_getChatMember(self, args: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(args["chat_id"]), int(args["user_id"])
        status = "administrator" if user_id in self.admins[chat_id] else "member"
        member: dict[str, Any] = {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "U"}}
        if status == "administrator":
            member.update({key: True for key in (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                "can_post_stories", "can_edit_stories", "can_delete_stories")})
        return member

    def _m_getChat(self, args: dict[str, Any]) -> dict[str, Any]:
        return {**self._chat(int(args["chat_id"])), "accent_color_id": 0, "max_reaction_count": 11}

    def _m_setMyCommands(self, args: dict[str, Any]) -> bool:
        self.commands = list(args.get("commands") or [])
        return True

    def _m_getMyCommands(self, _: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    def _m_setWebhook(self, args: dict[str, Any]) -> bool:
        self.webhook = args
        self.allowed_updates = args.get("allowed_updates")
        return True

    def _m_deleteWebhook(self, _: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _m_getWebhookInfo(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_getUpdates(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        if args.get("allowed_updates") is not None:
            self.allowed_updates = args["allowed_updates"]
        offset = int(args.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(args.get("timeout") or 0), 0.5)
        while not self._updates and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self._updates[: int(args.get("limit") or 100)]


def load_update(name: str) -> dict[str, Any]:
    """A captured update from ../shared/fixtures (`telegram_update_<name>.json`)."""
    path = FIXTURES / (name if name.endswith(".json") else f"telegram_update_{name}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data)


def html_problem(text: str) -> str | None:
    """What Telegram's HTML parser would refuse: unknown tags, unbalanced tags, a bare `<` or `&`."""
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        closing, tag = match.group(1), (match.group(2) or "").lower()
        if match.group(0) in "<>&":
            if match.group(0) == ">":
                continue
            return f"unexpected {match.group(0)!r} at offset {match.start()}"
        if match.group(4):
            continue
        if tag not in ALLOWED_TAGS:
            return f'unsupported start tag "{tag}" at byte offset {match.start()}'
        if closing:
            if not stack or stack.pop() != tag:
                return f'unexpected end tag "{tag}" at byte offset {match.start()}'
        else:
            stack.append(tag)
    return f'unclosed start tag "{stack[-1]}"' if stack else None


def visible_text(text: str) -> str:
    return html.unescape(re.sub(r"<[^<>]+>", "", text))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)


async def _arguments(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    raw = dict(await request.post()) if request.method == "POST" else {}
    raw.update(request.query)
    args: dict[str, Any] = {}
    for key, value in raw.items():
        value = str(value)
        if key in _JSON_FIELDS:
            try:
                args[key] = json.loads(value)
                continue
            except ValueError:
                pass
        args[key] = value
    return args
