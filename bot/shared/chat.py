"""What a chat platform implements: the ChatAdapter protocol (what posting needs from it), and the
PlatformSpec (bot.shared.platform) by which bot/adapters.py finds and builds it.

A new platform is a bot/<platform>/ package whose `__init__` holds a PlatformSpec named PLATFORM (cheap to
import: the SDK loads only in `build`), an adapter implementing ChatAdapter that renders posts in the
platform's markup, and handlers that translate its SDK's events into bot.shared.events for one
bot.shared.inbound.Inbound. Then one line in bot/adapters.py's PLATFORMS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from bot.shared.platform import PlatformSpec

if TYPE_CHECKING:  # names for the annotations only: a platform's `__init__` may import this module cheaply
    import asyncio

    from aiohttp import web

    from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
    from storage.chat import Platform

__all__ = ["ChatAdapter", "PlatformSpec"]


class ChatAdapter(Protocol):
    """One platform. Every method returns the platform's reference of the message(s) it sent.

    References are opaque strings (Slack `ts`, Telegram `message_id`) stored with the post, so
    votes and `/deepdive` can find the paper and the thread later.
    """

    platform: Platform

    async def start(self) -> None:
        """Connect (auth test, bot identity, command registration); idempotent."""

    async def listen(self, app: web.Application) -> None:
        """Receive commands, reactions and button presses: add routes to `app` (Slack HTTP mode,
        Telegram webhook) or start a background task (Socket Mode, long polling). Only `serve` calls it."""

    async def stop_listening(self) -> None:
        """Take no more commands or updates (`serve` is stopping); work under way goes on."""

    def busy(self) -> set[asyncio.Task[Any]]:
        """Background work under way (a /deepdive being answered) that a shutdown lets finish."""

    async def close(self) -> None:
        """Stop listening and release connections; idempotent."""

    async def post_quick_view(self, channel_id: str, digest: Digest, votes: dict[str, int],
                              marks: dict[str, int] | None = None) -> str:
        """The list of every scanned paper, best first, selected ones marked (digest.selected()), with each
        paper's 👍 votes and 👎 "not for us" marks."""

    async def update_quick_view(self, channel_id: str, ref: str, digest: Digest, votes: dict[str, int],
                                marks: dict[str, int] | None = None) -> None:
        """Redraw a posted quick view with today's vote and mark counts (Slack chat.update, Telegram edits)."""

    async def post_deep_dive(self, channel_id: str, thread_ref: str, item: DigestItem, number: int) -> list[str]:
        """One paper's deep dive as a reply under `thread_ref` (split when too long)."""

    async def post_analysis(self, channel_id: str, paper: Paper, analysis: Analysis, score: int | None,
                            thread_ref: str | None) -> list[str]:
        """A `/deepdive` answer: in the digest's thread when `thread_ref` is given, else a new message."""

    async def post_text(self, channel_id: str, text: str, thread_ref: str | None = None) -> str:
        """A plain note (no papers today, a status line); the adapter escapes it."""

    async def post_paper_answer(self, channel_id: str, paper: Paper, question: str, answer: PaperAnswer,
                                thread_ref: str | None) -> list[str]:
        """An `/ask` answer with its quotes: in the digest's thread when `thread_ref` is given."""

