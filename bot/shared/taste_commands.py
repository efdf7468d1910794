"""`/keywords` and `/top`: a channel's interests and its most voted papers, for every platform alike."""

from __future__ import annotations

import datetime as dt
import re

from analysis.errors import BadInput, quote
from bot.shared.stores import Tallies

KEYWORDS_USAGE = ("Usage: /keywords Image Restoration, Diffusion (comma-separated) to set this channel's interests, "
                  "/keywords alone to see them, /keywords default to go back to the default ones.")
TOP_USAGE = "Usage: /top [days] — the most voted papers of the last 7 days, or of the last 1 to 365 days."
MAX_KEYWORDS, MAX_KEYWORD_CHARS = 20, 60
RESET = {"default", "reset"}


def parse_keywords(text: str) -> list[str] | None:
    """The interests of `/keywords a, b, c` (None for `default`), or BadInput with the usage line."""
    text = text.strip()
    if text.lower() in RESET:
        return None
    words: dict[str, str] = {}  # each interest once, as first spelled
    for part in re.split(r"[,，;\n]", text):
        if part.strip():
            words.setdefault(part.strip().lower(), " ".join(part.split()))
    if not words:
        raise BadInput(KEYWORDS_USAGE)
    if len(words) > MAX_KEYWORDS or any(len(w) > MAX_KEYWORD_CHARS for w in words.values()):
        raise BadInput(f"at most {MAX_KEYWORDS} interests of at most {MAX_KEYWORD_CHARS} characters each. "
                       + KEYWORDS_USAGE)
    return list(words.values())


def parse_days(text: str) -> int:
    value = text.strip() or "7"
    if not re.fullmatch(r"\d{1,3}", value, re.ASCII) or not 1 <= int(value) <= 365:
        raise BadInput(f"'{quote(value, 20)}' is not a number of days. {TOP_USAGE}")
    return int(value)


def show_keywords(current: tuple[str, ...], default: list[str]) -> str:
    if current:
        return "This channel's interests: " + ", ".join(current) + ". " + KEYWORDS_USAGE
    return "This channel uses the default interests: " + ", ".join(default) + ". " + KEYWORDS_USAGE


def top_text(store: Tallies, platform: str, channel_id: str, days: int, now: dt.datetime | None = None) -> str:
    """The channel's most voted papers among votes cast in the last `days` days, at most ten."""
    since = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)).isoformat(timespec="seconds")
    rows = store.most_voted(platform, channel_id, since, limit=10)
    span = "7 days" if days == 7 else f"{days} day{'s' if days != 1 else ''}"
    if not rows:
        return f"No votes in the last {span}. Vote with 👍 🔥 ❤️ on a deep dive, or the buttons under the digest."
    lines = [f"Most voted in the last {span}:"]
    lines += [f"{n}. 👍 {votes}  {title}  ({arxiv_id})" for n, (arxiv_id, title, votes, _) in enumerate(rows, 1)]
    return "\n".join(lines)
