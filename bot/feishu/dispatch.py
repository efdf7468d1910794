"""The hand-off: what Feishu's commands, reactions and button presses do, once read (bot.feishu.translate).

Kept in this one module so it can be re-pointed at the shared inbound dispatcher when that lands; until
then it does what the Slack and Telegram adapters do, with bot.shared's commands and votes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.feishu.translate import ButtonPress, ReactionEvent, TypedCommand
from bot.shared import votes
from bot.shared.answers import Invocation
from bot.shared.slow import SLOW, deliver, not_posted

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.feishu.adapter import FeishuAdapter

log = logging.getLogger(__name__)


async def command(adapter: FeishuAdapter, typed: TypedCommand) -> None:
    """Check, answer (a slow one after its LLM call), and reply under the command's own message. It runs
    after Feishu got its 200, so failures are told to the person who asked, and logged."""
    who = Invocation("feishu", typed.chat_id, typed.user_id,
                     is_admin=_admin_check(adapter, typed) if typed.group else None)
    try:
        error = adapter.commands.precheck(typed.name, typed.text)
        if error:
            await adapter.answer(typed, error)
            return
        answer = await adapter.commands.handle(who, typed.name, typed.text)
        if typed.name not in SLOW or answer.paper is None:  # a quick answer, a usage line or an error
            await adapter.answer(typed, answer.text)
            return
        answer.thread_ref = answer.thread_ref or typed.message_id  # the card's thread, else the question's
        await deliver(adapter, adapter.store, typed.chat_id, answer)
    except Exception as exc:
        log.error("answering /%s in %s failed: %s", typed.name, typed.chat_id, exc)
        try:
            await adapter.answer(typed, not_posted(typed.name, exc))
        except Exception as again:
            log.error("telling the user about it failed too: %s", again)


def _admin_check(adapter: FeishuAdapter, typed: TypedCommand) -> Callable[[], Awaitable[bool]]:
    async def is_admin() -> bool:
        return await adapter.managers.is_manager(typed.chat_id, typed.user_id)

    return is_admin


def reaction(adapter: FeishuAdapter, chat_id: str, event: ReactionEvent) -> str | None:
    """One person's vote from a reaction on a deep dive; the paper, or None when it is no vote."""
    if event.kind != "up":
        return None  # 👎 marks a paper down once the shared layer has such marks; nothing to store yet
    paper = votes.react(adapter.store, "feishu", chat_id, event.message_id, event.emoji.lower(), event.user_id,
                        added=event.added)
    adapter.refresher.voted(chat_id, paper)
    return paper


def button(adapter: FeishuAdapter, press: ButtonPress) -> tuple[str, bool] | None:
    """A 👍 N press toggles the person's vote; (paper, vote stands) or None when N lists nothing."""
    paper = votes.listed_index(adapter.store, "feishu", press.chat_id, press.message_id, press.index)
    if paper is None:
        return None
    up = votes.toggle(adapter.store, "feishu", press.chat_id, paper, press.user_id)
    adapter.refresher.voted(press.chat_id, paper)
    return paper, up
