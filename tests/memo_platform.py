"""A chat platform that lives in a dict: the smallest thing that implements bot.shared.chat's protocol,
to show that a platform is its own package plus one entry in the platform list. It "sends" by appending
to `sent` and "receives" when a test calls `type` or `react`, which translate into the shared events."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from bot.shared.answers import Invocation
from bot.shared.chat import PlatformSpec
from bot.shared.events import Command, Meaning, Reaction, Reply, VoteButton
from bot.shared.inbound import Inbound

REACTIONS = {"like": Meaning("up"), "dislike": Meaning("down"), "first": Meaning("up", 1)}


class MemoAdapter:
    platform: Any = "memo"

    def __init__(self, settings: Any, store: Any, commands: Any) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, each with its ref
        self.inbound = Inbound(self, store, commands, REACTIONS)

    def _send(self, channel_id: str, **message: Any) -> str:
        messages = self.sent.setdefault(channel_id, [])
        ref = str(len(messages) + 1)
        messages.append({"ref": ref, **message})
        return ref

    # -- ChatAdapter -------------------------------------------------------------------------
    async def start(self) -> None:
        pass

    async def listen(self, app: web.Application) -> None:
        pass

    async def stop_listening(self) -> None:
        pass

    def busy(self) -> set[asyncio.Task[Any]]:
        return self.inbound.busy()

    async def close(self) -> None:
        await self.inbound.close(self.stop_listening)

    async def post_quick_view(self, channel_id: str, digest: Digest, votes: dict[str, int],
                              marks: dict[str, int] | None = None) -> str:
        return self._send(channel_id, kind="quick_view", papers=[i.paper.arxiv_id for i in digest.quick_items()])

    async def update_quick_view(self, channel_id: str, ref: str, digest: Digest, votes: dict[str, int],
                                marks: dict[str, int] | None = None) -> None:
        self.sent[channel_id][int(ref) - 1].update(votes=dict(votes), marks=dict(marks or {}))

    async def post_deep_dive(self, channel_id: str, thread_ref: str, item: DigestItem, number: int) -> list[str]:
        return [self._send(channel_id, kind="deep_dive", paper=item.paper.arxiv_id, thread=thread_ref)]

    async def post_analysis(self, channel_id: str, paper: Paper, analysis: Analysis, score: int | None,
                            thread_ref: str | None) -> list[str]:
        return [self._send(channel_id, kind="analysis", paper=paper.arxiv_id, thread=thread_ref)]

    async def post_text(self, channel_id: str, text: str, thread_ref: str | None = None) -> str:
        return self._send(channel_id, kind="text", text=text, thread=thread_ref)

    async def post_paper_answer(self, channel_id: str, paper: Paper, question: str, answer: PaperAnswer,
                                thread_ref: str | None) -> list[str]:
        return [self._send(channel_id, kind="answer", paper=paper.arxiv_id, thread=thread_ref)]

    # -- the platform's events, as a test makes them ---------------------------------------
    async def type(self, channel_id: str, user_id: str, line: str) -> None:
        name, _, text = line.removeprefix("/").partition(" ")
        ref = self._send(channel_id, kind="typed", text=line, user=user_id)
        await self.inbound.command(Command(Invocation(self.platform, channel_id, user_id), name, text, reply_to=ref),
                                   MemoReply(self, channel_id, ref))

    async def react(self, channel_id: str, user_id: str, ref: str, name: str, added: bool = True) -> str | None:
        event = Reaction.of(REACTIONS, self.platform, channel_id, user_id, ref, name, added=added)
        return await self.inbound.reaction(event) if event else None

    async def press(self, channel_id: str, user_id: str, ref: str, position: int) -> Any:
        return await self.inbound.vote_button(VoteButton(self.platform, channel_id, user_id, ref, position=position))


class MemoReply(Reply):
    def __init__(self, adapter: MemoAdapter, channel_id: str, ref: str) -> None:
        self.adapter, self.channel_id, self.ref = adapter, channel_id, ref

    async def answer(self, text: str, *, ephemeral: bool) -> None:
        self.adapter._send(self.channel_id, kind="reply", text=text, thread=self.ref, ephemeral=ephemeral)


MEMO = PlatformSpec("memo", lambda settings: True, MemoAdapter)  # type: ignore[arg-type]
