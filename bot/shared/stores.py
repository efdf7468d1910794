"""What bot/shared/ needs from storage, one protocol per concern (as analysis/ports.py is for analysis/).

storage.store.Store implements them all; a function here takes the narrowest one it uses, so posting
cannot reach votes, nor votes the post log. Every protocol has `call`: the way to run its methods on a
storage thread from the event loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from storage.chat import Channel, Claim
from storage.post_log import Intent

T = TypeVar("T")


class OffLoop(Protocol):
    async def call(self, fn: Callable[..., T], /, *args: Any, wait_ms: int | None = None, lane: str = "posts",
                   **kwargs: Any) -> T: ...


class PostLog(OffLoop, Protocol):
    """Claims of (channel, day) and each message's intent and confirmation."""

    def claim_post(self, platform: str, channel_id: str, day: str, owner: str | None = None,
                   now: dt.datetime | None = None) -> Claim: ...

    def finish_post(self, platform: str, channel_id: str, day: str) -> None: ...

    def release_post(self, platform: str, channel_id: str, day: str) -> None: ...

    def begin_message(self, platform: str, channel_id: str, day: str, key: str,
                      arxiv_id: str | None = None) -> Intent: ...

    def forget_message(self, platform: str, channel_id: str, day: str, key: str) -> None: ...

    def message_sent(self, platform: str, channel_id: str, day: str, key: str, refs: list[str], *, kind: str,
                     arxiv_id: str | None = None, position: int | None = None) -> None: ...

    def quick_view_sent(self, platform: str, channel_id: str, day: str, ref: str, listed: list[str],
                        view: str | None) -> None: ...

    def thread_replaced(self, platform: str, channel_id: str, day: str, key: str, ref: str) -> None: ...

    def record_message(self, platform: str, channel_id: str, day: str, ref: str, *, kind: str,
                       arxiv_id: str | None = None, position: int | None = None) -> None: ...

    def dived_before(self, platform: str, channel_id: str, before_day: str) -> set[str]: ...

    def listed_before(self, platform: str, channel_id: str, day: str) -> set[str]: ...


class Tallies(OffLoop, Protocol):
    """Vote counts and what was posted when, read-only."""

    def vote_counts(self, platform: str, channel_id: str) -> dict[str, int]: ...

    def most_voted(self, platform: str, channel_id: str, since: str, limit: int,
                   until: str = "9999") -> list[tuple[str, str, int, str]]: ...

    def posted_between(self, platform: str, channel_id: str, first_day: str, before_day: str) -> bool: ...


class Seen(OffLoop, Protocol):
    """What each channel was shown (papers, new versions, announcements), so no later digest shows it again."""

    def remember_shown(self, platform: str, channel_id: str, day: str, ids: Iterable[str],
                       updates: Iterable[tuple[str, int]] = (), announcements: Iterable[str] = ()) -> None: ...


class Marks(OffLoop, Protocol):
    """👎 "not for us" marks, as the quick view counts them and the deep dives skip them."""

    def mark_counts(self, platform: str, channel_id: str) -> dict[str, int]: ...

    def marked_ids(self, scope: tuple[str, str]) -> set[str]: ...


class Posting(PostLog, Tallies, Seen, Marks, Protocol):
    """What posting a digest needs: the post log, the counts its quick view and weekly line show, and what the
    channel has seen."""


class Votes(OffLoop, Protocol):
    """Reactions and vote buttons: which message is which paper, and who voted for what."""

    def find_message(self, platform: str, channel_id: str, ref: str) -> dict[str, object] | None: ...

    def listed_papers(self, platform: str, channel_id: str, quick_view_ref: str) -> list[str]: ...

    def set_reaction(self, platform: str, channel_id: str, message_ref: str, user_id: str, reaction: str,
                     present: bool) -> None: ...

    def reactions_of(self, platform: str, channel_id: str, user_id: str) -> list[tuple[str, str]]: ...

    def set_vote(self, platform: str, channel_id: str, arxiv_id: str, user_id: str, up: bool) -> bool: ...

    def set_anonymous_votes(self, platform: str, channel_id: str, arxiv_id: str, count: int) -> None: ...

    def record_message(self, platform: str, channel_id: str, day: str, ref: str, *, kind: str,
                       arxiv_id: str | None = None, position: int | None = None) -> None: ...


class QuickViews(OffLoop, Protocol):
    """The digests posted quick views show, for redrawing their counts."""

    def mark_counts(self, platform: str, channel_id: str) -> dict[str, int]: ...

    def view_ref(self, platform: str, channel_id: str, arxiv_id: str) -> str | None: ...

    def view_at(self, platform: str, channel_id: str, quick_view_ref: str) -> str | None: ...

    def vote_counts(self, platform: str, channel_id: str) -> dict[str, int]: ...


class Channels(OffLoop, Protocol):
    def get_channel(self, platform: str, channel_id: str) -> Channel | None: ...

    def channels(self, *, active_only: bool = True) -> list[Channel]: ...
