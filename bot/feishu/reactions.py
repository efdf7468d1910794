"""What Feishu's reactions mean as votes, by their `emoji_type`: 👍 🔥 ❤️ up on a paper's message, 👎 down.
Feishu reports each reaction added or taken off by name, so each is remembered by its own name."""

from __future__ import annotations

from bot.shared.events import Meaning, ReactionTable

UP, DOWN = Meaning("up"), Meaning("down")
REACTIONS: ReactionTable = {**dict.fromkeys(("THUMBSUP", "FIRE", "HEART"), UP), "THUMBSDOWN": DOWN}
