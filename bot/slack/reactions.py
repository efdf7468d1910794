"""What Slack's reaction names mean as votes: up on a paper's message, keycap N on a quick view for the
N-th paper listed, and 👎 (`-1`, `thumbsdown`) down. Names come without the skin tone (`+1::skin-tone-2`)."""

from __future__ import annotations

from bot.shared.events import Meaning, ReactionTable

UP, DOWN = Meaning("up"), Meaning("down")
KEYCAPS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "keycap_ten")
REACTIONS: ReactionTable = {
    **dict.fromkeys(("+1", "thumbsup", "fire", "heart", "arrow_up"), UP),
    **dict.fromkeys(("-1", "thumbsdown"), DOWN),
    **{name: Meaning("up", position) for position, name in enumerate(KEYCAPS, start=1)},
}


def base_name(reaction: str) -> str:
    """The reaction without its skin tone: `+1::skin-tone-2` is `+1`."""
    return reaction.split("::")[0]
