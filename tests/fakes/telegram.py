"""The Telegram Bot API as python-telegram-bot calls it, strict where Telegram is strict.

PTB 22 (`Bot(token, base_url=fake.url + "/bot")`) calls `{base_url}{token}/{method}`; how its requests
are read is in tests.fakes.telegram_wire.

Strict like Telegram: HTML (`parse_mode=HTML`) goes through a parser that follows TDLib's rules and
error messages, lengths are checked after parsing, unchanged edits are refused, updates are delivered
only for the types `allowed_updates` asks for, and two concurrent getUpdates conflict. One thing is
stricter than Telegram: a bare `&` (Telegram keeps it as text) is refused unless
`strict_ampersand` is False, so that tests catch text that was not escaped.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import re
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

from .base import LoopbackServer
from .hf import FIXTURES  # noqa: F401 - re-exported for tests
from .telegram_html import (  # noqa: F401 - re-exported for tests
    ALLOWED_TAGS,
    HtmlError,
    html_problem,
    parse_html,
    utf16_len,
    visible_text,
)
from .telegram_updates import UpdateQueue, load_update  # noqa: F401 - load_update re-exported for tests
from .telegram_wire import ApiError, Args, arguments, chat_id_of, checked_markup, not_modified

MAX_TEXT = 4096  # counted after entity parsing, in UTF-16 code units as Telegram counts offsets
MAX_POLL = 0.5  # longest a getUpdates long poll waits here, whatever `timeout` says: tests stay fast


class FakeTelegram(LoopbackServer):
    """The Bot API on 127.0.0.1. Sent messages land in `sent`; updates are fed with `push_update`."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.username = "paperbot_test_bot"
        self.strict_ampersand = True
        self.sent: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []  # accepted editMessageText/ReplyMarkup args, with "method"
        self.answers: list[dict[str, Any]] = []  # answerCallbackQuery args
        self.commands: list[dict[str, Any]] = []  # the last setMyCommands list
        self.webhook: dict[str, Any] = {}  # the last setWebhook args; {} when none is set
        self.allowed_updates: list[str] | None = None  # the last value getUpdates/setWebhook asked for
        self.admins: dict[int, set[int]] = defaultdict(set)
        self.owners: dict[int, int] = {}
        self.chats: dict[int, dict[str, Any]] = {}  # set_chat overrides
        self.chat_errors: dict[int, ApiError] = {}
        self._html_rejects: set[int] = set()
        self.unreachable_photos: set[str] = set()
        self.updates = UpdateQueue()
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._seen: dict[tuple[int, int], dict[str, Any]] = {}  # messages from pushed updates, for replies
        self._poll_generation = 0

    # -- what tests set ------------------------------------------------------------------------
    def push_update(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue `update` for getUpdates under a fresh update_id (or `update_id`: a redelivery), returned."""
        fresh = self.updates.push(update, update_id)
        self._remember(fresh)
        return int(fresh["update_id"])

    def add_admin(self, chat_id: int, user_id: int) -> None:
        self.admins[chat_id].add(user_id)

    def set_owner(self, chat_id: int, user_id: int) -> None:
        self.owners[chat_id] = user_id

    def set_chat(self, chat_id: int, chat_type: str, title: str | None = None, username: str | None = None) -> None:
        """Override the chat's type ("private", "group", "supergroup", "channel") and title; a public chat's
        `username` (without @) makes "@username" work wherever a chat_id does, as on Telegram."""
        self.chats[chat_id] = {"type": chat_type, "title": title, "username": username}

    def fail_chat(self, chat_id: int, description: str | None, code: int = 400,
                  parameters: dict[str, Any] | None = None) -> None:
        """Answer every call about `chat_id` with this error until called with None, e.g.
        (400, "Bad Request: chat not found"), (403, "Forbidden: bot was kicked from the group chat")."""
        if description is None:
            self.chat_errors.pop(chat_id, None)
        else:
            self.chat_errors[chat_id] = ApiError(code, description, parameters)

    def reject_html_once(self, chat_id: int) -> None:
        """The next parse_mode=HTML message to `chat_id` fails to parse, however good its HTML."""
        self._html_rejects.add(chat_id)

    def flood(self, retry_after: int = 1, times: int = 1, method: str | None = "sendMessage") -> None:
        """429 with `parameters.retry_after` for the next `times` calls of `method` (None: any method)."""
        body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after}}
        self.fail_next(429, body, headers={"Retry-After": str(retry_after)}, times=times,
                       path=f"/{method}" if method else None)

    # -- what tests look at --------------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["chat_id"] == chat_id]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return next((m for m in self.sent if m["chat_id"] == chat_id and m["message_id"] == message_id), None)

    def replies_to(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        return [m for m in self.sent_to(chat_id) if m["reply_to"] == message_id]

    def pending_updates(self) -> int:
        return len(self.updates)

    def reset(self) -> None:
        super().reset()
        self.updates.clear()
        for store in (self.sent, self.edits, self.answers, self.commands):
            store.clear()
        for registry in (self.admins, self.owners, self.chats, self.chat_errors, self._seen):
            registry.clear()
        self._html_rejects.clear()
        self.unreachable_photos.clear()
        self.webhook = {}
        self.allowed_updates = None
        self.strict_ampersand = True

    # -- server --------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._api)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        handler = getattr(self, f"_m_{request.match_info['method'].lower()}", None)  # names are case-insensitive
        if handler is None:
            return ApiError(404, "Not Found: method not found").response()
        try:
            args = await arguments(request)
            result = await handler(args, request) if inspect.iscoroutinefunction(handler) else handler(args)
        except ApiError as error:
            return error.response()
        return web.json_response({"ok": True, "result": result})

    # -- objects -------------------------------------------------------------------------------
    def bot_user(self) -> dict[str, Any]:
        return {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "paperbot",
                "username": self.username}

    def chat(self, chat_id: int) -> dict[str, Any]:
        """The Chat object: a negative id is a supergroup, a positive one a private chat, unless set_chat says."""
        override = self.chats.get(chat_id, {})
        kind = override.get("type") or ("supergroup" if chat_id < 0 else "private")
        if kind == "private":
            return {"id": chat_id, "type": kind, "first_name": "Alice"}
        found = {"id": chat_id, "type": kind, "title": override.get("title") or "papers"}
        return {**found, "username": override["username"]} if override.get("username") else found

    def _message(self, record: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat(record["chat_id"])
        message: dict[str, Any] = {"message_id": record["message_id"], "date": record["date"], "chat": chat,
                                   "text": record["visible"]}
        # in channels, posts come from the channel itself
        message.update({"sender_chat": chat} if chat["type"] == "channel" else {"from": self.bot_user()})
        if record["entities"]:
            message["entities"] = record["entities"]
        if record["thread_id"]:
            message["message_thread_id"] = record["thread_id"]
            message["is_topic_message"] = True
        if record["reply_markup"]:
            message["reply_markup"] = record["reply_markup"]
        if record["reply_to"]:
            message["reply_to_message"] = self._replied(record["chat_id"], record["reply_to"])
        if record.get("edit_date"):
            message["edit_date"] = record["edit_date"]
        return message

    def _replied(self, chat_id: int, message_id: int) -> dict[str, Any]:
        own = self.message(chat_id, message_id)
        if own is not None:
            return {k: v for k, v in self._message({**own, "reply_to": None}).items() if k != "reply_markup"}
        seen = self._seen.get((chat_id, message_id))
        return seen or {"message_id": message_id, "date": int(time.time()), "chat": self.chat(chat_id)}

    def _remember(self, update: dict[str, Any]) -> None:
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                self._seen[(int(message["chat"]["id"]), int(message["message_id"]))] = message

    def _check_chat(self, args: Args) -> int:
        if "chat_id" not in args or args["chat_id"] in ("", None):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = chat_id_of(args["chat_id"]) or self._by_username(str(args["chat_id"]))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.chat_errors:
            raise self.chat_errors[chat_id]
        return chat_id

    def _by_username(self, value: str) -> int | None:
        """The chat a public "@username" names (case-insensitive, like Telegram); None for an unknown name."""
        name = value[1:].lower() if value.startswith("@") else None
        return next((chat_id for chat_id, chat in self.chats.items()
                     if name and (chat.get("username") or "").lower() == name), None)

    def _parse_text(self, chat_id: int, args: Args) -> tuple[str, list[dict[str, Any]]]:
        """The text as users see it and its entities; raises what Telegram answers for bad text."""
        text = str(args.get("text") or "")
        if str(args.get("parse_mode") or "").lower() == "html":
            if chat_id in self._html_rejects:
                self._html_rejects.discard(chat_id)
                raise ApiError(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")
            try:
                text, entities = parse_html(text, strict_ampersand=self.strict_ampersand)
            except HtmlError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        else:
            entities = list(args.get("entities") or [])
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    # -- methods (names lower-cased: Telegram matches them case-insensitively) ------------------
    def _m_getme(self, _: Args) -> dict[str, Any]:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _m_sendmessage(self, args: Args) -> dict[str, Any]:
        chat_id = self._check_chat(args)
        visible, entities = self._parse_text(chat_id, args)
        markup = checked_markup(args.get("reply_markup"))
        reply = args.get("reply_parameters") or {}
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        record = {"chat_id": chat_id, "message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
                  "text": str(args.get("text") or ""), "parse_mode": args.get("parse_mode"),
                  "reply_to": reply_to or args.get("reply_to_message_id"),
                  "thread_id": args.get("message_thread_id"), "reply_markup": markup, "visible": visible,
                  "entities": entities, "args": args}
        self.sent.append(record)
        return self._message(record)

    def _m_sendphoto(self, args: Args) -> dict[str, Any]:
        """A photo by URL (what tests need); the caption is parsed like text, limited to 1,024 characters.
        `unreachable_photos` holds URLs Telegram "cannot fetch"."""
        chat_id = self._check_chat(args)
        photo = str(args.get("photo") or "")
        if not photo.startswith(("http://", "https://")) or photo in self.unreachable_photos:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = {**args, "text": args.get("caption") or " "}
        visible, entities = self._parse_text(chat_id, caption)
        if utf16_len(visible) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        reply = args.get("reply_parameters") or {}
        record = {"chat_id": chat_id, "message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
                  "text": str(args.get("caption") or ""), "parse_mode": args.get("parse_mode"),
                  "reply_to": reply.get("message_id") if isinstance(reply, dict) else None,
                  "thread_id": args.get("message_thread_id"), "reply_markup": None, "visible": visible,
                  "entities": entities, "args": args, "photo": photo}
        self.sent.append(record)
        return {**self._message(record), "photo": [{"file_id": f"photo-{record['message_id']}",
                                                   "file_unique_id": f"u{record['message_id']}",
                                                   "width": 1200, "height": 648}]}

    def _editable(self, args: Args) -> dict[str, Any]:
        chat_id = self._check_chat(args)
        record = self.message(chat_id, int(args.get("message_id") or 0))
        if record is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return record

    def _m_editmessagetext(self, args: Args) -> dict[str, Any] | bool:
        if args.get("inline_message_id"):
            self.edits.append({"method": "editMessageText", **args})
            return True
        record = self._editable(args)
        visible, entities = self._parse_text(record["chat_id"], args)
        markup = checked_markup(args.get("reply_markup"))
        if (visible, entities, markup) == (record["visible"], record["entities"], record["reply_markup"]):
            raise not_modified()
        record.update(text=str(args.get("text") or ""), parse_mode=args.get("parse_mode"), visible=visible,
                      entities=entities, reply_markup=markup, edit_date=int(time.time()))
        self.edits.append({"method": "editMessageText", **args})
        return self._message(record)

    def _m_editmessagereplymarkup(self, args: Args) -> dict[str, Any] | bool:
        if args.get("inline_message_id"):
            self.edits.append({"method": "editMessageReplyMarkup", **args})
            return True
        record = self._editable(args)
        markup = checked_markup(args.get("reply_markup"))
        if markup == record["reply_markup"]:
            raise not_modified()
        record.update(reply_markup=markup, edit_date=int(time.time()))
        self.edits.append({"method": "editMessageReplyMarkup", **args})
        return self._message(record)

    def _m_answercallbackquery(self, args: Args) -> bool:
        if not args.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(args.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answers.append(args)
        return True

    def _m_getchatmember(self, args: Args) -> dict[str, Any]:
        chat_id, user_id = self._check_chat(args), int(args.get("user_id") or 0)
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if self.owners.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self.admins.get(chat_id, set()):
            rights = ("can_be_edited", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                      "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                      "can_post_stories", "can_edit_stories", "can_delete_stories", "can_pin_messages")
            return {"status": "administrator", "user": user, "is_anonymous": False, **dict.fromkeys(rights, True)}
        return {"status": "member", "user": user}

    def _m_getchat(self, args: Args) -> dict[str, Any]:
        chat_id = self._check_chat(args)
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)
        return {**self.chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def _m_setmycommands(self, args: Args) -> bool:
        commands = list(args.get("commands") or [])
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    def _m_getmycommands(self, _: Args) -> list[dict[str, Any]]:
        return self.commands

    def _m_deletemycommands(self, _: Args) -> bool:
        self.commands = []
        return True

    def _m_setwebhook(self, args: Args) -> bool:
        url = str(args.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self._drop_if_asked(args)
        self.webhook = args if url else {}
        if args.get("allowed_updates") is not None:
            self.allowed_updates = list(args["allowed_updates"])
        return True

    def _m_deletewebhook(self, args: Args) -> bool:
        self._drop_if_asked(args)
        self.webhook = {}
        return True

    def _drop_if_asked(self, args: Args) -> None:
        if args.get("drop_pending_updates") is True:
            self.updates.clear()

    def _m_getwebhookinfo(self, _: Args) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": self.pending_updates()}
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        return info

    async def _m_getupdates(self, args: Args, request: web.Request) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if args.get("allowed_updates") is not None:  # absent: Telegram keeps the previous setting
            self.allowed_updates = list(args["allowed_updates"])
        self.updates.confirm(int(args.get("offset") or 0))
        self._poll_generation += 1
        generation = self._poll_generation
        limit = min(max(int(args.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + min(float(args.get("timeout") or 0), MAX_POLL)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            ready = self.updates.deliverable(self.allowed_updates)[:limit]
            if ready or self.stale(request) or time.monotonic() >= deadline:
                return [] if self.stale(request) else ready
            await asyncio.sleep(0.02)
