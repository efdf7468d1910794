"""Block Kit vote buttons for a quick view: 👍 N and 👎 N per listed paper, so every paper is votable (keycap
reactions stop at ten). Pressing one arrives as a block_actions payload with action_id `vote:<index>` (👍)
or `down:<index>` (👎 "not for us")."""

from __future__ import annotations

import re
from typing import Any

PER_BLOCK = 24  # Slack's most elements in one actions block is 25: twelve 👍/👎 pairs
ACTION = re.compile(r"vote:(\d{1,4})")
DOWN_ACTION = re.compile(r"down:(\d{1,4})")


def _button(action: str, emoji: str, i: int, n: int) -> dict[str, Any]:
    return {"type": "button", "action_id": f"{action}:{i}", "value": str(i),
            "text": {"type": "plain_text", "text": f"{emoji} {i + 1}" + (f" · {n}" if n else ""), "emoji": True}}


def vote_actions(counts: list[int], downs: list[int] | None = None) -> list[dict[str, Any]]:
    """Actions blocks of 👍 N / 👎 N button pairs (with the paper's votes or marks beside N once it has any)."""
    downs = downs or []
    buttons = []
    for i, n in enumerate(counts):
        buttons += [_button("vote", "👍", i, n), _button("down", "👎", i, downs[i] if i < len(downs) else 0)]
    return [{"type": "actions", "block_id": f"votes:{k // PER_BLOCK}", "elements": buttons[k : k + PER_BLOCK]}
            for k in range(0, len(buttons), PER_BLOCK)]
