"""Feishu's event bodies read into plain values: a command typed to the bot, a reaction, a button press.

Nothing here calls Feishu or the store; bot.feishu.events hands what it reads to the dispatcher.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.feishu.cards import button_index
from bot.feishu.reactions import REACTIONS
from bot.shared.commands import COMMANDS
from bot.shared.events import ReactionKind

KNOWN = {*COMMANDS, "start"}
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:\s+(.*))?", re.S)
_PLACEHOLDER = re.compile(r"@_user_\d+")


@dataclass(frozen=True)
class TypedCommand:
    chat_id: str
    group: bool  # a group chat (settings need its owner or a manager), not a one-to-one chat
    user_id: str  # open_id
    message_id: str
    in_thread: bool  # typed inside a thread: answers stay in it
    parent_id: str  # the message it replies to ("" for none): /ask may then leave out the paper
    name: str
    text: str


@dataclass(frozen=True)
class ReactionEvent:
    message_id: str
    user_id: str
    emoji: str  # Feishu's emoji_type, e.g. THUMBSUP
    added: bool


@dataclass(frozen=True)
class ButtonPress:
    chat_id: str
    message_id: str
    user_id: str
    index: int  # the listed paper's position, from 0
    kind: ReactionKind  # 👍 (a vote) or 👎 (a "not for us" mark)


def command(event: dict[str, Any], bot_open_id: str) -> TypedCommand | None:
    """A command meant for the bot: in a group only when the message mentions it, in a one-to-one chat
    any message starting with `/`. None for chatter, other bots' mentions and non-text messages."""
    message, sender = _dict(event.get("message")), _dict(event.get("sender"))
    if message.get("message_type") != "text" or sender.get("sender_type", "user") != "user":
        return None
    try:
        text = str(_dict(json.loads(str(message.get("content") or "{}"))).get("text", ""))
    except ValueError:
        return None
    group = message.get("chat_type") != "p2p"
    mentions = message.get("mentions")
    mine = _bot_keys([m for m in mentions if isinstance(m, dict)] if isinstance(mentions, list) else [], bot_open_id)
    if group and not mine:
        return None
    for key in mine:
        text = text.replace(key, " ")
    text = _PLACEHOLDER.sub(" ", text).strip()  # other people mentioned are no part of the command
    match = _COMMAND.fullmatch(text)
    if not match or match.group(1).lower() not in KNOWN:
        return None
    user = _dict(sender.get("sender_id")).get("open_id") or ""
    return TypedCommand(chat_id=str(message.get("chat_id", "")), group=group, user_id=str(user),
                        message_id=str(message.get("message_id", "")),
                        in_thread=bool(message.get("thread_id") or message.get("root_id")),
                        parent_id=str(message.get("parent_id") or ""),
                        name=match.group(1).lower(), text=(match.group(2) or "").strip())


def _bot_keys(mentions: list[dict[str, Any]], bot_open_id: str) -> list[str]:
    """The placeholders (@_user_N) that stand for this bot. Without its open_id (bot info unavailable),
    a mention that opens the message is taken for the bot's."""
    keys = [str(m.get("key")) for m in mentions
            if bot_open_id and isinstance(m.get("id"), dict) and m["id"].get("open_id") == bot_open_id]
    if not bot_open_id and mentions:
        keys = [str(mentions[0].get("key"))]
    return [k for k in keys if k and k != "None"]


def reaction(event: dict[str, Any], added: bool) -> ReactionEvent | None:
    """A person's reaction that means something (THUMBSUP, FIRE, HEART up; THUMBSDOWN down)."""
    emoji = str(_dict(event.get("reaction_type")).get("emoji_type", ""))
    user = _dict(event.get("user_id")).get("open_id")
    if emoji not in REACTIONS or not user or event.get("operator_type") == "app" or not event.get("message_id"):
        return None
    return ReactionEvent(str(event["message_id"]), str(user), emoji, added)


def button(event: dict[str, Any]) -> ButtonPress | None:
    """A 👍 N button of a quick view card (card.action.trigger); None for any other card action."""
    pressed = button_index(_dict(event.get("action")).get("value"))
    context, operator = _dict(event.get("context")), _dict(event.get("operator"))
    chat, message, user = context.get("open_chat_id"), context.get("open_message_id"), operator.get("open_id")
    if pressed is None or not (chat and message and user):
        return None
    return ButtonPress(str(chat), str(message), str(user), pressed[0], "up" if pressed[1] == "up" else "down")


def _dict(value: Any) -> dict[str, Any]:
    """A part of an event that should be an object; {} when Feishu (or anyone) sent something else."""
    return value if isinstance(value, dict) else {}
