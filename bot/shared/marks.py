"""👎 "not for us" from reactions and buttons, for every platform: which paper a 👎 marks.

A 👎 on a paper's own message (its deep dive, or a /deepdive answer) marks that paper for the channel; a
👎 N button of the quick view marks its N-th listed paper. One mark per person and paper, standing while
any of their 👎 reactions points at the paper; taking the last one back removes the mark. Marks are kept
apart from votes: one member may like a paper another marks, and the quick view shows both counts.
"""

from __future__ import annotations

from bot.shared.events import Meaning, Reaction, ReactionTable
from storage.store import Store


def mark_target(store: Store, platform: str, channel_id: str, message_ref: str, meaning: Meaning | None) -> str | None:
    """The paper a 👎 reaction marks: that of a deep dive; anything else (a keycap, the quick view) marks nothing."""
    if meaning is None or meaning.kind != "down" or meaning.position is not None:
        return None
    message = store.find_message(platform, channel_id, message_ref)
    if message is None or message["kind"] != "deep_dive" or not message.get("arxiv_id"):
        return None
    return str(message["arxiv_id"])


def react(store: Store, table: ReactionTable, event: Reaction) -> str | None:
    """Apply one 👎 reaction event; returns the paper marked or unmarked (None when it marks nothing)."""
    platform, channel_id, user_id = event.platform, event.channel_id, event.user_id
    paper = mark_target(store, platform, channel_id, event.message_ref, table.get(event.name))
    if paper is None:
        return None
    store.set_reaction(platform, channel_id, event.message_ref, user_id, event.name, event.added)
    standing = event.added or any(mark_target(store, platform, channel_id, ref, table.get(other)) == paper
                                  for ref, other in store.reactions_of(platform, channel_id, user_id))
    store.set_mark(platform, channel_id, paper, user_id, standing)
    return paper
