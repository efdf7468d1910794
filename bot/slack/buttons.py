"""Block Kit vote buttons for a quick view, made and read here: one per listed paper, so every paper is
votable (keycap reactions stop at ten). Pressing one arrives as a block_actions payload whose action_id
is `vote:<index>`, the paper's place in the quick view's list (from 0)."""

from __future__ import annotations

import re
from typing import Any

PER_BLOCK = 25  # Slack's most elements in one actions block
ACTION = re.compile(r"vote:(\d{1,4})")  # what bolt routes to the vote handler


def action_id(index: int) -> str:
    return f"vote:{index}"


def pressed(action_id: str) -> int | None:
    """The listed paper's index a button's action_id names; None for one that is not ours."""
    match = ACTION.fullmatch(action_id)
    return int(match[1]) if match else None


def vote_actions(counts: list[int]) -> list[dict[str, Any]]:
    """Actions blocks of 👍 N buttons (with the paper's votes beside N once it has any)."""
    buttons = [{
        "type": "button", "action_id": action_id(i), "value": str(i),
        "text": {"type": "plain_text", "text": f"👍 {i + 1}" + (f" · {n}" if n else ""), "emoji": True},
    } for i, n in enumerate(counts)]
    return [{"type": "actions", "block_id": f"votes:{k // PER_BLOCK}", "elements": buttons[k : k + PER_BLOCK]}
            for k in range(0, len(buttons), PER_BLOCK)]
