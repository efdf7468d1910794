"""Block Kit vote buttons for a quick view, made and read here: a 👍 N and a 👎 N per listed paper, so every
paper is votable (keycap reactions stop at ten). Pressing one arrives as a block_actions payload whose
action_id is `vote:<index>` (👍) or `down:<index>` (👎 "not for us"), the paper's place in the quick view's
list (from 0)."""

from __future__ import annotations

import re
from typing import Any

from bot.shared.events import ReactionKind

PER_BLOCK = 24  # Slack's most elements in one actions block is 25: twelve 👍/👎 pairs
ACTION = re.compile(r"vote:(\d{1,4})")  # what bolt routes to the vote handler
DOWN_ACTION = re.compile(r"down:(\d{1,4})")  # and to the 👎 handler
_PRESSED = re.compile(r"(vote|down):(\d{1,4})")


def action_id(index: int, kind: ReactionKind = "up") -> str:
    return f"{'vote' if kind == 'up' else 'down'}:{index}"


def pressed(action_id: str) -> int | None:
    """The listed paper's index a 👍 button's action_id names; None for one that is not ours."""
    match = ACTION.fullmatch(action_id)
    return int(match[1]) if match else None


def pressed_kind(action_id: str) -> tuple[int, ReactionKind] | None:
    """(index, up or down) a 👍 or 👎 button's action_id names; None for one that is not ours."""
    match = _PRESSED.fullmatch(action_id)
    if match is None:
        return None
    return int(match[2]), "up" if match[1] == "vote" else "down"


def _button(index: int, kind: ReactionKind, tally: int) -> dict[str, Any]:
    emoji = "👍" if kind == "up" else "👎"
    return {"type": "button", "action_id": action_id(index, kind), "value": str(index),
            "text": {"type": "plain_text", "text": f"{emoji} {index + 1}" + (f" · {tally}" if tally else ""),
                     "emoji": True}}


def vote_actions(counts: list[int], downs: list[int] | None = None) -> list[dict[str, Any]]:
    """Actions blocks of 👍 N / 👎 N button pairs (with the paper's votes or marks beside N once it has any)."""
    downs = downs or []
    buttons: list[dict[str, Any]] = []
    for i, n in enumerate(counts):
        buttons += [_button(i, "up", n), _button(i, "down", downs[i] if i < len(downs) else 0)]
    return [{"type": "actions", "block_id": f"votes:{k // PER_BLOCK}", "elements": buttons[k : k + PER_BLOCK]}
            for k in range(0, len(buttons), PER_BLOCK)]
