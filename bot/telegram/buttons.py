"""The quick view's inline keyboard, made and read here: a 👍 N button per listed paper whose callback
data is `v:<index>`, the paper's place in the quick view's list (from 0), and under each row of them the
row of 👎 N ("not for us") buttons for the same papers, `d:<index>`."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from analysis.models import Digest
from bot.shared.events import ReactionKind

BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100  # Telegram refuses a bigger inline keyboard, and the whole message with it
_DATA = re.compile(r"([vd]):(\d{1,3})")


def callback_data(index: int, kind: ReactionKind = "up") -> str:
    return f"{'v' if kind == 'up' else 'd'}:{index}"


def pressed(data: str | None) -> tuple[int, ReactionKind] | None:
    """(the listed paper's index, up or down) a button's callback data names; None for data that is not ours."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    return int(match.group(2)), "up" if match.group(1) == "v" else "down"


def vote_keyboard(count: int, votes: list[int] | None = None, marks: list[int] | None = None) -> InlineKeyboardMarkup:
    """👍 N for the N-th listed paper, with its votes beside N once it has any, and under each row of them
    the row of 👎 N for the same papers, with their marks. The 👍 buttons come first within Telegram's 100
    buttons; the 👎 ones take what is left (every paper, up to 50 listed)."""
    up = min(count, MAX_BUTTONS)
    down = min(count, MAX_BUTTONS - up)

    def button(kind: ReactionKind, n: int, counts: list[int] | None) -> InlineKeyboardButton:
        tally = counts[n - 1] if counts and n <= len(counts) else 0
        label = f"{'👍' if kind == 'up' else '👎'} {n}" + (f" · {tally}" if tally else "")
        return InlineKeyboardButton(label, callback_data=callback_data(n - 1, kind))

    rows = []
    for start in range(0, up, BUTTONS_PER_ROW):
        numbers = range(start + 1, min(start + BUTTONS_PER_ROW, up) + 1)
        rows.append([button("up", n, votes) for n in numbers])
        if start < down:
            rows.append([button("down", n, marks) for n in numbers if n <= down])
    return InlineKeyboardMarkup(rows)


def digest_keyboard(digest: Digest, votes_by_id: dict[str, int],
                    marks_by_id: dict[str, int] | None = None) -> InlineKeyboardMarkup:
    """The quick view's buttons, a 👍 and a 👎 per paper it lists (not per paper scanned), posted and
    redrawn alike."""
    listed = digest.quick_items()
    marks_by_id = marks_by_id or {}
    return vote_keyboard(len(listed), [votes_by_id.get(item.paper.arxiv_id, 0) for item in listed],
                         [marks_by_id.get(item.paper.arxiv_id, 0) for item in listed])
