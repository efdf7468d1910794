"""Followed authors: whether a paper is by one, matched the way people write names.

"Kaiming He", "kaiming he", "K. He" and "He, Kaiming" all match the author "Kaiming He"; "Renée" matches
"Renee". A followed name with a full given name matches the same full name or its initial (papers often
abbreviate); an initial matches any given name with that initial. A single word (a surname alone) matches
no one: too many people share one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from analysis.models import Paper, Score
from analysis.profile import Profile


def _words(name: str) -> list[str]:
    """Lower-case ASCII words of a name, in given-names-then-surname order ("He, Kaiming" is reordered)."""
    if "," in name:
        surname, _, given = name.partition(",")
        name = f"{given} {surname}"
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z]+", flat) if w]


def _given_match(wanted: str, got: str) -> bool:
    if len(wanted) == 1 or len(got) == 1:
        return wanted[0] == got[0]
    return wanted == got


def same_person(followed: str, author: str) -> bool:
    """Whether `author` (as a paper lists it) is the `followed` name, tolerantly."""
    want, got = _words(followed), _words(author)
    if len(want) < 2 or len(got) < 2 or want[-1] != got[-1]:
        return False
    # given names: the followed ones must each match one of the author's, in order (middle names may be missing)
    rest = iter(got[:-1])
    return all(any(_given_match(w, g) for g in rest) for w in want[:-1])


def followed_in(paper: Paper, follows: Iterable[str]) -> list[str]:
    """The followed names (as the team typed them) among the paper's authors."""
    return [name for name in follows if any(same_person(name, author) for author in paper.authors)]


def lift_followed(scores: dict[str, Score], papers: Sequence[Paper], follows: Sequence[str], floor: int,
                  profile: Profile) -> None:
    """A paper by a followed author scores at least `floor` (the threshold), and its reason says who."""
    if not follows:
        return
    for paper in papers:
        names = followed_in(paper, follows)
        score = scores.get(paper.arxiv_id)
        if not names or score is None:
            continue
        reason = f"{profile.say('followed_reason', names=', '.join(names))} · {score.reason}".rstrip(" ·")
        scores[paper.arxiv_id] = score.model_copy(update={"score": max(score.score, floor), "reason": reason})
