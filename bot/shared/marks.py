"""👎 "not for us" from reactions and buttons, for every platform: which paper a 👎 marks, and the count.

A 👎 on a paper's own message (its deep dive) marks that paper for the channel; a 👎 N button of the
quick view marks its N-th listed paper. One mark per person and paper, standing while any of their 👎
reactions points at the paper; taking the last one back removes the mark. Marks are kept apart from votes:
a paper may be liked by one member and marked by another, and both counts are shown.
"""

from __future__ import annotations

from bot.shared.votes import listed_index
from storage.store import Store

# Slack names and Telegram emoji of the "not for us" reaction.
DOWN_REACTIONS = frozenset({"-1", "thumbsdown", "👎"})


def is_down(reaction: str) -> bool:
    return reaction.split("::")[0] in DOWN_REACTIONS  # Slack skin tones: "-1::skin-tone-2"


def mark_target(store: Store, platform: str, channel_id: str, message_ref: str, reaction: str) -> str | None:
    """The paper a 👎 reaction marks: that of a deep dive (or of a /deepdive answer); anything else marks nothing."""
    if not is_down(reaction):
        return None
    message = store.find_message(platform, channel_id, message_ref)
    if message is None or message["kind"] != "deep_dive" or not message.get("arxiv_id"):
        return None
    return str(message["arxiv_id"])


def react(store: Store, platform: str, channel_id: str, message_ref: str, reaction: str, user_id: str,
          added: bool) -> str | None:
    """Apply one 👎 reaction event; returns the paper marked or unmarked (None when it marks nothing)."""
    paper = mark_target(store, platform, channel_id, message_ref, reaction)
    if paper is None:
        return None
    name = reaction.split("::")[0]
    store.set_reaction(platform, channel_id, message_ref, user_id, name, added)
    standing = added or any(mark_target(store, platform, channel_id, ref, other) == paper
                            for ref, other in store.reactions_of(platform, channel_id, user_id))
    store.set_mark(platform, channel_id, paper, user_id, standing)
    return paper


def press(store: Store, platform: str, channel_id: str, quick_view_ref: str, index: int,
          user_id: str) -> tuple[str, bool] | None:
    """A 👎 N button (N from 0 here): (paper, whether the person's mark now stands); None when it lists no paper."""
    paper = listed_index(store, platform, channel_id, quick_view_ref, index)
    if paper is None or not user_id:
        return None
    return paper, store.toggle_mark(platform, channel_id, paper, user_id)
