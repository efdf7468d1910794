"""How Feishu answers the person who typed a command: a text reply quoting their message (in its thread
when it was typed in one). A slow command says nothing until its answer comes, as on Telegram."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.events import Reply

if TYPE_CHECKING:
    from bot.feishu.adapter import FeishuAdapter
    from bot.feishu.translate import TypedCommand


class FeishuReply(Reply):
    def __init__(self, adapter: FeishuAdapter, typed: TypedCommand) -> None:
        self.adapter, self.typed = adapter, typed

    async def answer(self, text: str, *, ephemeral: bool) -> None:
        # Feishu's ephemeral messages need a card and the person's user id scope: everything is said in the chat
        await self.adapter.answer(self.typed, text)
