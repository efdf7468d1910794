"""Feishu / Lark through lark-oapi: the morning card, deep dives in its thread, answers, votes.

Posts are interactive cards (bot.feishu.cards); deep dives and answers reply to the card with
`reply_in_thread`, so they hang in the card's thread. Events arrive over HTTP at serve's
`POST /feishu/events` (bot.feishu.events). Digest posts carry a `uuid` made from the chat, the day and
the part: Feishu sends at most one message per uuid within an hour, so a post resumed after a crash does
not repeat a message that went out just before it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from aiohttp import web

from analysis.errors import ChatError
from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from analysis.render.answer import BASIS
from bot import logs
from bot.config import Settings
from bot.feishu import cards, check_settings
from bot.feishu.api import FeishuApi, FeishuError
from bot.feishu.events import PATH, EventEndpoint
from bot.feishu.managers import ManagerCache
from bot.feishu.reactions import REACTIONS
from bot.feishu.thumbnails import Thumbnails
from bot.feishu.translate import TypedCommand
from bot.shared.commands import Commands
from bot.shared.inbound import Inbound
from storage.chat import Platform
from storage.store import Store

log = logging.getLogger(__name__)
GONE = {230002, 232009}  # the bot is out of the group; the group is dissolved
CHAT_CACHE = 10_000  # message id -> chat id, for reactions (their events do not name the chat)


class FeishuAdapter:
    platform: Platform = "feishu"

    def __init__(self, settings: Settings, store: Store, commands: Commands) -> None:
        self.settings, self.store, self.commands = settings, store, commands
        secret = settings.feishu_app_secret.get_secret_value() if settings.feishu_app_secret else ""
        logs.register_secrets([secret, *(s.get_secret_value() for s in (
            settings.feishu_verification_token, settings.feishu_encrypt_key) if s)])  # masked in every log line
        self.api = FeishuApi(settings.feishu_app_id or "", secret, settings.feishu_api_url)
        self.bot_open_id = ""
        self.managers = ManagerCache(self.api.managers)
        self.thumbnails = Thumbnails(settings.hf_endpoint, self.api.upload_image)
        # patching a card is limited to 5 a second a message: the Inbound's refresher redraws at most every 3 s
        self.inbound = Inbound(self, store, commands, REACTIONS)
        self.endpoint = EventEndpoint(self)
        self._chats: dict[str, str] = {}
        self._started = False

    # -- ChatAdapter: lifetime ----------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        check_settings(self.settings)
        await self.api.open()
        await self.api.token()  # wrong credentials say so now, not at the first post
        try:
            self.bot_open_id = await self.api.bot_open_id()
        except ChatError as exc:  # mentions are then recognised by their position
            log.warning("Feishu did not tell the bot's open_id (%s); a mention opening a message counts as ours", exc)
        self._started = True

    async def listen(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.endpoint.handle)

    async def stop_listening(self) -> None:
        """HTTP mode stops with serve's site; nothing of ours to close."""

    def busy(self) -> set[asyncio.Task[None]]:
        return self.inbound.busy()

    async def close(self) -> None:
        await self.inbound.close(self.stop_listening)

    # -- ChatAdapter: posting ----------------------------------------------------------------
    async def post_quick_view(self, channel_id: str, digest: Digest, votes: dict[str, int],
                              marks: dict[str, int] | None = None) -> str:
        uuid = _uuid(channel_id, digest.date.isoformat(), "quick-view")
        return await self._guard(channel_id, self.api.send(channel_id, "interactive",
                                                           cards.quick_view(digest, votes, marks), uuid))

    async def update_quick_view(self, channel_id: str, ref: str, digest: Digest, votes: dict[str, int],
                                marks: dict[str, int] | None = None) -> None:
        await self.api.patch(channel_id, ref, cards.quick_view(digest, votes, marks))

    async def post_deep_dive(self, channel_id: str, thread_ref: str, item: DigestItem, number: int) -> list[str]:
        dive = item.analysis is not None and item.analysis.deep_dive is not None  # no picture for "needs an LLM"
        parts = cards.deep_dive(item, number, await self.thumbnails.key(item.paper.thumbnail) if dive else None)
        return [await self._reply_card(channel_id, thread_ref, card, _uuid(thread_ref, item.paper.arxiv_id, str(n)))
                for n, card in enumerate(parts)]

    async def post_analysis(self, channel_id: str, paper: Paper, analysis: Analysis, score: int | None,
                            thread_ref: str | None) -> list[str]:
        image = await self.thumbnails.key(paper.thumbnail) if analysis.deep_dive else None
        return [await self._card(channel_id, card, thread_ref)
                for card in cards.analysis_cards(paper, analysis, score, image_key=image)]

    async def post_paper_answer(self, channel_id: str, paper: Paper, question: str, answer: PaperAnswer,
                                thread_ref: str | None) -> list[str]:
        return [await self._card(channel_id, card, thread_ref)
                for card in cards.answer_cards(paper, question, answer, BASIS[answer.source])]

    async def post_text(self, channel_id: str, text: str, thread_ref: str | None = None) -> str:
        content = cards.text_content(text)
        if thread_ref:
            return await self._guard(channel_id, self.api.reply(channel_id, thread_ref, "text", content,
                                                                in_thread=True))
        return await self._guard(channel_id, self.api.send(channel_id, "text", content))

    async def answer(self, typed: TypedCommand, text: str) -> str:
        """A command's text answer, quoting the command (in its thread when it was typed in one)."""
        return await self.api.reply(typed.chat_id, typed.message_id, "text", cards.text_content(text),
                                    in_thread=typed.in_thread)

    async def chat_of(self, message_id: str) -> str | None:
        """The chat of one of our messages (for a reaction on it), asked of Feishu once."""
        if message_id not in self._chats:
            chat = await self.api.chat_of(message_id)
            if chat is None:
                return None
            if len(self._chats) >= CHAT_CACHE:
                self._chats.clear()
            self._chats[message_id] = chat
        return self._chats[message_id]

    # -- internals ---------------------------------------------------------------------------
    async def _card(self, channel_id: str, card: cards.Card, thread_ref: str | None) -> str:
        if thread_ref:
            return await self._reply_card(channel_id, thread_ref, card)
        return await self._guard(channel_id, self.api.send(channel_id, "interactive", card))

    async def _reply_card(self, channel_id: str, thread_ref: str, card: cards.Card, uuid: str | None = None) -> str:
        ref = await self._guard(channel_id, self.api.reply(channel_id, thread_ref, "interactive", card,
                                                           in_thread=True, uuid=uuid))
        self._chats[ref] = channel_id
        return ref

    async def _guard(self, channel_id: str, sending: Any) -> str:
        """A chat the bot was removed from, or that was dissolved, is unsubscribed (as Telegram's gone chats)."""
        try:
            ref = str(await sending)
        except FeishuError as exc:
            if exc.code in GONE and await self.store.call(self.store.deactivate_channel, "feishu", channel_id):
                log.error("Feishu chat %s is gone (%s); unsubscribed it", channel_id, exc)
            raise
        self._chats[ref] = channel_id
        return ref


def _uuid(*parts: str) -> str:
    """Feishu's idempotency key for one digest message (at most 50 characters)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
