"""The quick view's inline keyboard, made and read here: a 👍 N button per listed paper whose callback
data is `v:<index>`, the paper's place in the quick view's list (from 0)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from analysis.models import Digest

BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100  # Telegram refuses a bigger inline keyboard, and the whole message with it
_DATA = re.compile(r"v:(\d{1,3})")


def callback_data(index: int) -> str:
    return f"v:{index}"


def pressed(data: str | None) -> int | None:
    """The listed paper's index a button's callback data names; None for data that is not ours."""
    match = _DATA.fullmatch(data or "")
    return int(match.group(1)) if match else None


def vote_keyboard(count: int, votes: list[int] | None = None) -> InlineKeyboardMarkup:
    """👍 N for the N-th listed paper, with its votes beside N once it has any."""
    count = min(count, MAX_BUTTONS)
    votes = votes or []
    buttons = [InlineKeyboardButton(f"👍 {n}" + (f" · {votes[n - 1]}" if n <= len(votes) and votes[n - 1] else ""),
                                    callback_data=callback_data(n - 1)) for n in range(1, count + 1)]
    return InlineKeyboardMarkup([buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)])


def digest_keyboard(digest: Digest, votes_by_id: dict[str, int]) -> InlineKeyboardMarkup:
    """The quick view's buttons, one per paper it lists (not per paper scanned), posted and redrawn alike."""
    listed = digest.quick_items()
    return vote_keyboard(len(listed), [votes_by_id.get(item.paper.arxiv_id, 0) for item in listed])
