"""The cheap ranking, without an LLM: keywords, blended with the team's taste once it holds a liked paper.

`cheap_scores` is what a no-LLM digest shows, what a pool too large for the LLM is narrowed by, and what
fills in for papers the LLM failed to score. From five liked papers the taste is a classifier, below five
the similarity to the liked papers (analysis.ranking.taste); its reason names the liked paper it resembles.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from analysis.models import Paper, Score
from analysis.ports import Cache
from analysis.profile import Profile
from analysis.ranking.keywords import keyword_scores
from analysis.ranking.taste import Doc, Resemblance, rank_by_taste
from analysis.ranking.view import ChannelView

TASTE_WEIGHT = 0.9  # the rest is the keyword score: on labelled days a heavier share of mismatched keywords
# buried the liked-alike papers (benchmarks/taste_bench.py: 0.75 found 8 of 38, 0.9 found 22, taste alone 24)
BACKGROUND = 2000  # most recent stored papers a taste is told apart from (training stays well under 0.5 s)


def combine(taste: Resemblance, keyword: Score, profile: Profile) -> Score:
    score = round(TASTE_WEIGHT * taste.score + (1 - TASTE_WEIGHT) * keyword.score)
    liked = " ".join(taste.like.split())
    reason = f"{profile.say('similar_reason', title=liked, n=round(taste.score))} · {keyword.reason}"
    return Score(arxiv_id=keyword.arxiv_id, score=max(0, min(100, score)), reason=reason, method="keyword")


def cheap_scores(papers: Sequence[Paper], view: ChannelView, background: Sequence[Doc]) -> dict[str, Score]:
    """Keyword scores, blended with the taste's ranking when it holds a liked paper. CPU-bound: from async
    code, call `cheap_scores_async`."""
    keyword = keyword_scores(list(papers), view.profile)
    liked = rank_by_taste(view.taste, background, papers) if view.taste.ranks else {}
    if not liked:
        return keyword
    return {i: combine(liked[i], s, view.profile) if i in liked else s for i, s in keyword.items()}


def background_of(cache: Cache, limit: int = BACKGROUND) -> list[Doc]:
    return [Doc(arxiv_id=i, title=t, abstract=a) for i, t, a in cache.recent_texts(limit)]


async def cheap_scores_async(papers: Sequence[Paper], view: ChannelView, cache: Cache) -> dict[str, Score]:
    """`cheap_scores` with the background read here (on the loop: SQLite) and the training in a thread."""
    background = background_of(cache) if view.taste.trains else []
    return await asyncio.to_thread(cheap_scores, papers, view, background)


def ranked_by(view: ChannelView) -> str | None:
    """The report's line on how the taste ranked the day, when it did."""
    taste, profile = view.taste, view.profile
    if taste.trains:
        return profile.say("taste_note", n=len(taste))
    return profile.say("similarity_note", n=len(taste)) if taste.ranks else None
