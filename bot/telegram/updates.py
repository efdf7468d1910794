"""Telegram updates: commands (with or without entities, `/cmd@ThisBot`), reactions and vote buttons."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from telegram import ReactionType, ReactionTypeEmoji, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, MessageReactionHandler, filters

from analysis.render import telegram as render
from bot.shared import marks, votes
from bot.shared.answers import Invocation
from bot.shared.commands import COMMANDS
from bot.shared.slow import SLOW, deliver, not_posted
from bot.shared.votes import UP_REACTIONS

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
        _on_reaction(adapter, update)

    async def on_button(update: Update, _: Context) -> None:
        await _on_button(adapter, update)

    async def on_migrate(update: Update, _: Context) -> None:
        _on_migrate(adapter, update)

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
    if parsed is None or parsed[0] not in KNOWN:
        return  # a group's other chatter and other bots' commands are not ours
    name, text = parsed
    user_id = str(message.from_user.id) if message.from_user else f"chat:{chat.id}"
    reply_to, thread = str(message.message_id), message.message_thread_id if message.is_topic_message else None
    who = Invocation("telegram", str(chat.id), user_id, is_admin=_admin_check(adapter, update),
                     topic=str(thread) if thread else "", context_paper=_replied_paper(adapter, message))
    error = adapter.commands.precheck(name, text, who.context_paper)
    if error:
        await adapter.send(str(chat.id), render.esc(error), reply_to=reply_to, thread_id=thread)
        return
    if name in SLOW:  # an LLM call away: answered in the background
        adapter.background.spawn(_answer_later(adapter, who, name, text, reply_to, thread))
        return
    answer = await adapter.commands.handle(who, name, text)
    await adapter.send(str(chat.id), render.esc(answer.text), reply_to=reply_to, thread_id=thread)


def _replied_paper(adapter: TelegramAdapter, message: Any) -> str | None:
    """The paper whose deep dive (or answer) this message replies to, so `/ask` may leave out the id."""
    replied = message.reply_to_message
    if replied is None:
        return None
    found = adapter.store.find_message("telegram", str(message.chat.id), str(replied.message_id))
    if found is None or found["kind"] not in ("deep_dive", "answer") or not found.get("arxiv_id"):
        return None
    return str(found["arxiv_id"])


async def _answer_later(adapter: TelegramAdapter, who: Invocation, name: str, text: str, reply_to: str,
                        thread: int | None) -> None:
    try:
        answer = await adapter.commands.handle(who, name, text)
        if answer.paper is None:  # a usage line or an error
            await adapter.send(who.channel_id, render.esc(answer.text), reply_to=reply_to, thread_id=thread)
            return
        if answer.reply is not None:
            # under the question when it replies to a deep dive (already in the thread), else under the digest
            answer.thread_ref = reply_to if who.context_paper or not answer.thread_ref else answer.thread_ref
        else:
            answer.thread_ref = answer.thread_ref or reply_to  # under the digest if it is there, else the question
        await deliver(adapter, adapter.store, who.channel_id, answer)
    except Exception as exc:  # a background task has nobody else to tell but the person who asked
        log.error("answering /%s in %s failed: %s", name, who.channel_id, exc)
        try:
            await adapter.send(who.channel_id, render.esc(not_posted(name, exc)), reply_to=reply_to,
                               thread_id=thread)
        except Exception as again:
            log.error("telling the user about it failed too: %s", again)


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


def _up(reactions: Sequence[ReactionType] | None) -> bool:
    """Whether any of these is an up-vote emoji; custom emoji and paid (star) reactions never are.
    Note ⬆ is not among Telegram's reaction emoji (telegram.constants.ReactionEmoji), so it never arrives."""
    return any(isinstance(r, ReactionTypeEmoji) and r.emoji in UP_REACTIONS for r in reactions or ())


def _down(reactions: Sequence[ReactionType] | None) -> bool:
    return any(isinstance(r, ReactionTypeEmoji) and marks.is_down(r.emoji) for r in reactions or ())


def _on_migrate(adapter: TelegramAdapter, update: Update) -> None:
    """A group upgraded to a supergroup: the old group gets migrate_to_chat_id, the new one migrate_from_chat_id."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id:
        adapter.move_chat(str(chat.id), str(message.migrate_to_chat_id))
    elif message.migrate_from_chat_id:
        adapter.move_chat(str(message.migrate_from_chat_id), str(chat.id))


def _on_reaction(adapter: TelegramAdapter, update: Update) -> None:
    store = adapter.store
    if update.message_reaction is not None:
        event = update.message_reaction
        who = f"{event.user.id}" if event.user else f"chat:{event.actor_chat.id if event.actor_chat else 'anon'}"
        chat, ref = str(event.chat.id), str(event.message_id)
        had, has = _up(event.old_reaction), _up(event.new_reaction)
        if had != has:  # one vote per person and paper: 👍 -> 🔥, or dropping one of two, changes nothing
            adapter.refresher.voted(chat, votes.react(store, "telegram", chat, ref, "👍", who, added=has))
        was, is_ = _down(event.old_reaction), _down(event.new_reaction)
        if was != is_:  # 👎 marks the paper "not for us": kept apart from the vote
            adapter.refresher.voted(chat, marks.react(store, "telegram", chat, ref, "👎", who, added=is_))
    elif update.message_reaction_count is not None:
        counted = update.message_reaction_count
        total = sum(r.total_count for r in counted.reactions if getattr(r.type, "emoji", "") in UP_REACTIONS)
        paper = votes.reaction_target(store, "telegram", str(counted.chat.id), str(counted.message_id), "👍")
        if paper is not None:  # channels report anonymous counts only: keep them as a tally
            store.set_anonymous_votes("telegram", str(counted.chat.id), paper, total)
            adapter.refresher.voted(str(counted.chat.id), paper)


async def _on_button(adapter: TelegramAdapter, update: Update) -> None:
    query = update.callback_query
    if query is None:
        return
    match = re.fullmatch(r"([vd]):(\d{1,3})", query.data or "")
    message = query.message
    if match and match.group(1) == "d" and message is not None:
        await _on_mark_button(adapter, query, str(message.chat.id), str(message.message_id), int(match.group(2)))
        return
    paper = None
    if match and message is not None:
        paper = votes.listed_index(adapter.store, "telegram", str(message.chat.id), str(message.message_id),
                                   int(match.group(2)))
    if paper is None:
        await query.answer("This button no longer votes for anything.")
        return
    assert message is not None
    up = votes.toggle(adapter.store, "telegram", str(message.chat.id), paper, str(query.from_user.id))
    adapter.refresher.voted(str(message.chat.id), paper)
    await query.answer(f"👍 Voted for {paper}" if up else f"Vote for {paper} taken back")


async def _on_mark_button(adapter: TelegramAdapter, query: Any, chat: str, ref: str, index: int) -> None:
    """A 👎 N button: toggles the person's "not for us" mark on the N-th listed paper."""
    pressed = marks.press(adapter.store, "telegram", chat, ref, index, str(query.from_user.id))
    if pressed is None:
        await query.answer("This button no longer marks anything.")
        return
    paper, on = pressed
    adapter.refresher.voted(chat, paper)
    await query.answer(f"👎 {paper} marked not for us" if on else f"Mark on {paper} taken back")
