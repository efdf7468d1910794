"""The platform-free events an adapter turns its SDK's updates into, and how it answers a command.

A platform package (bot/<platform>/) only translates: a slash command, a mention or a `/…` message becomes
a `Command`; an emoji on a message a `Reaction` (its own table maps the emoji's name to a `Meaning`); a
press of a quick view's 👍 N button a `VoteButton`. The one dispatcher, bot.shared.inbound.Inbound, does
the rest the same way for every platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.shared.answers import Invocation
from storage.chat import Platform

ReactionKind = Literal["up", "down"]


@dataclass(frozen=True)
class Meaning:
    """What one of a platform's reaction names says: a vote up or down for the paper of the message it is
    on; with `position`, a keycap N on a quick view, which votes for the N-th paper listed (from 1)."""

    kind: ReactionKind
    position: int | None = None


ReactionTable = Mapping[str, Meaning]  # a platform's reaction names -> what they mean; others are no vote


@dataclass(frozen=True)
class Command:
    """`/name text` typed by `who`. `reply_to` is the command's own message where the platform has one
    (Telegram, Feishu; a Slack slash command is none): answers with nowhere better to go hang under it."""

    who: Invocation
    name: str  # without the slash, lower case
    text: str  # the arguments as typed, the platform's own markup undone
    reply_to: str | None = None


@dataclass(frozen=True)
class Reaction:
    """An emoji added to or taken off a message. `name` is the platform's own (Slack without the skin
    tone): a person's reactions are remembered by name, so taking back 🔥 keeps the vote of the 👍 beside it."""

    platform: Platform
    channel_id: str
    user_id: str
    message_ref: str
    name: str
    kind: ReactionKind
    added: bool
    position: int | None = None  # see Meaning

    @classmethod
    def of(cls, table: ReactionTable, platform: Platform, channel_id: str, user_id: str, message_ref: str,
           name: str, *, added: bool) -> Reaction | None:
        """The event for `name` as `table` reads it; None for a reaction that is no vote."""
        meaning = table.get(name)
        if meaning is None:
            return None
        return cls(platform, channel_id, user_id, message_ref, name, meaning.kind, added, meaning.position)


@dataclass(frozen=True)
class ReactionTally:
    """Anonymous counts of a message's up (and 👎) reactions (a Telegram channel reports no names): kept as a tally."""

    platform: Platform
    channel_id: str
    message_ref: str
    up: int
    down: int = 0


@dataclass(frozen=True)
class VoteButton:
    """A press of a quick view's vote button, which names its paper by `position` in the list (from 0) or
    by `arxiv_id`; either must be a paper that quick view lists, or the press votes for nothing."""

    platform: Platform
    channel_id: str
    user_id: str
    message_ref: str  # the quick view's message
    position: int | None = None
    arxiv_id: str | None = None
    kind: ReactionKind = "up"


@dataclass(frozen=True)
class Vote:
    """What a vote button did: the paper, and whether the person's vote (or 👎 mark, for kind "down") for
    it now stands."""

    arxiv_id: str
    up: bool
    kind: ReactionKind = "up"


class Reply:
    """How a platform answers the person who typed a command; texts are plain, the platform escapes them.

    A platform subclasses it per command (it holds Slack's ack and response_url, or Telegram's chat,
    message and topic) and overrides what differs from the defaults."""

    async def answer(self, text: str, *, ephemeral: bool) -> None:
        """The first and often only reply: an error in what was typed, a refusal, a quick command's answer."""
        raise NotImplementedError

    async def started(self, name: str, text: str) -> None:
        """A slow command (an LLM call away) was accepted; its answer follows. Default: say nothing yet."""

    async def follow_up(self, text: str) -> None:
        """Text that comes after the background work (a usage line, why the answer was not posted)."""
        await self.answer(text, ephemeral=True)

    async def refusal(self, command: Command) -> str | None:
        """The platform's own reason not to run a command that is well formed (Slack: /subscribe where
        the bot cannot post), asked after the shared checks; None runs it."""
        return None
