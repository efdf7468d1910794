"""👎 "not for us" from reactions and buttons, for every platform: which paper a 👎 marks.

A 👎 on a paper's own message (its deep dive, or a /deepdive answer) marks that paper for the channel; a
👎 N button of the quick view marks its N-th listed paper. One mark per person and paper, standing while
any of their 👎 reactions points at the paper; taking the last one back removes the mark. Marks are kept
apart from votes: one member may like a paper another marks, and the quick view shows both counts.
"""

from __future__ import annotations

from bot.shared.events import Meaning, Reaction, ReactionTable, ReactionTally, Vote, VoteButton
from bot.shared.stores import Votes
from bot.shared.votes import apply_reaction, pressed_paper
from storage.store import Store


def mark_target(store: Votes, platform: str, channel_id: str, message_ref: str, meaning: Meaning | None) -> str | None:
    """The paper a 👎 reaction marks: that of a deep dive; anything else (a keycap, the quick view) marks nothing."""
    if meaning is None or meaning.kind != "down" or meaning.position is not None:
        return None
    message = store.find_message(platform, channel_id, message_ref)
    if message is None or message["kind"] != "deep_dive" or not message.get("arxiv_id"):
        return None
    return str(message["arxiv_id"])


def react(store: Store, table: ReactionTable, event: Reaction) -> str | None:
    """Apply one 👎 reaction event; returns the paper marked or unmarked (None when it marks nothing)."""
    return apply_reaction(store, table, event, mark_target, store.set_mark)


def tally(store: Store, event: ReactionTally) -> str | None:
    """A deep dive's anonymous 👎 count (a Telegram channel) kept as that many anonymous marks; the paper, if any."""
    paper = mark_target(store, event.platform, event.channel_id, event.message_ref, Meaning("down"))
    if paper is not None:
        store.set_anonymous_marks(event.platform, event.channel_id, paper, event.down)
    return paper


def press(store: Store, event: VoteButton) -> Vote | None:
    """A 👎 N button toggles the person's mark on the listed paper it names; None when it names none."""
    paper = pressed_paper(store, event)
    if paper is None:
        return None
    return Vote(paper, store.toggle_mark(event.platform, event.channel_id, paper, event.user_id), "down")
