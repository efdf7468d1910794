"""What Telegram's reaction emoji mean as votes (with and without the variation selector); custom emoji
and paid (star) reactions never vote. ⬆ is not among Telegram's reaction emoji
(telegram.constants.ReactionEmoji), so it never arrives; it is listed as Slack lists arrow_up.

Telegram reports a person's whole set of reactions, old and new: a change from one up emoji to another
is no change of vote, so every up emoji is the one reaction "👍" (and every down one "👎")."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import ReactionType, ReactionTypeEmoji

from bot.shared.events import Meaning, ReactionKind, ReactionTable

UP, DOWN = Meaning("up"), Meaning("down")
REACTIONS: ReactionTable = {
    **dict.fromkeys(("👍", "🔥", "❤", "❤️", "⬆", "⬆️"), UP),
    "👎": DOWN,
}
NAMES: dict[ReactionKind, str] = {"up": "👍", "down": "👎"}  # the one name each kind is remembered by


def has(reactions: Sequence[ReactionType] | None, kind: ReactionKind) -> bool:
    """Whether any of these emoji means `kind`."""
    return any(isinstance(r, ReactionTypeEmoji) and (m := REACTIONS.get(r.emoji)) is not None and m.kind == kind
               for r in reactions or ())


def count(emoji: str | None, kind: ReactionKind) -> bool:
    """Whether an anonymous count of `emoji` counts towards `kind`."""
    meaning = REACTIONS.get(emoji or "")
    return meaning is not None and meaning.kind == kind
