"""Telegram updates: commands (with or without entities, `/cmd@ThisBot`), reactions and vote buttons."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)

from bot.shared.answers import Invocation
from bot.shared.commands import COMMANDS
from bot.shared.events import Command, Reaction, ReactionKind, ReactionTally, Reply, VoteButton
from bot.telegram import buttons, reactions
from bot.telegram.render import esc
from bot.telegram.seen import RecentIds

if TYPE_CHECKING:
    from bot.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?", re.S)
KNOWN = {*COMMANDS, "start"}
Context = ContextTypes.DEFAULT_TYPE


def parse_command(text: str, username: str) -> tuple[str, str] | None:
    """(name, argument text) of a command meant for this bot; None for chatter or another bot's command."""
    match = _COMMAND.fullmatch(text.strip())
    if not match:
        return None
    if match.group(2) and match.group(2).lower() != username.lower():
        return None
    return match.group(1).lower(), (match.group(3) or "").strip()


def register(adapter: TelegramAdapter) -> None:
    app = adapter.application

    async def on_message(update: Update, _: Context) -> None:
        await _on_command(adapter, update)

    async def on_reaction(update: Update, _: Context) -> None:
        await _on_reaction(adapter, update)

    async def on_button(update: Update, _: Context) -> None:
        await _on_button(adapter, update)

    async def on_migrate(update: Update, _: Context) -> None:
        _on_migrate(adapter, update)

    seen = RecentIds()

    async def once(update: Update, _: Context) -> None:
        if not seen.first_time(update.update_id):  # before any await: concurrent copies cannot both pass
            log.debug("Telegram update %d came again; handled already", update.update_id)
            raise ApplicationHandlerStop  # no other handler runs for it

    # group -1 runs before every other handler, for webhook and polling updates alike
    app.add_handler(TypeHandler(Update, once), group=-1)

    # filters.TEXT alone also matches edited (and business) messages: an edited command must not run again
    app.add_handler(MessageHandler(filters.TEXT & (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST),
                                   on_message))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(MessageReactionHandler(on_reaction))
    app.add_handler(CallbackQueryHandler(on_button))


async def _on_command(adapter: TelegramAdapter, update: Update) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    parsed = parse_command(message.text, adapter.username)
    if parsed is None or parsed[0] not in KNOWN:  # a group's other chatter and other bots' commands are not ours
        log.debug("message %s in %s is no command for this bot: dropped", message.message_id, chat.id)
        return
    name, text = parsed
    user_id = str(message.from_user.id) if message.from_user else f"chat:{chat.id}"
    reply_to, thread = str(message.message_id), message.message_thread_id if message.is_topic_message else None
    who = Invocation("telegram", str(chat.id), user_id, is_admin=_admin_check(adapter, update),
                     topic=str(thread) if thread else "", context_paper=await _replied_paper(adapter, message))
    await adapter.inbound.command(Command(who, name, text, reply_to=reply_to),
                                  TelegramReply(adapter, str(chat.id), reply_to, thread))


class TelegramReply(Reply):
    """Every reply, first or later, is a message under the command, in the forum topic it was typed in;
    a slow command says nothing until its answer comes."""

    def __init__(self, adapter: TelegramAdapter, chat_id: str, reply_to: str, thread: int | None) -> None:
        self.adapter, self.chat_id, self.reply_to, self.thread = adapter, chat_id, reply_to, thread

    async def answer(self, text: str, *, ephemeral: bool) -> None:
        await self.adapter.send(self.chat_id, esc(text), reply_to=self.reply_to, thread_id=self.thread)


async def _replied_paper(adapter: TelegramAdapter, message: Any) -> str | None:
    """The paper whose deep dive (or answer) this message replies to, so `/ask` may leave out the id."""
    replied = message.reply_to_message
    if replied is None:
        return None
    store = adapter.store
    found = await store.call(store.find_message, "telegram", str(message.chat.id), str(replied.message_id))
    if found is None or found["kind"] not in ("deep_dive", "answer") or not found.get("arxiv_id"):
        return None
    return str(found["arxiv_id"])


def _admin_check(adapter: TelegramAdapter, update: Update) -> Any:
    """In groups only administrators change settings; private chats and channel posts are the owner's."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return None

    async def is_admin() -> bool:
        if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator speaks as the group itself
        if message is None or message.from_user is None:
            return False
        user_id = message.from_user.id
        known = adapter.admins.get(chat.id, user_id)
        if known is not None:
            return known
        try:
            member = await adapter.bot.get_chat_member(chat.id, user_id)
        except TelegramError as exc:  # not remembered: the next command asks again
            log.warning("getChatMember failed in %s: %s", chat.id, exc)
            return False
        answer = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        adapter.admins.put(chat.id, user_id, answer)
        return answer

    return is_admin


def _on_migrate(adapter: TelegramAdapter, update: Update) -> None:
    """A group upgraded to a supergroup: the old group gets migrate_to_chat_id, the new one migrate_from_chat_id."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id:
        adapter.move_chat(str(chat.id), str(message.migrate_to_chat_id))
    elif message.migrate_from_chat_id:
        adapter.move_chat(str(message.migrate_from_chat_id), str(chat.id))


async def _on_reaction(adapter: TelegramAdapter, update: Update) -> None:
    if update.message_reaction is not None:
        event = update.message_reaction
        who = f"{event.user.id}" if event.user else f"chat:{event.actor_chat.id if event.actor_chat else 'anon'}"
        chat, ref = str(event.chat.id), str(event.message_id)
        changed = False
        kind: ReactionKind
        for kind in ("up", "down"):
            had, now = reactions.has(event.old_reaction, kind), reactions.has(event.new_reaction, kind)
            if had != now:  # one vote per person and paper: 👍 -> 🔥, or dropping one of two, changes nothing
                await adapter.inbound.reaction(Reaction("telegram", chat, who, ref, reactions.NAMES[kind], kind, now))
                changed = True
        if not changed:
            log.debug("reactions of %s on %s in %s changed no vote: dropped", who, ref, chat)
    elif update.message_reaction_count is not None:
        counted = update.message_reaction_count
        def total(kind: ReactionKind) -> int:
            return sum(r.total_count for r in counted.reactions if reactions.count(getattr(r.type, "emoji", ""), kind))

        # channels report anonymous counts only: kept as a tally
        await adapter.inbound.tally(ReactionTally("telegram", str(counted.chat.id), str(counted.message_id),
                                                  total("up"), total("down")))


async def _on_button(adapter: TelegramAdapter, update: Update) -> None:
    query = update.callback_query
    if query is None:
        return
    found, message = buttons.pressed(query.data), query.message
    vote = None
    if found is not None and message is not None:
        vote = await adapter.inbound.vote_button(VoteButton("telegram", str(message.chat.id), str(query.from_user.id),
                                                            str(message.message_id), position=found[0], kind=found[1]))
    if vote is None:
        await query.answer("This button no longer votes for anything.")
    elif vote.kind == "down":
        await query.answer(f"👎 {vote.arxiv_id} marked not for us" if vote.up else
                           f"Not-for-us mark on {vote.arxiv_id} taken back")
    else:
        await query.answer(f"👍 Voted for {vote.arxiv_id}" if vote.up else f"Vote for {vote.arxiv_id} taken back")
