"""Block Kit vote buttons for a quick view: one per listed paper, so every paper is votable (keycap
reactions stop at ten). Pressing one arrives as a block_actions payload with action_id `vote:<index>`."""

from __future__ import annotations

import re
from typing import Any

PER_BLOCK = 25  # Slack's most elements in one actions block
ACTION = re.compile(r"vote:(\d{1,4})")


def vote_actions(counts: list[int]) -> list[dict[str, Any]]:
    """Actions blocks of 👍 N buttons (with the paper's votes beside N once it has any)."""
    buttons = [{
        "type": "button", "action_id": f"vote:{i}", "value": str(i),
        "text": {"type": "plain_text", "text": f"👍 {i + 1}" + (f" · {n}" if n else ""), "emoji": True},
    } for i, n in enumerate(counts)]
    return [{"type": "actions", "block_id": f"votes:{k // PER_BLOCK}", "elements": buttons[k : k + PER_BLOCK]}
            for k in range(0, len(buttons), PER_BLOCK)]
