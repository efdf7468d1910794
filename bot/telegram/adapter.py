"""Telegram through python-telegram-bot: posting digests as HTML with reply threads and vote buttons.

Updates (commands, reactions, button presses) are handled in bot.telegram.updates; they arrive by
long polling, or by webhook on serve's aiohttp app when TELEGRAM_WEBHOOK_URL is set.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, LinkPreviewOptions, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application

from analysis.errors import ChatError, ChatUncertain, ConfigError
from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from bot.config import Settings
from bot.shared.commands import COMMANDS, Commands
from bot.shared.inbound import Inbound
from bot.telegram import render
from bot.telegram.admins import AdminCache
from bot.telegram.buttons import digest_keyboard
from bot.telegram.reactions import REACTIONS
from bot.telegram.webhook_config import check_webhook_settings
from storage.chat import Platform
from storage.store import Store

log = logging.getLogger(__name__)
# channel_post is its own update type: without it commands typed in a channel never arrive. Edited messages
# are left out on purpose, so an edited command is not run twice.
ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "message_reaction", "message_reaction_count"]


def rate_limiter() -> AIORateLimiter:
    """Telegram allows about 30 messages a second overall and 20 a minute per group; stay under both,
    and wait out a 429's retry_after up to three times.

    The limiters are leaky buckets: a full bucket of `max_rate` goes at once, then `max_rate` per
    `time_period` drips after it, so any window of length T sees up to max_rate + rate·T. Small
    buckets keep that under the limits, with room for jitter: 4 + 22/s ≤ 30 in any second, 10 + 10/min ≤ 20
    in any minute."""
    return AIORateLimiter(overall_max_rate=4, overall_time_period=0.18, group_max_rate=10, group_time_period=60,
                          max_retries=3)
GONE = ("chat not found", "bot was kicked", "bot is not a member", "group chat was deleted", "user is deactivated",
        "bot was blocked")


class TelegramAdapter:
    platform: Platform = "telegram"

    def __init__(self, settings: Settings, store: Store, commands: Commands) -> None:
        assert settings.telegram_bot_token is not None
        self.settings, self.store, self.commands = settings, store, commands
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder().token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.telegram_api_url).rate_limiter(rate_limiter())
            .concurrent_updates(8).build())
        self.username = ""
        self._started = self._polling = self._running = False
        self.admins = AdminCache()
        self._moved: dict[str, str] = {}  # basic group -> the supergroup it became, for posts already under way
        # groups allow about 20 messages (edits too) a minute: the Inbound's refresher redraws at most every 3 s
        self.inbound = Inbound(self, store, commands, REACTIONS)

    @property
    def bot(self) -> Any:
        return self.application.bot

    # -- ChatAdapter -------------------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        check_webhook_settings(self.settings)
        try:
            await self.application.initialize()
            self.username = self.bot.username or ""
            await self.bot.set_my_commands([BotCommand(n, d.split(" — ", 1)[-1][:256]) for n, d in COMMANDS.items()])
        except (InvalidToken, Forbidden):
            # not exc.message: PTB quotes the rejected token in it
            raise ConfigError("Telegram refused TELEGRAM_BOT_TOKEN; copy the token @BotFather gave you.") from None
        except TelegramError as exc:
            raise ChatError(f"could not reach Telegram at TELEGRAM_API_URL ({exc.message}); "
                            "check the network or the URL.") from None
        self._started = True
        await self._resolve_names()

    async def _resolve_names(self) -> None:
        """Channels subscribed by @name move to their numeric id: commands and reactions arrive under it,
        so /subscribe typed in the channel finds the same subscription instead of making a second one."""
        for channel in self.store.channels():
            if channel.platform != "telegram" or not channel.channel_id.startswith("@"):
                continue
            try:
                chat = await self.bot.get_chat(channel.channel_id)
            except TelegramError as exc:
                log.warning("Telegram does not know %s (%s); it stays subscribed by that name",
                            channel.channel_id, exc.message)
                continue
            self.move_chat(channel.channel_id, str(chat.id), why=f"{channel.channel_id} is chat {chat.id}")

    async def post_quick_view(self, channel_id: str, digest: Digest, votes_by_id: dict[str, int],
                              marks: dict[str, int] | None = None) -> str:
        parts = render.quick_view(digest, votes_by_id, marks)
        topic = self._topic(channel_id)
        keyboard = digest_keyboard(digest, votes_by_id, marks)
        refs = [await self.send(channel_id, part, markup=keyboard if i == len(parts) - 1 else None, thread_id=topic)
                for i, part in enumerate(parts)]
        return refs[-1]  # the part with the buttons: votes and replies hang on it

    async def update_quick_view(self, channel_id: str, ref: str, digest: Digest, votes_by_id: dict[str, int],
                                marks: dict[str, int] | None = None) -> None:
        """The counts in the text when the quick view is one message; on the buttons always."""
        parts = render.quick_view(digest, votes_by_id, marks)
        keyboard = digest_keyboard(digest, votes_by_id, marks)
        try:
            if len(parts) == 1:
                await self.bot.edit_message_text(chat_id=chat_ref(channel_id), message_id=int(ref), text=parts[0],
                                                 parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                                 link_preview_options=LinkPreviewOptions(is_disabled=True))
            else:  # the counted lines may sit in an earlier part: the buttons carry the counts
                await self.bot.edit_message_reply_markup(chat_id=chat_ref(channel_id), message_id=int(ref),
                                                         reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise ChatError(f"Telegram refused to update {channel_id} {ref}: {exc.message}") from None

    async def post_deep_dive(self, channel_id: str, thread_ref: str, item: DigestItem, number: int) -> list[str]:
        topic = self._topic(channel_id)
        dive = item.analysis is not None and item.analysis.deep_dive is not None  # no picture for "needs an LLM"
        photo = await self._photo(channel_id, item.paper, f"{number}. ", reply_to=thread_ref,
                                  thread_id=topic) if dive else []
        return photo + [await self.send(channel_id, part, reply_to=thread_ref, thread_id=topic)
                        for part in render.deep_dive(item, number)]

    async def post_analysis(self, channel_id: str, paper: Paper, analysis: Analysis, score: int | None,
                            thread_ref: str | None) -> list[str]:
        photo = await self._photo(channel_id, paper, "", reply_to=thread_ref) if analysis.deep_dive else []
        return photo + [await self.send(channel_id, part, reply_to=thread_ref)
                        for part in render.analysis_message(paper, analysis, score)]

    async def post_paper_answer(self, channel_id: str, paper: Paper, question: str, answer: PaperAnswer,
                                thread_ref: str | None) -> list[str]:
        return [await self.send(channel_id, part, reply_to=thread_ref)
                for part in render.paper_answer(paper, question, answer)]

    async def _photo(self, chat_id: str, paper: Paper, prefix: str, *, reply_to: str | None,
                     thread_id: int | None = None) -> list[str]:
        """The paper's HF thumbnail with a short caption, before its deep dive; nothing when there is none
        or Telegram cannot fetch it (the dive matters, the picture does not)."""
        if not paper.thumbnail:
            return []
        chat_id = self._moved.get(chat_id, chat_id)
        try:
            message = await self.bot.send_photo(
                chat_id=chat_ref(chat_id), photo=paper.thumbnail, caption=render.photo_caption(paper, prefix),
                parse_mode=ParseMode.HTML, message_thread_id=thread_id,
                reply_parameters=ReplyParameters(message_id=int(reply_to), allow_sending_without_reply=True)
                if reply_to else None)
        except TelegramError as exc:
            log.warning("Telegram did not take the thumbnail of %s: %s", paper.arxiv_id, exc.message)
            return []
        return [str(message.message_id)]

    async def post_text(self, channel_id: str, text: str, thread_ref: str | None = None) -> str:
        topic = self._topic(channel_id)
        refs = [await self.send(channel_id, part, reply_to=thread_ref, thread_id=topic)
                for part in render.split(render.esc(text))]
        return refs[0]

    def _topic(self, chat_id: str) -> int | None:
        """The forum topic the chat subscribed from: the digest goes there, not to General."""
        channel = self.store.get_channel("telegram", chat_id)
        return int(channel.topic) if channel and channel.topic and channel.topic.isdigit() else None

    async def listen(self, app: web.Application) -> None:
        await self.application.start()
        self._running = True
        if self.settings.telegram_webhook_url:
            await self._webhook(app)
            return
        assert self.application.updater is not None
        await self.bot.delete_webhook()
        await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=10)
        self._polling = True

    async def stop_listening(self) -> None:
        if self._polling and self.application.updater is not None:
            self._polling = False
            await self.application.updater.stop()

    def busy(self) -> set[asyncio.Task[None]]:
        return self.inbound.busy()

    async def close(self) -> None:
        await self.inbound.close(self.stop_listening)
        for old, new in self._moved.items():  # posts finished under the old id since the move: the new one's
            self.store.move_history("telegram", old, new)
        # flags first: a close cut short by serve's deadline is not waited for a second time
        if self._running:
            self._running = False
            await self.application.stop()
        if self._started:
            self._started = False
            await self.application.shutdown()

    # -- sending -----------------------------------------------------------------------------
    async def send(self, chat_id: str, text: str, *, reply_to: str | None = None, markup: Any = None,
                   thread_id: int | None = None) -> str:
        """One HTML message; Telegram's own refusals become ChatError, a chat that is gone is unsubscribed."""
        chat_id = self._moved.get(chat_id, chat_id)
        kwargs: dict[str, Any] = {
            # a public channel may be subscribed by its @username, which Telegram takes as the chat_id
            "chat_id": chat_ref(chat_id),
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
            "reply_markup": markup, "message_thread_id": thread_id,
            "reply_parameters": ReplyParameters(message_id=int(reply_to), allow_sending_without_reply=True)
            if reply_to else None,
        }
        try:
            try:
                message = await self.bot.send_message(text=text, parse_mode=ParseMode.HTML, **kwargs)
            except BadRequest as exc:
                if "can't parse entities" not in exc.message.lower():
                    raise
                log.warning("Telegram could not parse our HTML for %s (%s); sending plain text", chat_id, exc.message)
                message = await self.bot.send_message(text=plain(text), **kwargs)
        except ChatMigrated as exc:  # 400 with parameters.migrate_to_chat_id: PTB raises this, not BadRequest
            new_id = str(exc.new_chat_id)
            if new_id == chat_id:
                raise ChatError(f"Telegram refused a message to {chat_id}: {exc.message}") from None
            self.move_chat(chat_id, new_id)
            # the old group's message ids and topics mean nothing in the supergroup: send it unthreaded
            return await self.send(new_id, text, markup=markup)
        except (BadRequest, Forbidden) as exc:
            if any(reason in exc.message.lower() for reason in GONE):
                self.store.deactivate_channel("telegram", chat_id)
                log.error("Telegram chat %s is gone (%s); unsubscribed it", chat_id, exc.message)
            raise ChatError(f"Telegram refused a message to {chat_id}: {exc.message}") from None
        except TimedOut as exc:  # Telegram may have taken it: the post log must not let it be sent again
            raise ChatUncertain(f"Telegram did not answer a message to {chat_id} in time: {exc.message}") from None
        except TelegramError as exc:
            raise ChatError(f"Telegram failed to send to {chat_id}: {exc.message}") from None
        return str(message.message_id)

    def move_chat(self, old: str, new: str, why: str = "") -> None:
        """A basic group upgraded to a supergroup has a new id for good: its subscription follows it.
        Idempotent: both the failed send and the migration service messages may report the same move."""
        if old == new:
            return
        self._moved[old] = new
        self.store.move_history("telegram", old, new)
        channel = self.store.get_channel("telegram", old)
        if channel is None or not channel.active:
            return
        target = self.store.get_channel("telegram", new)
        if target is None or not target.active:  # a subscription made in the supergroup itself wins
            target = self.store.upsert_channel("telegram", new, threshold=channel.threshold,
                                               post_time=channel.post_time, timezone=channel.timezone,
                                               empty_note=channel.empty_note)
            if channel.keywords:
                target = self.store.update_channel("telegram", new, keywords=", ".join(channel.keywords)) or target
        self.store.deactivate_channel("telegram", old)
        log.warning("%s; its subscription moved there", why or f"Telegram group {old} became supergroup {new}")
        gone = self.store.get_channel("telegram", old)
        for listener in self.commands.listeners:  # the scheduler drops the old job and plans the new one
            for changed in (gone, target):
                if changed is not None:
                    listener(changed)

    # -- webhook -----------------------------------------------------------------------------
    async def _webhook(self, app: web.Application) -> None:
        url = str(self.settings.telegram_webhook_url)
        secret = self.settings.telegram_webhook_secret
        assert secret is not None  # check_webhook_settings at start
        try:
            await self.bot.set_webhook(url=url, secret_token=secret.get_secret_value(),
                                       allowed_updates=ALLOWED_UPDATES)
        except TelegramError as exc:
            raise ChatError(f"Telegram refused TELEGRAM_WEBHOOK_URL ({exc.message}); give a public https address "
                            "that reaches serve, or unset it for long polling.") from None
        app.router.add_post(urlparse(url).path or "/telegram", self._on_webhook)

    async def _on_webhook(self, request: web.Request) -> web.Response:
        expected = self.settings.telegram_webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if expected is None or not _same(given, expected.get_secret_value()):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError):  # not JSON, or JSON that is no Update
            update = None
        if update is None:
            return web.json_response({"ok": False, "error": "bad update"}, status=400)
        self.inbound.background.spawn(self.application.process_update(update))
        return web.json_response({"ok": True})


def chat_ref(chat_id: str) -> int | str:
    """The chat_id every Bot API call takes: a public channel's @username as is, any other chat its number."""
    return chat_id if chat_id.startswith("@") else int(chat_id)


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^<>]+>", "", text))


def _same(given: str, expected: str) -> bool:
    import hmac

    return hmac.compare_digest(given.encode(), expected.encode())
