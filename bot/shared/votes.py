"""Votes from reactions and buttons, for every platform: which paper a reaction means, and the tally.
Each platform's own table says what its reaction names mean (bot/<platform>/reactions.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.shared.answers import Answer
from bot.shared.chat import ChatAdapter
from bot.shared.events import Meaning, Reaction, ReactionTable, ReactionTally, Vote, VoteButton
from bot.shared.stores import Votes
from storage.errors import StoreError

log = logging.getLogger(__name__)


def reaction_target(store: Votes, platform: str, channel_id: str, message_ref: str,
                    meaning: Meaning | None) -> str | None:
    """The paper a reaction votes for: a paper's own message with an up emoji, or the N-th listed paper
    of a quick view with keycap N. Anything else is not a vote."""
    if meaning is None or meaning.kind != "up":  # 👎 marks a paper (bot/shared/marks.py): it is no vote
        return None
    message = store.find_message(platform, channel_id, message_ref)
    if message is None:
        return None
    if message["kind"] == "deep_dive" and meaning.position is None:
        return str(message["arxiv_id"])
    if message["kind"] == "quick_view" and meaning.position is not None:
        return listed_index(store, platform, channel_id, message_ref, meaning.position - 1)
    return None


def listed_index(store: Votes, platform: str, channel_id: str, quick_view_ref: str, index: int) -> str | None:
    listed = store.listed_papers(platform, channel_id, quick_view_ref)
    return listed[index] if 0 <= index < len(listed) else None


def is_listed(store: Votes, platform: str, channel_id: str, quick_view_ref: str, arxiv_id: str) -> bool:
    return arxiv_id in store.listed_papers(platform, channel_id, quick_view_ref)


# which paper a reaction points at (None: it is not one of this kind's), as reaction_target and marks.mark_target
Target = Callable[[Votes, str, str, str, Meaning | None], str | None]
# how a person's standing on a paper is stored: (platform, channel, paper, person, standing)
Stand = Callable[[str, str, str, str, bool], object]


def react(store: Votes, table: ReactionTable, event: Reaction) -> str | None:
    """Apply one reaction event; returns the paper voted on (or None when it was not a vote).

    One vote per person and paper, standing while any of their reactions points at the paper: taking
    back 🔥 leaves the vote of the 👍 beside it, and :one: on the quick view counts like 👍 on the paper."""
    return apply_reaction(store, table, event, reaction_target, store.set_vote)


def apply_reaction(store: Votes, table: ReactionTable, event: Reaction, target: Target, stand: Stand) -> str | None:
    """A reaction of `target`'s kind remembered by name; the person's standing on its paper (a vote, a mark)
    holds while any of their reactions of that kind still points at the paper. The paper, or None."""
    platform, channel_id, user_id = event.platform, event.channel_id, event.user_id
    paper = target(store, platform, channel_id, event.message_ref, table.get(event.name))
    if paper is None:
        return None
    store.set_reaction(platform, channel_id, event.message_ref, user_id, event.name, event.added)
    standing = event.added or any(target(store, platform, channel_id, ref, table.get(other)) == paper
                                  for ref, other in store.reactions_of(platform, channel_id, user_id))
    stand(platform, channel_id, paper, user_id, standing)
    return paper


def tally(store: Votes, event: ReactionTally) -> str | None:
    """Anonymous up counts of a paper's message kept as that many anonymous votes; the paper, if any."""
    paper = reaction_target(store, event.platform, event.channel_id, event.message_ref, Meaning("up"))
    if paper is not None:
        store.set_anonymous_votes(event.platform, event.channel_id, paper, event.up)
    return paper


def press(store: Votes, event: VoteButton) -> Vote | None:
    """A vote button toggles the person's vote for the listed paper it names; None when it names none."""
    paper = pressed_paper(store, event)
    if paper is None:
        return None
    return Vote(paper, toggle(store, event.platform, event.channel_id, paper, event.user_id))


def pressed_paper(store: Votes, event: VoteButton) -> str | None:
    """The paper a quick view's button names (by position or id), if that quick view lists it."""
    where = (store, event.platform, event.channel_id, event.message_ref)
    if event.position is not None:
        return listed_index(*where, event.position)
    return event.arxiv_id if event.arxiv_id and is_listed(*where, event.arxiv_id) else None


def toggle(store: Votes, platform: str, channel_id: str, arxiv_id: str, user_id: str) -> bool:
    """A vote button: the first press votes, the next takes it back. True when the vote now stands."""
    if store.set_vote(platform, channel_id, arxiv_id, user_id, True):
        return True
    store.set_vote(platform, channel_id, arxiv_id, user_id, False)
    return False


async def post_answer_analysis(adapter: ChatAdapter, store: Votes, channel_id: str, answer: Answer) -> list[str]:
    """Post a /deepdive answer and remember its messages, so reactions on them vote for the paper."""
    assert answer.paper is not None and answer.analysis is not None
    refs = await adapter.post_analysis(channel_id, answer.paper, answer.analysis, answer.score, answer.thread_ref)
    await remember(store, adapter.platform, channel_id, refs, "deep_dive", answer.paper.arxiv_id)
    return refs


async def remember(store: Votes, platform: str, channel_id: str, refs: list[str], kind: str, arxiv_id: str) -> None:
    """Remember an answer's messages as the paper's (so reactions on them vote). The answer is out already:
    a database that refuses the record (locked, full) costs those votes, logged, and is no failure to report."""
    day = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        for ref in refs:
            await store.call(store.record_message, platform, channel_id, day, ref, kind=kind, arxiv_id=arxiv_id,
                             lane="votes")
    except StoreError as exc:
        log.warning("the answer on %s in %s was posted, but reactions on it will not count: %s",
                    arxiv_id, channel_id, exc)
