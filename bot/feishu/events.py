"""`POST /feishu/events`: Feishu's event subscription and card callbacks, on serve's port.

Every request is verified first (bot.feishu.verify): a wrong token, a bad or missing signature, a body that
does not decrypt or a request more than five minutes old gets 401 and one log line. The challenge is
echoed at once (Feishu wants it within a second). Feishu retries an event it thinks unanswered, so each
event id is handled once (remembered in the database, so a restart does not vote twice), and events are
answered 200 at once with the work — an LLM call, a chat API lookup — done after. A card button press
is answered within Feishu's three seconds with a toast; the card's counts are patched after, debounced.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.feishu import translate, verify
from bot.feishu.reactions import REACTIONS
from bot.feishu.reply import FeishuReply
from bot.shared.answers import Invocation
from bot.shared.events import Command, Reaction, VoteButton

if TYPE_CHECKING:
    from bot.feishu.adapter import FeishuAdapter

log = logging.getLogger(__name__)
PATH = "/feishu/events"
MAX_BODY = 1024 * 1024
OK: dict[str, Any] = {"msg": "success"}


class EventEndpoint:
    def __init__(self, adapter: FeishuAdapter) -> None:
        self.adapter = adapter

    async def handle(self, request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return web.json_response({"msg": "too large"}, status=413)
        body = await request.read()
        settings = self.adapter.settings
        key = settings.feishu_encrypt_key.get_secret_value() if settings.feishu_encrypt_key else None
        assert settings.feishu_verification_token is not None  # checked at start
        try:
            payload = verify.open_body(request.headers, body, key)
            verify.check_token(payload, settings.feishu_verification_token.get_secret_value())
            if not key and verify.TIMESTAMP in request.headers:  # unsigned, but its age still tells a replay
                verify.check_fresh(request.headers[verify.TIMESTAMP])
        except verify.Refused as exc:
            log.warning("refused a request to %s: %s", PATH, exc)
            return web.json_response({"msg": "unauthorized"}, status=401)
        if payload.get("type") == "url_verification":
            return web.json_response({"challenge": str(payload.get("challenge", ""))})
        return web.json_response(await self.route(payload))

    async def route(self, payload: dict[str, Any]) -> dict[str, Any]:
        header, event = payload.get("header"), payload.get("event")
        if not isinstance(header, dict) or not isinstance(event, dict) or not header.get("event_id"):
            log.info("a Feishu request without an event id or event (schema 1.0?) was ignored")
            return OK
        kind, event_id = str(header.get("event_type", "")), str(header["event_id"])
        store = self.adapter.store
        if not await store.call(store.first_time, f"feishu:{event_id}"):
            return OK  # a retry of an event handled already
        if kind == "card.action.trigger":
            return await self.on_button(event)
        if kind == "im.message.receive_v1":
            await self.on_message(event)
        elif kind in ("im.message.reaction.created_v1", "im.message.reaction.deleted_v1"):
            self.on_reaction(event, added=kind.endswith("created_v1"))
        return OK

    async def on_message(self, event: dict[str, Any]) -> None:
        typed = translate.command(event, self.adapter.bot_open_id)
        if typed is None:
            return
        # one command per message even when Feishu sends it under two event ids
        store = self.adapter.store
        if not await store.call(store.first_time, f"feishu-message:{typed.message_id}"):
            return
        self.adapter.inbound.background.spawn(self._command(typed))

    async def _command(self, typed: translate.TypedCommand) -> None:
        """The shared dispatcher answers; this runs after Feishu got its 200, so a failure is logged here."""
        adapter = self.adapter
        try:
            who = Invocation("feishu", typed.chat_id, typed.user_id,
                             is_admin=self._manager_check(typed) if typed.group else None,
                             context_paper=await self._replied_paper(typed))
            await adapter.inbound.command(Command(who, typed.name, typed.text, reply_to=typed.message_id),
                                          FeishuReply(adapter, typed))
        except Exception as exc:
            log.error("answering /%s in %s failed: %s", typed.name, typed.chat_id, exc)

    def _manager_check(self, typed: translate.TypedCommand) -> Callable[[], Awaitable[bool]]:
        """In groups only the owner and managers change settings; a one-to-one chat is the person's own."""
        async def is_manager() -> bool:
            return await self.adapter.managers.is_manager(typed.chat_id, typed.user_id)

        return is_manager

    async def _replied_paper(self, typed: translate.TypedCommand) -> str | None:
        """The paper of the deep dive (or answer) the command replies to, so `/ask` may leave out the id."""
        store = self.adapter.store
        found = await store.call(store.find_message, "feishu", typed.chat_id, typed.parent_id) \
            if typed.parent_id else None
        if found is None or found["kind"] not in ("deep_dive", "answer") or not found.get("arxiv_id"):
            return None
        return str(found["arxiv_id"])

    def on_reaction(self, event: dict[str, Any], added: bool) -> None:
        found = translate.reaction(event, added)
        if found is not None:
            self.adapter.inbound.background.spawn(self._react(found))

    async def _react(self, found: translate.ReactionEvent) -> None:
        """Reaction events carry no chat id: Feishu is asked which chat the message is in (remembered)."""
        try:
            chat = await self.adapter.chat_of(found.message_id)
        except Exception as exc:
            log.warning("a reaction on %s was not counted: %s", found.message_id, exc)
            return
        event = Reaction.of(REACTIONS, "feishu", chat, found.user_id, found.message_id, found.emoji,
                            added=found.added) if chat else None
        if event is not None:
            await self.adapter.inbound.reaction(event)

    async def on_button(self, event: dict[str, Any]) -> dict[str, Any]:
        press = translate.button(event)
        if press is None:
            return {}
        button = VoteButton("feishu", press.chat_id, press.user_id, press.message_id, position=press.index,
                            kind=press.kind)
        vote = await self.adapter.inbound.vote_button(button)
        if vote is None:
            return {"toast": {"type": "info", "content": "这个按钮已不再对应任何论文"}}
        if vote.kind == "down":
            done = f"👎 已标记 {vote.arxiv_id} 不适合我们" if vote.up else f"已撤回对 {vote.arxiv_id} 的 👎"
        else:
            done = f"👍 已为 {vote.arxiv_id} 投票" if vote.up else f"已撤回对 {vote.arxiv_id} 的投票"
        return {"toast": {"type": "success", "content": done}}
