"""`/follow`, `/unfollow` and `paperbot channel add --follow`: a channel's followed authors, for every platform alike.

A followed author's paper always goes to LLM scoring, gets at least the channel's threshold and shows 👤 with
the name (the ranking's side, analysis.ranking); here the names are parsed, checked and stored."""

from __future__ import annotations

import re

from analysis.errors import BadInput, quote
from storage.store import Store

FOLLOW_USAGE = ("Usage: /follow Kaiming He (or several, comma-separated) to follow authors, /follow alone to see "
                "them, /unfollow Kaiming He to stop.")
UNFOLLOW_USAGE = "Usage: /unfollow Kaiming He — stop following an author; /follow alone lists them."
MAX_FOLLOWS, MAX_NAME_CHARS = 50, 80
WHAT_IT_DOES = "their papers are always LLM-scored, get at least the threshold and show 👤 in the digest"


def parse_names(text: str, usage: str = FOLLOW_USAGE) -> list[str]:
    """The author names of `/follow A, B` (or `--follow "A, B"`), each once, spaces tidied; BadInput with the
    usage line for anything that is not a name."""
    names: dict[str, str] = {}
    for part in re.split(r"[,，;；\n]", text):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    if not names:
        raise BadInput(usage)
    for name in names.values():
        if len(name) > MAX_NAME_CHARS or not any(c.isalpha() for c in name):
            raise BadInput(f"'{quote(name, 40)}' is not an author's name (at most {MAX_NAME_CHARS} characters, "
                           f"with letters). {usage}")
        if len(re.findall(r"\w+", name)) < 2 and not re.search(r"[\u3400-\u9fff]", name):
            # a surname alone matches too many people (the ranking's matcher needs a given name or its initial)
            raise BadInput(f"'{quote(name, 40)}' is one word: give the author's full name or initial and surname "
                           f"(Kaiming He, K. He). {usage}")
    return list(names.values())


def follow(store: Store, platform: str, channel_id: str, names: list[str]) -> str:
    """Follow `names` in the channel; the reply says which were new."""
    current = store.follows(platform, channel_id)
    if len(current) + len(names) > MAX_FOLLOWS:
        raise BadInput(f"a channel follows at most {MAX_FOLLOWS} authors ({len(current)} now); "
                       "/unfollow some first. " + FOLLOW_USAGE)
    added = store.follow(platform, channel_id, names)
    already = [n for n in names if n not in added]
    parts = []
    if added:
        parts.append(f"Now following {', '.join(added)}: {WHAT_IT_DOES}.")
    if already:
        parts.append(f"Already followed: {', '.join(already)}.")
    return " ".join(parts)


def unfollow(store: Store, platform: str, channel_id: str, text: str) -> str:
    names = parse_names(text, UNFOLLOW_USAGE)
    gone = [store.unfollow(platform, channel_id, name) for name in names]
    stopped = [g for g in gone if g]
    missing = [n for n, g in zip(names, gone, strict=True) if not g]
    parts = [f"No longer following {', '.join(stopped)}."] if stopped else []
    if missing:
        left = store.follows(platform, channel_id)
        followed = f"This channel follows {', '.join(left)}." if left else "This channel follows no authors."
        parts.append(f"Not followed here: {', '.join(missing)}. {followed}")
    return " ".join(parts)


def list_text(store: Store, platform: str, channel_id: str) -> str:
    names = store.follows(platform, channel_id)
    if not names:
        return f"This channel follows no authors yet. /follow Kaiming He — {WHAT_IT_DOES}."
    return f"This channel follows {len(names)} author(s): {', '.join(names)}. {UNFOLLOW_USAGE}"
