"""The ChatAdapter protocol: what posting and commands need from Slack, Telegram or any platform."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from storage.chat import Platform


@dataclass(frozen=True)
class Capabilities:
    max_chars: int  # one message's text limit; longer content is split by the adapter
    threads: bool = True  # replies hang under the digest message
    vote_buttons: bool = False  # the quick view carries one vote button per paper


class ChatAdapter(Protocol):
    """One platform. Every method returns the platform's reference of the message(s) it sent.

    References are opaque strings (Slack `ts`, Telegram `message_id`) stored with the post, so
    votes and `/deepdive` can find the paper and the thread later.
    """

    platform: Platform
    capabilities: Capabilities

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
