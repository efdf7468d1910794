"""Commands answered after an LLM call (/deepdive, /ask), for every platform: which they are, where their
answer is posted, and the line that says why it was not. Each platform keeps its thread choice and its
way of replying to the person who asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.errors import PaperbotError
from bot.shared import ask_command, votes

if TYPE_CHECKING:
    from bot.shared.answers import Answer
    from bot.shared.chat import ChatAdapter
    from storage.store import Store

SLOW = {"deepdive": "the deep dive", "ask": "the answer"}  # name -> what follows, in the person's words


async def deliver(adapter: ChatAdapter, store: Store, channel_id: str, answer: Answer) -> list[str]:
    """Post a slow command's paper answer at `answer.thread_ref` and remember its messages as the paper's.
    A text answer (a usage line, an error) is the platform's to say: it returns no messages."""
    if answer.paper is None:
        return []
    if answer.reply is not None:
        return await ask_command.post(adapter, store, channel_id, answer)
    return await votes.post_answer_analysis(adapter, store, channel_id, answer)


def not_posted(name: str, exc: BaseException) -> str:
    """The one line telling who asked why their slow command's answer never came."""
    import sqlite3

    from storage.errors import explained

    if isinstance(exc, sqlite3.Error):  # the cache's write on the way (a locked or full database)
        exc = explained(exc)
    reason = str(exc) if isinstance(exc, PaperbotError) else f"internal error ({type(exc).__name__})"
    return f"{SLOW.get(name, 'the answer').capitalize()} could not be posted: {reason}"
