"""What a chat command is (who asked, where) and what it answers: values every platform shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from analysis.models import Analysis, Paper, PaperAnswer
from storage.chat import Platform


@dataclass
class Invocation:
    """Who asked, where. `is_admin` is asked only when a command needs it (a Telegram API call)."""

    platform: Platform
    channel_id: str
    user_id: str
    is_admin: Callable[[], Awaitable[bool]] | None = None  # None: everyone may change settings
    topic: str | None = None  # the forum topic it was asked in ("" for none); None where chats have no topics
    context_paper: str | None = None  # the paper of the deep dive a command replies to (Telegram), for /ask


@dataclass
class Answer:
    """Plain text (adapters escape it) or a paper's deep dive to render, and where it goes."""

    text: str = ""
    ephemeral: bool = False
    paper: Paper | None = None
    analysis: Analysis | None = None
    score: int | None = None
    thread_ref: str | None = None  # the day's digest message, when the paper is in it
    question: str | None = None  # /ask: the question, and the answer in `reply`
    reply: PaperAnswer | None = None

